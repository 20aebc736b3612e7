// The consumer lag dashboard: every consumer group of a cluster, as `flowscope lag-exporter` sees it (lag in offsets
// and seconds, drain ETA, Burrow's status, how the seconds were found), and how fresh the records are when a
// consumer processes them (the sample consumer's histograms, Postgres → consumer and Kafka → consumer).
import { sampleConsumerMetrics } from '../../consume/metrics.ts'
import { STATUS_CODES, type Status } from '../../lag/burrow-status.ts'
import { lagMetrics as L } from '../../lag/metrics.ts'
import { alertDefaults } from '../prometheus/alert-rules.ts'
import type { DashboardSpec, PanelSpec, QuerySpec } from './panels.ts'
import { q } from './panels.ts'

const C = sampleConsumerMetrics.metrics

const STATUS_COLORS: Readonly<Record<Status, string>> = {
  NOTFOUND: 'text',
  OK: 'green',
  WARN: 'yellow',
  ERR: 'red',
  STOP: 'red',
  STALL: 'orange',
  REWIND: 'purple',
}

/** Burrow's status codes (the value of the status gauges) shown by name, in Burrow's colors of urgency. */
export const burrowStatusNames: Readonly<Record<number, readonly [string, string]>> = Object.fromEntries(
  (Object.entries(STATUS_CODES) as [Status, number][]).map(([status, code]) => [code, [status, STATUS_COLORS[status]]]),
)

/** p50 and p99 of a freshness histogram, summed over `by` (plus le), filtered by `selector`. */
export function percentiles(histogram: string, selector: string, by: string, legend: string): QuerySpec[] {
  return [0.5, 0.99].map((quantile) =>
    q(
      `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${histogram}_bucket{${selector}}[$__rate_interval])))`,
      `p${quantile * 100} ${legend}`,
    ),
  )
}

const G = 'cluster_name="$cluster",group=~"$group"'
const GT = `${G},topic=~"$topic"`
const lagThreshold = alertDefaults.consumerLagThresholdSeconds
const slo = alertDefaults.consumerFreshnessSloSeconds

const lagSecondsThresholds: PanelSpec['thresholds'] = [
  [60, 'yellow'],
  [lagThreshold, 'red'],
]

export const consumerLag: DashboardSpec = {
  uid: 'flowscope-consumer-lag',
  title: 'flowscope / Consumer lag',
  description:
    'Consumer groups of a Kafka cluster as flowscope lag-exporter measures them: lag in records and in seconds (and how the seconds were found), drain ETA, Burrow status, and the freshness of what consumers process (Postgres → consumer).',
  tags: ['flowscope', 'consumer', 'lag'],
  variables: [
    { name: 'cluster', label: 'Cluster', query: `label_values(${L.groupSumLag.name}, cluster_name)` },
    {
      name: 'group',
      label: 'Consumer group(s)',
      query: `label_values(${L.groupSumLag.name}{cluster_name="$cluster"}, group)`,
      multi: true,
    },
    {
      name: 'topic',
      label: 'Topic(s)',
      query: `label_values(${L.groupTopicSumLag.name}{${G}}, topic)`,
      multi: true,
    },
  ],
  rows: [
    {
      title: 'Groups: $group',
      panels: [
        {
          kind: 'stat',
          title: 'Worst lag (seconds)',
          description: 'Age of the oldest record a selected group has not consumed yet.',
          queries: [q(`max(${L.groupMaxLagSeconds.name}{${G}})`)],
          unit: 's',
          thresholds: lagSecondsThresholds,
          width: 5,
        },
        {
          kind: 'stat',
          title: 'Total lag (records)',
          queries: [q(`sum(${L.groupSumLag.name}{${G}})`)],
          width: 5,
        },
        {
          kind: 'stat',
          title: 'Drain ETA (slowest group)',
          description:
            'Lag ÷ recent consume rate of the slowest partition. No value when a lagging partition is not consumed at all.',
          queries: [q(`max(${L.groupEta.name}{${G}})`)],
          unit: 's',
          width: 5,
        },
        {
          kind: 'stat',
          title: 'Members',
          description: 'Consumers in the selected groups. 0 with lag: nobody reads (ConsumerGroupNoMembers).',
          queries: [q(`sum(${L.keMembers.name}{consumergroup=~"$group"})`)],
          width: 5,
        },
        {
          kind: 'stat',
          title: 'Lag exporter reaches Kafka',
          description: 'When it cannot, every other value here is the last poll’s (stale).',
          queries: [q(`min(${L.up.name}{cluster_name="$cluster"})`)],
          valueNames: { 0: ['no — values stale', 'red'], 1: ['yes', 'green'] },
          width: 4,
        },
        {
          kind: 'table',
          title: 'Group status (Burrow)',
          description:
            "Burrow's evaluation of each group over its last commits: OK, WARN (lag grows), ERR (a partition stopped, stalled or rewound). GET /v3/kafka/<cluster>/consumer/<group>/status on the lag exporter names the partitions.",
          queries: [{ expr: `max by (group) (${L.groupStatus.name}{${G}})`, table: true }],
          valueNames: burrowStatusNames,
          width: 24,
          height: 6,
        },
      ],
    },
    {
      title: 'Lag in records and seconds',
      panels: [
        {
          kind: 'timeseries',
          title: 'Lag in seconds per partition',
          description:
            'How long ago the first unconsumed record was written. method="record_ts": read from that record; "interpolated": estimated from the offset→time table. 0 when caught up.',
          queries: [
            q(
              `max by (group, topic, partition, method) (${L.groupLagSeconds.name}{${GT}})`,
              '{{group}} {{topic}}/{{partition}} ({{method}})',
            ),
          ],
          unit: 's',
          min: 0,
          thresholds: lagSecondsThresholds,
        },
        {
          kind: 'timeseries',
          title: 'Max lag in seconds per group',
          queries: [q(`max by (group) (${L.groupMaxLagSeconds.name}{${G}})`, '{{group}}')],
          unit: 's',
          min: 0,
          thresholds: lagSecondsThresholds,
        },
        {
          kind: 'timeseries',
          title: 'Lag in records per topic',
          queries: [q(`sum by (group, topic) (${L.groupTopicSumLag.name}{${GT}})`, '{{group}} {{topic}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Lag in records per partition',
          queries: [
            q(`sum by (group, topic, partition) (${L.groupLag.name}{${GT}})`, '{{group}} {{topic}}/{{partition}}'),
          ],
          min: 0,
        },
        {
          kind: 'table',
          title: 'How the lag in seconds was found',
          description:
            'Per partition: exact (record timestamp), interpolated, extrapolated, caught_up, compacted, below_log_start (records deleted before they were read), past_log_end, unknown, topic_missing.',
          queries: [{ expr: `max by (group, topic, partition, quality) (${L.lagQuality.name}{${GT}})`, table: true }],
        },
        {
          kind: 'timeseries',
          title: 'Records lost before they were read',
          description: 'Records deleted by retention while the group was behind the log start.',
          queries: [q(`sum by (group, topic) (${L.lostRecords.name}{${GT}})`, '{{group}} {{topic}}')],
          min: 0,
          thresholds: [[1, 'red']],
        },
      ],
    },
    {
      title: 'Progress: consume rate and drain ETA',
      panels: [
        {
          kind: 'timeseries',
          title: 'Consumed vs produced per second',
          description:
            "Consumed: the group's committed-offset progress. Produced: the growth of the log end. A consumer that keeps up follows the produced line.",
          queries: [
            q(`sum by (group, topic) (${L.consumeRate.name}{${GT}})`, 'consumed {{group}} {{topic}}'),
            q(
              `sum by (topic) (rate(${L.partitionLatest.name}{cluster_name="$cluster",topic=~"$topic"}[$__rate_interval]))`,
              'produced {{topic}}',
            ),
          ],
          unit: 'rps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Drain ETA per group',
          description: 'Time until the slowest partition has consumed its lag at the recent rate; 0 when caught up.',
          queries: [q(`max by (group) (${L.groupEta.name}{${G}})`, '{{group}}')],
          unit: 's',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Lag exporter poll time',
          description: 'How long a poll of every group and partition takes; it must stay below the poll interval.',
          queries: [q(`max(${L.pollTime.name}{cluster_name="$cluster"})`, 'poll')],
          unit: 'ms',
          min: 0,
        },
      ],
    },
    {
      title: 'Burrow status',
      panels: [
        {
          kind: 'state-timeline',
          title: 'Group status over time',
          queries: [q(`max by (group) (${L.groupStatus.name}{${G}})`, '{{group}}')],
          valueNames: burrowStatusNames,
          width: 12,
        },
        {
          kind: 'state-timeline',
          title: 'Partition status over time',
          description: 'STOP: no commit for longer than the window of commits; STALL: commits that do not advance.',
          queries: [
            q(
              `max by (group, topic, partition) (${L.partitionStatus.name}{${GT}})`,
              '{{group}} {{topic}}/{{partition}}',
            ),
          ],
          valueNames: burrowStatusNames,
          width: 12,
        },
      ],
    },
    {
      title: 'Freshness: Postgres → consumer',
      panels: [
        {
          kind: 'timeseries',
          title: 'Freshness when processed (p50, p99)',
          description:
            'Time from the Postgres change (bulk mode: the poll) to the record processed by the consumer, from the consumers’ histograms.',
          queries: percentiles(
            C.freshness.name,
            'group=~"$group",topic=~"$topic"',
            'group, topic',
            '{{group}} {{topic}}',
          ),
          unit: 's',
          min: 0,
          thresholds: [[slo, 'red']],
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Record age when processed (p50, p99)',
          description: 'Time from the Kafka append to the record processed: the consumer’s own share of the delay.',
          queries: percentiles(
            C.recordAge.name,
            'group=~"$group",topic=~"$topic"',
            'group, topic',
            '{{group}} {{topic}}',
          ),
          unit: 's',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: `Freshness SLI: records within ${slo} s`,
          description: `Share of processed records fresher than ${slo} s after their Postgres change: the SLI of the freshness SLO (ConsumerFreshnessBudgetBurn* alerts, target ${alertDefaults.consumerFreshnessSloTarget * 100}%).`,
          queries: [
            q(
              `sum by (group, topic) (rate(${C.freshness.name}_bucket{group=~"$group",topic=~"$topic",le=~"${slo}([.]0)?"}[$__rate_interval])) / sum by (group, topic) (rate(${C.freshness.name}_count{group=~"$group",topic=~"$topic"}[$__rate_interval]))`,
              '{{group}} {{topic}}',
            ),
          ],
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: [[alertDefaults.consumerFreshnessSloTarget, 'green']],
          baseColor: 'red',
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Position behind Postgres (per partition)',
          description:
            "How stale the group's committed position is against Postgres, from the change time carried in the record headers (lag exporter).",
          queries: [
            q(
              `max by (group, topic, partition, basis) (${L.freshness.name}{${GT}})`,
              '{{group}} {{topic}}/{{partition}} ({{basis}})',
            ),
          ],
          unit: 's',
          min: 0,
          width: 6,
        },
      ],
    },
    {
      title: 'Consumer clients',
      panels: [
        {
          kind: 'timeseries',
          title: 'Records consumed per second',
          queries: [
            q(
              `sum by (client_id, topic) (rate(${C.recordsConsumed.name}{topic=~"$topic"}[$__rate_interval]))`,
              '{{client_id}} {{topic}}',
            ),
          ],
          unit: 'rps',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Records lag max',
          description: "The client's own view: the most records any of its partitions is behind.",
          queries: [q(`max by (client_id) (${C.recordsLagMax.name})`, '{{client_id}}')],
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Fetch latency (avg)',
          queries: [q(`max by (client_id) (${C.fetchLatencyAvg.name})`, '{{client_id}}')],
          unit: 'ms',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Commit rate',
          queries: [q(`sum by (client_id) (${C.commitRate.name})`, '{{client_id}}')],
          unit: 'ops',
          min: 0,
          width: 6,
        },
      ],
    },
  ],
}
