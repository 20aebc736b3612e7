// The contract between the runtime and a connector plugin (Connect's SourceConnector / SourceTask, promise-based).
//
// Flow: the herder validates a connector config against `configDef` (+ `validate`), starts a SourceConnector,
// asks it for task configs, and the worker runs one SourceTask per config: poll() → records → transforms →
// converters → producer. After Kafka acknowledged records, the runtime commits their sourceOffset to the offsets
// topic; on restart a task reads its position back through `context.offsetReader`.
import type { ConfigDef, RawConfig } from '../config/config-def.ts'
import type { Logger } from '../logging.ts'
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
}

export interface SourceConnector {
  start(config: RawConfig, context: ConnectorContext): Promise<void>
  /** At most `maxTasks` task configs; each becomes one SourceTask. */
  taskConfigs(maxTasks: number): Promise<RawConfig[]>
  stop(): Promise<void>
}

export interface SourceTask {
  start(config: RawConfig, context: SourceTaskContext): Promise<void>
  /**
   * The next records, or an empty array when none are ready. It should wait (e.g. poll.interval.ms) rather than spin,
   * and return promptly when `signal` aborts (pause, stop). Throwing a RetriableError makes the runtime retry with
   * backoff up to errors.retry.timeout; any other error fails the task.
   */
  poll(signal: AbortSignal): Promise<SourceRecord[]>
  /** Called after the runtime committed offsets of records this task returned. */
  commit?(): Promise<void>
  stop(): Promise<void>
}

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
  createConnector(): SourceConnector
  createTask(): SourceTask
}
