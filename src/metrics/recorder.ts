// What the runtime records, and where: metrics are born where the work happens (poll, send, ack, commit) through
// these recorders; `/metrics` only reads them. The implementation (src/metrics/worker-metrics.ts) maps each call to
// Connect's metric names (kafka_connect_*), the producer's (kafka_producer_*) and flowscope's own (flowscope_*).
import type { PipelineReporter } from '../connectors/plugin.ts'
import type { SourceTimeBasis } from '../record/source-time.ts'
import type { MetricsHost } from './components.ts'
import type { KafkaClientNetwork } from './kafka-client-network.ts'

/** Connect's states (lower-cased in metrics: running, paused, …). */
export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING'
export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING'

export interface ConnectorMetricsRecorder {
  recordState(state: ConnectorState): void
  /**
   * Whether the connector's own instance runs on this worker (default: yes). A worker running only some of its tasks
   * keeps the per-table pipeline series but reports no connector status or info (as Connect, where they belong to
   * the worker running the connector).
   */
  setInstanceHere?(here: boolean): void
  /** Per-table pipeline facts the connector's tasks report (flowscope_* metrics). */
  readonly pipeline: PipelineReporter
  /** The connector was deleted: drop its series. */
  close(): void
}

/** Connect's task-error metrics; the `dlq-*` kinds count writes to (and failed writes to) a dead letter queue. */
export type TaskErrorKind =
  | 'record-error'
  | 'record-failure'
  | 'record-skipped'
  | 'retry'
  | 'error-logged'
  | 'dlq-produce-request'
  | 'dlq-produce-failure'

export interface TaskMetricsRecorder {
  recordState(state: TaskState): void
  /** One poll() returned `batchSize` records after `durationMs`. */
  recordPoll(batchSize: number, durationMs: number): void
  /** Kafka acknowledged `records` records of this task. */
  recordWrite(records: number): void
  /** Records polled but not yet acknowledged. */
  recordActiveCount(active: number): void
  /** Kafka acknowledged a record `seconds` after its source time (flowscope_source_to_kafka_seconds). */
  recordSourceToKafka?(table: string, basis: SourceTimeBasis, seconds: number): void
  /** An offset commit finished (or failed) after `durationMs`. */
  recordOffsetCommit(durationMs: number, success: boolean): void
  /** A record failed in a stage (transform, convert, produce): Connect's task-error metrics. */
  recordError(kind: TaskErrorKind): void
  /** The task was removed: drop its series. */
  close(): void
}

export interface ProducerMetricsRecorder {
  /** A produce request finished: its records per topic, their bytes, and the request latency. */
  recordSend(topic: string, records: number, bytes: number, latencyMs: number): void
  /** `records` records failed to send; `topic` when known (per-topic record_error_total). */
  recordErrors(records: number, topic?: string): void
  /** The Kafka client retried `requests` produce requests (it reports retries per request, not per record). */
  recordRetries(requests: number): void
  /** +1 when a produce request is sent, −1 when its response (or failure) arrives: request_total / response_total. */
  requestsInFlight(delta: number): void
  /** The producer's network statistics: the producer watches its client with it (connections, request sizes, …). */
  readonly network?: KafkaClientNetwork
  /** A request's records waited `ms` in the producer before the request was written to the socket. */
  recordQueueTime?(ms: number): void
  /** producer.buffer.memory and the part of it not held by records awaiting acknowledgement. */
  recordBuffer?(totalBytes: number, availableBytes: number): void
  /** The producer's compression.type. */
  recordCompression?(type: string): void
}

export interface WorkerMetricsRecorder {
  connector(
    name: string,
    info: { className: string; type: 'source' | 'sink'; version: string },
  ): ConnectorMetricsRecorder
  task(connector: string, task: number): TaskMetricsRecorder
  recordConnectorStartup(success: boolean): void
  recordTaskStartup(success: boolean): void
  /** A (re)assignment of connectors and tasks to this worker began (rebalancing = 1 until recordRebalance). */
  recordRebalanceStart?(): void
  /** A (re)assignment of connectors and tasks to this worker finished after `durationMs`; `epoch` = generation. */
  recordRebalance(durationMs: number, epoch?: number): void
  /**
   * An assignment named the group's leader (its REST URL) and the group protocol it was made under (`default`,
   * `compatible`, `sessioned`): connect-worker-rebalance-metrics leader-name and connect-protocol.
   */
  recordGroup?(leaderUrl: string, protocol: string): void
  /** The connectors and tasks this worker's group membership holds now (connect-coordinator-metrics). */
  recordAssignment?(connectors: number, tasks: number): void
  readonly producer: ProducerMetricsRecorder
  /** Plugins' own metric components (e.g. the CDC connector's debezium_metrics_*), on the same /metrics. */
  readonly plugins?: MetricsHost
}
