// What the herder and the worker need of the worker's three stores (Connect's ConfigBackingStore,
// OffsetBackingStore, StatusBackingStore), and what a store needs of the log behind it. The Kafka-backed classes
// (config-store.ts, offset-store.ts, status-store.ts on a KafkaLog) implement them; unit tests attach the same
// classes to an in-memory log, so the herder and the task loop are tested without Kafka and without casts.
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import type { ConnectorStateName, TargetState, TaskStateName } from '../runtime/herder.ts'
import type { SessionKey } from '../runtime/request-signature.ts'

/** The log a store writes to and reads back from (an internal topic; in unit tests, memory). */
export interface StoreLog {
  /** Resolves once the record is durably written (for a topic: acknowledged by Kafka). */
  send(key: string, value: Buffer | null): Promise<void>
  /** Resolves once every record written before this call has been applied to the store (rejects after `timeoutMs`). */
  readToEnd(timeoutMs?: number): Promise<void>
}

/** A config-topic record applied to the config store (own writes included). */
export type ConfigChange =
  /** `existed`/`exists`: whether the connector was there before and after the record (created, updated, deleted). */
  | { kind: 'connector'; name: string; existed: boolean; exists: boolean }
  | { kind: 'tasks'; name: string }
  | { kind: 'target-state'; name: string }
  /** Connect's restart request (KIP-745), acted on by every worker for what it runs of the connector. */
  | { kind: 'restart'; name: string; includeTasks: boolean; onlyFailed: boolean }
  /** A new session key (written by the group's leader under the `sessioned` protocol). */
  | { kind: 'session-key' }

/** Connector configs, task configs and target states: the view every decision of the herder is made from. */
export interface ConfigBackingStore {
  connectorNames(): string[]
  connectorConfig(name: string): Record<string, string> | undefined
  taskConfigs(name: string): Record<string, string>[]
  targetState(name: string): TargetState
  /** KIP-618: the task count of the connector's latest task-count record (`tasks-fencing-<name>`), if any. */
  taskCountRecord(name: string): number | undefined
  /** KIP-618: task configs were committed after the latest task-count record (older task generations not fenced yet). */
  pendingFencing(name: string): boolean
  /** Which complete set of task configs is current: changes with each one committed (undefined before the first). */
  taskConfigGeneration(name: string): number | undefined
  /** One past the last config-topic record read (-1: none): an assignment's config offset is compared with it. */
  readonly offset: bigint
  /** `targetState` is written first when given (a new connector), so it never starts in the wrong state. */
  putConnectorConfig(name: string, config: Record<string, string>, targetState?: TargetState): Promise<void>
  removeConnector(name: string): Promise<void>
  putTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void>
  putTargetState(name: string, state: TargetState): Promise<void>
  /** Writes Connect's task-count record once the older generations of the connector's tasks are fenced out. */
  putTaskCountRecord(name: string, taskCount: number): Promise<void>
  /** Writes a restart request for every worker of the group to act on (Connect's `restart-connector-<name>`). */
  putRestartRequest(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): Promise<void>
  /** The group's newest session key read from the topic; undefined before the leader has written one. */
  sessionKey(): SessionKey | undefined
  /** Writes a new session key (the leader, when validation is on and none is current) and reads it back. */
  putSessionKey(key: SessionKey): Promise<void>
  /** Reads the config topic to its end; rejects when that takes longer than `timeoutMs` (default 30 s). */
  readToEnd(timeoutMs?: number): Promise<void>
  /** Called for every record applied, in topic order. */
  onChange: (change: ConfigChange) => void
}

/** The offsets a task's commit writes (the task loop needs no more of the offset store). */
export interface OffsetWriter {
  /** Writes offsets (null = tombstone) and resolves once every one of them is stored. */
  write(
    connector: string,
    offsets: readonly { partition: SourcePartition; offset: SourceOffset | null }[],
  ): Promise<void>
}

export interface OffsetBackingStore extends OffsetWriter {
  get(connector: string, partition: SourcePartition): SourceOffset | null
  all(connector: string): { partition: SourcePartition; offset: SourceOffset }[]
  readToEnd(): Promise<void>
}

export interface StoredStatus<State> {
  state: State
  trace: string | null
  worker_id: string
  generation: number
  /** The connector plugin's version (Connect 4.1+ writes it; null when none runs); absent in older records. */
  version?: string | null
}

export interface StatusBackingStore {
  connector(name: string): StoredStatus<ConnectorStateName> | undefined
  task(name: string, task: number): StoredStatus<TaskStateName> | undefined
  /** Topics the connector wrote to (topic tracking), sorted. */
  topics(connector: string): string[]
  putConnector(name: string, status: StoredStatus<ConnectorStateName>): Promise<void>
  putTask(name: string, task: number, status: StoredStatus<TaskStateName>): Promise<void>
  removeConnector(name: string, taskCount: number): Promise<void>
  putTopic(connector: string, topic: string, task: number): Promise<void>
  resetTopics(connector: string): Promise<void>
}
