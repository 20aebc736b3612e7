// Connector configs, task configs and target states, kept in the config topic (1 partition, compacted) in Kafka
// Connect's record format, so a restarted worker — or another worker of the group — rebuilds the same view.
//   connector-<name>    {"properties":{…}}         (null = deleted)
//   task-<name>-<n>     {"properties":{…}}         (take effect once commit-<name> says how many)
//   commit-<name>       {"tasks":N}
//   target-state-<name> {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
//   restart-connector-<name> {"include-tasks":bool,"only-failed":bool}
//   session-key         {"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":<ms>}  (the leader's, `sessioned`)
//   tasks-fencing-<name> {"task-count":N}      (KIP-618: how many tasks the leader last fenced for; see pendingFencing)
//   flowscope-owner     {"group.id","kafka.cluster.id"}  (flowscope's own: the group the topic belongs to)
import type { TargetState } from '../runtime/herder.ts'
import type { SessionKey } from '../runtime/request-signature.ts'
import type { ConfigBackingStore, ConfigChange, StoreLog } from './backing-stores.ts'
import { OWNER_KEY, ownerRecord, parseOwner, type TopicOwner } from './topic-ownership.ts'

export type { ConfigChange }

/** Connect's KafkaConfigBackingStore.SESSION_KEY_KEY. */
export const SESSION_KEY_KEY = 'session-key'
/** Connect's KafkaConfigBackingStore.TASK_COUNT_RECORD_PREFIX. */
const TASK_COUNT_PREFIX = 'tasks-fencing-'

export class ConfigStore implements ConfigBackingStore {
  readonly #connectors = new Map<string, Record<string, string>>()
  readonly #tasks = new Map<string, Record<string, string>[]>()
  readonly #pendingTasks = new Map<string, Map<number, Record<string, string>>>()
  readonly #targetStates = new Map<string, TargetState>()
  /** The latest task-count record per connector: kept across a deletion, as Connect keeps it (a new connector of the name fences the old ids). */
  readonly #taskCountRecords = new Map<string, number>()
  /** Connectors whose latest task-config commit came after their latest task-count record. */
  readonly #pendingFencing = new Set<string>()
  /** Connect's task config generation: 0 at the first complete set of task configs, +1 at each later one. */
  readonly #taskGenerations = new Map<string, number>()
  #log: StoreLog | undefined
  /** The first owner record of the topic: the first worker to claim it wins, a later claim changes nothing. */
  #owner: TopicOwner | undefined
  #sessionKey: SessionKey | undefined
  #offset = -1n
  #taskWrites: Promise<void> = Promise.resolve()
  onChange: (change: ConfigChange) => void = () => {}

  attach(log: StoreLog): void {
    this.#log = log
  }

  /**
   * How far this view has read: one past the offset of the last record applied, -1 before any (Connect's
   * ClusterConfigState offset, which a group's members compare in their metadata and assignments).
   */
  get offset(): bigint {
    return this.#offset
  }

  /** Applies one record of the config topic (called by the KafkaLog for every record, own writes included). */
  apply(key: string | null, value: Buffer | null, offset?: bigint): void {
    if (offset !== undefined && offset + 1n > this.#offset) this.#offset = offset + 1n
    if (!key) return
    if (key === OWNER_KEY) {
      this.#owner ??= parseOwner(value)
      return
    }
    if (key === SESSION_KEY_KEY) {
      this.#sessionKey = parseSessionKey(value)
      this.onChange({ kind: 'session-key' })
      return
    }
    const body = value ? (JSON.parse(value.toString('utf8')) as Record<string, unknown>) : null
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length)
      const existed = this.#connectors.has(name)
      if (body) this.#connectors.set(name, body.properties as Record<string, string>)
      else {
        this.#connectors.delete(name)
        this.#tasks.delete(name)
        this.#pendingTasks.delete(name)
        this.#targetStates.delete(name)
      }
      this.onChange({ kind: 'connector', name, existed, exists: body !== null })
    } else if (key.startsWith('task-')) {
      const match = /^task-(.*)-(\d+)$/s.exec(key)
      if (!match || !body) return
      const [, name, n] = match
      const pending = this.#pendingTasks.get(name) ?? new Map()
      pending.set(Number(n), body.properties as Record<string, string>)
      this.#pendingTasks.set(name, pending)
    } else if (key.startsWith('commit-')) {
      const name = key.slice('commit-'.length)
      const count = Number((body as { tasks?: number } | null)?.tasks ?? 0)
      const pending = this.#pendingTasks.get(name) ?? new Map()
      this.#pendingTasks.delete(name)
      // Complete or not, task configs written after the latest task-count record need a round of zombie fencing
      // before any task starts on them (KafkaConfigBackingStore's connectorsPendingFencing; as there, only for a
      // connector that exists).
      if (this.#connectors.has(name)) this.#pendingFencing.add(name)
      const tasks: Record<string, string>[] = []
      for (let i = 0; i < count; i++) {
        const config = pending.get(i)
        if (config) tasks.push(config)
      }
      // As Connect's KafkaConfigBackingStore: a commit applies only a complete set of task configs written since the
      // previous commit. An incomplete one (interleaved writers, compacted history) leaves the last applied set in
      // place; the connector's next start compares and rewrites its task configs.
      if (tasks.length < count) return
      this.#tasks.set(name, tasks)
      this.#taskGenerations.set(name, (this.#taskGenerations.get(name) ?? -1) + 1)
      this.onChange({ kind: 'tasks', name })
    } else if (key.startsWith(TASK_COUNT_PREFIX)) {
      const name = key.slice(TASK_COUNT_PREFIX.length)
      const count = (body as { 'task-count'?: unknown } | null)?.['task-count']
      if (typeof count !== 'number' || !Number.isInteger(count)) return
      this.#taskCountRecords.set(name, count)
      this.#pendingFencing.delete(name)
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length)
      if (!body) this.#targetStates.delete(name)
      else this.#targetStates.set(name, ((body['state.v2'] ?? body.state) as TargetState) ?? 'STARTED')
      this.onChange({ kind: 'target-state', name })
    } else if (key.startsWith('restart-connector-') && body) {
      const name = key.slice('restart-connector-'.length)
      this.onChange({
        kind: 'restart',
        name,
        includeTasks: body['include-tasks'] === true,
        onlyFailed: body['only-failed'] === true,
      })
    }
  }

  get owner(): TopicOwner | undefined {
    return this.#owner
  }

  /** Writes this worker's group as the topic's owner and reads it back (another worker may have claimed it first). */
  async claim(owner: TopicOwner): Promise<TopicOwner | undefined> {
    if (!this.#log) throw new Error('config store is not attached to its topic')
    await this.#log.send(OWNER_KEY, ownerRecord(owner))
    await this.#log.readToEnd()
    return this.#owner
  }

  /** The newest session key read from the topic (undefined until the group's leader has written one). */
  sessionKey(): SessionKey | undefined {
    return this.#sessionKey
  }

  /** Writes a session key as Connect's leader does (the JsonConverter's schemaless form of SESSION_KEY_V0). */
  async putSessionKey(sessionKey: SessionKey): Promise<void> {
    await this.#write(SESSION_KEY_KEY, {
      key: sessionKey.key.toString('base64'),
      algorithm: sessionKey.algorithm,
      'creation-timestamp': sessionKey.creationTimestamp,
    })
    await this.readToEnd()
  }

  connectorNames(): string[] {
    return [...this.#connectors.keys()].sort()
  }

  connectorConfig(name: string): Record<string, string> | undefined {
    return this.#connectors.get(name)
  }

  taskConfigs(name: string): Record<string, string>[] {
    return this.#tasks.get(name) ?? []
  }

  targetState(name: string): TargetState {
    return this.#targetStates.get(name) ?? 'STARTED'
  }

  taskCountRecord(name: string): number | undefined {
    return this.#taskCountRecords.get(name)
  }

  pendingFencing(name: string): boolean {
    return this.#pendingFencing.has(name)
  }

  taskConfigGeneration(name: string): number | undefined {
    return this.#taskGenerations.get(name)
  }

  async putConnectorConfig(name: string, config: Record<string, string>, targetState?: TargetState): Promise<void> {
    // The target state goes first so the connector never starts, even briefly, in the wrong state.
    if (targetState) await this.putTargetState(name, targetState)
    await this.#write(`connector-${name}`, { properties: config })
  }

  async removeConnector(name: string): Promise<void> {
    await this.#write(`connector-${name}`, null)
    await this.#write(`target-state-${name}`, null)
  }

  /** Writes the task configs and their commit as one run: two calls never interleave their records. */
  putTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    const write = this.#taskWrites.then(async () => {
      for (const [i, config] of configs.entries()) await this.#write(`task-${name}-${i}`, { properties: config })
      await this.#write(`commit-${name}`, { tasks: configs.length })
    })
    this.#taskWrites = write.catch(() => {})
    return write
  }

  /** Connect's task-count record: written by the leader once the older generations of the connector's tasks are fenced. */
  async putTaskCountRecord(name: string, taskCount: number): Promise<void> {
    await this.#write(`${TASK_COUNT_PREFIX}${name}`, { 'task-count': taskCount })
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    // Older workers know only STARTED/PAUSED: they read STOPPED as PAUSED (as Connect writes it).
    await this.#write(`target-state-${name}`, { state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state })
  }

  async putRestartRequest(name: string, request: { includeTasks: boolean; onlyFailed: boolean }): Promise<void> {
    await this.#write(`restart-connector-${name}`, {
      'include-tasks': request.includeTasks,
      'only-failed': request.onlyFailed,
    })
  }

  async readToEnd(timeoutMs?: number): Promise<void> {
    await this.#log?.readToEnd(timeoutMs)
  }

  async #write(key: string, value: unknown): Promise<void> {
    if (!this.#log) throw new Error('config store is not attached to its topic')
    await this.#log.send(key, value === null ? null : Buffer.from(JSON.stringify(value)))
  }
}

/**
 * A `session-key` record's value; throws (the record is skipped and logged, the previous key kept) on what Connect
 * would ignore: a null value, a non-string key or algorithm, a non-integer timestamp.
 */
function parseSessionKey(value: Buffer | null): SessionKey {
  if (value === null) throw new Error('Ignoring session key because it is unexpectedly null')
  const body = JSON.parse(value.toString('utf8')) as unknown
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('Ignoring session key because the value is not a JSON object')
  }
  const { key, algorithm, 'creation-timestamp': created } = body as Record<string, unknown>
  if (typeof key !== 'string') throw new Error("Invalid data for session key 'key' field: it should be a string")
  if (typeof algorithm !== 'string') {
    throw new Error("Invalid data for session key 'algorithm' field: it should be a string")
  }
  if (typeof created !== 'number' || !Number.isSafeInteger(created)) {
    throw new Error("Invalid data for session key 'creation-timestamp' field: it should be a long")
  }
  return { key: Buffer.from(key, 'base64'), algorithm, creationTimestamp: created }
}
