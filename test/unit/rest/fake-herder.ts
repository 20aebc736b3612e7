// An in-memory Herder for the REST tests: connectors, target states, statuses, tasks, topics and offsets, failing
// with the FlowscopeErrors (and Connect's messages) the real herder uses. No Kafka, no worker: state changes at once.
import { ConfigDef, ConfigTypes, configInfos, Importance, keyInfo } from '../../../src/config/config-def.ts'
import { badRequest, conflict, ErrorCodes, FlowscopeError, notFound } from '../../../src/errors.ts'
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorStatus,
  HealthStatus,
  Herder,
  InitialState,
  PluginInfo,
  RestartRequest,
  ServerInfo,
  TargetState,
  TaskInfo,
  TaskStateName,
  TaskStatus,
} from '../../../src/runtime/herder.ts'
import type { RequestSignature } from '../../../src/runtime/request-signature.ts'

export const FAKE_SOURCE_CLASS = 'io.confluent.connect.jdbc.JdbcSourceConnector'
const WORKER_ID = '127.0.0.1:8083'
const FAKE_SOURCE_VERSION = '10.0.0'

const sourceDef = new ConfigDef()
  .define({ name: 'connector.class', type: ConfigTypes.STRING, importance: Importance.HIGH, documentation: 'Class' })
  .define({ name: 'tasks.max', type: ConfigTypes.INT, default: 1, importance: Importance.HIGH, documentation: 'Tasks' })
  .define({ name: 'connection.url', type: ConfigTypes.STRING, importance: Importance.HIGH, documentation: 'JDBC URL' })
  .define({
    name: 'poll.interval.ms',
    type: ConfigTypes.INT,
    default: 5000,
    importance: Importance.MEDIUM,
    documentation: 'Poll interval',
  })

const plugins: PluginInfo[] = [
  { class: FAKE_SOURCE_CLASS, type: 'source', version: FAKE_SOURCE_VERSION },
  { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', version: '4.0.0' },
  { class: 'org.apache.kafka.connect.transforms.InsertField$Value', type: 'transformation', version: '4.0.0' },
]

interface FakeConnector {
  config: Record<string, string>
  target: TargetState
  connectorFailed: string | null
  taskStates: TaskStateName[]
  taskTraces: (string | null)[]
  topics: Set<string>
  offsets: ConnectorOffset[]
}

export class FakeHerder implements Herder {
  readonly #connectors = new Map<string, FakeConnector>()
  #health: HealthStatus = {
    status: 'healthy',
    message: 'Worker has completed startup and is ready to handle requests.',
  }
  topicTrackingEnabled = true
  /** Every mutating call, for tests that check what reached the herder. */
  readonly calls: { method: string; args: unknown[] }[] = []

  setHealth(health: HealthStatus): void {
    this.#health = health
  }

  failTask(name: string, task: number, trace: string): void {
    const connector = this.#get(name)
    connector.taskStates[task] = 'FAILED'
    connector.taskTraces[task] = trace
  }

  recordTopic(name: string, topic: string): void {
    this.#get(name).topics.add(topic)
  }

  serverInfo(): ServerInfo {
    return { version: '4.0.0-flowscope', commit: 'abc123', kafka_cluster_id: 'fake-cluster-id' }
  }

  health(): HealthStatus {
    return this.#health
  }

  workerId(): string {
    return WORKER_ID
  }

  #started: Promise<void> = Promise.resolve()

  whenStarted(): Promise<void> {
    return this.#started
  }

  /** Makes whenStarted() pending until the returned function is called (a worker still reading its topics). */
  holdStartup(): () => void {
    let open = () => {}
    this.#started = new Promise<void>((resolve) => {
      open = resolve
    })
    return open
  }

  connectors(): string[] {
    return [...this.#connectors.keys()]
  }

  connectorInfo(name: string): ConnectorInfo {
    const connector = this.#get(name)
    return {
      name,
      config: { ...connector.config },
      tasks: connector.taskStates.map((_, task) => ({ connector: name, task })),
      type: 'source',
    }
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.#get(name).config }
  }

  connectorStatus(name: string): ConnectorStatus {
    const connector = this.#connectors.get(name)
    if (!connector) throw notFound(`No status found for connector ${name}`)
    const state = connector.connectorFailed ? 'FAILED' : connector.target === 'STARTED' ? 'RUNNING' : connector.target
    return {
      name,
      connector: {
        state,
        worker_id: WORKER_ID,
        ...(connector.connectorFailed ? { trace: connector.connectorFailed } : {}),
        version: FAKE_SOURCE_VERSION,
      },
      tasks: connector.taskStates.map((_, task) => this.taskStatus(name, task)),
      type: 'source',
    }
  }

  taskStatus(name: string, task: number): TaskStatus {
    const connector = this.#connectors.get(name)
    const state = connector?.taskStates[task]
    if (!connector || state === undefined) throw notFound(`No status found for task ${name}-${task}`)
    const trace = connector.taskTraces[task]
    return { id: task, state, worker_id: WORKER_ID, ...(trace ? { trace } : {}), version: FAKE_SOURCE_VERSION }
  }

  taskConfigs(name: string): TaskInfo[] {
    const connector = this.#get(name)
    return connector.taskStates.map((_, task) => ({
      id: { connector: name, task },
      config: { 'task.class': 'io.confluent.connect.jdbc.source.JdbcSourceTask', 'task.id': String(task) },
    }))
  }

  async putTaskConfigs(
    name: string,
    configs: Record<string, string>[],
    signature: RequestSignature | null,
  ): Promise<void> {
    this.calls.push({ method: 'putTaskConfigs', args: [name, configs, signature] })
    this.#get(name)
  }

  async fenceZombieSourceTasks(name: string, signature: RequestSignature | null): Promise<void> {
    this.calls.push({ method: 'fenceZombieSourceTasks', args: [name, signature] })
    this.#get(name)
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    this.calls.push({ method: 'putConnectorConfig', args: [name, config, options] })
    const existing = this.#connectors.get(name)
    if (existing && !options.allowReplace) throw conflict(`Connector ${name} already exists`)
    this.#validateForStore(config)
    const target = existing?.target ?? targetOf(options.initialState)
    const tasks = target === 'STOPPED' ? 0 : Number(config['tasks.max'] ?? '1')
    this.#connectors.set(name, {
      config: { ...config },
      target,
      connectorFailed: null,
      taskStates: Array.from({ length: tasks }, () => (target === 'PAUSED' ? 'PAUSED' : 'RUNNING')),
      taskTraces: [],
      topics: existing?.topics ?? new Set(),
      offsets: existing?.offsets ?? [],
    })
    return { created: !existing, info: this.connectorInfo(name) }
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    this.calls.push({ method: 'patchConnectorConfig', args: [name, patch] })
    const connector = this.#get(name)
    const config = { ...connector.config }
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete config[key]
      else config[key] = value
    }
    this.#validateForStore(config)
    connector.config = config
    return this.connectorInfo(name)
  }

  async deleteConnector(name: string): Promise<void> {
    this.#get(name)
    this.#connectors.delete(name)
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus | null> {
    this.calls.push({ method: 'restartConnector', args: [name, request] })
    if (!this.#connectors.has(name)) throw notFound(`Unknown connector: ${name}`)
    const connector = this.#get(name)
    if (!request.includeTasks && !request.onlyFailed) return null
    const status = this.connectorStatus(name)
    if (!request.onlyFailed || status.connector.state === 'FAILED') status.connector.state = 'RESTARTING'
    if (request.includeTasks) {
      for (const task of status.tasks) {
        if (!request.onlyFailed || task.state === 'FAILED') task.state = 'RESTARTING'
      }
    }
    connector.connectorFailed = null
    connector.taskStates = connector.taskStates.map((state) => (state === 'FAILED' ? 'RUNNING' : state))
    connector.taskTraces = []
    return status
  }

  async restartTask(name: string, task: number): Promise<void> {
    const connector = this.#connectors.get(name)
    if (!connector) throw notFound(`Unknown connector: ${name}`)
    if (connector.taskStates[task] === undefined) throw notFound(`Unknown task: ${name}-${task}`)
    connector.taskStates[task] = 'RUNNING'
    connector.taskTraces[task] = null
  }

  async pauseConnector(name: string): Promise<void> {
    this.#setTarget(name, 'PAUSED')
  }

  async resumeConnector(name: string): Promise<void> {
    this.#setTarget(name, 'STARTED')
  }

  async stopConnector(name: string): Promise<void> {
    this.#setTarget(name, 'STOPPED')
  }

  connectorActiveTopics(name: string): string[] {
    if (!this.topicTrackingEnabled) throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    return [...(this.#connectors.get(name)?.topics ?? [])]
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    if (!this.topicTrackingEnabled) throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    this.#connectors.get(name)?.topics.clear()
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    return this.#get(name).offsets.map((entry) => structuredClone(entry))
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<string> {
    this.calls.push({ method: 'alterConnectorOffsets', args: [name, offsets] })
    const connector = this.#stoppedForOffsets(name)
    for (const change of offsets) {
      const key = JSON.stringify(change.partition)
      connector.offsets = connector.offsets.filter((entry) => JSON.stringify(entry.partition) !== key)
      if (change.offset !== null) connector.offsets.push(structuredClone(change))
    }
    return 'The offsets for this connector have been altered successfully'
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    this.#stoppedForOffsets(name).offsets = []
    return 'The offsets for this connector have been reset successfully'
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    return plugins.filter((plugin) => !connectorsOnly || plugin.type === 'source' || plugin.type === 'sink')
  }

  pluginConfig(pluginClass: string) {
    if (resolvePlugin(pluginClass) === undefined) throw notFound(`Unknown plugin ${pluginClass}.`)
    return sourceDef.keys().map(keyInfo)
  }

  async validateConnectorConfig(pluginClass: string, config: Record<string, string>) {
    this.calls.push({ method: 'validateConnectorConfig', args: [pluginClass, config] })
    const resolved = resolvePlugin(pluginClass)
    if (resolved === undefined) throw badRequest(`Failed to find any class that implements Connector: ${pluginClass}`)
    return configInfos(resolved, sourceDef, config)
  }

  #get(name: string): FakeConnector {
    const connector = this.#connectors.get(name)
    if (!connector) throw notFound(`Connector ${name} not found`)
    return connector
  }

  #setTarget(name: string, target: TargetState): void {
    const connector = this.#get(name)
    connector.target = target
    const count = target === 'STOPPED' ? 0 : Number(connector.config['tasks.max'] ?? '1')
    connector.taskStates = Array.from({ length: count }, () => (target === 'PAUSED' ? 'PAUSED' : 'RUNNING'))
  }

  #stoppedForOffsets(name: string): FakeConnector {
    const connector = this.#get(name)
    if (connector.target !== 'STOPPED') {
      throw badRequest(
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the ' +
          `specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      )
    }
    return connector
  }

  #validateForStore(config: Record<string, string>): void {
    const connectorClass = config['connector.class']
    if (connectorClass === undefined) {
      throw badRequest(`Connector config {${Object.keys(config).join(', ')}} contains no connector type`)
    }
    const errors = [...sourceDef.parse(config).errors.values()].flat()
    if (resolvePlugin(connectorClass) === undefined) errors.push(`Unknown connector class ${connectorClass}`)
    if (errors.length > 0) {
      throw new FlowscopeError(
        ErrorCodes.INVALID_CONFIG,
        `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
          'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
      )
    }
  }
}

function targetOf(initial: InitialState | undefined): TargetState {
  return initial === 'PAUSED' ? 'PAUSED' : initial === 'STOPPED' ? 'STOPPED' : 'STARTED'
}

function resolvePlugin(name: string): string | undefined {
  const source = plugins.find((plugin) => plugin.type === 'source')
  if (!source) return undefined
  const simple = source.class.slice(source.class.lastIndexOf('.') + 1)
  return [source.class, simple, simple.replace(/Connector$/, '')].includes(name) ? source.class : undefined
}
