// The contract between the runtime and a connector plugin (Connect's SourceConnector / SourceTask, promise-based).
//
// Flow: the herder validates a connector config against `configDef` (+ `validate`), starts a SourceConnector,
// asks it for task configs, and the worker runs one SourceTask per config: poll() → records → transforms →
// converters → producer. After Kafka acknowledged records, the runtime commits their sourceOffset to the offsets
// topic and hands what it stored to the task's commit(); on restart a task reads its position back through
// `context.offsetReader`. There is no per-record commitRecord(): commit() already carries the durable position,
// which is the only one a source may release upstream (an acked record's offset may not be stored yet).
import type { ConfigDef, RawConfig } from '../config/config-def.ts'
import type { Logger } from '../logging.ts'
import type { MetricsHost } from '../metrics/components.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../record/source-record.ts'

export interface OffsetReader {
  /** The last committed offset for each partition (null where none), in the order asked. */
  offsets(partitions: SourcePartition[]): Promise<(SourceOffset | null)[]>
}

export interface ConnectorContext {
  readonly connectorName: string
  readonly offsetReader: OffsetReader
  readonly log: Logger
  /** The connector's task configs changed (e.g. tables were added or dropped): the runtime asks taskConfigs() again. */
  requestTaskReconfiguration(): void
  /** The connector cannot go on: its status becomes FAILED with this error's trace. */
  raiseError(error: Error): void
  /** The worker's registry for the plugin's own metric component (served on /metrics); absent outside a worker. */
  readonly metrics?: MetricsHost
}

/** Pipeline facts only the source knows, reported per table (become flowscope_* metrics). */
export interface PipelineReporter {
  /** Rows read from `table` in one poll, and the newest change time among them (ms since epoch) when the source knows it. */
  rowsRead(table: string, rows: number, newestChangeMs?: number): void
  /** Rows known to be waiting in the source for `table` (e.g. max(id) − offset); omit when unknowable. */
  pendingRows(table: string, rows: number): void
  /** A poll of `table` failed. */
  pollError(table: string, error: unknown): void
}

export interface SourceTaskContext {
  readonly connectorName: string
  readonly taskId: number
  readonly offsetReader: OffsetReader
  readonly log: Logger
  readonly pipeline: PipelineReporter
  /** The worker's registry for the plugin's own metric component (served on /metrics); absent outside a worker. */
  readonly metrics?: MetricsHost
}

export interface SourceConnector {
  start(config: RawConfig, context: ConnectorContext): Promise<void>
  /** At most `maxTasks` task configs; each becomes one SourceTask. */
  taskConfigs(maxTasks: number): Promise<RawConfig[]>
  stop(): Promise<void>
}

/** One source partition's offset, now durably in the offsets topic. */
export interface CommittedOffset {
  readonly partition: SourcePartition
  readonly offset: SourceOffset
}

/**
 * What one offset commit stored: per source partition whose position moved, the offset now in the offsets topic.
 * Each is the sourceOffset of a record that Kafka acknowledged together with every record of its partition before
 * it (records dropped by a transform or skipped under errors.tolerance=all count as done), and whose write to the
 * offsets topic succeeded. A partition appears at most once; partitions that did not move are absent.
 */
export type CommittedOffsets = readonly CommittedOffset[]

export interface SourceTask {
  start(config: RawConfig, context: SourceTaskContext): Promise<void>
  /**
   * The next records, or an empty array when none are ready. It should wait (e.g. poll.interval.ms) rather than spin,
   * and return promptly when `signal` aborts (pause, stop). Throwing a RetriableError makes the runtime retry with
   * backoff up to errors.retry.timeout; any other error fails the task.
   */
  poll(signal: AbortSignal): Promise<SourceRecord[]>
  /**
   * Called after each offset commit that stored something, with exactly what it stored — the position a source may
   * now release upstream (e.g. confirm a replication slot's flush LSN): never ahead of acknowledged data, and after a
   * failed offsets-topic write not called at all (those offsets are reported once a later commit stores them). Calls
   * come one at a time, in commit order, so a partition's offsets only move forward; the last comes before stop().
   * An error it throws is logged and does not fail the task.
   */
  commit?(committed: CommittedOffsets): Promise<void>
  stop(): Promise<void>
}

/** What a plugin gets when one of its connectors was deleted. */
export interface DeletedConnectorContext {
  readonly connectorName: string
  readonly log: Logger
  /** The worker's registry for the plugin's own metric component; absent outside a worker. */
  readonly metrics?: MetricsHost
}

/** Connect's ExactlyOnceSupport: whether a connector, with a given config, can deliver exactly once. */
export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED'

export interface SourceConnectorPlugin {
  /** Fully qualified class name shown by the REST API. */
  readonly className: string
  /** Other names users type for it (e.g. Confluent's class names, short names). */
  readonly aliases: readonly string[]
  readonly type: 'source'
  readonly version: string
  readonly configDef: ConfigDef
  /** Checks beyond single keys (reach the database, check tables). Key → errors; empty when valid. */
  validate?(config: RawConfig): Promise<Map<string, string[]>>
  /**
   * Connect's SourceConnector.exactlyOnceSupport: whether, with this config, a restarted task resumes exactly after
   * the offsets committed in its last transaction (exactly.once.source.support=enabled), so nothing is lost or
   * repeated. The herder asks it when a config sets exactly.once.support=required, which refuses anything but
   * SUPPORTED — an absent hook too, as Connect treats a connector that does not say. Called on unvalidated
   * configs; an error it throws becomes a validation error.
   */
  exactlyOnceSupport?(config: RawConfig): ExactlyOnceSupport
  createConnector(): SourceConnector
  createTask(): SourceTask
  /**
   * Connector `config` was deleted (called on the worker that handled the deletion, once the connector's instance
   * and tasks there stopped): what the connector holds outside Kafka and would go on holding unseen (e.g. a
   * replication slot retaining WAL) is released or kept in sight. An error it throws is logged; the deletion stands.
   */
  connectorDeleted?(config: RawConfig, context: DeletedConnectorContext): Promise<void>
}
