// Prometheus alerting rules for a flowscope stack: thresholds in, a rule-file YAML text out.
// Every alert says what is wrong and what to do; monitoring/prometheus/alert-rules.test.yml tests each one.
import { stringify } from 'yaml'
import { cdcMetrics } from '../../connectors/postgres-cdc/metrics.ts'
import { sampleConsumerMetrics } from '../../consume/metrics.ts'
import { lagMetrics as L } from '../../lag/metrics.ts'
import { metrics as M } from '../../metrics/definitions.ts'
import { FRESHNESS_BUCKETS } from '../../metrics/freshness-buckets.ts'
import { durationSeconds } from './prometheus-config.ts'

const C = sampleConsumerMetrics.metrics
const CDC = cdcMetrics.metrics

export interface AlertRuleOptions {
  /** How long a scrape target must be down before `service_down` fires (default 2m, the seed's). */
  readonly targetDownFor?: string
  /** `high_load` fires when the 1-minute load per CPU stays above this (default 1). */
  readonly highLoadPerCpu?: number
  /** Minutes a connector may stay paused, stopped, unassigned or restarting before an alert (default 10). */
  readonly connectorNotRunningMinutes?: number
  /** Seconds of source freshness (how far Kafka is behind the table) tolerated (default 300). */
  readonly freshnessThresholdSeconds?: number
  /** How long rows may stay pending with nothing written to Kafka (default 5m). */
  readonly noWritesFor?: string
  /** Event loop p99 lag of the worker, in seconds, tolerated (default 0.5). */
  readonly eventLoopLagSeconds?: number
  /** Seconds a consumer group may be behind (age of its oldest unconsumed record) before an alert (default 300). */
  readonly consumerLagThresholdSeconds?: number
  /** How long a consumer group must stay behind, not OK, stalled or without members before its alert (default 5m). */
  readonly consumerAlertFor?: string
  /** How long the lag exporter may be unscraped or unable to reach Kafka before an alert (default 2m). */
  readonly lagExporterDownFor?: string
  /** Freshness SLO: the share of records a consumer processes fresher than the threshold (default 0.99). */
  readonly consumerFreshnessSloTarget?: number
  /** Freshness SLO threshold (Postgres → consumer), in seconds: a bucket bound of the freshness histograms (default 300). */
  readonly consumerFreshnessSloSeconds?: number
  /**
   * The SLO period the burn-rate windows are cut from (default 30d, for which Google's SRE workbook gives 1h/5m,
   * 6h/30m, 1d/2h and 3d/6h). A shorter period scales every window and `for:` down in proportion (tests).
   */
  readonly consumerFreshnessSloPeriod?: string
  /** WAL a CDC connector's replication slot may retain, in bytes, before an alert (default 1 GiB). */
  readonly slotRetainedWalBytes?: number
  /** How long a CDC connector's replication slot may stay without a reader before an alert (default 5m). */
  readonly slotInactiveFor?: string
  /** Milliseconds a CDC connector may process changes behind their commit (MilliSecondsBehindSource) (default 60000). */
  readonly cdcStreamingLagMs?: number
}

export const alertDefaults = {
  targetDownFor: '2m',
  highLoadPerCpu: 1,
  connectorNotRunningMinutes: 10,
  freshnessThresholdSeconds: 300,
  noWritesFor: '5m',
  eventLoopLagSeconds: 0.5,
  consumerLagThresholdSeconds: 300,
  consumerAlertFor: '5m',
  lagExporterDownFor: '2m',
  consumerFreshnessSloTarget: 0.99,
  consumerFreshnessSloSeconds: 300,
  consumerFreshnessSloPeriod: '30d',
  slotRetainedWalBytes: 1024 ** 3,
  slotInactiveFor: '5m',
  cdcStreamingLagMs: 60_000,
} as const

/** The Prometheus job the lag exporter is scraped under (its own alert, rather than service_down's, says what to do). */
export const LAG_EXPORTER_JOB = 'kafka-lag-exporter'

export interface AlertRule {
  readonly alert: string
  readonly expr: string
  readonly for: string
  readonly labels: { readonly severity: 'page' | 'warning' }
  readonly annotations: { readonly summary: string; readonly description: string }
}

export interface AlertGroup {
  readonly name: string
  readonly rules: readonly AlertRule[]
}

/** The window in which a target must have answered no scrape at all before `service_down` counts it as down. */
const TARGET_DOWN_WINDOW = '1m'

/** `for:` of service_down, so that window + for = targetDownFor (a target down for 2m fires at 2m). */
function downForAfterWindow(targetDownFor: string): string {
  const rest = durationSeconds(targetDownFor) - durationSeconds(TARGET_DOWN_WINDOW)
  if (rest < 0) throw new Error(`targetDownFor: ${targetDownFor} is shorter than the ${TARGET_DOWN_WINDOW} window`)
  return rest % 60 === 0 ? `${rest / 60}m` : `${rest}s`
}

function rule(
  alert: string,
  severity: 'page' | 'warning',
  forDuration: string,
  expr: string,
  summary: string,
  description: string,
): AlertRule {
  return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } }
}

/** The alert groups as data (used by the renderer, the docs check and the tests). */
export function alertGroups(options: AlertRuleOptions = {}): AlertGroup[] {
  const o = { ...alertDefaults, ...options }
  const notRunningFor = `${o.connectorNotRunningMinutes}m`
  return [
    {
      name: 'flowscope-targets',
      rules: [
        // A busy host can miss one scrape of a healthy target (timeout): only a target that answered no scrape
        // for a whole minute is down, and it must stay so for the rest of targetDownFor.
        rule(
          'service_down',
          'page',
          downForAfterWindow(o.targetDownFor),
          `max_over_time(up{job!="${LAG_EXPORTER_JOB}"}[${TARGET_DOWN_WINDOW}]) == 0`,
          'Instance {{ $labels.instance }} down',
          `{{ $labels.instance }} of job {{ $labels.job }} has been unreachable for more than ${o.targetDownFor}. Check that the process runs and that its metrics endpoint answers (worker: GET /metrics on the REST port; broker: the JMX exporter agent port; node exporter: :9100/metrics).`,
        ),
        rule(
          'high_load',
          'page',
          '5m',
          `node_load1 / on (job, instance) count by (job, instance) (node_cpu_seconds_total{mode="idle"}) > ${o.highLoadPerCpu}`,
          'Instance {{ $labels.instance }} under high load',
          `{{ $labels.instance }} of job {{ $labels.job }} has had a 1-minute load above ${o.highLoadPerCpu} per CPU for 5 minutes. Find the busy processes (top), and check the worker and broker CPU panels; add CPUs or move load off the host.`,
        ),
      ],
    },
    {
      name: 'flowscope-connectors',
      rules: [
        rule(
          'ConnectorFailed',
          'page',
          '1m',
          `${M.connectorStatus.name}{status="failed"} == 1`,
          'Connector {{ $labels.connector }} FAILED',
          'Connector {{ $labels.connector }} on {{ $labels.instance }} is in state FAILED: no rows move. Read the trace in GET /connectors/{{ $labels.connector }}/status, fix the cause (database reachable? credentials? config?), then POST /connectors/{{ $labels.connector }}/restart.',
        ),
        rule(
          'ConnectorTaskFailed',
          'page',
          '1m',
          `${M.taskStatus.name}{status="failed"} == 1`,
          'Task {{ $labels.task }} of connector {{ $labels.connector }} FAILED',
          'Task {{ $labels.task }} of {{ $labels.connector }} on {{ $labels.instance }} is FAILED and moves no rows. Read the trace in GET /connectors/{{ $labels.connector }}/tasks/{{ $labels.task }}/status, fix the cause, then POST /connectors/{{ $labels.connector }}/tasks/{{ $labels.task }}/restart.',
        ),
        rule(
          'ConnectorNotRunning',
          'warning',
          notRunningFor,
          `${M.connectorStatus.name}{status!~"running|failed"} == 1`,
          'Connector {{ $labels.connector }} is {{ $labels.status }}',
          `Connector {{ $labels.connector }} has been {{ $labels.status }} (not RUNNING) for more than ${o.connectorNotRunningMinutes} minutes; its tables are not copied. If it was paused or stopped on purpose, resume it (PUT /connectors/{{ $labels.connector }}/resume) or delete it; if it stays unassigned or restarting, check the workers' logs and that every worker of the group is up.`,
        ),
      ],
    },
    {
      name: 'flowscope-pipeline',
      rules: [
        rule(
          'SourceRowsNotWritten',
          'page',
          o.noWritesFor,
          `sum by (job, connector) (${M.pendingRows.name}) > 0 unless on (job, connector) sum by (job, connector) (rate(${M.sourceRecordWriteTotal.name}[${o.noWritesFor}])) > 0`,
          'Connector {{ $labels.connector }} writes nothing while rows are pending',
          `{{ $value }} row(s) wait in the source tables of {{ $labels.connector }} but no record reached Kafka for ${o.noWritesFor}. Check the connector and task status, the broker (is it up, is the topic writable?) and the worker log for produce errors; the pipeline dashboard shows which table is stuck.`,
        ),
        rule(
          'SourceFreshnessHigh',
          'warning',
          '5m',
          `max by (job, connector, table) (${M.freshness.name}) > ${o.freshnessThresholdSeconds}`,
          'Table {{ $labels.table }} is {{ $value }}s behind in Kafka',
          `Rows of {{ $labels.table }} (connector {{ $labels.connector }}) reach Kafka more than ${o.freshnessThresholdSeconds}s after they changed in Postgres. Look at pending rows and write rate on the pipeline dashboard: raise batch.max.rows / tasks.max if the connector cannot keep up, or fix the failing stage (poll errors, broker latency).`,
        ),
        rule(
          'SourcePollErrors',
          'warning',
          '5m',
          `sum by (job, connector, table) (increase(${M.pollErrors.name}[5m])) > 0`,
          'Polling {{ $labels.table }} fails for connector {{ $labels.connector }}',
          'Queries of {{ $labels.table }} by {{ $labels.connector }} have failed repeatedly over the last 5 minutes. Check that Postgres is reachable, the credentials and the table/columns still exist (worker log has the SQL error).',
        ),
        rule(
          'OffsetCommitFailures',
          'warning',
          '5m',
          `sum by (job, connector, task) (increase(${M.offsetCommitFailures.name}[10m])) > 0 or max by (job, connector, task) (${M.taskCommitFailurePercentage.name}) > 0`,
          'Offset commits fail for {{ $labels.connector }} task {{ $labels.task }}',
          'Task {{ $labels.task }} of {{ $labels.connector }} cannot commit its source offsets: after a restart it will re-send rows already written (duplicates, never loss). Check the offsets topic (exists, writable, min.insync.replicas met) and the broker health row.',
        ),
        rule(
          'WorkerEventLoopLag',
          'warning',
          '5m',
          `max by (job, instance) (nodejs_eventloop_lag_p99_seconds) > ${o.eventLoopLagSeconds}`,
          'Worker {{ $labels.instance }} event loop lags',
          `The p99 event loop lag of worker {{ $labels.instance }} has stayed above ${o.eventLoopLagSeconds}s for 5 minutes: polling, producing and REST calls are delayed. Check its CPU panel; lower batch sizes or spread connectors over more workers.`,
        ),
      ],
    },
    {
      name: 'flowscope-kafka',
      rules: [
        rule(
          'KafkaUnderReplicatedPartitions',
          'warning',
          '5m',
          'sum by (job, instance) (kafka_server_replicamanager_underreplicatedpartitions) > 0',
          'Broker {{ $labels.instance }} has {{ $value }} under-replicated partitions',
          'Some partitions led by {{ $labels.instance }} have fewer in-sync replicas than replicas for 5 minutes. Check that every broker is up (Kafka cluster dashboard), their disks and network; a slow follower shows in the ISR shrink rate.',
        ),
        rule(
          'KafkaUnderMinIsrPartitions',
          'page',
          '5m',
          'sum by (job, instance) (kafka_cluster_partition_underminisr) > 0',
          'Broker {{ $labels.instance }} has {{ $value }} partitions under min.insync.replicas',
          'Writes with acks=all (the worker uses them) to these partitions fail. Bring the missing brokers back, or lower min.insync.replicas for the topic only as a conscious trade of durability.',
        ),
        rule(
          'KafkaOfflinePartitions',
          'page',
          '1m',
          'max by (job) (kafka_controller_kafkacontroller_offlinepartitionscount) > 0',
          '{{ $value }} Kafka partitions are offline',
          'Partitions without a leader can be neither written nor read: the pipeline stops for their topics. Start the brokers that hold their replicas; check the controller log for the partitions concerned.',
        ),
        rule(
          'KafkaNoActiveController',
          'page',
          '1m',
          'sum by (job) (kafka_controller_kafkacontroller_activecontrollercount) != 1',
          'Kafka has {{ $value }} active controllers',
          'Exactly one KRaft controller must be active. With none, metadata changes (topic creation, leader election) stop; check the controller quorum (controller.quorum.voters reachable, raft metrics on the Kafka cluster dashboard, controller logs).',
        ),
        rule(
          'KafkaBrokerCountDropped',
          'page',
          '1m',
          'max by (job) (kafka_controller_kafkacontroller_activebrokercount) < max by (job) (max_over_time(kafka_controller_kafkacontroller_activebrokercount[1h])) or max by (job) (kafka_controller_kafkacontroller_fencedbrokercount) > 0',
          'A Kafka broker left the cluster',
          'Fewer brokers are registered and unfenced than during the last hour (or a broker is fenced). Find the missing broker (Kafka cluster dashboard, service_down alerts), restart it and watch under-replicated partitions return to 0.',
        ),
      ],
    },
    cdcGroup(o),
    consumerGroup(o),
  ]
}

/** `1073741824` → `1 GiB`, for the descriptions. */
function bytesSpoken(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`
  }
  return `${bytes} bytes`
}

/**
 * The CDC connector's replication slot and Debezium figures. A failed CDC connector or task is ConnectorFailed /
 * ConnectorTaskFailed's; these say what the slot and the stream do meanwhile.
 */
function cdcGroup(o: Required<AlertRuleOptions>): AlertGroup {
  const inactiveFor = promDuration(optionSeconds('slotInactiveFor', o.slotInactiveFor))
  if (!(o.slotRetainedWalBytes > 0)) throw new Error(`slotRetainedWalBytes: ${o.slotRetainedWalBytes} must be above 0`)
  if (!(o.cdcStreamingLagMs > 0)) throw new Error(`cdcStreamingLagMs: ${o.cdcStreamingLagMs} must be above 0`)
  const SLOT = 'job, connector, slot'
  return {
    name: 'flowscope-cdc',
    rules: [
      rule(
        'ReplicationSlotWalRetentionHigh',
        'page',
        '5m',
        `max by (${SLOT}) (${CDC.slotRetainedWal.name}) > ${o.slotRetainedWalBytes}`,
        'Slot {{ $labels.slot }} retains {{ $value | humanize1024 }}B of WAL',
        `Replication slot {{ $labels.slot }} of CDC connector {{ $labels.connector }} has kept more than ${bytesSpoken(o.slotRetainedWalBytes)} of WAL on the Postgres server for 5 minutes; it grows until the disk is full. Check the connector and task status (a failed or paused connector confirms nothing), ${CDC.slotConfirmedLagSeconds.name} (is the slot confirming at all?) and heartbeat.interval.ms on a database whose captured tables are idle. If the connector is gone for good, drop the slot: SELECT pg_drop_replication_slot('{{ $labels.slot }}').`,
      ),
      rule(
        'ReplicationSlotInactive',
        'warning',
        inactiveFor,
        `max by (${SLOT}) (${CDC.slotActive.name}) == 0`,
        'Nobody reads replication slot {{ $labels.slot }}',
        `Replication slot {{ $labels.slot }} of CDC connector {{ $labels.connector }} has had no replication connection for ${spoken(inactiveFor)}: no changes are streamed and the server retains WAL for it. Check the connector's task status (failed, paused, reconnecting — the worker log says why) and that Postgres accepts its replication connection. A deleted connector's slot is reported until it is dropped: if no connector is to resume from it, SELECT pg_drop_replication_slot('{{ $labels.slot }}').`,
      ),
      rule(
        'CdcStreamingLagHigh',
        'warning',
        '5m',
        `max by (job, name) (${CDC.millisBehindSource.name}{plugin="postgres"}) > ${o.cdcStreamingLagMs} and on (job, name) max by (job, name) (${CDC.millisSinceLastEvent.name}{plugin="postgres"}) < 300000`,
        'CDC connector {{ $labels.name }} streams {{ $value }} ms behind its commits',
        `The changes the CDC connector with topic.prefix {{ $labels.name }} processes were committed in Postgres more than ${o.cdcStreamingLagMs / 1000} s earlier, for 5 minutes (MilliSecondsBehindSource; checked while events arrive, since the figure keeps the last event's value). The connector does not keep up: look at QueueRemainingCapacity (0 = the task is the bottleneck), the producer latency and the broker on the connect worker dashboard; raise max.batch.size, or check for a long transaction just committed.`,
      ),
      rule(
        'CdcSnapshotAborted',
        'page',
        '1m',
        `max by (job, name) (${CDC.snapshotAborted.name}{plugin="postgres"}) == 1`,
        'The snapshot of CDC connector {{ $labels.name }} was aborted',
        'The initial snapshot of the CDC connector with topic.prefix {{ $labels.name }} stopped before reading every table (the task failed or was stopped during it); its topics hold part of the tables. Read the task trace (GET /connectors/<name>/status), fix the cause and restart the task: the snapshot starts again from the beginning.',
      ),
    ],
  }
}

/** A whole number of seconds as the shortest Prometheus duration that says it (`90s`, `5m`, `6h`, `3d`). */
function promDuration(seconds: number): string {
  const s = Math.round(seconds)
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s > 0 && s % size === 0) return `${s / size}${unit}`
  }
  return `${s}s`
}

/** Seconds of a duration option, > 0; bad input is refused naming the option. */
function optionSeconds(field: string, duration: string): number {
  let s: number
  try {
    s = durationSeconds(duration)
  } catch {
    throw new Error(`${field}: "${duration}" is not a Prometheus duration such as 30s, 5m or 1h`)
  }
  if (s <= 0) throw new Error(`${field}: ${duration} must be longer than 0s`)
  return s
}

/** `5m` → `5 minutes`, for the descriptions. */
function spoken(duration: string): string {
  const s = durationSeconds(duration)
  const [n, unit] = s % 3600 === 0 ? [s / 3600, 'hour'] : s % 60 === 0 ? [s / 60, 'minute'] : [s, 'second']
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

/** Alerts on the consumer end, from `flowscope lag-exporter`'s metrics (Burrow's statuses, lag in seconds). */
function consumerGroup(o: Required<AlertRuleOptions>): AlertGroup {
  const lagS = o.consumerLagThresholdSeconds
  const forC = promDuration(optionSeconds('consumerAlertFor', o.consumerAlertFor))
  const forText = spoken(forC)
  // Like service_down: only a whole window without any answered scrape counts, then the rest of lagExporterDownFor.
  const downS = optionSeconds('lagExporterDownFor', o.lagExporterDownFor)
  const downWindow = promDuration(Math.min(durationSeconds(TARGET_DOWN_WINDOW), downS))
  const downFor = promDuration(downS - durationSeconds(downWindow))
  const KE = 'job, instance, consumergroup'
  return {
    name: 'flowscope-consumers',
    rules: [
      rule(
        'ConsumerGroupLagHigh',
        'page',
        forC,
        `max by (cluster_name, group) (${L.groupMaxLagSeconds.name}) > ${lagS}`,
        'Consumer group {{ $labels.group }} is {{ $value | humanizeDuration }} behind',
        `The oldest record consumer group {{ $labels.group }} (cluster {{ $labels.cluster_name }}) has not consumed yet is older than ${lagS} s, for ${forText}. Check the consumers are running and keeping up (consumer lag dashboard: drain ETA, consume rate); scale the consumers or fix what slows them.`,
      ),
      rule(
        'ConsumerGroupStatusNotOk',
        'warning',
        forC,
        `max by (cluster_name, group, status) (${L.groupStatus.name}) > 1`,
        'Consumer group {{ $labels.group }} is {{ $labels.status }}',
        `Burrow's evaluation of consumer group {{ $labels.group }} (cluster {{ $labels.cluster_name }}) has been {{ $labels.status }} for ${forText}: its lag grows, or a partition stopped or stalled. See GET /v3/kafka/{{ $labels.cluster_name }}/consumer/{{ $labels.group }}/status on the lag exporter for the partitions at fault.`,
      ),
      rule(
        'ConsumerPartitionStalled',
        'page',
        forC,
        `max by (cluster_name, group, topic, partition, status) (${L.partitionStatus.name}{status=~"STOP|STALL"}) > 0`,
        'Consumer group {{ $labels.group }} stopped on {{ $labels.topic }}/{{ $labels.partition }}',
        `Consumer group {{ $labels.group }} has had lag on {{ $labels.topic }} partition {{ $labels.partition }} and committed nothing new for ${forText} ({{ $labels.status }}: STOP = no commits at all, STALL = commits that do not advance). Find the consumer that owns the partition (members in the lag exporter), check its logs, restart it.`,
      ),
      // A consumer that is down leaves its group: no member while records wait is the consumer-down signal that
      // works for any consumer, whether or not it exports metrics of its own.
      rule(
        'ConsumerGroupNoMembers',
        'warning',
        forC,
        `max by (${KE}) (${L.keMembers.name}) == 0 and on (${KE}) sum by (${KE}) (${L.keLagSum.name}) > 0`,
        'No consumer is running in group {{ $labels.consumergroup }}',
        `Consumer group {{ $labels.consumergroup }} has had records to read and no member for ${forText}: every consumer of the group is down or has left it, and its lag only grows. Start the consumer application (for the sample consumer: flowscope consume); if the group was retired on purpose, delete it (kafka-consumer-groups --delete --group {{ $labels.consumergroup }}) or leave it out of the lag exporter with --group-allow.`,
      ),
      rule(
        'LagExporterDown',
        'page',
        downFor,
        `max_over_time(up{job="${LAG_EXPORTER_JOB}"}[${downWindow}]) == 0`,
        'The lag exporter {{ $labels.instance }} is down',
        `Prometheus has not scraped flowscope lag-exporter at {{ $labels.instance }} for ${o.lagExporterDownFor}: consumer lag, Burrow status and freshness of consumer groups are not measured, and the consumer alerts cannot fire. Check the process runs (npm start starts it; alone: flowscope lag-exporter --bootstrap-servers …) and that GET /metrics on its port answers.`,
      ),
      rule(
        'LagExporterCannotReachKafka',
        'page',
        o.lagExporterDownFor,
        `${L.up.name} == 0`,
        'The lag exporter cannot read {{ $labels.cluster_name }}',
        `flowscope lag-exporter on {{ $labels.instance }} has failed to poll cluster {{ $labels.cluster_name }} for ${spoken(o.lagExporterDownFor)}; its lag values are stale. Check the brokers are up and reachable from the exporter (its log names the error), and the bootstrap servers it was given.`,
      ),
      ...freshnessBurnRules(o),
    ],
  }
}

/**
 * Google SRE's multiwindow, multi-burn-rate alerts (The Site Reliability Workbook, "Alerting on SLOs") on the
 * consumers' freshness histogram: the error ratio is the share of records processed later than the threshold after
 * their Postgres change. Page when a long and a short window both burn the budget 14.4× (2% of a 30-day budget in
 * 1h) or 6× (5% in 6h); warn at 3× over 1d/2h or 1× over 3d/6h.
 */
function freshnessBurnRules(o: Required<AlertRuleOptions>): AlertRule[] {
  const target = o.consumerFreshnessSloTarget
  const fastest = 14.4
  if (!(target > 1 - 1 / fastest && target < 1)) {
    throw new Error(
      `consumerFreshnessSloTarget: ${target} must be above ${(1 - 1 / fastest).toFixed(4)} and below 1 (e.g. 0.99): with a larger error budget a ${fastest}× burn cannot be told apart from total failure`,
    )
  }
  const threshold = o.consumerFreshnessSloSeconds
  if (!(FRESHNESS_BUCKETS as readonly number[]).includes(threshold)) {
    throw new Error(
      `consumerFreshnessSloSeconds: ${threshold} is not a bucket bound of the freshness histograms; choose one of ${FRESHNESS_BUCKETS.join(', ')}`,
    )
  }
  const scale = optionSeconds('consumerFreshnessSloPeriod', o.consumerFreshnessSloPeriod) / durationSeconds('30d')
  const w = (duration: string) => promDuration(Math.max(1, durationSeconds(duration) * scale))
  const budget = 1 - target
  const by = 'group, topic'
  // prom-client writes le="300"; Prometheus 3 normalises it to le="300.0" on scrape.
  const le = `le=~"${threshold}([.]0)?"`
  const errorRatio = (window: string) =>
    `(1 - sum by (${by}) (rate(${C.freshness.name}_bucket{${le}}[${window}])) / sum by (${by}) (rate(${C.freshness.name}_count[${window}])))`
  const burning = (long: string, short: string, rate: number) => {
    const bound = Number((rate * budget).toPrecision(6))
    return `${errorRatio(w(long))} > ${bound} and ${errorRatio(w(short))} > ${bound}`
  }
  const slo = `${Number((target * 100).toPrecision(6))}% of records processed within ${threshold} s of their Postgres change`
  const period = o.consumerFreshnessSloPeriod
  const what = `Look at the consumer lag dashboard: if lag seconds and record age (Kafka → consumer) are high, the consumer is slow (scale it, or fix what slows it); if source → Kafka p99 on the pipeline overview is high, the connector is late (pending rows, poll errors, broker latency).`
  return [
    rule(
      'ConsumerFreshnessBudgetBurnFast',
      'page',
      w('2m'),
      `(${burning('1h', '5m', 14.4)}) or (${burning('6h', '30m', 6)})`,
      'Group {{ $labels.group }} on {{ $labels.topic }} burns its freshness budget fast',
      `{{ $value | humanizePercentage }} of the records consumer group {{ $labels.group }} read from {{ $labels.topic }} over the last ${w('1h')} (or ${w('6h')}) were processed more than ${threshold} s after their Postgres change (in bulk mode: after the poll). At this rate the error budget of the SLO (${slo}, over ${period}) is spent within days. ${what}`,
    ),
    rule(
      'ConsumerFreshnessBudgetBurnSlow',
      'warning',
      w('15m'),
      `(${burning('1d', '2h', 3)}) or (${burning('3d', '6h', 1)})`,
      'Group {{ $labels.group }} on {{ $labels.topic }} burns its freshness budget',
      `{{ $value | humanizePercentage }} of the records consumer group {{ $labels.group }} read from {{ $labels.topic }} over the last ${w('1d')} (or ${w('3d')}) were processed more than ${threshold} s after their Postgres change (in bulk mode: after the poll): the error budget of the SLO (${slo}, over ${period}) will be spent before the period ends. ${what}`,
    ),
  ]
}

/** The rule file (YAML) Prometheus loads. */
export function renderAlertRules(options: AlertRuleOptions = {}): string {
  const header = '# Generated by src/monitoring/export.ts (npm run monitoring:export); do not edit by hand.\n'
  return header + stringify({ groups: alertGroups(options) }, { lineWidth: 0, aliasDuplicateObjects: false })
}
