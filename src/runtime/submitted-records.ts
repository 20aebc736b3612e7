// Offset safety for one source task (Connect's SubmittedRecords).
// In: every record handed to the producer, in poll order (submit), and Kafka's acknowledgement of each (ack).
// Out: committableOffsets() — per source partition, the offset of the latest record such that it AND EVERY RECORD
// SUBMITTED BEFORE IT for that partition was acknowledged. An offset is never committed ahead of its data: a record
// still in flight (or failed) blocks every later offset of its partition.

import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import { canonicalJson } from '../storage/offset-store.ts'

export interface SubmittedRecord {
  readonly partitionId: string
  readonly partition: SourcePartition
  readonly offset: SourceOffset
  acked: boolean
}

export interface CommittableOffsets {
  offsets: { partition: SourcePartition; offset: SourceOffset }[]
  /** Records acked and covered by `offsets` (to be dropped once those offsets are stored). */
  committedCount: number
  /** Records still waiting for an ack (ahead of which nothing is committed). */
  pendingCount: number
}

export class SubmittedRecords {
  /** Per partition, records in submission order; the head is the oldest not yet committed. */
  readonly #byPartition = new Map<string, SubmittedRecord[]>()
  #pending = 0
  #idle: (() => void)[] = []

  submit(partition: SourcePartition, offset: SourceOffset): SubmittedRecord {
    const partitionId = canonicalJson(partition)
    const record: SubmittedRecord = { partitionId, partition, offset, acked: false }
    const queue = this.#byPartition.get(partitionId)
    if (queue) queue.push(record)
    else this.#byPartition.set(partitionId, [record])
    this.#pending++
    return record
  }

  ack(record: SubmittedRecord): void {
    if (record.acked) return
    record.acked = true
    this.#pending--
    if (this.#pending === 0) {
      for (const resolve of this.#idle) resolve()
      this.#idle = []
    }
  }

  /** Records submitted and not yet acknowledged. */
  get pending(): number {
    return this.#pending
  }

  /**
   * Removes the acknowledged prefix of every partition's queue and returns the offset of the last record of each
   * prefix. Call it when about to commit; the removed records are not offered again.
   */
  takeCommittable(): CommittableOffsets {
    const offsets: CommittableOffsets['offsets'] = []
    let committedCount = 0
    for (const [id, queue] of this.#byPartition) {
      let n = 0
      while (n < queue.length && queue[n].acked) n++
      if (n === 0) continue
      const last = queue[n - 1]
      offsets.push({ partition: last.partition, offset: last.offset })
      committedCount += n
      if (n === queue.length) this.#byPartition.delete(id)
      else queue.splice(0, n)
    }
    return { offsets, committedCount, pendingCount: this.#pending }
  }

  /** Resolves when every submitted record was acknowledged, or after timeoutMs (false then). */
  awaitAllAcked(timeoutMs: number): Promise<boolean> {
    if (this.#pending === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((r) => r !== done)
        resolve(false)
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve(true)
      }
      this.#idle.push(done)
    })
  }
}
