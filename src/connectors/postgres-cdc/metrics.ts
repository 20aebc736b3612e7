// The CDC connector's metrics, declared once as a metric component and served on the worker's /metrics (through
// the MetricsHost the runtime hands plugins): Debezium's snapshot and streaming MBean attributes under the names
// the debezium-examples JMX-exporter rules give them (debezium_metrics_<Attribute>{plugin,name,context}), and the
// replication slot's WAL figures (flowscope_replication_slot_*). Values live in plain per-connector state; each
// family reads it at scrape time, and a value the connector does not know yet has no series.
import * as prom from 'prom-client'
import { type ComponentMetricDefinition, defineMetricComponent, type MetricsHost } from '../../metrics/components.ts'

const MBEAN = (context: 'snapshot' | 'streaming', attribute: string) =>
  `debezium.postgres:type=connector-metrics,context=${context},server=<topic.prefix> ${attribute}`
const DBZ = ['plugin', 'name', 'context'] as const
const SLOT = ['connector', 'slot'] as const

function streaming(attribute: string, unit: string, help: string): ComponentMetricDefinition {
  return {
    name: `debezium_metrics_${attribute}`,
    type: 'gauge',
    labels: DBZ,
    unit,
    help,
    upstream: MBEAN('streaming', attribute),
  }
}
function snapshot(
  attribute: string,
  unit: string,
  help: string,
  labels: readonly string[] = DBZ,
): ComponentMetricDefinition {
  return {
    name: `debezium_metrics_${attribute}`,
    type: 'gauge',
    labels,
    unit,
    help,
    upstream: MBEAN('snapshot', attribute),
  }
}
function slot(name: string, unit: string, help: string): ComponentMetricDefinition {
  return { name: `flowscope_replication_slot_${name}`, type: 'gauge', labels: SLOT, unit, help }
}

export const cdcMetrics = defineMetricComponent({
  name: 'cdc',
  title: 'PostgreSQL CDC connector (on the worker)',
  description:
    "Served on the worker's /metrics for each running `io.flowscope.connect.postgres.PostgresCdcConnector` (alias " +
    "`io.debezium.connector.postgresql.PostgresConnector`). The `debezium_metrics_*` families are Debezium's MBean " +
    'attributes under the names the debezium-examples JMX-exporter rules give them (attribute case kept; `plugin="postgres"`, ' +
    '`name` = `topic.prefix`, `context` = `snapshot` or `streaming`), so dashboards written for Debezium read them ' +
    "unchanged. They describe the connector's current task: a restarted task starts them afresh, as Debezium's do. " +
    'Debezium exports them as JMX gauges (no `_total`); the counts only grow within a task. The ' +
    '`flowscope_replication_slot_*` families come from `pg_replication_slots`, polled by the connector every 5 s for ' +
    'as long as it runs (also while its task is failed).',
  metrics: {
    millisBehindSource: streaming(
      'MilliSecondsBehindSource',
      'ms',
      'When the last change event was processed, that time minus its transaction commit time (the worker clock against the Postgres clock). Absent before the first change event.',
    ),
    millisSinceLastEvent: streaming(
      'MilliSecondsSinceLastEvent',
      'ms',
      'Now minus the time the last change event was processed (at scrape time). Absent before the first change event.',
    ),
    totalEvents: streaming(
      'TotalNumberOfEventsSeen',
      'events',
      'Change events (create, update, delete, truncate) the streaming phase turned into records. Tombstones and heartbeats are not events.',
    ),
    createEvents: streaming('TotalNumberOfCreateEventsSeen', 'events', 'Create (op "c") events streamed.'),
    updateEvents: streaming('TotalNumberOfUpdateEventsSeen', 'events', 'Update (op "u") events streamed.'),
    deleteEvents: streaming('TotalNumberOfDeleteEventsSeen', 'events', 'Delete (op "d") events streamed.'),
    filteredEvents: streaming(
      'NumberOfEventsFiltered',
      'events',
      'Changes read from the slot but not emitted: a table outside the include/exclude lists (a publication it shares), or an operation in skipped.operations.',
    ),
    committedTransactions: streaming(
      'NumberOfCommittedTransactions',
      'transactions',
      'Transactions whose commit the streaming phase processed (those skipped on resume, as already in Kafka, excluded).',
    ),
    lastTransactionId: streaming(
      'LastTransactionId',
      'xid',
      'The xid of the last committed transaction processed (Debezium reports it as a string; here the number). Absent before the first commit.',
    ),
    connected: streaming(
      'Connected',
      'boolean',
      '1 while the replication connection streams from the slot; 0 before streaming starts (during the snapshot), while reconnecting, and after the task stopped.',
    ),
    queueTotal: streaming(
      'QueueTotalCapacity',
      'messages',
      'max.queue.size: the WAL messages the task buffers before it stops reading from the replication connection. Absent until streaming starts.',
    ),
    queueRemaining: streaming(
      'QueueRemainingCapacity',
      'messages',
      'max.queue.size minus the WAL messages buffered and not yet polled (0 when full). Absent until streaming starts.',
    ),
    snapshotRunning: snapshot(
      'SnapshotRunning',
      'boolean',
      '1 while the snapshot runs: the initial one, or an incremental one started through the signalling table.',
    ),
    snapshotCompleted: snapshot('SnapshotCompleted', 'boolean', '1 once this task finished a snapshot.'),
    snapshotAborted: snapshot(
      'SnapshotAborted',
      'boolean',
      '1 when the snapshot stopped before reading every table: the task was stopped or failed during it, or a stop-snapshot signal ended an incremental one.',
    ),
    snapshotDuration: snapshot(
      'SnapshotDurationInSeconds',
      'seconds',
      'How long the snapshot has run (while running) or ran (completed or aborted). Absent when this task took no snapshot.',
    ),
    totalTables: snapshot(
      'TotalTableCount',
      'tables',
      'Tables the snapshot reads. Absent when this task took no snapshot.',
    ),
    remainingTables: snapshot(
      'RemainingTableCount',
      'tables',
      'Tables the snapshot has not finished reading. Absent when this task took no snapshot.',
    ),
    rowsScanned: snapshot(
      'RowsScanned',
      'rows',
      'Rows the snapshot read from the table (`table` = schema.table). Debezium reports a map; the exporter makes a label of its key.',
      [...DBZ, 'table'],
    ),
    slotRetainedWal: slot(
      'retained_wal_bytes',
      'bytes',
      'pg_current_wal_lsn() − restart_lsn: WAL the server keeps on disk for this slot. Absent when the slot does not exist (or has no restart_lsn).',
    ),
    slotConfirmedLagBytes: slot(
      'confirmed_flush_lag_bytes',
      'bytes',
      'pg_current_wal_lsn() − confirmed_flush_lsn: WAL written that the connector has not confirmed (confirmed = its offsets are committed in Kafka).',
    ),
    slotConfirmedLagSeconds: slot(
      'confirmed_flush_lag_seconds',
      'seconds',
      "Now minus the first poll that saw pg_current_wal_lsn() beyond the slot's current confirmed_flush_lsn; 0 when the slot has confirmed all WAL. The oldest unconfirmed WAL was written within one poll interval (5 s) before that poll, so this is a lower bound that errs by at most the interval. It grows when the WAL moves and the slot does not follow (stalled task, no heartbeats on a busy server). Absent until the first poll.",
    ),
    info: {
      name: 'flowscope_cdc_connector_info',
      type: 'gauge',
      labels: ['connector', 'name', 'slot'],
      unit: 'info (always 1)',
      help: 'One series per running CDC connector: its name, its topic.prefix (`name`, the label Debezium\'s families carry) and its slot. Join on `name` to select Debezium\'s families by connector, e.g. `debezium_metrics_Connected * on (name) group_left (connector) flowscope_cdc_connector_info{connector="x"}`.',
    },
    slotActive: slot(
      'active',
      'boolean',
      '1 when a replication connection is using the slot (pg_replication_slots.active).',
    ),
  },
})

type Key = keyof typeof cdcMetrics.metrics
type Labels = Record<string, string>
type Emit = (labels: Labels, value: number) => void

export type ChangeOp = 'c' | 'u' | 'd' | 't'

/** The snapshot and streaming figures of one task run (Debezium's two MBeans). */
export class CdcTaskMetrics {
  readonly labels: { snapshot: Labels; streaming: Labels }
  readonly #now: () => number
  // snapshot
  snapshotRunning = false
  snapshotCompleted = false
  snapshotAborted = false
  snapshotStartMs: number | null = null
  snapshotEndMs: number | null = null
  totalTables: number | null = null
  remainingTables: number | null = null
  readonly rowsScanned = new Map<string, { labels: Labels; rows: number }>()
  // streaming
  connected = false
  totalEvents = 0
  readonly eventsByOp = { c: 0, u: 0, d: 0, t: 0 }
  filteredEvents = 0
  committedTransactions = 0
  lastTransactionId: number | null = null
  lastEventMs: number | null = null
  millisBehindSource: number | null = null
  queue: (() => { total: number; remaining: number }) | null = null

  constructor(topicPrefix: string, now: () => number) {
    this.labels = {
      snapshot: { plugin: 'postgres', name: topicPrefix, context: 'snapshot' },
      streaming: { plugin: 'postgres', name: topicPrefix, context: 'streaming' },
    }
    this.#now = now
  }

  /** A snapshot starts (the initial one, or an incremental one later in the same task: Debezium resets the rest). */
  snapshotStarted(tables: readonly string[]): void {
    this.snapshotRunning = true
    this.snapshotCompleted = false
    this.snapshotAborted = false
    this.snapshotStartMs = this.#now()
    this.snapshotEndMs = null
    this.totalTables = tables.length
    this.remainingTables = tables.length
    for (const table of tables) this.rowsScanned.set(table, { labels: { ...this.labels.snapshot, table }, rows: 0 })
  }

  /** Rows read so far per table (cumulative) and the tables not yet finished. */
  snapshotProgress(rowsRead: ReadonlyMap<string, number>, remainingTables: number): void {
    for (const [table, rows] of rowsRead) {
      const entry = this.rowsScanned.get(table)
      if (entry) entry.rows = rows
      else this.rowsScanned.set(table, { labels: { ...this.labels.snapshot, table }, rows })
    }
    this.remainingTables = remainingTables
  }

  snapshotFinished(completed: boolean): void {
    if (!this.snapshotRunning) return
    this.snapshotRunning = false
    this.snapshotEndMs = this.#now()
    if (completed) {
      this.snapshotCompleted = true
      this.remainingTables = 0
    } else this.snapshotAborted = true
  }

  snapshotDurationSeconds(nowMs: number): number | null {
    if (this.snapshotStartMs === null) return null
    return ((this.snapshotEndMs ?? nowMs) - this.snapshotStartMs) / 1000
  }

  /** A change event of transaction committed at `commitTimeMs` became a record. */
  event(op: ChangeOp, commitTimeMs: number): void {
    const now = this.#now()
    this.totalEvents++
    this.eventsByOp[op]++
    this.lastEventMs = now
    this.millisBehindSource = now - commitTimeMs
  }

  /** The task stopped: a snapshot still running was aborted; nothing streams any more. */
  stopped(): void {
    this.snapshotFinished(false)
    this.connected = false
    this.queue = null
  }
}

/** What one poll of pg_replication_slots read for the connector's slot (LSN differences in bytes). */
export interface SlotSample {
  readonly active: boolean
  /** pg_current_wal_lsn() − restart_lsn; null when the slot has none. */
  readonly retainedBytes: number | null
  /** pg_current_wal_lsn() − confirmed_flush_lsn; null when the slot has none. */
  readonly confirmedLagBytes: number | null
  readonly currentLsn: bigint
  readonly confirmedLsn: bigint | null
}

/** At most this many WAL observations are kept while the slot lags (thinned beyond, keeping the oldest). */
const MAX_WAL_OBSERVATIONS = 1000

/**
 * confirmed_flush_lag_seconds: WAL positions seen at each poll, kept while the slot has not confirmed them; the lag
 * is the age of the oldest kept one (the first poll that saw WAL beyond the confirmed position).
 */
export class SlotLagClock {
  readonly #seen: { lsn: bigint; atMs: number }[] = []

  /** Records a poll at `atMs` and returns the lag in seconds (null when the slot has no confirmed position). */
  observe(currentLsn: bigint, confirmedLsn: bigint | null, atMs: number): number | null {
    if (confirmedLsn === null) {
      this.#seen.length = 0
      return null
    }
    let drop = 0
    while (drop < this.#seen.length && this.#seen[drop].lsn <= confirmedLsn) drop++
    this.#seen.splice(0, drop)
    if (currentLsn > confirmedLsn) {
      const last = this.#seen[this.#seen.length - 1]
      if (last === undefined || currentLsn > last.lsn) this.#seen.push({ lsn: currentLsn, atMs })
      // Thinning drops later observations only: the oldest stays, so the figure stays a lower bound.
      if (this.#seen.length > MAX_WAL_OBSERVATIONS) {
        for (let i = this.#seen.length - 2; i > 0; i -= 2) this.#seen.splice(i, 1)
      }
    }
    const oldest = this.#seen[0]
    return oldest === undefined ? 0 : Math.max(0, atMs - oldest.atMs) / 1000
  }
}

/** One connector's slot figures (kept by the connector, whatever state its task is in). */
export class SlotMetrics {
  readonly labels: Labels
  readonly infoLabels: Labels
  sample: (SlotSample & { lagSeconds: number | null }) | null = null
  readonly #lag = new SlotLagClock()
  readonly #now: () => number

  constructor(connector: string, topicPrefix: string, slotName: string, now: () => number) {
    this.labels = { connector, slot: slotName }
    this.infoLabels = { connector, name: topicPrefix, slot: slotName }
    this.#now = now
  }

  /** The latest poll of the slot; null when the slot does not exist or the poll failed (its series go). */
  polled(sample: SlotSample | null): void {
    if (sample === null) {
      this.sample = null
      this.#lag.observe(0n, null, this.#now())
      return
    }
    const lagSeconds = this.#lag.observe(sample.currentLsn, sample.confirmedLsn, this.#now())
    this.sample = { ...sample, lagSeconds }
  }
}

/**
 * The component's state on one worker, read by the families at scrape time. A task's figures stay after it stopped
 * (SnapshotAborted must outlive the task) until its connector stops; a running task's stay through a restart of the
 * connector alone.
 */
export class CdcMetrics {
  readonly #tasks = new Map<string, { task: CdcTaskMetrics; stopped: boolean }>()
  readonly #slots = new Map<string, SlotMetrics>()
  readonly #now: () => number

  constructor(registry: prom.Registry, now: () => number = Date.now) {
    this.#now = now
    this.#register(registry)
  }

  /** A task of connector `name` starts: its figures replace the previous task's. */
  taskStarted(name: string, topicPrefix: string): CdcTaskMetrics {
    const task = new CdcTaskMetrics(topicPrefix, this.#now)
    this.#tasks.set(name, { task, stopped: false })
    return task
  }

  /** The task stopped (its figures stay while the connector runs). */
  taskStopped(name: string, task: CdcTaskMetrics): void {
    task.stopped()
    const entry = this.#tasks.get(name)
    if (entry?.task !== task) return
    entry.stopped = true
    if (!this.#slots.has(name)) this.#tasks.delete(name)
  }

  /** Connector `name` (topic.prefix `topicPrefix`) starts watching slot `slotName`. */
  connectorStarted(name: string, topicPrefix: string, slotName: string): SlotMetrics {
    const slot = new SlotMetrics(name, topicPrefix, slotName, this.#now)
    this.#slots.set(name, slot)
    return slot
  }

  /** Whether `slot` is what connector `name`'s slot series report (a connector started since replaces it). */
  isWatching(name: string, slot: SlotMetrics): boolean {
    return this.#slots.get(name) === slot
  }

  /** The connector stopped (deleted, reconfigured, worker shutdown): its slot series go, and a stopped task's. */
  connectorStopped(name: string, slot: SlotMetrics): void {
    if (this.#slots.get(name) !== slot) return
    this.#slots.delete(name)
    if (this.#tasks.get(name)?.stopped) this.#tasks.delete(name)
  }

  #register(registry: prom.Registry): void {
    const task = (
      key: Key,
      context: 'snapshot' | 'streaming',
      value: (t: CdcTaskMetrics, now: number) => number | null,
    ) =>
      this.#view(registry, key, (emit, now) => {
        for (const { task: t } of this.#tasks.values()) {
          const v = value(t, now)
          if (v !== null) emit(t.labels[context], v)
        }
      })
    const bool = (b: boolean) => (b ? 1 : 0)
    task('millisBehindSource', 'streaming', (t) => t.millisBehindSource)
    task('millisSinceLastEvent', 'streaming', (t, now) => (t.lastEventMs === null ? null : now - t.lastEventMs))
    task('totalEvents', 'streaming', (t) => t.totalEvents)
    task('createEvents', 'streaming', (t) => t.eventsByOp.c)
    task('updateEvents', 'streaming', (t) => t.eventsByOp.u)
    task('deleteEvents', 'streaming', (t) => t.eventsByOp.d)
    task('filteredEvents', 'streaming', (t) => t.filteredEvents)
    task('committedTransactions', 'streaming', (t) => t.committedTransactions)
    task('lastTransactionId', 'streaming', (t) => t.lastTransactionId)
    task('connected', 'streaming', (t) => bool(t.connected))
    task('queueTotal', 'streaming', (t) => t.queue?.().total ?? null)
    task('queueRemaining', 'streaming', (t) => t.queue?.().remaining ?? null)
    task('snapshotRunning', 'snapshot', (t) => bool(t.snapshotRunning))
    task('snapshotCompleted', 'snapshot', (t) => bool(t.snapshotCompleted))
    task('snapshotAborted', 'snapshot', (t) => bool(t.snapshotAborted))
    task('snapshotDuration', 'snapshot', (t, now) => t.snapshotDurationSeconds(now))
    task('totalTables', 'snapshot', (t) => t.totalTables)
    task('remainingTables', 'snapshot', (t) => t.remainingTables)
    this.#view(registry, 'rowsScanned', (emit) => {
      for (const { task: t } of this.#tasks.values()) for (const r of t.rowsScanned.values()) emit(r.labels, r.rows)
    })
    const slotView = (key: Key, value: (s: NonNullable<SlotMetrics['sample']>) => number | null) =>
      this.#view(registry, key, (emit) => {
        for (const slot of this.#slots.values()) {
          const v = slot.sample === null ? null : value(slot.sample)
          if (v !== null) emit(slot.labels, v)
        }
      })
    slotView('slotRetainedWal', (s) => s.retainedBytes)
    slotView('slotConfirmedLagBytes', (s) => s.confirmedLagBytes)
    slotView('slotConfirmedLagSeconds', (s) => s.lagSeconds)
    slotView('slotActive', (s) => bool(s.active))
    this.#view(registry, 'info', (emit) => {
      for (const slot of this.#slots.values()) emit(slot.infoLabels, 1)
    })
  }

  /** A gauge whose series are rewritten from the state at each scrape (a gone connector leaves none). */
  #view(registry: prom.Registry, key: Key, read: (emit: Emit, nowMs: number) => void): void {
    const def = cdcMetrics.metrics[key]
    const now = this.#now
    new prom.Gauge({
      name: def.name,
      help: def.help,
      labelNames: [...def.labels],
      registers: [registry],
      collect() {
        this.reset()
        read((labels, value) => this.set(labels, value), now())
      },
    })
  }
}

/** The CDC component's state on the worker `host` (registered on its registry on first use). */
export function cdcMetricsOn(host: MetricsHost): CdcMetrics {
  return host.component(cdcMetrics.name, (registry) => new CdcMetrics(registry))
}
