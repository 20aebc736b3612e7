// Every metric the lag exporter serves, declared once as a metric component (src/metrics/components.ts, the
// worker's MetricDefinition shape), and their rendering: the exporter's own prom-client registry, rewritten from
// the view after each successful poll, so a group, topic or partition that is gone leaves no series. A failed poll
// changes only the up / staleness gauges. `upstream` names the tool whose metric a family reproduces.
import type * as prom from 'prom-client'
import { Registry } from 'prom-client'
import {
  type ComponentMetricDefinition,
  defineMetricComponent,
  registerComponentMetrics,
} from '../metrics/components.ts'
import { FRESHNESS_BUCKETS } from '../metrics/freshness-buckets.ts'
import { STATUS_CODES } from './burrow-status.ts'
import type { ExporterHealth, ExporterView } from './exporter.ts'

const KLE = 'seglo/kafka-lag-exporter'
const KE = 'danielqsj/kafka_exporter'
const KLE_PARTITION = ['cluster_name', 'group', 'topic', 'partition', 'member_host', 'consumer_id', 'client_id']
const KLE_GROUP_MAX = ['cluster_name', 'group', 'is_simple_consumer']
const FS_PARTITION = ['cluster_name', 'group', 'topic', 'partition']

function def(
  upstream: string | undefined,
  name: string,
  labels: readonly string[],
  unit: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram' = 'gauge',
): ComponentMetricDefinition {
  return {
    name,
    type,
    labels,
    unit,
    help,
    ...(upstream ? { upstream } : {}),
    ...(type === 'histogram' ? { buckets: FRESHNESS_BUCKETS } : {}),
  }
}
// flowscope's own families reproduce no other tool's.
const FS = undefined

const definitions = {
  // Kafka Lag Exporter
  groupOffset: def(KLE, 'kafka_consumergroup_group_offset', KLE_PARTITION, 'offset', 'The last committed offset.'),
  groupLag: def(KLE, 'kafka_consumergroup_group_lag', KLE_PARTITION, 'offsets', 'Offsets behind the log end (≥ 0).'),
  groupLagSeconds: def(
    KLE,
    'kafka_consumergroup_group_lag_seconds',
    [...KLE_PARTITION, 'method'],
    'seconds',
    'How long ago the first unconsumed record was written: method="record_ts" read its timestamp, "interpolated" estimated it from the log-end offset→time table. 0 when caught up; absent when unknown.',
  ),
  groupMaxLag: def(
    KLE,
    'kafka_consumergroup_group_max_lag',
    KLE_GROUP_MAX,
    'offsets',
    "The group's largest partition lag.",
  ),
  groupMaxLagSeconds: def(
    KLE,
    'kafka_consumergroup_group_max_lag_seconds',
    KLE_GROUP_MAX,
    'seconds',
    "The group's largest partition lag in seconds (over the partitions where it is known).",
  ),
  groupSumLag: def(KLE, 'kafka_consumergroup_group_sum_lag', ['cluster_name', 'group'], 'offsets', 'Total lag.'),
  groupTopicSumLag: def(
    KLE,
    'kafka_consumergroup_group_topic_sum_lag',
    ['cluster_name', 'group', 'topic'],
    'offsets',
    'Total lag of the group on one topic.',
  ),
  partitionLatest: def(
    KLE,
    'kafka_partition_latest_offset',
    ['cluster_name', 'topic', 'partition'],
    'offset',
    'The log-end offset (the next offset to be written).',
  ),
  partitionEarliest: def(
    KLE,
    'kafka_partition_earliest_offset',
    ['cluster_name', 'topic', 'partition'],
    'offset',
    'The log-start offset (the oldest offset still held).',
  ),
  pollTime: def(KLE, 'kafka_consumergroup_poll_time_ms', ['cluster_name'], 'ms', 'How long the last poll took.'),
  // kafka_exporter
  keCurrentOffset: def(
    KE,
    'kafka_consumergroup_current_offset',
    ['consumergroup', 'topic', 'partition'],
    'offset',
    'The last committed offset.',
  ),
  keLag: def(KE, 'kafka_consumergroup_lag', ['consumergroup', 'topic', 'partition'], 'offsets', 'Offsets behind.'),
  keLagSum: def(KE, 'kafka_consumergroup_lag_sum', ['consumergroup', 'topic'], 'offsets', 'Lag summed per topic.'),
  keMembers: def(KE, 'kafka_consumergroup_members', ['consumergroup'], 'members', 'Members of the group.'),
  keTopicCurrent: def(
    KE,
    'kafka_topic_partition_current_offset',
    ['topic', 'partition'],
    'offset',
    'The log-end offset of the partition.',
  ),
  keTopicOldest: def(
    KE,
    'kafka_topic_partition_oldest_offset',
    ['topic', 'partition'],
    'offset',
    'The log-start offset of the partition.',
  ),
  keTopicPartitions: def(KE, 'kafka_topic_partitions', ['topic'], 'partitions', 'Partitions of the topic.'),
  keBrokers: def(KE, 'kafka_brokers', [], 'brokers', 'Brokers in the cluster.'),
  // flowscope
  lagQuality: def(
    FS,
    'flowscope_consumergroup_lag_quality',
    [...FS_PARTITION, 'quality'],
    'info',
    'Value 1; `quality` says how the lag in seconds was found or why it is missing: exact, compacted, below_log_start, interpolated, extrapolated, caught_up, past_log_end, unknown, topic_missing.',
  ),
  lostRecords: def(
    FS,
    'flowscope_consumergroup_lost_records',
    FS_PARTITION,
    'records',
    'Records deleted (retention) before the group read them: log start − committed offset when the commit is below the log start, else 0.',
  ),
  consumeRate: def(
    FS,
    'flowscope_consumergroup_consume_rate',
    FS_PARTITION,
    'offsets per second',
    "The group's recent consume rate on the partition (committed-offset progress over the status window).",
  ),
  partitionEta: def(
    FS,
    'flowscope_consumergroup_partition_drain_eta_seconds',
    FS_PARTITION,
    'seconds',
    'Lag ÷ recent consume rate; 0 when caught up; absent when the rate is 0 or unknown.',
  ),
  groupEta: def(
    FS,
    'flowscope_consumergroup_drain_eta_seconds',
    ['cluster_name', 'group'],
    'seconds',
    "Seconds until the group's slowest partition has drained its lag; 0 when caught up; absent when a lagging partition has no positive consume rate.",
  ),
  groupStatus: def(
    FS,
    'flowscope_consumergroup_status',
    ['cluster_name', 'group', 'status'],
    'Burrow status code',
    "Burrow's group status code (1 OK, 2 WARN, 3 ERR); `status` names it.",
  ),
  partitionStatus: def(
    FS,
    'flowscope_consumergroup_partition_status',
    [...FS_PARTITION, 'status'],
    'Burrow status code',
    "Burrow's partition status code (1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND); `status` names it.",
  ),
  // End-to-end freshness, consumer hop (the worker has flowscope_source_to_kafka_seconds). See freshness.ts.
  freshness: def(
    FS,
    'flowscope_consumergroup_freshness_seconds',
    [...FS_PARTITION, 'basis'],
    'seconds',
    'How stale the group is against the source database, from the flowscope.source.timestamp header: lagging, now − source time of the first unconsumed record; caught up, now − source time of the last consumed record (grows while the source is idle: read with the lag). basis="change": the row\'s change time (JDBC timestamp modes); "poll": when the source read it (bulk, incrementing). Absent when the record was not read (fetch budget) or has no such header.',
  ),
  freshnessSampled: def(
    FS,
    'flowscope_consumergroup_freshness_sampled_seconds',
    ['cluster_name', 'group', 'topic', 'basis'],
    'seconds',
    'flowscope_consumergroup_freshness_seconds of every partition, observed once per poll: evenly spaced samples, so a quantile is the share of time (and partitions) the group was at most that stale, e.g. for SLOs.',
    'histogram',
  ),
  up: def(
    FS,
    'flowscope_lag_exporter_up',
    ['cluster_name'],
    'boolean',
    '1 when the last poll reached the cluster; 0 when it did not (every other series is then the last poll’s, stale).',
  ),
  lastSuccess: def(
    FS,
    'flowscope_lag_exporter_last_success_timestamp_seconds',
    ['cluster_name'],
    'seconds since epoch',
    'When the last successful poll started.',
  ),
  pollErrors: def(
    FS,
    'flowscope_lag_exporter_poll_errors_total',
    ['cluster_name'],
    'polls',
    'Polls that failed to reach the cluster.',
    'counter',
  ),
  recordReads: def(
    FS,
    'flowscope_lag_exporter_record_reads',
    ['cluster_name'],
    'fetches',
    'Record timestamps read in the last poll (cached ones are not read again).',
  ),
  budgetSkipped: def(
    FS,
    'flowscope_lag_exporter_record_budget_skipped',
    ['cluster_name'],
    'partitions',
    'Lagging partitions the last poll left to interpolation because its record-read budget was spent.',
  ),
} as const satisfies Record<string, ComponentMetricDefinition>

export const lagExporterMetrics = defineMetricComponent({
  name: 'lag-exporter',
  title: 'Consumer lag exporter (`flowscope lag-exporter`)',
  description:
    "Served by `flowscope lag-exporter` on its own `/metrics` (default port 8000): Kafka Lag Exporter's and kafka_exporter's names and labels, plus flowscope's lag quality, drain ETA, Burrow status and exporter health. See docs/lag-exporter.md.",
  metrics: definitions,
})
export const lagMetrics = lagExporterMetrics.metrics

type Key = keyof typeof definitions
type Labels = Record<string, string | number>

export class LagMetrics {
  readonly registry = new Registry()
  readonly #cluster: string
  readonly #gauges = new Map<Key, prom.Gauge>()
  readonly #pollErrors: prom.Counter
  readonly #freshnessSampled: prom.Histogram
  /** The freshness histogram's label sets, so those of a group or topic gone can be removed. */
  #sampledSeries = new Map<string, Labels>()

  constructor(clusterName: string) {
    this.#cluster = clusterName
    const registered = registerComponentMetrics(lagExporterMetrics, this.registry)
    for (const [key, metric] of Object.entries(registered) as [Key, prom.Gauge | prom.Counter | prom.Histogram][]) {
      if (lagMetrics[key].type === 'gauge') this.#gauges.set(key, metric as prom.Gauge)
    }
    this.#pollErrors = registered.pollErrors
    // def() widens `type`, so the registered family is typed by its declaration here.
    this.#freshnessSampled = registered.freshnessSampled as unknown as prom.Histogram
    // A gauge without labels shows 0 until set; the broker count is unknown until the first poll.
    this.#gauge('keBrokers').remove({})
    this.#gauge('up').set({ cluster_name: clusterName }, 0)
    this.#pollErrors.inc({ cluster_name: clusterName }, 0)
  }

  /** After every poll: the health gauges always; everything else only from a fresh view. */
  update(view: ExporterView | undefined, health: ExporterHealth, fresh: boolean): void {
    const cluster = { cluster_name: this.#cluster }
    if (fresh && view) this.#fromView(view)
    this.#gauge('up').set(cluster, health.up ? 1 : 0)
    if (health.lastSuccessMs !== undefined) this.#gauge('lastSuccess').set(cluster, health.lastSuccessMs / 1000)
    const counted = this.#pollErrorsSeen
    if (health.pollErrors > counted) this.#pollErrors.inc(cluster, health.pollErrors - counted)
    this.#pollErrorsSeen = health.pollErrors
  }

  #pollErrorsSeen = 0

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }

  #gauge(key: Key): prom.Gauge {
    return this.#gauges.get(key)!
  }

  #fromView(view: ExporterView): void {
    for (const [key, gauge] of this.#gauges) if (key !== 'up' && key !== 'lastSuccess') gauge.reset()
    const cluster_name = this.#cluster
    const set = (key: Key, labels: Labels, value: number | bigint) => this.#gauge(key).set(labels, Number(value))
    set('pollTime', { cluster_name }, Math.round(view.pollMs))
    set('keBrokers', {}, view.brokers)
    set('recordReads', { cluster_name }, view.fetches)
    set('budgetSkipped', { cluster_name }, view.budgetSkipped)
    const sampled = new Map<string, Labels>()
    for (const topic of view.topics.values()) {
      set('keTopicPartitions', { topic: topic.name }, topic.partitions.length)
      topic.partitions.forEach((ends, partition) => {
        set('partitionLatest', { cluster_name, topic: topic.name, partition }, ends.latest)
        set('partitionEarliest', { cluster_name, topic: topic.name, partition }, ends.earliest)
        set('keTopicCurrent', { topic: topic.name, partition }, ends.latest)
        set('keTopicOldest', { topic: topic.name, partition }, ends.earliest)
      })
    }
    for (const group of view.groups.values()) {
      set('keMembers', { consumergroup: group.id }, group.members.length)
      const groupLabels = { cluster_name, group: group.id }
      const maxLabels = { ...groupLabels, is_simple_consumer: String(group.simple) }
      const topicSums = new Map<string, bigint>()
      for (const p of group.partitions) {
        const owner = p.owner
        const kle = {
          cluster_name,
          group: group.id,
          topic: p.topic,
          partition: p.partition,
          member_host: owner?.host ?? '',
          consumer_id: owner?.memberId ?? '',
          client_id: owner?.clientId ?? '',
        }
        const fs = { cluster_name, group: group.id, topic: p.topic, partition: p.partition }
        const ke = { consumergroup: group.id, topic: p.topic, partition: p.partition }
        set('groupOffset', kle, p.committed)
        set('keCurrentOffset', ke, p.committed)
        const lag = p.lag
        if (!lag) {
          set('lagQuality', { ...fs, quality: 'topic_missing' }, 1)
          continue
        }
        topicSums.set(p.topic, (topicSums.get(p.topic) ?? 0n) + lag.offsets)
        set('groupLag', kle, lag.offsets)
        set('keLag', ke, lag.offsets)
        if (lag.seconds !== undefined && lag.method) set('groupLagSeconds', { ...kle, method: lag.method }, lag.seconds)
        set('lagQuality', { ...fs, quality: lag.quality }, 1)
        set('lostRecords', fs, lag.lostRecords)
        if (p.rate !== undefined) set('consumeRate', fs, p.rate)
        if (p.etaSeconds !== undefined) set('partitionEta', fs, p.etaSeconds)
        if (p.freshness) {
          const { seconds, basis } = p.freshness
          set('freshness', { ...fs, basis }, seconds)
          const labels = { cluster_name, group: group.id, topic: p.topic, basis }
          this.#freshnessSampled.observe(labels, seconds)
          sampled.set(`${group.id}\u0000${p.topic}\u0000${basis}`, labels)
        }
        const status = p.evaluation.status
        set('partitionStatus', { ...fs, status }, STATUS_CODES[status])
      }
      for (const [topic, sum] of topicSums) {
        set('groupTopicSumLag', { ...groupLabels, topic }, sum)
        set('keLagSum', { consumergroup: group.id, topic }, sum)
      }
      set('groupSumLag', groupLabels, group.sumLag)
      set('groupMaxLag', maxLabels, group.maxLag)
      if (group.maxLagSeconds !== undefined) set('groupMaxLagSeconds', maxLabels, group.maxLagSeconds)
      if (group.etaSeconds !== undefined) set('groupEta', groupLabels, group.etaSeconds)
      set('groupStatus', { ...groupLabels, status: group.status.status }, STATUS_CODES[group.status.status])
    }
    // A histogram is cumulative: its series stay while the group still reads the topic (a poll without a sample, e.g.
    // the fetch budget spent, keeps them), and go with the group or topic.
    const live = new Set<string>()
    for (const group of view.groups.values()) for (const p of group.partitions) live.add(`${group.id}\u0000${p.topic}`)
    for (const [key, labels] of this.#sampledSeries) {
      if (sampled.has(key)) continue
      if (live.has(`${labels.group}\u0000${labels.topic}`)) sampled.set(key, labels)
      else this.#freshnessSampled.remove(labels)
    }
    this.#sampledSeries = sampled
  }
}
