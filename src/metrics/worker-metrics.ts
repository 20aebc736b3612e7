// The recorders behind src/metrics/recorder.ts, and /metrics. Recording updates plain per-connector / per-task /
// per-table state in O(1) (windowed stats included); each metric family in definitions.ts is a view that reads that
// state when scraped, O(series). close() forgets the state, so a removed connector or task leaves no stale series.
import { readFileSync } from 'node:fs'
import * as prom from 'prom-client'
import type { PipelineReporter } from '../connectors/plugin.ts'
import { type MetricsHost, metricsHost } from './components.ts'
import { metrics as M, type MetricDefinition, MetricGroups } from './definitions.ts'
import { HistogramCounts, histogramSamples } from './histogram.ts'
import { ApiKeys, isNetworkMetric, KafkaClientNetwork, networkStatValue } from './kafka-client-network.ts'
import type {
  ConnectorMetricsRecorder,
  ConnectorState,
  ProducerMetricsRecorder,
  TaskErrorKind,
  TaskMetricsRecorder,
  TaskState,
  WorkerMetricsRecorder,
} from './recorder.ts'
import { KAFKA_WINDOW, StateTimer, type WindowConfig, WindowedStat } from './windowed-stat.ts'

export interface WorkerMetricsOptions {
  workerId: string
  /** The worker's client id (kafka_connect_app_info). */
  clientId: string
  /** flowscope's version and commit. */
  version: string
  commitId: string
  startTimeMs: number
  registry?: prom.Registry
  /** client_id of the worker's producer series; defaults to `clientId`. */
  producerClientId?: string
  /** kafka_producer_app_info's version; defaults to the installed @platformatic/kafka version. */
  producerVersion?: string
  /** Register prom-client's process_* / nodejs_* collectors on the registry (default true). */
  defaultMetrics?: boolean
  /** The clock (ms since epoch); tests inject one. */
  nowMs?: () => number
  /** Kafka's metrics.num.samples × metrics.sample.window.ms (default 2 × 30 s). */
  window?: WindowConfig
}

export interface WorkerMetrics extends WorkerMetricsRecorder {
  recordRebalanceStart(): void
  readonly registry: prom.Registry
  /** Prometheus text by default; OpenMetrics when `accept` asks for application/openmetrics-text. */
  recordAssignment(connectors: number, tasks: number): void
  recordGroup(leaderUrl: string, protocol: string): void
  render(accept?: string): Promise<{ contentType: string; body: string }>
  /** For @platformatic/kafka's `metrics` client option, so its own counters land in the same registry. */
  readonly kafkaClientMetrics: { registry: prom.Registry; client: typeof prom }
  /**
   * The network statistics of the worker's Kafka client `clientId` (kafka_connect_connect_metrics_*{client_id}),
   * created on first use: watch the client (or its raw connections) with it.
   */
  kafkaClient(clientId: string): KafkaClientNetwork
}

export function createWorkerMetrics(options: WorkerMetricsOptions): WorkerMetrics {
  return new WorkerMetricsImpl(options)
}

/** 'openmetrics' when the Accept header prefers application/openmetrics-text (q-values honoured), else 'prometheus'. */
export function negotiateFormat(accept: string | undefined): 'openmetrics' | 'prometheus' {
  if (!accept) return 'prometheus'
  let openMetrics = 0
  let text = 0
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    let q = 1
    for (const param of params) {
      if (param.startsWith('q=')) {
        const parsed = Number(param.slice(2))
        q = Number.isFinite(parsed) ? parsed : 0
      }
    }
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q)
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q)
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus'
}

type Labels = Record<string, string>
type Emit = (labels: Labels, value: number) => void
type Read = (emit: Emit, nowMs: number) => void
type SampleValue = { labels: Labels; sharedLabels: Labels; value: number }

const NO_LABELS: Labels = {}
const TASK_STATES: readonly TaskState[] = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING']

/**
 * A counter or gauge whose series are read from recorder state at scrape time (no per-series hashing, no stale
 * series): prom-client's own metric, with get() answering from `read`.
 */
function viewMetric(def: MetricDefinition, registry: prom.Registry, now: () => number, read: Read): void {
  const options = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] }
  const metric = def.type === 'counter' ? new prom.Counter(options) : new prom.Gauge(options)
  const ownGet = metric.get.bind(metric)
  metric.get = async () => ({ ...(await ownGet()), values: readValues(read, now()) })
}

/**
 * Series labels travel as prom-client's `sharedLabels`, whose formatted text prom-client caches per labels object:
 * each series keeps one labels object for its life, so a scrape formats each label set once, not once per render.
 * (getMetricsAsJSON consumers see them under `sharedLabels`.)
 */
function readValues(read: Read, nowMs: number): SampleValue[] {
  const values: SampleValue[] = []
  read((labels, value) => values.push({ labels: NO_LABELS, sharedLabels: labels, value }), nowMs)
  return values
}

/**
 * A histogram whose series are read from recorder state at scrape time, as viewMetric does for counters and gauges.
 */
function viewHistogram(
  def: MetricDefinition,
  registry: prom.Registry,
  read: (emit: (labels: Labels, h: HistogramCounts) => void) => void,
): void {
  const options = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] }
  const metric = new prom.Histogram({ ...options, buckets: [...(def.buckets ?? [])] })
  // The registry renders a histogram through getForPromString (untyped; get() derives the JSON form from it).
  const target = metric as unknown as { getForPromString(): Promise<object> }
  const ownGet = target.getForPromString.bind(metric)
  target.getForPromString = async () => {
    const values: ReturnType<typeof histogramSamples> = []
    read((labels, h) => values.push(...histogramSamples(def.name, labels, h)))
    return { ...(await ownGet()), values }
  }
}

/** One flowscope_source_to_kafka_seconds series: a table and basis of a connector. */
interface SourceToKafkaSeries {
  readonly labels: Labels
  readonly histogram: HistogramCounts
}

/** Per-table pipeline facts (flowscope_source_*). */
class TableSeries {
  readonly labels: Labels
  rowsRead = 0
  pollErrors = 0
  lastPollMs: number | null = null
  newestChangeMs: number | null = null
  pendingRows: number | null = null

  constructor(connector: string, table: string) {
    this.labels = { connector, table }
  }
}

class ConnectorSeries implements ConnectorMetricsRecorder {
  readonly name: string
  readonly labels: Labels
  readonly tables = new Map<string, TableSeries>()
  readonly pipeline: PipelineReporter
  readonly #info: { className: string; type: 'source' | 'sink'; version: string }
  readonly #now: () => number
  readonly #onClose: (series: ConnectorSeries) => void
  state: ConnectorState = 'UNASSIGNED'
  /** False on a worker that runs only tasks of this connector: no connector status or info series there. */
  instanceHere = true
  statusLabels: Labels
  infoLabels: Labels

  constructor(
    name: string,
    info: { className: string; type: 'source' | 'sink'; version: string },
    now: () => number,
    onClose: (series: ConnectorSeries) => void,
  ) {
    this.name = name
    this.labels = { connector: name }
    this.#info = info
    this.#now = now
    this.#onClose = onClose
    this.statusLabels = {}
    this.infoLabels = {}
    this.#relabel()
    this.pipeline = {
      rowsRead: (table, rows, newestChangeMs) => {
        const t = this.#table(table)
        t.rowsRead += rows
        t.lastPollMs = this.#now()
        if (newestChangeMs !== undefined && (t.newestChangeMs === null || newestChangeMs > t.newestChangeMs)) {
          t.newestChangeMs = newestChangeMs
        }
      },
      pendingRows: (table, rows) => {
        this.#table(table).pendingRows = rows
      },
      pollError: (table) => {
        this.#table(table).pollErrors += 1
      },
    }
  }

  setInstanceHere(here: boolean): void {
    this.instanceHere = here
  }

  recordState(state: ConnectorState): void {
    if (state === this.state) return
    this.state = state
    this.#relabel()
  }

  close(): void {
    this.#onClose(this)
  }

  #table(table: string): TableSeries {
    let series = this.tables.get(table)
    if (series === undefined) {
      series = new TableSeries(this.name, table)
      this.tables.set(table, series)
    }
    return series
  }

  #relabel(): void {
    const status = this.state.toLowerCase()
    this.statusLabels = { connector: this.name, status }
    this.infoLabels = {
      connector: this.name,
      connector_class: this.#info.className,
      connector_type: this.#info.type,
      connector_version: this.#info.version,
      status,
    }
  }
}

class TaskSeries implements TaskMetricsRecorder {
  readonly connector: string
  readonly labels: Labels
  /** flowscope_task_state's label sets, one per state. */
  readonly stateLabels: ReadonlyMap<TaskState, Labels>
  readonly states: StateTimer<TaskState>
  statusLabels: Labels
  readonly batchSize: WindowedStat
  readonly pollTime: WindowedStat
  readonly polled: WindowedStat
  readonly written: WindowedStat
  readonly active: WindowedStat
  readonly commitTime: WindowedStat
  /** 1 per successful commit, 0 per failed one: its avg is the success fraction. */
  readonly commitOutcomes: WindowedStat
  polledTotal = 0
  writtenTotal = 0
  activeCount = 0
  commitFailures = 0
  readonly errors: Record<TaskErrorKind, number> = {
    'record-error': 0,
    'record-failure': 0,
    'record-skipped': 0,
    retry: 0,
    'error-logged': 0,
    'dlq-produce-request': 0,
    'dlq-produce-failure': 0,
  }
  lastErrorMs = 0
  readonly #now: () => number
  readonly #onClose: (series: TaskSeries) => void
  /** The connector's source→Kafka histograms (shared by its tasks; a table belongs to one task at a time). */
  readonly #sourceToKafka: Map<string, SourceToKafkaSeries>

  constructor(
    connector: string,
    task: number,
    window: WindowConfig,
    now: () => number,
    onClose: (series: TaskSeries) => void,
    sourceToKafka: Map<string, SourceToKafkaSeries> = new Map(),
  ) {
    this.#sourceToKafka = sourceToKafka
    this.connector = connector
    const id = String(task)
    this.labels = { connector, task: id }
    this.stateLabels = new Map(TASK_STATES.map((s) => [s, { connector, task: id, state: s.toLowerCase() }]))
    this.states = new StateTimer<TaskState>('UNASSIGNED', now())
    this.statusLabels = { connector, task: id, status: 'unassigned' }
    this.batchSize = new WindowedStat(window)
    this.pollTime = new WindowedStat(window)
    this.polled = new WindowedStat(window)
    this.written = new WindowedStat(window)
    this.active = new WindowedStat(window)
    this.commitTime = new WindowedStat(window)
    this.commitOutcomes = new WindowedStat(window)
    this.#now = now
    this.#onClose = onClose
  }

  get state(): TaskState {
    return this.states.state
  }

  recordState(state: TaskState): void {
    if (state === this.states.state) return
    this.states.change(state, this.#now())
    this.statusLabels = { ...this.labels, status: state.toLowerCase() }
  }

  recordPoll(batchSize: number, durationMs: number): void {
    const now = this.#now()
    this.polledTotal += batchSize
    this.polled.recordMany(batchSize, 1, now)
    // Connect measures batches only when poll() returned records (a null poll is not a batch).
    if (batchSize > 0) {
      this.batchSize.record(batchSize, now)
      this.pollTime.record(durationMs, now)
    }
  }

  recordWrite(records: number): void {
    this.writtenTotal += records
    this.written.recordMany(records, 1, this.#now())
  }

  recordActiveCount(active: number): void {
    this.activeCount = active
    this.active.record(active, this.#now())
  }

  recordSourceToKafka(table: string, basis: string, seconds: number): void {
    const key = `${table}\u0000${basis}`
    let series = this.#sourceToKafka.get(key)
    if (series === undefined) {
      series = {
        labels: { connector: this.connector, table, basis },
        histogram: new HistogramCounts(M.sourceToKafka.buckets),
      }
      this.#sourceToKafka.set(key, series)
    }
    series.histogram.observe(seconds)
  }

  recordOffsetCommit(durationMs: number, success: boolean): void {
    const now = this.#now()
    // As Connect: commit time is measured for successful commits; both outcomes count in the percentages.
    if (success) this.commitTime.record(durationMs, now)
    else this.commitFailures += 1
    this.commitOutcomes.record(success ? 1 : 0, now)
  }

  recordError(kind: TaskErrorKind): void {
    this.errors[kind] += 1
    if (kind === 'record-error' || kind === 'record-failure') this.lastErrorMs = this.#now()
  }

  close(): void {
    this.#onClose(this)
  }
}

class ProducerSeries implements ProducerMetricsRecorder {
  readonly labels: Labels
  readonly topics = new Map<string, { labels: Labels; records: number; bytes: number; errors: number }>()
  readonly sent: WindowedStat
  readonly bytes: WindowedStat
  readonly errored: WindowedStat
  readonly retried: WindowedStat
  readonly latency: WindowedStat
  sentTotal = 0
  bytesTotal = 0
  errorTotal = 0
  retryTotal = 0
  requestTotal = 0
  responseTotal = 0
  inFlight = 0
  readonly network: KafkaClientNetwork
  readonly requestSize: WindowedStat
  readonly queueTime: WindowedStat
  buffer: { total: number; available: number } | null = null
  compression: string | null = null
  readonly #now: () => number

  constructor(clientId: string, window: WindowConfig, now: () => number) {
    this.labels = { client_id: clientId }
    this.sent = new WindowedStat(window)
    this.bytes = new WindowedStat(window)
    this.errored = new WindowedStat(window)
    this.retried = new WindowedStat(window)
    this.latency = new WindowedStat(window)
    this.requestSize = new WindowedStat(window)
    this.queueTime = new WindowedStat(window)
    this.network = new KafkaClientNetwork({ window, nowMs: now })
    // request_size_* and request_total here are the producer's produce requests (metadata and the like excluded).
    this.network.onApi((event) => {
      if (event.kind === 'request' && event.apiKey === ApiKeys.produce)
        this.requestSize.record(event.bytes, this.#now())
    })
    this.#now = now
  }

  recordQueueTime(ms: number): void {
    this.queueTime.record(Math.max(0, ms), this.#now())
  }

  recordBuffer(totalBytes: number, availableBytes: number): void {
    this.buffer = { total: totalBytes, available: availableBytes }
  }

  recordCompression(type: string): void {
    this.compression = type
  }

  recordSend(topic: string, records: number, bytes: number, latencyMs: number): void {
    const now = this.#now()
    this.sentTotal += records
    this.bytesTotal += bytes
    this.sent.recordMany(records, records, now)
    // One event per (request, topic): avg = bytes per batch; sum / records-count = bytes per record (recordSize).
    this.bytes.recordMany(bytes, 1, now)
    this.latency.record(latencyMs, now)
    const t = this.#topic(topic)
    t.records += records
    t.bytes += bytes
  }

  recordErrors(records: number, topic?: string): void {
    this.errorTotal += records
    this.errored.recordMany(records, records, this.#now())
    if (topic !== undefined) this.#topic(topic).errors += records
  }

  recordRetries(requests: number): void {
    this.retryTotal += requests
    this.retried.recordMany(requests, requests, this.#now())
  }

  requestsInFlight(delta: number): void {
    this.inFlight = Math.max(0, this.inFlight + delta)
    if (delta > 0) this.requestTotal += delta
    else this.responseTotal -= delta
  }

  /** Average record size over the window: bytes sent / records sent. */
  recordSizeAvg(nowMs: number): number {
    const records = this.sent.sum(nowMs)
    return records === 0 ? 0 : this.bytes.sum(nowMs) / records
  }

  #topic(topic: string) {
    let t = this.topics.get(topic)
    if (t === undefined) {
      t = { labels: { ...this.labels, topic }, records: 0, bytes: 0, errors: 0 }
      this.topics.set(topic, t)
    }
    return t
  }
}

/** A connector name's series: its connector recorder (if created here) and the tasks of it this worker runs. */
interface ConnectorEntry {
  readonly labels: Labels
  connector: ConnectorSeries | null
  readonly tasks: Map<number, TaskSeries>
  /** flowscope_source_to_kafka_seconds, by table and basis: kept while the connector or any of its tasks exists. */
  readonly sourceToKafka: Map<string, SourceToKafkaSeries>
}

/** Connect's connect-protocol values (ConnectProtocolCompatibility) for the group protocol names. */
const CONNECT_PROTOCOL_NAMES: Record<string, string> = {
  default: 'EAGER',
  compatible: 'COMPATIBLE',
  sessioned: 'SESSIONED',
}

class WorkerMetricsImpl implements WorkerMetrics {
  readonly registry: prom.Registry
  readonly kafkaClientMetrics: { registry: prom.Registry; client: typeof prom }
  readonly producer: ProducerSeries
  readonly plugins: MetricsHost
  readonly #now: () => number
  readonly #window: WindowConfig
  readonly #entries = new Map<string, ConnectorEntry>()
  readonly #clients = new Map<string, { labels: Labels; network: KafkaClientNetwork }>()
  readonly #connectorStartups: WindowedStat
  readonly #taskStartups: WindowedStat
  readonly #rebalanceTime: WindowedStat
  #connectorStartupAttempts = 0
  #connectorStartupSuccesses = 0
  #taskStartupAttempts = 0
  #taskStartupSuccesses = 0
  #rebalances = 0
  #rebalancing = false
  #lastRebalanceMs: number | null = null
  #epoch = 0
  /** The group's leader and protocol as of the last assignment; null before the first (nothing is reported). */
  #group: { leader_name: string; connect_protocol: string } | null = null
  /** What the group assigned this worker; null until its first assignment (no value is reported before). */
  #assigned: { connectors: number; tasks: number } | null = null
  readonly #coordinatorLabels: Labels
  #renderQueue: Promise<unknown> = Promise.resolve()

  constructor(options: WorkerMetricsOptions) {
    this.registry = options.registry ?? new prom.Registry()
    this.kafkaClientMetrics = { registry: this.registry, client: prom }
    this.plugins = metricsHost(this.registry)
    this.#now = options.nowMs ?? Date.now
    this.#window = options.window ?? KAFKA_WINDOW
    this.#connectorStartups = new WindowedStat(this.#window)
    this.#taskStartups = new WindowedStat(this.#window)
    this.#rebalanceTime = new WindowedStat(this.#window)
    this.#coordinatorLabels = { client_id: options.clientId }
    this.producer = new ProducerSeries(options.producerClientId ?? options.clientId, this.#window, this.#now)
    this.#register(options)
    if (options.defaultMetrics !== false && this.registry.getSingleMetric('process_cpu_seconds_total') === undefined) {
      prom.collectDefaultMetrics({ register: this.registry })
    }
  }

  connector(name: string, info: { className: string; type: 'source' | 'sink'; version: string }) {
    const entry = this.#entry(name)
    const series = new ConnectorSeries(name, info, this.#now, (closing) => {
      if (entry.connector !== closing) return
      entry.connector = null
      this.#dropIfEmpty(name, entry)
    })
    entry.connector = series
    return series
  }

  task(connector: string, task: number) {
    const entry = this.#entry(connector)
    const series = new TaskSeries(
      connector,
      task,
      this.#window,
      this.#now,
      (closing) => {
        if (entry.tasks.get(task) !== closing) return
        entry.tasks.delete(task)
        this.#dropIfEmpty(connector, entry)
      },
      entry.sourceToKafka,
    )
    entry.tasks.set(task, series)
    return series
  }

  kafkaClient(clientId: string): KafkaClientNetwork {
    let client = this.#clients.get(clientId)
    if (client === undefined) {
      client = {
        labels: { client_id: clientId },
        network: new KafkaClientNetwork({ window: this.#window, nowMs: this.#now }),
      }
      this.#clients.set(clientId, client)
    }
    return client.network
  }

  recordConnectorStartup(success: boolean): void {
    this.#connectorStartupAttempts += 1
    if (success) this.#connectorStartupSuccesses += 1
    this.#connectorStartups.record(success ? 1 : 0, this.#now())
  }

  recordTaskStartup(success: boolean): void {
    this.#taskStartupAttempts += 1
    if (success) this.#taskStartupSuccesses += 1
    this.#taskStartups.record(success ? 1 : 0, this.#now())
  }

  recordRebalanceStart(): void {
    this.#rebalancing = true
  }

  recordRebalance(durationMs: number, epoch?: number): void {
    const now = this.#now()
    this.#rebalancing = false
    this.#rebalances += 1
    this.#lastRebalanceMs = now
    this.#rebalanceTime.record(Math.max(0, durationMs), now)
    if (epoch !== undefined) this.#epoch = epoch
  }

  recordGroup(leaderUrl: string, protocol: string): void {
    this.#group = {
      leader_name: leaderUrl,
      connect_protocol: CONNECT_PROTOCOL_NAMES[protocol] ?? protocol.toUpperCase(),
    }
  }

  recordAssignment(connectors: number, tasks: number): void {
    this.#assigned = { connectors, tasks }
  }

  render(accept?: string): Promise<{ contentType: string; body: string }> {
    const format = negotiateFormat(accept)
    // prom-client renames counters (drops `_total`) on the metric objects while rendering OpenMetrics: renders run
    // one at a time and the names are put back, so the next Prometheus-text render sees the real names.
    const run = this.#renderQueue.then(() => this.#render(format))
    this.#renderQueue = run.catch(() => undefined)
    return run
  }

  async #render(format: 'openmetrics' | 'prometheus'): Promise<{ contentType: string; body: string }> {
    const contentType = format === 'openmetrics' ? prom.openMetricsContentType : prom.prometheusContentType
    const view = new prom.Registry<prom.RegistryContentType>()
    view.setContentType(contentType)
    const originals: [{ name: string }, string][] = []
    for (const metric of this.registry.getMetricsAsArray()) {
      originals.push([metric, metric.name])
      // getMetricsAsArray is typed as plain metric objects; at run time they are the registered metric instances.
      view.registerMetric(metric as unknown as prom.Metric)
    }
    try {
      return { contentType, body: await view.metrics() }
    } finally {
      for (const [metric, name] of originals) metric.name = name
    }
  }

  #entry(name: string): ConnectorEntry {
    let entry = this.#entries.get(name)
    if (entry === undefined) {
      entry = { labels: { connector: name }, connector: null, tasks: new Map(), sourceToKafka: new Map() }
      this.#entries.set(name, entry)
    }
    return entry
  }

  #dropIfEmpty(name: string, entry: ConnectorEntry): void {
    if (entry.connector === null && entry.tasks.size === 0 && this.#entries.get(name) === entry) {
      this.#entries.delete(name)
    }
  }

  #define(def: MetricDefinition, read: Read): void {
    viewMetric(def, this.registry, this.#now, read)
  }

  #worker(def: MetricDefinition, value: (nowMs: number) => number): void {
    this.#define(def, (emit, now) => emit(NO_LABELS, value(now)))
  }

  #perConnectorName(def: MetricDefinition, value: (entry: ConnectorEntry) => number): void {
    this.#define(def, (emit) => {
      for (const entry of this.#entries.values()) emit(entry.labels, value(entry))
    })
  }

  #perConnector(def: MetricDefinition, labels: (c: ConnectorSeries) => Labels): void {
    this.#define(def, (emit) => {
      for (const entry of this.#entries.values()) {
        if (entry.connector?.instanceHere) emit(labels(entry.connector), 1)
      }
    })
  }

  #perTask(def: MetricDefinition, value: (t: TaskSeries, nowMs: number) => number): void {
    this.#define(def, (emit, now) => {
      for (const entry of this.#entries.values()) for (const t of entry.tasks.values()) emit(t.labels, value(t, now))
    })
  }

  #perTable(def: MetricDefinition, value: (t: TableSeries, nowMs: number) => number | null): void {
    this.#define(def, (emit, now) => {
      for (const entry of this.#entries.values()) {
        if (entry.connector === null) continue
        for (const table of entry.connector.tables.values()) {
          const v = value(table, now)
          if (v !== null) emit(table.labels, v)
        }
      }
    })
  }

  #perProducer(def: MetricDefinition, value: (p: ProducerSeries, nowMs: number) => number): void {
    this.#define(def, (emit, now) => emit(this.producer.labels, value(this.producer, now)))
  }

  #perProducerKnown(def: MetricDefinition, value: (p: ProducerSeries, nowMs: number) => number | null): void {
    this.#define(def, (emit, now) => {
      const v = value(this.producer, now)
      if (v !== null) emit(this.producer.labels, v)
    })
  }

  #perTopic(def: MetricDefinition, value: (t: { records: number; bytes: number; errors: number }) => number): void {
    this.#define(def, (emit) => {
      for (const t of this.producer.topics.values()) emit(t.labels, value(t))
    })
  }

  #tasksIn(entry: ConnectorEntry, state: TaskState): number {
    let n = 0
    for (const t of entry.tasks.values()) if (t.state === state) n += 1
    return n
  }

  #register(options: WorkerMetricsOptions): void {
    const tasks = () => {
      let n = 0
      for (const entry of this.#entries.values()) n += entry.tasks.size
      return n
    }
    const connectors = () => {
      let n = 0
      for (const entry of this.#entries.values()) if (entry.connector?.instanceHere) n += 1
      return n
    }
    const failureFraction = (stat: WindowedStat, now: number) => (stat.count(now) === 0 ? 0 : 1 - stat.avg(now))

    // connect-worker-metrics
    this.#worker(M.connectorCount, connectors)
    this.#worker(M.taskCount, tasks)
    this.#worker(M.connectorStartupAttempts, () => this.#connectorStartupAttempts)
    this.#worker(M.connectorStartupSuccess, () => this.#connectorStartupSuccesses)
    this.#worker(M.connectorStartupFailure, () => this.#connectorStartupAttempts - this.#connectorStartupSuccesses)
    this.#worker(M.connectorStartupSuccessPercentage, (now) => this.#connectorStartups.avg(now))
    this.#worker(M.connectorStartupFailurePercentage, (now) => failureFraction(this.#connectorStartups, now))
    this.#worker(M.taskStartupAttempts, () => this.#taskStartupAttempts)
    this.#worker(M.taskStartupSuccess, () => this.#taskStartupSuccesses)
    this.#worker(M.taskStartupFailure, () => this.#taskStartupAttempts - this.#taskStartupSuccesses)
    this.#worker(M.taskStartupSuccessPercentage, (now) => this.#taskStartups.avg(now))
    this.#worker(M.taskStartupFailurePercentage, (now) => failureFraction(this.#taskStartups, now))
    this.#perConnectorName(M.connectorTotalTaskCount, (e) => e.tasks.size)
    this.#perConnectorName(M.connectorRunningTaskCount, (e) => this.#tasksIn(e, 'RUNNING'))
    this.#perConnectorName(M.connectorPausedTaskCount, (e) => this.#tasksIn(e, 'PAUSED'))
    this.#perConnectorName(M.connectorFailedTaskCount, (e) => this.#tasksIn(e, 'FAILED'))
    this.#perConnectorName(M.connectorUnassignedTaskCount, (e) => this.#tasksIn(e, 'UNASSIGNED'))
    this.#perConnectorName(M.connectorDestroyedTaskCount, () => 0)
    this.#perConnectorName(M.connectorRestartingTaskCount, (e) => this.#tasksIn(e, 'RESTARTING'))

    // connect-worker-rebalance-metrics
    this.#worker(M.completedRebalances, () => this.#rebalances)
    this.#worker(M.rebalancing, () => (this.#rebalancing ? 1 : 0))
    this.#worker(M.rebalanceAvgTime, (now) => this.#rebalanceTime.avg(now))
    this.#worker(M.rebalanceMaxTime, (now) => this.#rebalanceTime.max(now))
    this.#worker(M.timeSinceLastRebalance, (now) =>
      this.#lastRebalanceMs === null ? Number.POSITIVE_INFINITY : Math.max(0, now - this.#lastRebalanceMs),
    )
    this.#worker(M.epoch, () => this.#epoch)
    this.#define(M.leaderName, (emit) => {
      if (this.#group) emit({ leader_name: this.#group.leader_name }, 1)
    })
    this.#define(M.connectProtocol, (emit) => {
      if (this.#group) emit({ connect_protocol: this.#group.connect_protocol }, 1)
    })

    // connect-coordinator-metrics
    this.#define(M.assignedConnectors, (emit) => {
      if (this.#assigned) emit(this.#coordinatorLabels, this.#assigned.connectors)
    })
    this.#define(M.assignedTasks, (emit) => {
      if (this.#assigned) emit(this.#coordinatorLabels, this.#assigned.tasks)
    })

    // connector-metrics
    this.#perConnector(M.connectorStatus, (c) => c.statusLabels)
    this.#perConnector(M.connectorInfo, (c) => c.infoLabels)

    // connector-task-metrics
    this.#define(M.taskStatus, (emit) => {
      for (const entry of this.#entries.values()) for (const t of entry.tasks.values()) emit(t.statusLabels, 1)
    })
    this.#perTask(M.taskRunningRatio, (t, now) => t.states.ratio('RUNNING', now))
    this.#perTask(M.taskPauseRatio, (t, now) => t.states.ratio('PAUSED', now))
    this.#perTask(M.taskBatchSizeAvg, (t, now) => t.batchSize.avg(now))
    this.#perTask(M.taskBatchSizeMax, (t, now) => t.batchSize.max(now))
    this.#perTask(M.taskCommitAvgTime, (t, now) => t.commitTime.avg(now))
    this.#perTask(M.taskCommitMaxTime, (t, now) => t.commitTime.max(now))
    this.#perTask(M.taskCommitSuccessPercentage, (t, now) => t.commitOutcomes.avg(now))
    this.#perTask(M.taskCommitFailurePercentage, (t, now) => failureFraction(t.commitOutcomes, now))

    // source-task-metrics
    this.#perTask(M.sourceRecordPollRate, (t, now) => t.polled.rate(now))
    this.#perTask(M.sourceRecordPollTotal, (t) => t.polledTotal)
    this.#perTask(M.sourceRecordWriteRate, (t, now) => t.written.rate(now))
    this.#perTask(M.sourceRecordWriteTotal, (t) => t.writtenTotal)
    this.#perTask(M.pollBatchAvgTime, (t, now) => t.pollTime.avg(now))
    this.#perTask(M.pollBatchMaxTime, (t, now) => t.pollTime.max(now))
    this.#perTask(M.sourceRecordActiveCount, (t) => t.activeCount)
    this.#perTask(M.sourceRecordActiveCountAvg, (t, now) => t.active.avg(now))
    this.#perTask(M.sourceRecordActiveCountMax, (t, now) => t.active.max(now))

    // task-error-metrics
    this.#perTask(M.totalRecordErrors, (t) => t.errors['record-error'])
    this.#perTask(M.totalRecordFailures, (t) => t.errors['record-failure'])
    this.#perTask(M.totalRecordsSkipped, (t) => t.errors['record-skipped'])
    this.#perTask(M.totalRetries, (t) => t.errors.retry)
    this.#perTask(M.totalErrorsLogged, (t) => t.errors['error-logged'])
    this.#perTask(M.dlqProduceRequests, (t) => t.errors['dlq-produce-request'])
    this.#perTask(M.dlqProduceFailures, (t) => t.errors['dlq-produce-failure'])
    this.#perTask(M.lastErrorTimestamp, (t) => t.lastErrorMs)

    // app-info
    const appInfo: Labels = {
      client_id: options.clientId,
      version: options.version,
      commit_id: options.commitId,
      start_time_ms: String(options.startTimeMs),
    }
    this.#define(M.connectAppInfo, (emit) => emit(appInfo, 1))
    const producerInfo: Labels = {
      ...this.producer.labels,
      version: options.producerVersion ?? kafkaClientVersion(),
    }
    this.#define(M.producerAppInfo, (emit) => emit(producerInfo, 1))

    // producer-metrics
    this.#perProducer(M.recordSendTotal, (p) => p.sentTotal)
    this.#perProducer(M.recordSendRate, (p, now) => p.sent.rate(now))
    this.#perProducer(M.recordErrorTotal, (p) => p.errorTotal)
    this.#perProducer(M.recordErrorRate, (p, now) => p.errored.rate(now))
    this.#perProducer(M.recordRetryTotal, (p) => p.retryTotal)
    this.#perProducer(M.recordRetryRate, (p, now) => p.retried.rate(now))
    this.#perProducer(M.outgoingByteTotal, (p) => p.bytesTotal)
    this.#perProducer(M.outgoingByteRate, (p, now) => p.bytes.rate(now))
    this.#perProducer(M.batchSizeAvg, (p, now) => p.bytes.avg(now))
    this.#perProducer(M.recordSizeAvg, (p, now) => p.recordSizeAvg(now))
    this.#perProducer(M.requestLatencyAvg, (p, now) => p.latency.avg(now))
    this.#perProducer(M.requestLatencyMax, (p, now) => p.latency.max(now))
    this.#perProducer(M.requestTotal, (p) => p.requestTotal)
    this.#perProducer(M.responseTotal, (p) => p.responseTotal)
    this.#perProducer(M.requestsInFlight, (p) => p.inFlight)
    const throttle = (p: ProducerSeries) =>
      p.network.hasThrottle(ApiKeys.produce) ? p.network.throttle(ApiKeys.produce) : null
    this.#perProducer(M.requestSizeAvg, (p, now) => p.requestSize.avg(now))
    this.#perProducer(M.requestSizeMax, (p, now) => p.requestSize.max(now))
    this.#perProducerKnown(M.produceThrottleTimeAvg, (p, now) => throttle(p)?.avg(now) ?? null)
    this.#perProducerKnown(M.produceThrottleTimeMax, (p, now) => throttle(p)?.max(now) ?? null)
    this.#perProducer(M.recordQueueTimeAvg, (p, now) => p.queueTime.avg(now))
    this.#perProducer(M.recordQueueTimeMax, (p, now) => p.queueTime.max(now))
    this.#perProducerKnown(M.bufferTotalBytes, (p) => p.buffer?.total ?? null)
    this.#perProducerKnown(M.bufferAvailableBytes, (p) => p.buffer?.available ?? null)
    // Only an uncompressed batch has a known ratio (1); a codec's output size is not reported by the client.
    this.#perProducerKnown(M.compressionRateAvg, (p) => (p.compression === 'none' ? 1 : null))
    for (const def of Object.values(M) as MetricDefinition[]) {
      if (!isNetworkMetric(def)) continue
      const stat = def.stat
      if (def.group === MetricGroups.producer) {
        this.#perProducerKnown(def, (p, now) => networkStatValue(stat, p.network, now))
      } else {
        this.#define(def, (emit, now) => {
          for (const c of this.#clients.values()) {
            const v = networkStatValue(stat, c.network, now)
            if (v !== null) emit(c.labels, v)
          }
        })
      }
    }
    this.#perTopic(M.topicRecordSendTotal, (t) => t.records)
    this.#perTopic(M.topicByteTotal, (t) => t.bytes)
    this.#perTopic(M.topicRecordErrorTotal, (t) => t.errors)

    // flowscope pipeline metrics
    this.#perTable(M.rowsRead, (t) => t.rowsRead)
    this.#perTable(M.lastPoll, (t) => (t.lastPollMs === null ? null : t.lastPollMs / 1000))
    this.#perTable(M.newestChange, (t) => (t.newestChangeMs === null ? null : t.newestChangeMs / 1000))
    this.#perTable(M.freshness, (t, now) =>
      t.newestChangeMs === null ? null : Math.max(0, now - t.newestChangeMs) / 1000,
    )
    this.#perTable(M.pendingRows, (t) => t.pendingRows)
    this.#perTable(M.pollErrors, (t) => t.pollErrors)
    viewHistogram(M.sourceToKafka, this.registry, (emit) => {
      for (const entry of this.#entries.values())
        for (const s of entry.sourceToKafka.values()) emit(s.labels, s.histogram)
    })
    this.#perTask(M.offsetCommitFailures, (t) => t.commitFailures)
    this.#define(M.taskState, (emit) => {
      for (const entry of this.#entries.values()) {
        for (const t of entry.tasks.values()) {
          for (const [state, labels] of t.stateLabels) emit(labels, t.state === state ? 1 : 0)
        }
      }
    })
  }
}

/** The installed @platformatic/kafka version (its package.json sits one folder above the resolved entry point). */
function kafkaClientVersion(): string {
  try {
    const entry = import.meta.resolve('@platformatic/kafka')
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', entry), 'utf8'))
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string')
      return pkg.version
  } catch {
    // fall through
  }
  return 'unknown'
}
