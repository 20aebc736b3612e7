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

/** One source partition: records not yet acknowledged-in-order, and what their acknowledged prefix allows. */
interface PartitionQueue {
  /** Records in submission order from `head` on; everything before `head` was acknowledged and folded away. */
  records: SubmittedRecord[]
  head: number
  /** The last record of the acknowledged prefix not yet taken, and how many records that prefix holds. */
  committable: SubmittedRecord | null
  committableCount: number
}

export class SubmittedRecords {
  readonly #byPartition = new Map<string, PartitionQueue>()
  /** A task hands the same partition object with each of its records: its canonical form is computed once. */
  readonly #partitionIds = new WeakMap<SourcePartition, string>()
  #pending = 0
  #idle: (() => void)[] = []

  submit(partition: SourcePartition, offset: SourceOffset): SubmittedRecord {
    let partitionId = this.#partitionIds.get(partition)
    if (partitionId === undefined) {
      partitionId = canonicalJson(partition)
      this.#partitionIds.set(partition, partitionId)
    }
    const record: SubmittedRecord = { partitionId, partition, offset, acked: false }
    const queue = this.#byPartition.get(partitionId)
    if (queue) queue.records.push(record)
    else this.#byPartition.set(partitionId, { records: [record], head: 0, committable: null, committableCount: 0 })
    this.#pending++
    return record
  }

  ack(record: SubmittedRecord): void {
    if (record.acked) return
    record.acked = true
    this.#pending--
    // Fold the acknowledged prefix into `committable` now, so memory holds only records still in flight, not every
    // record since the last offset flush.
    const queue = this.#byPartition.get(record.partitionId)
    if (queue && queue.records[queue.head] === record) {
      const { records } = queue
      while (queue.head < records.length && records[queue.head].acked) {
        queue.committable = records[queue.head]
        queue.committableCount++
        queue.head++
      }
      if (queue.head === records.length) {
        records.length = 0
        queue.head = 0
      } else if (queue.head >= 1024 && queue.head * 2 >= records.length) {
        records.splice(0, queue.head)
        queue.head = 0
      }
    }
    if (this.#pending === 0) {
      for (const resolve of this.#idle) resolve()
      this.#idle = []
    }
  }

  /** Records still held: in flight, or acknowledged behind one still in flight. Bounded by what is in flight. */
  get held(): number {
    let n = 0
    for (const queue of this.#byPartition.values()) n += queue.records.length - queue.head
    return n
  }

  /** Records submitted and not yet acknowledged. */
  get pending(): number {
    return this.#pending
  }

  /**
   * Returns, per partition, the offset of the last record of its acknowledged prefix not yet taken, and forgets it:
   * call it when about to commit; a taken offset is not offered again.
   */
  takeCommittable(): CommittableOffsets {
    const offsets: CommittableOffsets['offsets'] = []
    let committedCount = 0
    for (const [id, queue] of this.#byPartition) {
      if (queue.committable === null) continue
      offsets.push({ partition: queue.committable.partition, offset: queue.committable.offset })
      committedCount += queue.committableCount
      queue.committable = null
      queue.committableCount = 0
      if (queue.records.length === 0) this.#byPartition.delete(id)
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
