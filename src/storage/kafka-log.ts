// A compacted Kafka topic read from the beginning into memory and written through (Connect's KafkaBasedLog).
// In: records appended with send() (acknowledged by all in-sync replicas). Out: every record of the topic, in
// partition order, to `onRecord` — including this worker's own writes, so every worker sees the same history.
import { randomUUID } from 'node:crypto'
import { Consumer, type MessagesStream, type Producer } from '@platformatic/kafka'
import type { KafkaClientNetwork } from '../metrics/kafka-client-network.ts'
import { keyPartition } from '../produce/partitioner.ts'
import type { StoreLog } from './backing-stores.ts'

export interface KafkaLogOptions {
  topic: string
  bootstrapServers: string[]
  clientId: string
  producer: Producer
  onRecord(key: string | null, value: Buffer | null, partition: number, offset: bigint): void
  /** Picks the partition for a key (Connect hashes the key); undefined = the producer's partitioner. */
  partitionOf?(key: string, partitions: number): number
  partitions: number
  /** The network statistics of the reader's client id (kafka_connect_connect_metrics_*), by that client id. */
  network?(clientId: string): KafkaClientNetwork
}

export class KafkaLog implements StoreLog {
  readonly topic: string
  readonly #options: KafkaLogOptions
  #consumer: Consumer | undefined
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  /** Next offset to read per partition: one past the last record delivered (or marker skipped). */
  readonly #position = new Map<number, bigint>()
  #waiters: { target: Map<number, bigint>; resolve(): void }[] = []
  #failure: Error | undefined

  constructor(options: KafkaLogOptions) {
    this.topic = options.topic
    this.#options = options
  }

  async start(): Promise<void> {
    const o = this.#options
    // A private group of one: this worker gets every partition and commits nothing (it always reads from the start).
    this.#consumer = new Consumer({
      clientId: `${o.clientId}-${o.topic}-reader`,
      groupId: `${o.clientId}-${o.topic}-${randomUUID()}`,
      bootstrapBrokers: o.bootstrapServers,
      autocommit: false,
      maxWaitTime: 200,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    })
    o.network?.(this.#consumer.clientId).watch(this.#consumer)
    this.#stream = await this.#consumer.consume({ topics: [o.topic], mode: 'earliest', autocommit: false })
    this.#stream.on('data', (message) => {
      this.#position.set(message.partition, message.offset + 1n)
      o.onRecord(
        message.key?.length ? message.key.toString('utf8') : null,
        message.value ?? null,
        message.partition,
        message.offset,
      )
      this.#release()
    })
    // The last offsets of a topic may hold nothing the stream hands out: transaction markers (a topic written by a
    // Connect cluster with exactly-once source support) or records compacted away. The stream's next fetch offset
    // moves past those too, so once it has delivered everything buffered, that offset is this log's position.
    const stream = this.#stream
    stream.on('fetch', () => {
      if (stream.readableLength > 0) return
      let moved = false
      for (const [key, next] of stream.offsetsToFetch) {
        const partition = Number(key.slice(key.lastIndexOf(':') + 1))
        if (key.slice(0, key.lastIndexOf(':')) !== o.topic || next <= (this.#position.get(partition) ?? 0n)) continue
        this.#position.set(partition, next)
        moved = true
      }
      if (moved) this.#release()
    })
    this.#stream.on('error', (error: Error) => {
      this.#failure = error
      for (const w of this.#waiters) w.resolve()
      this.#waiters = []
    })
    await this.readToEnd()
  }

  /** Resolves once every record written before this call has been passed to onRecord. */
  async readToEnd(timeoutMs = 30_000): Promise<void> {
    if (!this.#consumer) throw new Error(`log ${this.topic} is not started`)
    const ends = await this.#consumer.listOffsets({ topics: [this.topic] })
    const target = new Map<number, bigint>()
    for (const [partition, end] of (ends.get(this.topic) ?? []).entries()) target.set(partition, end)
    if (this.#reached(target)) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done)
        reject(new Error(`Timed out after ${timeoutMs} ms reading internal topic ${this.topic} to its end`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      this.#waiters.push({ target, resolve: done })
    })
    if (this.#failure) throw this.#failure
  }

  async send(key: string, value: Buffer | null): Promise<void> {
    const o = this.#options
    const partition = o.partitionOf?.(key, o.partitions)
    await o.producer.send({
      messages: [
        {
          topic: o.topic,
          key: Buffer.from(key, 'utf8'),
          value: value as Buffer,
          ...(partition === undefined ? {} : { partition }),
        },
      ],
      acks: -1,
    })
  }

  async stop(): Promise<void> {
    for (const w of this.#waiters) w.resolve()
    this.#waiters = []
    await this.#stream?.close().catch(() => {})
    await this.#consumer?.close(true).catch(() => {})
  }

  #reached(target: Map<number, bigint>): boolean {
    for (const [partition, end] of target) if (end > 0n && (this.#position.get(partition) ?? 0n) < end) return false
    return true
  }

  #release(): void {
    if (this.#waiters.length === 0) return
    const still: { target: Map<number, bigint>; resolve(): void }[] = []
    for (const w of this.#waiters) {
      if (this.#reached(w.target)) w.resolve()
      else still.push(w)
    }
    this.#waiters = still
  }
}

/**
 * The partition Connect's own stores write a key to: its KafkaBasedLog sends with the producer's default partitioner,
 * i.e. Java's murmur2 of the key's bytes. A worker that shares internal topics with Connect workers (or takes them
 * over) must put each key where they do: records of one key on two partitions have no order between them, and a
 * restart could read an older offset last.
 */
export function connectPartition(key: string, partitions: number): number {
  return keyPartition(Buffer.from(key, 'utf8')) % partitions
}
