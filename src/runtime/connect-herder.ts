// The worker's herder: the control plane behind the REST API. Config changes are written to the config topic first
// and the in-memory view is read back from it (so a restarted worker, or a later second worker of the same
// group.id, sees the same history); then this worker applies them: starting, pausing, stopping connectors and
// tasks, and recording statuses in the status topic. Task failures are contained: they never stop the worker.
import type { Admin } from '@platformatic/kafka'
import { type ConfigInfos, type ConfigKeyInfo, configInfos, keyInfo } from '../config/config-def.ts'
import type { ConnectorContext, SourceConnector, SourceConnectorPlugin } from '../connectors/plugin.ts'
import type { Converter } from '../convert/converter.ts'
import { converterClassNames, createConverter } from '../convert/converters.ts'
import { badRequest, conflict, ErrorCodes, FlowscopeError, messageOf, notFound, traceOf } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { ConnectorMetricsRecorder, WorkerMetricsRecorder } from '../metrics/recorder.ts'
import type { RecordProducer } from '../produce/record-producer.ts'
import type { SourcePartition } from '../record/source-record.ts'
import type { ConfigStore } from '../storage/config-store.ts'
import type { OffsetStore } from '../storage/offset-store.ts'
import type { StatusStore } from '../storage/status-store.ts'
import { pluginConfigDef, transformPlugins, transformsValidation } from '../transform/transform-config.ts'
import { buildTransformChain } from '../transform/transformation.ts'
import { type ConnectorSettings, connectorConfigDef, connectorSettings } from './connector-config.ts'
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorStateName,
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
} from './herder.ts'
import type { PluginRegistry } from './plugins.ts'
import { WorkerSourceTask } from './worker-source-task.ts'

export interface ConnectHerderOptions {
  workerId: string
  version: string
  commit: string
  plugins: PluginRegistry
  configs: ConfigStore
  offsets: OffsetStore
  statuses: StatusStore
  producer: RecordProducer
  admin: Admin
  metrics: WorkerMetricsRecorder
  /** Worker converter defaults: class name + sub-config. */
  keyConverter: { className: string; config: Record<string, string> }
  valueConverter: { className: string; config: Record<string, string> }
  offsetFlushIntervalMs: number
  offsetFlushTimeoutMs: number
  topicTrackingEnabled: boolean
  topicTrackingAllowReset: boolean
  topicCreationEnabled: boolean
}

interface RunningConnector {
  name: string
  plugin: SourceConnectorPlugin
  settings: ConnectorSettings
  instance: SourceConnector | null
  tasks: Map<number, WorkerSourceTask>
  metrics: ConnectorMetricsRecorder
  reconfiguring: Promise<void> | null
}

const log = getLogger('flowscope.runtime.herder')

export class ConnectHerder implements Herder {
  readonly #o: ConnectHerderOptions
  readonly #running = new Map<string, RunningConnector>()
  readonly #createdTopics = new Set<string>()
  #clusterId = ''
  #started = false
  /**
   * Management calls run one at a time, like Connect's herder thread, and only once start() has finished: the REST
   * API listens (answering /health "starting") while the internal topics are still being read.
   */
  #queue: Promise<unknown>
  readonly #startedPromise: Promise<void>
  #openQueue: () => void = () => {}

  constructor(options: ConnectHerderOptions) {
    this.#o = options
    this.#startedPromise = new Promise<void>((resolve) => {
      this.#openQueue = resolve
    })
    this.#queue = this.#startedPromise
  }

  async start(): Promise<void> {
    const meta = await this.#o.admin.metadata({ topics: [] })
    this.#clusterId = meta.id
    const started = performance.now()
    // Management calls wait until this is done (see #queue), so none can start a connector this loop starts too.
    for (const name of this.#o.configs.connectorNames()) await this.#startConnector(name)
    this.#o.metrics.recordRebalance(performance.now() - started)
    this.#started = true
    this.#openQueue()
  }

  /** Graceful shutdown: every task stops polling, flushes, commits offsets. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#running.keys()].map((name) => this.#stopConnector(name, false)))
  }

  // ---- info --------------------------------------------------------------------------------------------------

  serverInfo(): ServerInfo {
    return { version: this.#o.version, commit: this.#o.commit, kafka_cluster_id: this.#clusterId }
  }

  health(): HealthStatus {
    return this.#started
      ? { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }
      : { status: 'starting', message: 'Worker is still starting up.' }
  }

  workerId(): string {
    return this.#o.workerId
  }

  whenStarted(): Promise<void> {
    return this.#startedPromise
  }

  connectors(): string[] {
    return this.#o.configs.connectorNames()
  }

  connectorInfo(name: string): ConnectorInfo {
    const config = this.connectorConfig(name)
    return {
      name,
      config,
      tasks: this.#o.configs.taskConfigs(name).map((_, task) => ({ connector: name, task })),
      type: this.#typeOf(config),
    }
  }

  connectorConfig(name: string): Record<string, string> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config) throw notFound(`Connector ${name} not found`)
    return { ...config }
  }

  connectorStatus(name: string): ConnectorStatus {
    const config = this.#o.configs.connectorConfig(name)
    // Connect's message: the status endpoints look the connector up in the status store.
    if (!config) throw notFound(`No status found for connector ${name}`)
    const status = this.#o.statuses.connector(name)
    const tasks = this.#o.configs.taskConfigs(name).map((_, i) => this.#taskStatus(name, i))
    return {
      name,
      connector: {
        state: status?.state ?? 'UNASSIGNED',
        worker_id: status?.worker_id ?? this.#o.workerId,
        ...(status?.trace ? { trace: status.trace } : {}),
        ...(status?.version ? { version: status.version } : {}),
      },
      tasks,
      type: this.#typeOf(config),
    }
  }

  taskStatus(name: string, task: number): TaskStatus {
    if (
      !this.#o.configs.connectorConfig(name) ||
      !Number.isInteger(task) ||
      task < 0 ||
      task >= this.#o.configs.taskConfigs(name).length
    ) {
      throw notFound(`No status found for task ${name}-${task}`)
    }
    return this.#taskStatus(name, task)
  }

  taskConfigs(name: string): TaskInfo[] {
    this.connectorConfig(name)
    return this.#o.configs.taskConfigs(name).map((config, task) => ({ id: { connector: name, task }, config }))
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    const out: PluginInfo[] = this.#o.plugins
      .all()
      .map((p) => ({ class: p.className, type: p.type, version: p.version }))
    if (!connectorsOnly) {
      for (const cls of converterClassNames) out.push({ class: cls, type: 'converter', version: this.#o.version })
      for (const p of transformPlugins()) out.push({ ...p, version: this.#o.version })
    }
    return out
  }

  pluginConfig(pluginClass: string): ConfigKeyInfo[] {
    const transformDef = pluginConfigDef(pluginClass)
    if (transformDef) return transformDef.keys().map(keyInfo)
    return this.#o.plugins.forPluginPath(pluginClass).configDef.keys().map(keyInfo)
  }

  async validateConnectorConfig(pluginClass: string, config: Record<string, string>): Promise<ConfigInfos> {
    const plugin = this.#o.plugins.forConnectorClass(pluginClass)
    // As Connect's enriched ConfigDef: the common keys, then each transform's and predicate's, then the plugin's.
    const transforms = transformsValidation(config)
    const def = connectorConfigDef.merge(transforms.def).merge(plugin.configDef)
    const extra = new Map<string, string[]>()
    const add = (key: string, message: string) => extra.set(key, [...(extra.get(key) ?? []), message])
    for (const [key, errors] of transforms.errors) for (const e of errors) add(key, e)
    for (const which of ['key.converter', 'value.converter'] as const) {
      const cls = config[which]
      if (!cls) continue
      try {
        this.#converter(cls, config, which)
      } catch (error) {
        add(which, messageOf(error))
      }
    }
    if (plugin.validate && def.parse(config).errors.size === 0) {
      try {
        for (const [key, errors] of await plugin.validate(config)) for (const e of errors) add(key, e)
      } catch (error) {
        add('connector.class', `Validation by ${plugin.className} failed: ${messageOf(error)}`)
      }
    }
    return configInfos(plugin.className, def, config, extra)
  }

  // ---- changes -------------------------------------------------------------------------------------------------

  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.#serial(async () => {
      const withName = { ...config }
      if (withName.name !== undefined && withName.name !== name) {
        throw badRequest(
          `Connector name configuration (${withName.name}) doesn't match connector name in the URL (${name})`,
        )
      }
      withName.name = name
      await this.#assertValid(withName)
      const exists = this.#o.configs.connectorConfig(name) !== undefined
      if (exists && !options.allowReplace) throw conflict(`Connector ${name} already exists`)
      if (exists) await this.#stopConnector(name, false)
      const initial: TargetState | undefined = exists
        ? undefined
        : options.initialState === 'PAUSED'
          ? 'PAUSED'
          : options.initialState === 'STOPPED'
            ? 'STOPPED'
            : 'STARTED'
      await this.#o.configs.putConnectorConfig(name, withName, initial)
      await this.#o.configs.readToEnd()
      await this.#startConnector(name)
      return { created: !exists, info: this.connectorInfo(name) }
    })
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const current = this.connectorConfig(name)
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete current[key]
      else current[key] = value
    }
    const { info } = await this.putConnectorConfig(name, current, { allowReplace: true })
    return info
  }

  deleteConnector(name: string): Promise<void> {
    return this.#serial(async () => {
      this.connectorConfig(name)
      const taskCount = this.#o.configs.taskConfigs(name).length
      await this.#stopConnector(name, false)
      this.#running.get(name)?.metrics.close()
      this.#running.delete(name)
      await this.#o.configs.removeConnector(name)
      await this.#o.statuses.removeConnector(name, taskCount)
      await this.#o.configs.readToEnd()
    })
  }

  pauseConnector(name: string): Promise<void> {
    return this.#serial(async () => {
      // Connect's message (AbstractHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      if (this.#o.configs.targetState(name) === 'STOPPED') {
        // Pausing a STOPPED connector starts it in the PAUSED state (connector up, tasks created but not polling).
        await this.#o.configs.putTargetState(name, 'PAUSED')
        await this.#o.configs.readToEnd()
        await this.#startConnector(name)
        return
      }
      await this.#o.configs.putTargetState(name, 'PAUSED')
      await this.#o.configs.readToEnd()
      const running = this.#running.get(name)
      if (!running) return
      for (const task of running.tasks.values()) task.pause()
      if (running.instance) await this.#setConnectorState(name, 'PAUSED')
    })
  }

  resumeConnector(name: string): Promise<void> {
    return this.#serial(async () => {
      // Connect's message (AbstractHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      const before = this.#o.configs.targetState(name)
      await this.#o.configs.putTargetState(name, 'STARTED')
      await this.#o.configs.readToEnd()
      const running = this.#running.get(name)
      if (before === 'STOPPED' || !running?.instance) {
        await this.#startConnector(name)
        return
      }
      for (const task of running.tasks.values()) task.resume()
      await this.#setConnectorState(name, 'RUNNING')
    })
  }

  stopConnector(name: string): Promise<void> {
    return this.#serial(async () => {
      // Connect's message (DistributedHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      await this.#o.configs.putTargetState(name, 'STOPPED')
      await this.#stopConnector(name, true)
      // As Connect does: a stopped connector has no tasks (its task configs are emptied).
      await this.#o.configs.putTaskConfigs(name, [])
      await this.#o.configs.readToEnd()
      await this.#setConnectorState(name, 'STOPPED')
    })
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus | null> {
    if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector: ${name}`)
    const status = this.connectorStatus(name)
    if (!request.includeTasks && !request.onlyFailed) {
      await this.#serial(async () => {
        await this.#stopConnector(name, false)
        await this.#startConnector(name)
      })
      return null
    }
    const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED'
    const tasks = request.includeTasks
      ? status.tasks.filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
      : []
    const answer: ConnectorStatus = {
      ...status,
      connector: restartConnector
        ? { ...withVersion(status.connector.version), state: 'RESTARTING', worker_id: status.connector.worker_id }
        : status.connector,
      tasks: status.tasks.map((t) =>
        tasks.includes(t.id) ? { id: t.id, state: 'RESTARTING', worker_id: t.worker_id, ...withVersion(t.version) } : t,
      ),
    }
    await this.#serial(async () => {
      if (restartConnector && (request.includeTasks ? tasks.length === status.tasks.length : true)) {
        await this.#stopConnector(name, false)
        await this.#startConnector(name)
      } else {
        if (restartConnector) await this.#restartConnectorInstanceOnly(name)
        for (const task of tasks) await this.#restartTask(name, task)
      }
    })
    return answer
  }

  restartTask(name: string, task: number): Promise<void> {
    // Connect's messages (DistributedHerder.restartTask).
    if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector: ${name}`)
    if (!Number.isInteger(task) || task < 0 || task >= this.#o.configs.taskConfigs(name).length) {
      throw notFound(`Unknown task: ${name}-${task}`)
    }
    return this.#serial(() => this.#restartTask(name, task))
  }

  /** As Connect: an unknown connector has no topics (not a 404). */
  connectorActiveTopics(name: string): string[] {
    if (!this.#o.topicTrackingEnabled) {
      throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    }
    return this.#o.statuses.topics(name)
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    if (!this.#o.topicTrackingEnabled) throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    if (!this.#o.topicTrackingAllowReset) {
      throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking reset is disabled.')
    }
    await this.#o.statuses.resetTopics(name)
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    this.connectorConfig(name)
    await this.#o.offsets.readToEnd()
    return this.#o.offsets.all(name)
  }

  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<string> {
    return this.#serial(async () => {
      this.#assertStopped(name)
      for (const [i, entry] of offsets.entries()) {
        if (
          !entry ||
          typeof entry.partition !== 'object' ||
          entry.partition === null ||
          Array.isArray(entry.partition)
        ) {
          throw badRequest(`Offset entry ${i} has no source partition: each entry needs a "partition" object`)
        }
        if (entry.offset !== null && (typeof entry.offset !== 'object' || Array.isArray(entry.offset))) {
          throw badRequest(`Offset entry ${i} has an invalid "offset": it must be an object or null`)
        }
      }
      await this.#o.offsets.write(name, offsets)
      await this.#o.offsets.readToEnd()
      return 'The offsets for this connector have been altered successfully'
    })
  }

  resetConnectorOffsets(name: string): Promise<string> {
    return this.#serial(async () => {
      this.#assertStopped(name)
      await this.#o.offsets.readToEnd()
      const partitions: { partition: SourcePartition; offset: null }[] = this.#o.offsets
        .all(name)
        .map(({ partition }) => ({ partition, offset: null }))
      await this.#o.offsets.write(name, partitions)
      await this.#o.offsets.readToEnd()
      return 'The offsets for this connector have been reset successfully'
    })
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => {})
    return next
  }

  #typeOf(config: Record<string, string>): ConnectorInfo['type'] {
    return this.#o.plugins.find(config['connector.class'] ?? '')?.type ?? 'unknown'
  }

  #taskStatus(name: string, task: number): TaskStatus {
    const s = this.#o.statuses.task(name, task)
    return {
      id: task,
      state: s?.state ?? 'UNASSIGNED',
      worker_id: s?.worker_id ?? this.#o.workerId,
      ...(s?.trace ? { trace: s.trace } : {}),
      ...withVersion(s?.version),
    }
  }

  #assertStopped(name: string): void {
    this.connectorConfig(name)
    if (this.#o.configs.targetState(name) !== 'STOPPED' || this.#running.get(name)?.instance) {
      throw badRequest(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      )
    }
  }

  async #assertValid(config: Record<string, string>): Promise<void> {
    const cls = config['connector.class']
    if (!cls) {
      throw new FlowscopeError(
        ErrorCodes.INVALID_CONFIG,
        'Connector config {…} contains no connector type: add "connector.class" (e.g. io.confluent.connect.jdbc.JdbcSourceConnector)',
      )
    }
    const infos = await this.validateConnectorConfig(cls, config)
    if (infos.error_count === 0) return
    const lines = infos.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`))
    throw new FlowscopeError(
      ErrorCodes.INVALID_CONFIG,
      `Connector configuration is invalid and contains the following ${infos.error_count} error(s):\n${lines.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
    )
  }

  #converter(className: string, config: Record<string, string>, which: 'key.converter' | 'value.converter'): Converter {
    const converter = createConverter(className)
    const sub: Record<string, string> = {}
    for (const [k, v] of Object.entries(config)) if (k.startsWith(`${which}.`)) sub[k.slice(which.length + 1)] = v
    converter.configure(sub, which === 'key.converter')
    return converter
  }

  #converterFor(settings: ConnectorSettings, config: Record<string, string>, which: 'key' | 'value'): Converter {
    const own = which === 'key' ? settings.keyConverter : settings.valueConverter
    if (own) return this.#converter(own, config, `${which}.converter`)
    const worker = which === 'key' ? this.#o.keyConverter : this.#o.valueConverter
    const converter = createConverter(worker.className)
    converter.configure(worker.config, which === 'key')
    return converter
  }

  async #setConnectorState(name: string, state: ConnectorStateName, error?: unknown): Promise<void> {
    const running = this.#running.get(name)
    running?.metrics.recordState(state)
    await this.#o.statuses
      .putConnector(name, {
        state,
        trace: error === undefined ? null : traceOf(error),
        worker_id: this.#o.workerId,
        generation: 1,
        version: running?.plugin.version ?? null,
      })
      .catch((e) => log.error({ err: e, connector: name }, 'could not write connector status'))
  }

  async #setTaskState(name: string, task: number, state: TaskStateName, error?: unknown): Promise<void> {
    await this.#o.statuses
      .putTask(name, task, {
        state,
        trace: error === undefined ? null : traceOf(error),
        worker_id: this.#o.workerId,
        generation: 1,
        // As Connect 4.1: an unassigned task runs no plugin, so it has no version.
        version: state === 'UNASSIGNED' ? null : (this.#running.get(name)?.plugin.version ?? null),
      })
      .catch((e) => log.error({ err: e, connector: name, task }, 'could not write task status'))
  }

  #runningFor(name: string, plugin: SourceConnectorPlugin, config: Record<string, string>): RunningConnector {
    let running = this.#running.get(name)
    if (!running) {
      running = {
        name,
        plugin,
        settings: connectorSettings(config),
        instance: null,
        tasks: new Map(),
        metrics: this.#o.metrics.connector(name, {
          className: plugin.className,
          type: plugin.type,
          version: plugin.version,
        }),
        reconfiguring: null,
      }
      this.#running.set(name, running)
    }
    running.plugin = plugin
    running.settings = connectorSettings(config)
    return running
  }

  async #startConnector(name: string): Promise<void> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config) return
    const target = this.#o.configs.targetState(name)
    const plugin = this.#o.plugins.find(config['connector.class'] ?? '')
    if (!plugin) {
      this.#o.metrics.recordConnectorStartup(false)
      await this.#o.statuses.putConnector(name, {
        state: 'FAILED',
        trace: `No connector plugin matches connector.class=${config['connector.class']}`,
        worker_id: this.#o.workerId,
        generation: 1,
        version: null,
      })
      return
    }
    const running = this.#runningFor(name, plugin, config)
    if (target === 'STOPPED') {
      await this.#setConnectorState(name, 'STOPPED')
      return
    }
    const instance = plugin.createConnector()
    const context: ConnectorContext = {
      connectorName: name,
      log: getLogger(`flowscope.connector.${name}`),
      offsetReader: { offsets: async (partitions) => partitions.map((p) => this.#o.offsets.get(name, p)) },
      requestTaskReconfiguration: () => this.#requestReconfiguration(name),
      raiseError: (error) => void this.#failConnector(name, error),
    }
    try {
      await instance.start(config, context)
      running.instance = instance
      this.#o.metrics.recordConnectorStartup(true)
      await this.#setConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING')
      await this.#refreshTaskConfigs(running)
      await this.#startTasks(running)
    } catch (error) {
      this.#o.metrics.recordConnectorStartup(false)
      log.error({ err: error, connector: name }, 'connector failed to start')
      running.instance = null
      await instance.stop().catch(() => {})
      await this.#setConnectorState(name, 'FAILED', error)
    }
  }

  /** Asks the connector for task configs and stores them when they changed. */
  async #refreshTaskConfigs(running: RunningConnector): Promise<boolean> {
    if (!running.instance) return false
    const fresh = await running.instance.taskConfigs(running.settings.tasksMax)
    const stored = this.#o.configs.taskConfigs(running.name)
    if (JSON.stringify(fresh) === JSON.stringify(stored)) return false
    await this.#o.configs.putTaskConfigs(running.name, fresh)
    await this.#o.configs.readToEnd()
    return true
  }

  async #startTasks(running: RunningConnector): Promise<void> {
    const configs = this.#o.configs.taskConfigs(running.name)
    for (let i = 0; i < configs.length; i++) await this.#startTask(running, i)
  }

  async #startTask(running: RunningConnector, taskId: number): Promise<void> {
    const name = running.name
    const config = this.#o.configs.connectorConfig(name) ?? {}
    const taskConfig = this.#o.configs.taskConfigs(name)[taskId]
    const metrics = this.#o.metrics.task(name, taskId)
    const paused = this.#o.configs.targetState(name) === 'PAUSED'
    let worker: WorkerSourceTask
    try {
      worker = new WorkerSourceTask({
        connector: name,
        taskId,
        task: running.plugin.createTask(),
        config: taskConfig,
        settings: running.settings,
        keyConverter: this.#converterFor(running.settings, config, 'key'),
        valueConverter: this.#converterFor(running.settings, config, 'value'),
        transforms: buildTransformChain(config, running.settings.transforms),
        producer: this.#o.producer,
        offsets: this.#o.offsets,
        context: {
          offsetReader: { offsets: async (partitions) => partitions.map((p) => this.#o.offsets.get(name, p)) },
          pipeline: running.metrics.pipeline,
        },
        metrics,
        log: getLogger(`flowscope.task.${name}-${taskId}`),
        offsetFlushIntervalMs: this.#o.offsetFlushIntervalMs,
        offsetFlushTimeoutMs: this.#o.offsetFlushTimeoutMs,
        paused,
        onStatus: (state, error) => void this.#setTaskState(name, taskId, state, error),
        onTopic: (topic) => this.#onTopic(running, taskId, topic),
      })
    } catch (error) {
      this.#o.metrics.recordTaskStartup(false)
      metrics.recordState('FAILED')
      await this.#setTaskState(name, taskId, 'FAILED', error)
      return
    }
    // Never two live tasks for one id: a replaced one would keep polling unseen and write every row again.
    const previous = running.tasks.get(taskId)
    if (previous) {
      log.warn({ connector: name, task: taskId }, 'task started while another instance ran; stopping the old one')
      await previous.stop()
    }
    running.tasks.set(taskId, worker)
    const ok = await worker.start()
    this.#o.metrics.recordTaskStartup(ok)
  }

  async #onTopic(running: RunningConnector, taskId: number, topic: string): Promise<void> {
    const { topicReplicationFactor: rf, topicPartitions: partitions } = running.settings
    if (this.#o.topicCreationEnabled && (rf !== null || partitions !== null) && !this.#createdTopics.has(topic)) {
      const existing = await this.#o.admin.listTopics()
      if (!existing.includes(topic)) {
        await this.#o.admin
          .createTopics({ topics: [topic], partitions: partitions ?? -1, replicas: rf ?? -1 })
          .catch((e) => log.warn({ err: e, topic }, 'topic creation failed; relying on broker auto-creation'))
      }
      this.#createdTopics.add(topic)
    }
    if (this.#o.topicTrackingEnabled) {
      await this.#o.statuses.putTopic(running.name, topic, taskId).catch((e) => log.warn({ err: e }, 'topic tracking'))
    }
  }

  async #stopTasks(running: RunningConnector): Promise<void> {
    await Promise.allSettled([...running.tasks.values()].map((t) => t.stop()))
    running.tasks.clear()
  }

  async #stopConnector(name: string, markStopped: boolean): Promise<void> {
    const running = this.#running.get(name)
    if (!running) return
    await this.#stopTasks(running)
    if (running.instance) {
      await running.instance.stop().catch((e) => log.warn({ err: e, connector: name }, 'connector stop failed'))
      running.instance = null
    }
    if (markStopped) await this.#setConnectorState(name, 'STOPPED')
  }

  async #restartConnectorInstanceOnly(name: string): Promise<void> {
    const running = this.#running.get(name)
    const config = this.#o.configs.connectorConfig(name)
    if (!running || !config) return
    await running.instance?.stop().catch(() => {})
    running.instance = null
    await this.#setConnectorState(name, 'RESTARTING')
    const instance = running.plugin.createConnector()
    try {
      await instance.start(config, {
        connectorName: name,
        log: getLogger(`flowscope.connector.${name}`),
        offsetReader: { offsets: async (partitions) => partitions.map((p) => this.#o.offsets.get(name, p)) },
        requestTaskReconfiguration: () => this.#requestReconfiguration(name),
        raiseError: (error) => void this.#failConnector(name, error),
      })
      running.instance = instance
      await this.#setConnectorState(name, this.#o.configs.targetState(name) === 'PAUSED' ? 'PAUSED' : 'RUNNING')
    } catch (error) {
      await this.#setConnectorState(name, 'FAILED', error)
    }
  }

  async #restartTask(name: string, taskId: number): Promise<void> {
    const running = this.#running.get(name)
    if (!running?.instance) return
    await this.#setTaskState(name, taskId, 'RESTARTING')
    await running.tasks.get(taskId)?.stop()
    running.tasks.delete(taskId)
    await this.#startTask(running, taskId)
  }

  async #failConnector(name: string, error: Error): Promise<void> {
    log.error({ err: error, connector: name }, 'connector raised an error')
    await this.#setConnectorState(name, 'FAILED', error)
  }

  #requestReconfiguration(name: string): void {
    const running = this.#running.get(name)
    if (!running || running.reconfiguring) return
    running.reconfiguring = this.#serial(async () => {
      try {
        if (!running.instance || this.#running.get(name) !== running) return
        const changed = await this.#refreshTaskConfigs(running)
        if (!changed) return
        log.info({ connector: name }, 'task configs changed: restarting tasks')
        await this.#stopTasks(running)
        await this.#startTasks(running)
      } catch (error) {
        log.error({ err: error, connector: name }, 'task reconfiguration failed')
      } finally {
        running.reconfiguring = null
      }
    })
  }
}

/** `{version}` when the version is known, else nothing (Connect leaves out a null version). */
function withVersion(version: string | null | undefined): { version?: string } {
  return version ? { version } : {}
}
