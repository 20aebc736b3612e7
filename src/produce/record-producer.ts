// The worker's Kafka producer: idempotent, acks=all. In: converted records of one poll. Out: a promise that
// resolves when Kafka acknowledged all of them (or rejects). Records are split into requests the broker accepts
// (request-size.ts), and held against producer.buffer.memory until acknowledged (send-buffer.ts). Producer metrics are
// recorded here: sends at the ack, errors at the failure (per topic), the client's own retries of produce requests as
// it reports them, the buffer, and how long a request waited before the client wrote it (queue time).
import { type CompressionAlgorithmValue, Producer } from '@platformatic/kafka'
import { ApiKeys } from '../metrics/kafka-client-network.ts'
import type { ProducerMetricsRecorder } from '../metrics/recorder.ts'
import { keyPartition } from './partitioner.ts'
import {
  checkRecordSize,
  DEFAULT_MAX_REQUEST_BYTES,
  estimateRecordBytes,
  type RecordTooLargeError,
  splitIntoRequests,
} from './request-size.ts'
import { DEFAULT_BUFFER_MEMORY_BYTES, SendBuffer } from './send-buffer.ts'

/** Kafka's producer defaults: a send is retried for delivery.timeout.ms (2 min), retry.backoff.ms apart. */
const DELIVERY_TIMEOUT_MS = 120_000
const RETRY_BACKOFF_MS = 250

/**
 * Retries of a produce request when `retries` is not set: as many as fit in delivery.timeout.ms, so a broker restart
 * or a leader change shorter than that delays records instead of failing every source task (Kafka's producer
 * retries until that timeout; a count of 10 gave up after 2.5 s). A broker that accepts connections but does not
 * answer makes each attempt last up to request.timeout.ms, so the count bounds attempts, not time.
 */
function defaultRetries(overrides: Record<string, string>): number {
  const delivery = Number(overrides['delivery.timeout.ms'] ?? DELIVERY_TIMEOUT_MS)
  const backoff = Number(overrides['retry.backoff.ms'] ?? RETRY_BACKOFF_MS)
  return Math.max(1, Math.ceil(delivery / Math.max(1, backoff)))
}

export interface OutgoingRecord {
  topic: string
  partition?: number
  key: Buffer | null
  value: Buffer | null
  timestamp?: number
  /** Header keys and converted values, in order; a key may repeat, a value may be null. */
  headers?: readonly (readonly [key: string, value: Buffer | null])[]
}

export interface RecordProducerOptions {
  bootstrapServers: string[]
  clientId: string
  /** Worker `producer.*` properties (prefix stripped). */
  overrides: Record<string, string>
  metrics: ProducerMetricsRecorder
  /**
   * Makes this a transactional producer (exactly-once source tasks, KIP-618): every send belongs to the transaction
   * begun with beginTransaction(). Starting it fences any older producer of the same id (a zombie task).
   */
  transactionalId?: string
}

/** What a task's loop needs of the producer (RecordProducer on Kafka; an in-memory stand-in in unit tests). */
export interface TaskProducer {
  /** Why this record can never be sent (larger than the largest request), or undefined when it can. */
  tooLarge(record: OutgoingRecord): RecordTooLargeError | undefined
  /** Resolves once Kafka acknowledged every record, in order per partition; rejects otherwise. */
  send(records: OutgoingRecord[]): Promise<void>
}

const compressions = new Set(['none', 'gzip', 'snappy', 'lz4', 'zstd'])

export class RecordProducer implements TaskProducer {
  readonly #producer: Producer
  readonly #metrics: ProducerMetricsRecorder
  readonly #autocreate: boolean
  readonly #maxRequestBytes: number
  readonly #buffer: SendBuffer
  /** Requests handed to the client whose produce request is not written yet, in order (queue time). */
  readonly #unwritten: { queuedAt: number; written: boolean }[] = []
  readonly #unwatch: (() => void)[] = []
  /** Settles once the last request was handed to the client (#issue). */
  #issued: Promise<unknown> = Promise.resolve()
  /** The open transaction of a transactional producer; undefined between transactions. */
  #transaction: Awaited<ReturnType<Producer['beginTransaction']>> | undefined
  /** Whether the open transaction has had any record handed over (an empty one ends without EndTxn, as Java's). */
  #transactionWritten = false

  constructor(options: RecordProducerOptions) {
    const compression = options.overrides['compression.type'] ?? 'none'
    if (!compressions.has(compression)) {
      throw new Error(`producer.compression.type: ${compression} is not one of ${[...compressions].join(', ')}`)
    }
    const maxRequest = options.overrides['max.request.size'] ?? String(DEFAULT_MAX_REQUEST_BYTES)
    this.#maxRequestBytes = Number(maxRequest)
    if (!/^\d+$/.test(maxRequest) || this.#maxRequestBytes < 1) {
      throw new Error(`producer.max.request.size: ${maxRequest} is not a positive whole number of bytes`)
    }
    const bufferMemory = options.overrides['buffer.memory'] ?? String(DEFAULT_BUFFER_MEMORY_BYTES)
    if (!/^\d+$/.test(bufferMemory) || Number(bufferMemory) < 1 || !Number.isSafeInteger(Number(bufferMemory))) {
      throw new Error(`producer.buffer.memory: ${bufferMemory} is not a positive whole number of bytes`)
    }
    this.#buffer = new SendBuffer(Number(bufferMemory))
    this.#metrics = options.metrics
    this.#autocreate = options.overrides['allow.auto.create.topics'] !== 'false'
    this.#producer = new Producer({
      clientId: options.overrides['client.id'] ?? options.clientId,
      bootstrapBrokers: options.bootstrapServers,
      idempotent: true,
      acks: -1,
      compression: compression as CompressionAlgorithmValue,
      autocreateTopics: this.#autocreate,
      ...retryPolicy(options),
      timeout: Number(options.overrides['request.timeout.ms'] ?? 30_000),
      // Java's metadata.max.age.ms (5 min); the client's own default refetches every topic's metadata every 5 s.
      metadataMaxAge: Number(options.overrides['metadata.max.age.ms'] ?? 300_000),
      // A transactional producer asks for its id's producer with "none yet" (-1/-1), as Java's does; the client's
      // default 0/0 names a producer that is not the id's current one, and the coordinator answers PRODUCER_FENCED.
      ...(options.transactionalId === undefined
        ? {}
        : { transactionalId: options.transactionalId, producerId: -1n, producerEpoch: -1 }),
    })
    // The client retries a failed produce request itself (`retries`, `retry.backoff.ms`) and says so with this event;
    // it names the operation only, not the records in the request, so retries are counted per request.
    this.#producer.on('client:performWithRetry:retry', (operationId: unknown) => {
      if (operationId === 'produce') this.#metrics.recordRetries(1)
    })
    const network = this.#metrics.network
    if (network !== undefined) {
      this.#unwatch.push(network.watch(this.#producer))
      // The client writes one produce request per send() and broker, in send() order: the oldest unwritten request
      // is the one just written. (A request retried or split over several brokers writes more than once; the extra
      // writes end the wait of the next requests early, so queue time errs low, never high, then.)
      const onApi = network.onApi((event) => {
        if (event.kind !== 'request' || event.apiKey !== ApiKeys.produce) return
        const next = this.#unwritten.shift()
        if (next === undefined) return
        next.written = true
        this.#metrics.recordQueueTime?.(performance.now() - next.queuedAt)
      })
      this.#unwatch.push(() => void onApi())
    }
    this.#metrics.recordCompression?.(compression)
    this.#reportBuffer()
  }

  /** The underlying client (internal-topic logs share it). */
  get client(): Producer {
    return this.#producer
  }

  /** Why this record can never be sent (larger than `max.request.size`), or undefined when it can. */
  tooLarge(record: OutgoingRecord): RecordTooLargeError | undefined {
    return checkRecordSize(record, this.#maxRequestBytes)
  }

  /** Sends the records as one or more requests (issued in order, so per-partition order holds); all acked or reject. */
  async send(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return
    await Promise.all(splitIntoRequests(records, this.#maxRequestBytes).map((request) => this.#sendRequest(request)))
  }

  async #sendRequest(records: OutgoingRecord[]): Promise<void> {
    const pending = { queuedAt: performance.now(), written: false }
    let bytes = 0
    for (const r of records) bytes += estimateRecordBytes(r)
    const room = this.#buffer.acquire(bytes)
    if (room !== undefined) await room
    this.#reportBuffer()
    this.#unwritten.push(pending)
    const started = performance.now()
    this.#metrics.requestsInFlight(1)
    try {
      await this.#issue(records, () => ({
        messages: records.map((r) => ({
          topic: r.topic,
          key: r.key ?? undefined,
          value: r.value as Buffer,
          // Keyed records: Java's partition for the key (partitioner.ts); keyless ones: the client's round-robin.
          ...(r.partition !== undefined
            ? { partition: r.partition }
            : r.key !== null
              ? { partition: keyPartition(r.key) }
              : {}),
          ...(r.timestamp === undefined ? {} : { timestamp: BigInt(r.timestamp) }),
          // Buffer keys: distinct objects, so a repeated header key stays two headers (Kafka allows it, as Connect).
          ...(r.headers?.length ? { headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), v as Buffer])) } : {}),
        })),
        acks: -1,
        autocreateTopics: this.#autocreate,
      }))
    } catch (error) {
      for (const [topic, n] of countBy(records, (r) => r.topic)) this.#metrics.recordErrors(n, topic)
      throw error
    } finally {
      this.#metrics.requestsInFlight(-1)
      // Never written (failed before the client wrote it): it must not be matched to a later request's write.
      const unwritten = this.#unwritten.indexOf(pending)
      if (unwritten >= 0) this.#unwritten.splice(unwritten, 1)
      this.#buffer.release(bytes)
      this.#reportBuffer()
    }
    const latency = performance.now() - started
    const perTopic = new Map<string, { n: number; bytes: number }>()
    for (const r of records) {
      const t = perTopic.get(r.topic) ?? { n: 0, bytes: 0 }
      t.n++
      t.bytes += recordBytes(r)
      perTopic.set(r.topic, t)
    }
    for (const [topic, t] of perTopic) this.#metrics.recordSend(topic, t.n, t.bytes, latency)
  }

  /**
   * Hands a request to the client only after every earlier request was handed over, and only once the client holds
   * fresh metadata for all of its topics, so the client writes it at once. Without this a request to a topic whose
   * metadata the client must fetch first (a new topic; any topic every metadata.max.age.ms) waited while a later
   * request to topics it knew went out ahead — records of one partition out of order. A transactional producer also
   * adds each new partition to its transaction before writing: there the next request waits for the previous one
   * to finish.
   */
  #issue(records: OutgoingRecord[], request: () => Parameters<Producer['send']>[0]): Promise<unknown> {
    const topics = [...new Set(records.map((r) => r.topic))]
    const handedOver = this.#issued.then(async () => {
      await this.#producer.metadata({ topics, autocreateTopics: this.#autocreate })
      // Wrapped, so that handing over does not wait for the acknowledgement.
      if (this.#transaction) this.#transactionWritten = true
      return { sent: (this.#transaction ?? this.#producer).send(request()) }
    })
    this.#issued = handedOver.then(
      ({ sent }) => (this.#transaction ? sent.catch(() => {}) : undefined),
      () => {},
    )
    return handedOver.then(({ sent }) => sent)
  }

  /** Opens a transaction (a transactional producer only); the first one also fences older producers of its id. */
  async beginTransaction(): Promise<void> {
    if (this.#transaction) throw new Error('a transaction is already open')
    this.#transaction = await this.#producer.beginTransaction()
    this.#transactionWritten = false
  }

  get transactionOpen(): boolean {
    return this.#transaction !== undefined
  }

  /** Commits the open transaction: its records become visible to read_committed consumers, all or none. */
  async commitTransaction(): Promise<void> {
    const transaction = this.#transaction
    if (!transaction) throw new Error('no transaction is open')
    try {
      // Nothing was written: no partition joined the transaction, so the broker has none to end (Java's producer
      // skips EndTxn too; sending it answers INVALID_TXN_STATE).
      if (this.#transactionWritten) await transaction.commit()
      else await transaction.cancel()
    } finally {
      this.#transaction = undefined
    }
  }

  /** Aborts the open transaction, if any: read_committed consumers never see its records. */
  async abortTransaction(): Promise<void> {
    const transaction = this.#transaction
    this.#transaction = undefined
    if (transaction && !this.#transactionWritten) await transaction.cancel()
    else await transaction?.abort()
  }

  #reportBuffer(): void {
    this.#metrics.recordBuffer?.(this.#buffer.totalBytes, this.#buffer.availableBytes)
  }

  async close(): Promise<void> {
    await this.#producer.close().catch(() => {})
    // After the close, so the connections' last traffic and closes are still counted.
    for (const unwatch of this.#unwatch.splice(0)) unwatch()
  }
}

/**
 * How the client retries. A transactional producer meets CONCURRENT_TRANSACTIONS on the first partition of each new
 * transaction while the broker still writes the previous one's markers; Java's producer retries that after 20 ms
 * (TransactionManager's ADD_PARTITIONS_RETRY_BACKOFF_MS), not after retry.backoff.ms — at 250 ms every transaction
 * cost ~85 ms more.
 */
function retryPolicy(options: RecordProducerOptions): {
  retries: number
  retryDelay:
    | number
    | ((client: unknown, operation: string, attempt: number, retries: number, error: unknown) => number)
} {
  const backoffMs = Number(options.overrides['retry.backoff.ms'] ?? RETRY_BACKOFF_MS)
  const retries = Number(options.overrides.retries ?? defaultRetries(options.overrides))
  if (options.transactionalId === undefined) return { retries, retryDelay: backoffMs }
  return {
    retries,
    retryDelay: (_client, _operation, _attempt, _retries, error) =>
      hasApiError(error, 'CONCURRENT_TRANSACTIONS') ? 20 : backoffMs,
  }
}

/** Whether a client error (possibly an aggregate of aggregates) carries this Kafka error code name. */
function hasApiError(error: unknown, apiId: string): boolean {
  if (typeof error !== 'object' || error === null) return false
  if ((error as { apiId?: unknown }).apiId === apiId) return true
  const nested = (error as { errors?: unknown }).errors
  return Array.isArray(nested) && nested.some((e) => hasApiError(e, apiId))
}

/** A record's key, value and header bytes (keys and values), as outgoing_byte_total counts them. */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const [key, value] of record.headers ?? []) bytes += Buffer.byteLength(key) + (value?.length ?? 0)
  return bytes
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1)
  return counts
}
