// Runs one source task (Connect's AbstractWorkerSourceTask): poll → transform → convert → send, one loop.
// Acks travel back per record into SubmittedRecords; offsets are committed every offset.flush.interval.ms, on pause,
// on stop and on shutdown — and only offsets whose record and every record before it Kafka acknowledged.
// Retriable poll errors are retried with backoff up to errors.retry.timeout; anything else fails this task only.
import type { CommittedOffsets, SourceTask, SourceTaskContext } from '../connectors/plugin.ts'
import type { Converter } from '../convert/converter.ts'
import { type HeaderConverter, SimpleHeaderConverter } from '../convert/header-converter.ts'
import { messageOf } from '../errors.ts'
import type { Logger } from '../logging.ts'
import type { TaskMetricsRecorder } from '../metrics/recorder.ts'
import type { OutgoingRecord, TaskProducer } from '../produce/record-producer.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../record/source-record.ts'
import type { SourceTime } from '../record/source-time.ts'
import type { OffsetWriter } from '../storage/backing-stores.ts'
import { canonicalJson } from '../storage/offset-store.ts'
import type { TransformChain } from '../transform/transformation.ts'
import type { ConnectorSettings } from './connector-config.ts'
import { offsetRecords, type TransactionBoundary } from './exactly-once.ts'
import type { TaskStateName } from './herder.ts'
import { withRetry } from './retry.ts'
import { type SubmittedRecord, SubmittedRecords } from './submitted-records.ts'

/** At most this many produce requests of one task in flight: beyond it polling waits (backpressure). */
const MAX_IN_FLIGHT_SENDS = 5

export interface WorkerSourceTaskOptions {
  connector: string
  taskId: number
  task: SourceTask
  config: Record<string, string>
  settings: ConnectorSettings
  keyConverter: Converter
  valueConverter: Converter
  /** Record headers to bytes; Connect's default, SimpleHeaderConverter, when absent. */
  headerConverter?: HeaderConverter
  transforms: TransformChain
  producer: TaskProducer
  offsets: OffsetWriter
  context: Omit<SourceTaskContext, 'log' | 'connectorName' | 'taskId'>
  metrics: TaskMetricsRecorder
  log: Logger
  offsetFlushIntervalMs: number
  offsetFlushTimeoutMs: number
  paused: boolean
  onStatus(state: TaskStateName, error?: unknown): void
  /** Called before the first record to a topic (topic tracking, topic creation). */
  onTopic(topic: string): Promise<void>
  /** Exactly-once delivery (exactly-once.ts): records and offsets in one transaction of this task's own producer. */
  exactlyOnce?: ExactlyOnceDelivery
  /**
   * In a group: why this task may not commit offsets now (its worker's membership may have lapsed, so the task may
   * run elsewhere already), or null when it may. A refused commit keeps its offsets for the next one.
   */
  commitFence?(): string | null
}

export interface ExactlyOnceDelivery {
  /** The task's transactional producer; `producer` above must be this same one. */
  producer: TransactionalTaskProducer
  /** Where the transaction writes the offsets: the connector's own offsets topic, or the worker's. */
  offsetsTopic: string
  /** The worker's offsets topic when `offsetsTopic` is the connector's own: written after each commit (Connect's secondary store). */
  secondaryOffsets?: OffsetWriter
  boundary: TransactionBoundary
  /** Checks around the producer's first start (zombie fencing by the leader before, configs and ownership after). */
  preflight?: ExactlyOncePreflight
}

/** Connect's exactly-once task preflight, around the task producer's start (its first InitProducerId). */
export interface ExactlyOncePreflight {
  /** Before: older generations of the connector's tasks are fenced out (by the group's leader). */
  beforeProducer(): Promise<void>
  /** After: the task's configs are still the newest and the task is still assigned here; throws otherwise. */
  afterProducer(): Promise<void>
}

export interface TransactionalTaskProducer extends TaskProducer {
  readonly transactionOpen: boolean
  beginTransaction(): Promise<void>
  commitTransaction(): Promise<void>
  abortTransaction(): Promise<void>
  /** The producer is the task's own: closed when the task stops. */
  close(): Promise<void>
}

export class WorkerSourceTask {
  readonly #o: WorkerSourceTaskOptions
  readonly #headerConverter: HeaderConverter
  readonly #submitted = new SubmittedRecords()
  readonly #inFlight = new Set<Promise<void>>()
  readonly #knownTopics = new Set<string>()
  #stopping = false
  #paused: boolean
  #pollAbort = new AbortController()
  #resume: (() => void) | undefined
  #flushTimer: NodeJS.Timeout | undefined
  #sendFailure: unknown
  #loop: Promise<void> | undefined
  #committing: Promise<void> = Promise.resolve()
  #failed = false
  #retryOffsets = new Map<string, { partition: SourcePartition; offset: SourceOffset }>()
  /** When the last transaction was committed (interval boundaries). */
  #lastTransactionMs = performance.now()

  constructor(options: WorkerSourceTaskOptions) {
    this.#o = options
    this.#headerConverter = options.headerConverter ?? new SimpleHeaderConverter()
    this.#paused = options.paused
  }

  get failed(): boolean {
    return this.#failed
  }

  /** Starts the task and its loop; resolves once the task's start() finished (the loop goes on). */
  async start(): Promise<boolean> {
    const o = this.#o
    try {
      // Before the task reads its offsets: the first transaction fences an older producer of this task's id and
      // aborts its open transaction, whose offsets must not count (Connect initializes the producer here too).
      if (o.exactlyOnce) {
        await o.exactlyOnce.preflight?.beforeProducer()
        await o.exactlyOnce.producer.beginTransaction()
        await o.exactlyOnce.preflight?.afterProducer()
      }
      await o.task.start(o.config, { ...o.context, connectorName: o.connector, taskId: o.taskId, log: o.log })
    } catch (error) {
      // Awaited: FAILED is recorded before whoever started the task moves on (a preflight refusal is followed at once
      // by a restart on newer configs, whose RUNNING must not be overwritten by this FAILED).
      await this.#fail(error)
      return false
    }
    this.#setState(this.#paused ? 'PAUSED' : 'RUNNING')
    // With exactly-once delivery, offsets are written only inside transactions, at their boundary.
    if (!o.exactlyOnce) {
      this.#flushTimer = setInterval(() => void this.commitOffsets(), o.offsetFlushIntervalMs)
      this.#flushTimer.unref()
    }
    this.#loop = this.#run()
    return true
  }

  pause(): void {
    if (this.#paused || this.#stopping || this.#failed) return
    this.#paused = true
    this.#pollAbort.abort()
    this.#setState('PAUSED')
    // Exactly-once: the open transaction is committed now, not left hanging while paused (as Connect does).
    void this.commitOffsets().catch((error) => this.#fail(error))
  }

  resume(): void {
    if (!this.#paused || this.#stopping || this.#failed) return
    this.#paused = false
    // A fresh signal: pause() aborted the old one, and a resume that lands before the loop has seen the pause
    // would otherwise leave every later poll aborted on arrival (the loop spun without yielding, starving the worker).
    this.#pollAbort = new AbortController()
    this.#setState('RUNNING')
    this.#resume?.()
  }

  /** Stops polling, waits for in-flight records, commits their offsets, stops the task. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#loop
    this.#stopping = true
    this.#pollAbort.abort()
    this.#resume?.()
    clearInterval(this.#flushTimer)
    await this.#loop?.catch(() => {})
    const acked = await this.#submitted.awaitAllAcked(this.#o.offsetFlushTimeoutMs)
    if (!acked) this.#o.log.warn({ pending: this.#submitted.pending }, 'stopping with records not yet acknowledged')
    await this.commitOffsets().catch(async (error) => {
      this.#o.log.error({ err: error }, 'final transaction commit failed; its records and offsets are aborted')
      await this.#o.exactlyOnce?.producer.abortTransaction().catch(() => {})
    })
    try {
      await this.#o.task.stop()
    } catch (error) {
      this.#o.log.warn({ err: error }, 'task stop failed')
    }
    await this.#o.exactlyOnce?.producer.close()
    this.#o.metrics.recordActiveCount(0)
  }

  /** Writes the committable offsets to the offsets topic (never ahead of acknowledged data). */
  commitOffsets(): Promise<void> {
    const eos = this.#o.exactlyOnce
    // A failed task with exactly-once delivery commits nothing: its open transaction was aborted, and offsets of
    // records in it must never reach the offsets topic outside a transaction.
    const commit = eos
      ? () => (this.#failed ? Promise.resolve() : this.#commitTransaction(eos))
      : () => this.#commitOnce()
    this.#committing = this.#committing.catch(() => {}).then(commit)
    return this.#committing
  }

  /**
   * Ends the open transaction with the offsets of every record in it: all of it becomes visible, or (a failed
   * commit, a crash) none of it and none of its offsets. Throws when the commit failed (the task then fails, as
   * Connect's does: a fenced or timed-out producer cannot go on).
   */
  async #commitTransaction(eos: ExactlyOnceDelivery): Promise<void> {
    await Promise.allSettled(this.#inFlight)
    if (this.#sendFailure) throw this.#sendFailure
    const committed: CommittedOffsets = this.#submitted.takeCommittable().offsets
    if (committed.length === 0 && !eos.producer.transactionOpen) return
    const started = performance.now()
    try {
      if (!eos.producer.transactionOpen) await eos.producer.beginTransaction()
      if (committed.length > 0) await eos.producer.send(offsetRecords(eos.offsetsTopic, this.#o.connector, committed))
      await eos.producer.commitTransaction()
      this.#o.metrics.recordOffsetCommit(performance.now() - started, true)
    } catch (error) {
      this.#o.metrics.recordOffsetCommit(performance.now() - started, false)
      throw error
    }
    this.#lastTransactionMs = performance.now()
    if (eos.secondaryOffsets && committed.length > 0) {
      // Outside the transaction, so only once it committed; the connector's topic holds them if this fails.
      await eos.secondaryOffsets
        .write(this.#o.connector, committed)
        .catch((error) => this.#o.log.warn({ err: error }, 'writing offsets to the worker offsets topic failed'))
    }
    try {
      await this.#o.task.commit?.(committed)
    } catch (error) {
      this.#o.log.warn({ err: error }, 'task commit hook failed')
    }
  }

  /** Whether the transaction boundary is here: after every poll, or once the interval has passed. */
  #transactionDue(eos: ExactlyOnceDelivery): boolean {
    return eos.boundary.kind === 'poll' || performance.now() - this.#lastTransactionMs >= eos.boundary.intervalMs
  }

  async #commitOnce(): Promise<void> {
    // Offsets of a failed commit are retried, unless newer acknowledged offsets of the same partition supersede them.
    const toWrite = this.#retryOffsets
    this.#retryOffsets = new Map()
    for (const entry of this.#submitted.takeCommittable().offsets) toWrite.set(canonicalJson(entry.partition), entry)
    if (toWrite.size === 0) return
    const fenced = this.#o.commitFence?.()
    if (fenced) {
      // A stale owner must not write offsets over the new owner's: the rows are repeated by it, never lost.
      this.#o.log.warn({ reason: fenced }, 'offset commit withheld')
      for (const [id, entry] of toWrite) if (!this.#retryOffsets.has(id)) this.#retryOffsets.set(id, entry)
      return
    }
    const committed: CommittedOffsets = [...toWrite.values()]
    const started = performance.now()
    try {
      await this.#o.offsets.write(this.#o.connector, committed)
      this.#o.metrics.recordOffsetCommit(performance.now() - started, true)
    } catch (error) {
      this.#o.metrics.recordOffsetCommit(performance.now() - started, false)
      this.#o.log.error({ err: error }, 'offset commit failed; retrying with the next commit')
      for (const [id, entry] of toWrite) if (!this.#retryOffsets.has(id)) this.#retryOffsets.set(id, entry)
      return
    }
    try {
      // Only now, with the write stored, may the source release what these offsets cover.
      await this.#o.task.commit?.(committed)
    } catch (error) {
      this.#o.log.warn({ err: error }, 'task commit hook failed')
    }
  }

  async #run(): Promise<void> {
    const o = this.#o
    while (!this.#stopping) {
      if (this.#paused) {
        await new Promise<void>((resolve) => {
          this.#resume = resolve
        })
        this.#resume = undefined
        continue
      }
      if (this.#sendFailure) return this.#fail(this.#sendFailure)
      let records: SourceRecord[]
      const started = performance.now()
      const signal = this.#pollAbort.signal
      try {
        records = await withRetry(() => o.task.poll(signal), {
          timeoutMs: o.settings.retryTimeoutMs,
          delayMaxMs: o.settings.retryDelayMaxMs,
          signal,
          onRetry: (attempt, error, delay) => {
            o.metrics.recordError('retry')
            o.log.warn({ attempt, delay, err: messageOf(error) }, 'poll failed with a retriable error; retrying')
          },
        })
      } catch (error) {
        // Interrupted (pause, stop, a failed send): the top of the loop decides what comes next.
        if (this.#stopping || this.#paused || signal.aborted) continue
        return this.#fail(error)
      }
      if (this.#stopping && records.length === 0) break
      o.metrics.recordPoll(records.length, performance.now() - started)
      const eos = o.exactlyOnce
      if (records.length === 0) {
        // An interval boundary passes on idle polls too: the records already sent must not wait for the next ones.
        if (eos?.boundary.kind === 'interval' && this.#transactionDue(eos)) {
          try {
            await this.commitOffsets()
          } catch (error) {
            return this.#fail(error)
          }
        }
        // Let timers and I/O run: a source that answers [] at once must not hold the event loop (REST, other tasks).
        await new Promise((resolve) => setImmediate(resolve))
        continue
      }
      try {
        await this.#send(records)
        if (eos && this.#transactionDue(eos)) await this.commitOffsets()
      } catch (error) {
        return this.#fail(error)
      }
    }
  }

  async #send(records: SourceRecord[]): Promise<void> {
    const o = this.#o
    const outgoing: OutgoingRecord[] = []
    const submitted: SubmittedRecord[] = []
    // Source times of the records sent, for flowscope_source_to_kafka_seconds when Kafka acknowledges them.
    const sourceTimes: SourceTime[] = []
    for (const original of records) {
      let converted: OutgoingRecord
      try {
        const record = o.transforms.length ? o.transforms.apply(original) : original
        if (record === null) {
          // Dropped by a transform: its offset still counts as done.
          this.#submitted.ack(this.#submitted.submit(original.sourcePartition, original.sourceOffset))
          continue
        }
        converted = {
          topic: record.topic,
          partition: record.kafkaPartition,
          key: o.keyConverter.fromConnectData(record.topic, record.keySchema, record.key),
          value: o.valueConverter.fromConnectData(record.topic, record.valueSchema, record.value),
          timestamp: record.timestamp,
          ...(record.headers?.length
            ? {
                headers: record.headers.map(
                  (h) =>
                    [h.key, this.#headerConverter.fromConnectHeader(record.topic, h.key, h.schema, h.value)] as const,
                ),
              }
            : {}),
        }
        // As Connect's producer callback does: a record no request can carry fails the task or, tolerated, is skipped.
        const tooLarge = o.producer.tooLarge(converted)
        if (tooLarge) throw tooLarge
      } catch (error) {
        o.metrics.recordError('record-error')
        if (!o.settings.toleranceAll) throw error
        o.metrics.recordError('record-skipped')
        if (o.settings.logErrors) {
          o.log.error({ err: messageOf(error), topic: original.topic }, 'record skipped')
          o.metrics.recordError('error-logged')
        }
        this.#submitted.ack(this.#submitted.submit(original.sourcePartition, original.sourceOffset))
        continue
      }
      if (!this.#knownTopics.has(converted.topic)) {
        await o.onTopic(converted.topic)
        this.#knownTopics.add(converted.topic)
      }
      outgoing.push(converted)
      submitted.push(this.#submitted.submit(original.sourcePartition, original.sourceOffset))
      if (original.sourceTime) sourceTimes.push(original.sourceTime)
    }
    if (outgoing.length === 0) return
    if (o.exactlyOnce && !o.exactlyOnce.producer.transactionOpen) await o.exactlyOnce.producer.beginTransaction()
    o.metrics.recordActiveCount(this.#submitted.pending)
    const send: Promise<void> = o.producer.send(outgoing).then(
      () => {
        const ackedMs = Date.now()
        for (const s of submitted) this.#submitted.ack(s)
        if (o.metrics.recordSourceToKafka) {
          for (const t of sourceTimes) {
            // A source clock ahead of the worker's would give a negative age: counted as 0.
            o.metrics.recordSourceToKafka(t.table, t.basis, Math.max(0, ackedMs - t.timestampMs) / 1000)
          }
        }
        o.metrics.recordWrite(submitted.length)
        o.metrics.recordActiveCount(this.#submitted.pending)
      },
      (error: unknown) => {
        o.metrics.recordError('record-failure')
        this.#sendFailure ??= error
        this.#pollAbort.abort()
      },
    )
    const tracked = send.finally(() => this.#inFlight.delete(tracked))
    this.#inFlight.add(tracked)
    // Backpressure: with the producer this far behind, wait for the oldest request before polling again.
    while (this.#inFlight.size >= MAX_IN_FLIGHT_SENDS) await Promise.race(this.#inFlight)
  }

  #setState(state: TaskStateName, error?: unknown): void {
    this.#o.metrics.recordState(state)
    this.#o.onStatus(state, error)
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#failed) return
    this.#failed = true
    this.#o.log.error({ err: error }, 'task failed')
    clearInterval(this.#flushTimer)
    // What Kafka already acknowledged is still committed, so a restart resumes right after it. With exactly-once
    // delivery the open transaction is aborted instead: its records and offsets go together or not at all.
    await Promise.allSettled(this.#inFlight)
    if (this.#o.exactlyOnce) await this.#o.exactlyOnce.producer.abortTransaction().catch(() => {})
    else await this.commitOffsets().catch(() => {})
    try {
      await this.#o.task.stop()
    } catch {
      // already failing
    }
    this.#setState('FAILED', error)
  }
}
