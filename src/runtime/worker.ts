// The worker (Connect's Worker): runs the connectors and tasks it is assigned, and nothing else. It does not read
// the config store or decide what should run — the herder (connect-herder.ts) does, and hands it each connector's
// config, task configs and target state. The worker builds what running needs (connector instances, converters,
// transformation chains, task loops), creates topics the tasks write to, and records every connector and task state
// in the status store under its own worker id. Task failures are contained: they never stop the worker.
import type { ConnectorContext, SourceConnector, SourceConnectorPlugin } from '../connectors/plugin.ts'
import type { Converter } from '../convert/converter.ts'
import { createConverter } from '../convert/converters.ts'
import { traceOf } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { ConnectorMetricsRecorder, TaskMetricsRecorder, WorkerMetricsRecorder } from '../metrics/recorder.ts'
import type { TaskProducer } from '../produce/record-producer.ts'
import type { OffsetBackingStore, StatusBackingStore } from '../storage/backing-stores.ts'
import {
  ConnectorOffsetStore,
  type ConnectorOffsets,
  type ConnectorOffsetsLookup,
} from '../storage/connector-offsets.ts'
import type { TopicCreator } from '../storage/topic-admin.ts'
import { buildTransformChain } from '../transform/transformation.ts'
import { type ConnectorSettings, connectorSettings } from './connector-config.ts'
import { connectorConverter } from './connector-converters.ts'
import { transactionBoundaryOf } from './exactly-once.ts'
import type { ConnectorStateName, ConnectorTaskId, TargetState, TaskStateName } from './herder.ts'
import type { PluginRegistry } from './plugins.ts'
import {
  type ExactlyOnceDelivery,
  type ExactlyOncePreflight,
  type TransactionalTaskProducer,
  WorkerSourceTask,
} from './worker-source-task.ts'

/**
 * What the herder asks of a worker. Every call names a connector or task the herder assigned to this worker, with
 * the config it is to run; the worker writes the resulting states to the status store.
 */
export interface Worker {
  readonly workerId: string
  /**
   * Starts the connector in its target state (STOPPED: only recorded as STOPPED). True when its instance runs;
   * false when it does not (STOPPED, no plugin for its class, its start failed — recorded as FAILED).
   * `requestTaskReconfiguration` is what the connector's context calls when its tasks should change.
   */
  startConnector(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<boolean>
  /** Whether the connector's instance runs here (started, not stopped or failed). */
  isRunning(name: string): boolean
  /** The running connector's task configs for its tasks.max. */
  connectorTaskConfigs(name: string): Promise<Record<string, string>[]>
  /** A running connector could not finish starting (its task configs): stops its instance, records FAILED. */
  connectorFailed(name: string, error: unknown): Promise<void>
  /** Restarts only the connector's instance (RESTARTING, then its target state or FAILED); its tasks keep running. */
  restartConnectorInstance(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<void>
  /** Stops the connector's tasks and its instance; `markStopped` records it as STOPPED. */
  stopConnector(name: string, markStopped: boolean): Promise<void>
  /** Records the connector as STOPPED (its target state). */
  connectorStopped(name: string): Promise<void>
  /**
   * Stops the connector and forgets it (its metrics go too): the connector, whose config was `config`, was deleted;
   * its plugin hears of it (connectorDeleted).
   */
  removeConnector(name: string, config?: Record<string, string>): Promise<void>
  startTask(
    id: ConnectorTaskId,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): Promise<void>
  /** RESTARTING, then the task stopped and started again with this config. */
  restartTask(
    id: ConnectorTaskId,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): Promise<void>
  /** Stops every task of the connector that runs here (each commits its acknowledged offsets). */
  stopTasks(name: string): Promise<void>
  /** PAUSED: tasks stop polling; STARTED: they poll again. The connector's state follows. */
  setTargetState(name: string, target: 'PAUSED' | 'STARTED'): Promise<void>
  /** Graceful shutdown: every task stops polling, flushes, commits offsets. */
  stop(): Promise<void>
  /**
   * Stops connectors and tasks as stop() does and forgets them, their metrics included: a rebalance took them away,
   * and this worker reports only what it runs. Without a selection, everything (an eager rebalance); with one, only
   * those connector instances and tasks (a cooperative revocation: the rest keeps running).
   */
  release(only?: { connectors: readonly string[]; tasks: readonly ConnectorTaskId[] }): Promise<void>
  /** Whether this task runs here (a cooperative rebalance starts only what does not). */
  hasTask(id: ConnectorTaskId): boolean
  /** The group generation the statuses this worker writes carry (Connect's status `generation`). */
  setGeneration?(generation: number): void
}

export interface ConnectWorkerOptions {
  workerId: string
  plugins: PluginRegistry
  offsets: OffsetBackingStore
  /** Each connector's offsets (its own offsets.storage.topic first); `offsets` alone when absent. */
  offsetStores?: ConnectorOffsetsLookup
  statuses: StatusBackingStore
  producer: TaskProducer
  topics: TopicCreator
  metrics: WorkerMetricsRecorder
  /** Worker converter defaults: class name + sub-config. */
  keyConverter: { className: string; config: Record<string, string> }
  valueConverter: { className: string; config: Record<string, string> }
  offsetFlushIntervalMs: number
  offsetFlushTimeoutMs: number
  topicTrackingEnabled: boolean
  topicCreationEnabled: boolean
  /** In a group: why a task may not commit offsets now (see WorkerSourceTaskOptions.commitFence); null when it may. */
  commitFence?: () => string | null
  /** Exactly-once source delivery (exactly-once.ts): each task's own transactional producer, offsets in its transactions. */
  exactlyOnce?: {
    offsetsTopic: string
    producerFor(connector: string, taskId: number): TransactionalTaskProducer
    /** The herder's preflight for a task given its configs now (Connect's zombie-fencing checks). */
    preflight?(id: ConnectorTaskId): ExactlyOncePreflight
  }
}

interface RunningConnector {
  name: string
  plugin: SourceConnectorPlugin
  settings: ConnectorSettings
  instance: SourceConnector | null
  tasks: Map<number, WorkerSourceTask>
  metrics: ConnectorMetricsRecorder
  /** Each running task's series: closed when the task stops for good, so no stale task is reported. */
  taskMetrics: Map<number, TaskMetricsRecorder>
}

const log = getLogger('flowscope.runtime.worker')

export class ConnectWorker implements Worker {
  readonly #o: ConnectWorkerOptions
  readonly #running = new Map<string, RunningConnector>()
  readonly #createdTopics = new Set<string>()
  /** The group generation of the current assignment (1 outside a group). */
  #generation = 1

  constructor(options: ConnectWorkerOptions) {
    this.#o = options
  }

  get workerId(): string {
    return this.#o.workerId
  }

  setGeneration(generation: number): void {
    this.#generation = generation
  }

  async startConnector(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<boolean> {
    const plugin = this.#o.plugins.find(config['connector.class'] ?? '')
    if (!plugin) {
      this.#o.metrics.recordConnectorStartup(false)
      await this.#o.statuses.putConnector(name, {
        state: 'FAILED',
        trace: `No connector plugin matches connector.class=${config['connector.class']}`,
        worker_id: this.#o.workerId,
        generation: this.#generation,
        version: null,
      })
      return false
    }
    const running = this.#runningFor(name, plugin, config)
    running.metrics.setInstanceHere?.(true)
    if (target === 'STOPPED') {
      await this.#setConnectorState(name, 'STOPPED')
      return false
    }
    const instance = plugin.createConnector()
    try {
      await instance.start(config, this.#connectorContext(name, config, requestTaskReconfiguration))
      running.instance = instance
      this.#o.metrics.recordConnectorStartup(true)
      await this.#setConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING')
      return true
    } catch (error) {
      await this.connectorFailed(name, error, instance)
      return false
    }
  }

  isRunning(name: string): boolean {
    return Boolean(this.#running.get(name)?.instance)
  }

  async connectorTaskConfigs(name: string): Promise<Record<string, string>[]> {
    const running = this.#running.get(name)
    if (!running?.instance) throw new Error(`Connector ${name} does not run on worker ${this.#o.workerId}`)
    return running.instance.taskConfigs(running.settings.tasksMax)
  }

  async connectorFailed(name: string, error: unknown, instance = this.#running.get(name)?.instance): Promise<void> {
    this.#o.metrics.recordConnectorStartup(false)
    log.error({ err: error, connector: name }, 'connector failed to start')
    const running = this.#running.get(name)
    if (running) running.instance = null
    await instance?.stop().catch(() => {})
    await this.#setConnectorState(name, 'FAILED', error)
  }

  async restartConnectorInstance(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<void> {
    const running = this.#running.get(name)
    if (!running) return
    await running.instance?.stop().catch(() => {})
    running.instance = null
    await this.#setConnectorState(name, 'RESTARTING')
    const instance = running.plugin.createConnector()
    try {
      await instance.start(config, this.#connectorContext(name, config, requestTaskReconfiguration))
      running.instance = instance
      await this.#setConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING')
    } catch (error) {
      await this.#setConnectorState(name, 'FAILED', error)
    }
  }

  async stopConnector(name: string, markStopped: boolean): Promise<void> {
    const running = this.#running.get(name)
    if (!running) return
    await this.stopTasks(name)
    if (running.instance) {
      await running.instance.stop().catch((e) => log.warn({ err: e, connector: name }, 'connector stop failed'))
      running.instance = null
    }
    if (markStopped) await this.#setConnectorState(name, 'STOPPED')
  }

  async connectorStopped(name: string): Promise<void> {
    await this.#setConnectorState(name, 'STOPPED')
  }

  async removeConnector(name: string, config?: Record<string, string>): Promise<void> {
    await this.stopConnector(name, false)
    this.#running.get(name)?.metrics.close()
    this.#running.delete(name)
    const plugin = config ? this.#o.plugins.find(config['connector.class'] ?? '') : undefined
    if (!config || !plugin?.connectorDeleted) return
    try {
      await plugin.connectorDeleted(config, {
        connectorName: name,
        log: getLogger(`flowscope.connector.${name}`),
        ...(this.#o.metrics.plugins ? { metrics: this.#o.metrics.plugins } : {}),
      })
    } catch (error) {
      log.warn({ err: error, connector: name }, 'releasing what the deleted connector held failed')
    }
  }

  async startTask(
    id: ConnectorTaskId,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): Promise<void> {
    const name = id.connector
    const taskId = id.task
    const config = connectorConfig
    // Taken before any await, so it belongs to the task configs handed over with this call.
    const preflight = this.#o.exactlyOnce?.preflight?.(id)
    const metrics = this.#o.metrics.task(name, taskId)
    const paused = target === 'PAUSED'
    let worker: WorkerSourceTask
    let running: RunningConnector
    try {
      running = this.#runningForTask(name, config)
      const offsets = await this.#offsetsFor(config)
      const exactlyOnce = this.#exactlyOnceFor(name, taskId, config, offsets, preflight)
      worker = new WorkerSourceTask({
        connector: name,
        taskId,
        task: running.plugin.createTask(),
        config: taskConfig,
        settings: running.settings,
        keyConverter: this.#converterFor(running.settings, config, 'key'),
        valueConverter: this.#converterFor(running.settings, config, 'value'),
        transforms: buildTransformChain(config, running.settings.transforms),
        producer: exactlyOnce?.producer ?? this.#o.producer,
        ...(exactlyOnce ? { exactlyOnce } : {}),
        offsets,
        context: {
          offsetReader: { offsets: async (partitions) => partitions.map((p) => offsets.get(name, p)) },
          pipeline: running.metrics.pipeline,
          ...(this.#o.metrics.plugins ? { metrics: this.#o.metrics.plugins } : {}),
        },
        metrics,
        log: getLogger(`flowscope.task.${name}-${taskId}`),
        offsetFlushIntervalMs: this.#o.offsetFlushIntervalMs,
        offsetFlushTimeoutMs: this.#o.offsetFlushTimeoutMs,
        paused,
        onStatus: (state, error) => void this.#setTaskState(name, taskId, state, error),
        onTopic: (topic) => this.#onTopic(running, taskId, topic),
        ...(this.#o.commitFence ? { commitFence: this.#o.commitFence } : {}),
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
    running.taskMetrics.set(taskId, metrics)
    const ok = await worker.start()
    this.#o.metrics.recordTaskStartup(ok)
  }

  /** This task's exactly-once delivery when the worker has it on; throws naming the key a connector set wrong. */
  #exactlyOnceFor(
    connector: string,
    taskId: number,
    config: Record<string, string>,
    offsets: ConnectorOffsets,
    preflight: ExactlyOncePreflight | undefined,
  ): ExactlyOnceDelivery | undefined {
    const eos = this.#o.exactlyOnce
    if (!eos) return undefined
    const boundary = transactionBoundaryOf(config, this.#o.offsetFlushIntervalMs)
    // The transaction carries the offsets to the connector's own topic when it has one; the worker's topic gets
    // them after the commit.
    return {
      producer: eos.producerFor(connector, taskId),
      offsetsTopic: offsets.primaryTopic,
      ...(offsets.secondary ? { secondaryOffsets: offsets.secondary } : {}),
      boundary,
      ...(preflight ? { preflight } : {}),
    }
  }

  /** The connector's offsets: its own offsets.storage.topic first, then the worker's (created and read on first use). */
  #offsetsFor(config: Record<string, string>): Promise<ConnectorOffsets> {
    if (this.#o.offsetStores) return this.#o.offsetStores.forConnector(config)
    const topic = this.#o.exactlyOnce?.offsetsTopic ?? ''
    return Promise.resolve(new ConnectorOffsetStore(topic, this.#o.offsets, null))
  }

  async restartTask(
    id: ConnectorTaskId,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): Promise<void> {
    await this.#setTaskState(id.connector, id.task, 'RESTARTING')
    const running = this.#running.get(id.connector)
    await running?.tasks.get(id.task)?.stop()
    running?.tasks.delete(id.task)
    await this.startTask(id, connectorConfig, taskConfig, target)
  }

  async stopTasks(name: string): Promise<void> {
    const running = this.#running.get(name)
    if (!running) return
    await Promise.allSettled([...running.tasks.values()].map((t) => t.stop()))
    running.tasks.clear()
    for (const metrics of running.taskMetrics.values()) metrics.close()
    running.taskMetrics.clear()
  }

  async setTargetState(name: string, target: 'PAUSED' | 'STARTED'): Promise<void> {
    const running = this.#running.get(name)
    if (target === 'PAUSED') {
      if (!running) return
      for (const task of running.tasks.values()) task.pause()
      if (running.instance) await this.#setConnectorState(name, 'PAUSED')
      return
    }
    for (const task of running?.tasks.values() ?? []) task.resume()
    // Only the worker running the connector's instance records its state (its tasks may run on other workers).
    if (running?.instance) await this.#setConnectorState(name, 'RUNNING')
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#running.keys()].map((name) => this.stopConnector(name, false)))
  }

  async release(only?: { connectors: readonly string[]; tasks: readonly ConnectorTaskId[] }): Promise<void> {
    if (!only) {
      await Promise.allSettled([...this.#running.keys()].map((name) => this.removeConnector(name)))
      return
    }
    await Promise.allSettled(only.tasks.map((id) => this.#releaseTask(id)))
    await Promise.allSettled(only.connectors.map((name) => this.#releaseInstance(name)))
    for (const [name, running] of this.#running) {
      if (!running.instance && running.tasks.size === 0) {
        running.metrics.close()
        this.#running.delete(name)
      }
    }
  }

  hasTask(id: ConnectorTaskId): boolean {
    return Boolean(this.#running.get(id.connector)?.tasks.has(id.task))
  }

  async #releaseTask(id: ConnectorTaskId): Promise<void> {
    const running = this.#running.get(id.connector)
    const task = running?.tasks.get(id.task)
    if (!running || !task) return
    await task.stop()
    running.tasks.delete(id.task)
    running.taskMetrics.get(id.task)?.close()
    running.taskMetrics.delete(id.task)
  }

  /** Stops the connector's own instance; its tasks here (if any stay assigned) keep running. */
  async #releaseInstance(name: string): Promise<void> {
    const running = this.#running.get(name)
    if (!running) return
    running.metrics.setInstanceHere?.(false)
    if (!running.instance) return
    await running.instance.stop().catch((e) => log.warn({ err: e, connector: name }, 'connector stop failed'))
    running.instance = null
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  #connectorContext(
    name: string,
    config: Record<string, string>,
    requestTaskReconfiguration: () => void,
  ): ConnectorContext {
    return {
      connectorName: name,
      log: getLogger(`flowscope.connector.${name}`),
      offsetReader: {
        offsets: async (partitions) => {
          const offsets = await this.#offsetsFor(config)
          return partitions.map((p) => offsets.get(name, p))
        },
      },
      requestTaskReconfiguration,
      raiseError: (error) => void this.#failConnector(name, error),
      ...(this.#o.metrics.plugins ? { metrics: this.#o.metrics.plugins } : {}),
    }
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
        taskMetrics: new Map(),
        metrics: this.#o.metrics.connector(name, {
          className: plugin.className,
          type: plugin.type,
          version: plugin.version,
        }),
      }
      this.#running.set(name, running)
    }
    running.plugin = plugin
    running.settings = connectorSettings(config)
    return running
  }

  /** The connector a task belongs to; assigned a task of a connector that runs elsewhere, this worker loads its plugin. */
  #runningForTask(name: string, config: Record<string, string>): RunningConnector {
    const existing = this.#running.get(name)
    if (existing) return existing
    const plugin = this.#o.plugins.find(config['connector.class'] ?? '')
    if (!plugin) throw new Error(`No connector plugin matches connector.class=${config['connector.class']}`)
    const running = this.#runningFor(name, plugin, config)
    running.metrics.setInstanceHere?.(false)
    return running
  }

  #converterFor(settings: ConnectorSettings, config: Record<string, string>, which: 'key' | 'value'): Converter {
    const own = which === 'key' ? settings.keyConverter : settings.valueConverter
    if (own) return connectorConverter(own, config, `${which}.converter`)
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
        generation: this.#generation,
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
        generation: this.#generation,
        // As Connect 4.1: an unassigned task runs no plugin, so it has no version.
        version: state === 'UNASSIGNED' ? null : (this.#running.get(name)?.plugin.version ?? null),
      })
      .catch((e) => log.error({ err: e, connector: name, task }, 'could not write task status'))
  }

  async #onTopic(running: RunningConnector, taskId: number, topic: string): Promise<void> {
    const { topicReplicationFactor: rf, topicPartitions: partitions } = running.settings
    if (this.#o.topicCreationEnabled && (rf !== null || partitions !== null) && !this.#createdTopics.has(topic)) {
      await this.#o.topics.createIfMissing(topic, partitions ?? -1, rf ?? -1)
      this.#createdTopics.add(topic)
    }
    if (this.#o.topicTrackingEnabled) {
      await this.#o.statuses.putTopic(running.name, topic, taskId).catch((e) => log.warn({ err: e }, 'topic tracking'))
    }
  }

  async #failConnector(name: string, error: Error): Promise<void> {
    log.error({ err: error, connector: name }, 'connector raised an error')
    await this.#setConnectorState(name, 'FAILED', error)
  }
}
