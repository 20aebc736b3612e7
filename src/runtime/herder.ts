// The control plane (Connect's Herder): owns connector/task configs, target states and statuses, and answers every
// management call. The REST API, the CLI and (later) the console call only this interface; the worker runs tasks.
import type { ConfigInfos, ConfigKeyInfo } from '../config/config-def.ts'
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import type { RequestSignature } from './request-signature.ts'

export type ConnectorType = 'source' | 'sink' | 'unknown'
/** What the user asked for (stored in the config topic as target-state-<name>). */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED'
/** Connect's `initial_state` on create: RUNNING maps to STARTED. */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED'
export type ConnectorStateName = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING'
export type TaskStateName = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING'

export interface ConnectorTaskId {
  connector: string
  task: number
}

export interface ConnectorInfo {
  name: string
  config: Record<string, string>
  tasks: ConnectorTaskId[]
  type: ConnectorType
}

export interface TaskStatus {
  id: number
  state: TaskStateName
  worker_id: string
  /** Present only when non-empty. */
  trace?: string
  /** The connector plugin's version the task runs (Connect 4.1+, KIP-891); absent when unknown. */
  version?: string
}

export interface ConnectorStatus {
  name: string
  connector: { state: ConnectorStateName; worker_id: string; trace?: string; version?: string }
  tasks: TaskStatus[]
  type: ConnectorType
}

export interface TaskInfo {
  id: ConnectorTaskId
  config: Record<string, string>
}

export interface PluginInfo {
  class: string
  type: 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate'
  version?: string
}

export interface ConnectorOffset {
  partition: SourcePartition
  offset: SourceOffset | null
}

export interface ServerInfo {
  version: string
  commit: string
  kafka_cluster_id: string
}

export interface HealthStatus {
  status: 'healthy' | 'starting' | 'unhealthy'
  message: string
}

export interface RestartRequest {
  includeTasks: boolean
  onlyFailed: boolean
}

/**
 * Every method throws a FlowscopeError (src/errors.ts) on failure: NOT_FOUND for an unknown connector/task/plugin,
 * CONFLICT for "already exists" or a rebalance in progress, INVALID_CONFIG / BAD_REQUEST with Connect's messages.
 */
export interface Herder {
  serverInfo(): ServerInfo
  health(): HealthStatus
  workerId(): string
  /**
   * Resolves once start-up has read the internal topics and started what they hold; the REST API waits for it
   * before answering /connectors requests (as Connect's herder thread does), so no read sees half-read stores.
   */
  whenStarted(): Promise<void>
  /** Reads the config topic to its end (a group's config changes are made by its leader); absent: nothing to read. */
  catchUp?(): Promise<void>

  connectors(): string[]
  connectorInfo(name: string): ConnectorInfo
  connectorConfig(name: string): Record<string, string>
  connectorStatus(name: string): ConnectorStatus
  taskStatus(name: string, task: number): TaskStatus
  taskConfigs(name: string): TaskInfo[]

  /**
   * Creates (allowReplace=false: CONFLICT if it exists) or creates-or-updates a connector after validating its
   * config (INVALID_CONFIG listing every error; nothing is stored then).
   */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>
  /** Partial update: a null value removes the key. NOT_FOUND if the connector does not exist. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>
  deleteConnector(name: string): Promise<void>

  /**
   * Another worker's task configs for connector `name` (the internal POST /connectors/<name>/tasks): checked against
   * the group's session key when request validation is on, written by the leader (others point to it).
   */
  putTaskConfigs(name: string, configs: Record<string, string>[], signature: RequestSignature | null): Promise<void>

  /** Returns the status after the restart was requested when includeTasks or onlyFailed is set, else null. */
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus | null>
  restartTask(name: string, task: number): Promise<void>
  pauseConnector(name: string): Promise<void>
  resumeConnector(name: string): Promise<void>
  stopConnector(name: string): Promise<void>
  /**
   * Internal (`PUT /connectors/<name>/fence`, KIP-618): the leader fences out older generations of an exactly-once
   * source connector's tasks; other workers answer RequestTargetError (forwarded to the leader). Signed as
   * putTaskConfigs.
   */
  fenceZombieSourceTasks(name: string, signature: RequestSignature | null): Promise<void>

  /** Topics the connector has written to (FORBIDDEN when topic tracking is disabled). */
  connectorActiveTopics(name: string): string[]
  resetConnectorActiveTopics(name: string): Promise<void>

  connectorOffsets(name: string): Promise<ConnectorOffset[]>
  /** The connector must be STOPPED (BAD_REQUEST otherwise); returns Connect's success message. */
  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<string>
  resetConnectorOffsets(name: string): Promise<string>

  plugins(connectorsOnly: boolean): PluginInfo[]
  /** NOT_FOUND for an unknown plugin class or alias. */
  pluginConfig(pluginClass: string): ConfigKeyInfo[]
  /** Validates without storing anything. */
  validateConnectorConfig(pluginClass: string, config: Record<string, string>): Promise<ConfigInfos>
}
