// The pipeline overview dashboard: one screen per connector — its Postgres tables, its tasks, its Kafka topic, the
// consumer groups reading that topic and the broker's health — built from the worker's flowscope_* / kafka_connect_*
// series, the lag exporter's and consumers' series, and the broker's JMX series.
import { sampleConsumerMetrics } from '../../consume/metrics.ts'
import { lagMetrics as L } from '../../lag/metrics.ts'
import { metrics as M } from '../../metrics/definitions.ts'
import { alertDefaults } from '../prometheus/alert-rules.ts'
import { activeControllersStat, partitionHealthStats } from './broker-health.ts'
import { cdcRow } from './cdc.ts'
import { burrowStatusNames, percentiles } from './consumer-lag.ts'
import type { DashboardSpec } from './panels.ts'
import { q } from './panels.ts'

const CM = sampleConsumerMetrics.metrics

const C = 'job="kafka-connect",connector="$connector"'
const T = 'job="kafka-connect",connector="$connector",table=~"$table"'
const B = 'job="kafka-broker"'

/** Zero for each partitioned topic, so a topic without traffic yet shows 0 rather than no data. */
const topicZero = `sum by (topic) (0 * kafka_log_log_size{${B},topic="$topic"})`

export const pipelineOverview: DashboardSpec = {
  uid: 'flowscope-pipeline',
  title: 'flowscope / Pipeline overview',
  description:
    'One pipeline end to end: Postgres table(s) → connector and tasks → Kafka topic → consumer groups, with freshness at each hop, pending rows, lag, errors and the broker health.',
  tags: ['flowscope', 'pipeline'],
  variables: [
    {
      name: 'connector',
      label: 'Connector',
      query: `label_values(${M.connectorStatus.name}{job="kafka-connect"}, connector)`,
    },
    {
      name: 'table',
      label: 'Table(s)',
      query: `label_values(${M.rowsRead.name}{job="kafka-connect",connector="$connector"}, table)`,
      multi: true,
    },
    {
      name: 'topic',
      label: 'Topic',
      query: 'label_values(kafka_log_log_size{job="kafka-broker"}, topic)',
      regex: '/^[^_].*/',
    },
  ],
  rows: [
    {
      title: 'Status: $connector',
      panels: [
        {
          kind: 'stat',
          title: 'Connector status',
          description: 'Connect state of the connector (RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING).',
          queries: [q(`sum by (status) (${M.connectorStatus.name}{${C}}) == 1`, '{{status}}')],
          width: 6,
          showName: true,
        },
        {
          kind: 'stat',
          title: 'Tasks running / total',
          queries: [
            q(`sum(${M.connectorRunningTaskCount.name}{${C}})`, 'running'),
            q(`sum(${M.connectorTotalTaskCount.name}{${C}})`, 'total'),
          ],
        },
        {
          kind: 'stat',
          title: 'Tasks failed',
          queries: [q(`sum(${M.connectorFailedTaskCount.name}{${C}})`)],
          thresholds: [[1, 'red']],
        },
        {
          kind: 'stat',
          title: 'Rows pending',
          description: 'Rows changed in the source tables that are not yet in Kafka.',
          queries: [q(`sum(${M.pendingRows.name}{${T}})`)],
          thresholds: [[1, 'yellow']],
        },
        {
          kind: 'stat',
          title: 'Worst freshness',
          description: 'How far Kafka is behind the slowest selected table.',
          queries: [q(`max(${M.freshness.name}{${T}})`)],
          unit: 's',
          thresholds: [
            [60, 'yellow'],
            [300, 'red'],
          ],
          width: 6,
        },
        {
          kind: 'table',
          title: 'Task status',
          queries: [{ expr: `${M.taskStatus.name}{${C}} == 1`, table: true }],
          width: 24,
          height: 5,
        },
      ],
    },
    {
      title: 'Source: Postgres table(s)',
      panels: [
        {
          kind: 'timeseries',
          title: 'Rows read per second',
          queries: [q(`sum by (table) (rate(${M.rowsRead.name}{${T}}[$__rate_interval]))`, '{{table}}')],
          unit: 'rowsps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Pending rows',
          description: 'Changed rows not yet written to Kafka, per table.',
          queries: [q(`sum by (table) (${M.pendingRows.name}{${T}})`, '{{table}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Freshness (DB change → Kafka)',
          queries: [q(`max by (table) (${M.freshness.name}{${T}})`, '{{table}}')],
          unit: 's',
          min: 0,
          thresholds: [[300, 'red']],
        },
        {
          kind: 'timeseries',
          title: 'Time since last poll',
          queries: [q(`time() - max by (table) (${M.lastPoll.name}{${T}})`, '{{table}}')],
          unit: 's',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Age of the newest change seen',
          description: 'Time since the newest change the source has seen in each table was committed.',
          queries: [q(`time() - max by (table) (${M.newestChange.name}{${T}})`, '{{table}}')],
          unit: 's',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Poll errors (per 5 min)',
          queries: [q(`sum by (table) (increase(${M.pollErrors.name}{${T}}[5m]))`, '{{table}}')],
          min: 0,
          thresholds: [[1, 'red']],
        },
      ],
    },
    // Empty for a polling (JDBC) connector: its hop is the source row above.
    cdcRow('CDC: WAL → replication slot → $connector', 'connector="$connector"'),
    {
      title: 'Connector → Kafka',
      panels: [
        {
          kind: 'timeseries',
          title: 'Records polled vs written per second',
          queries: [
            q(`sum(rate(${M.sourceRecordPollTotal.name}{${C}}[$__rate_interval]))`, 'polled'),
            q(`sum(rate(${M.sourceRecordWriteTotal.name}{${C}}[$__rate_interval]))`, 'written (acked)'),
          ],
          unit: 'rps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Write rate per task',
          queries: [q(`${M.sourceRecordWriteRate.name}{${C}}`, 'task {{task}}')],
          unit: 'rps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Records in flight (avg)',
          description: 'Records polled but not yet acknowledged by Kafka.',
          queries: [q(`${M.sourceRecordActiveCountAvg.name}{${C}}`, 'task {{task}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Offset commits',
          queries: [
            q(`${M.taskCommitSuccessPercentage.name}{${C}}`, 'success ratio, task {{task}}'),
            q(
              `sum by (task) (increase(${M.offsetCommitFailures.name}{${C}}[5m]))`,
              'failures per 5 min, task {{task}}',
            ),
          ],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Record errors and failures',
          queries: [
            q(`sum(${M.totalRecordErrors.name}{${C}})`, 'errors'),
            q(`sum(${M.totalRecordFailures.name}{${C}})`, 'failures'),
          ],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Poll batch time',
          queries: [
            q(`${M.pollBatchAvgTime.name}{${C}}`, 'avg, task {{task}}'),
            q(`${M.pollBatchMaxTime.name}{${C}}`, 'max, task {{task}}'),
          ],
          unit: 'ms',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Source → Kafka (p50, p99)',
          description:
            'Time from the Postgres change (bulk mode: the poll) to the Kafka acknowledgement of the record, per table.',
          queries: percentiles(M.sourceToKafka.name, T, 'table', '{{table}}'),
          unit: 's',
          min: 0,
        },
      ],
    },
    {
      title: 'Topic: $topic',
      panels: [
        {
          kind: 'timeseries',
          title: 'Messages in per second',
          queries: [
            q(
              `sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesinpersec{${B},topic="$topic"}[$__rate_interval])) or ${topicZero}`,
              '{{topic}}',
            ),
          ],
          unit: 'rps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Bytes in / out per second',
          queries: [
            q(
              `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesinpersec{${B},topic="$topic"}[$__rate_interval])) or ${topicZero}`,
              'in',
            ),
            q(
              `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesoutpersec{${B},topic="$topic"}[$__rate_interval])) or ${topicZero}`,
              'out',
            ),
          ],
          unit: 'Bps',
          min: 0,
        },
        {
          kind: 'stat',
          title: 'End offset (sum of partitions)',
          queries: [q(`sum(kafka_log_log_logendoffset{${B},topic="$topic"})`)],
        },
        {
          kind: 'stat',
          title: 'Log size',
          queries: [q(`sum(kafka_log_log_size{${B},topic="$topic"})`)],
          unit: 'bytes',
        },
      ],
    },
    {
      title: 'Consumers of $topic',
      panels: [
        {
          kind: 'timeseries',
          title: 'Lag in seconds per group',
          description: 'Age of the oldest record of $topic each group has not consumed yet (lag exporter).',
          queries: [q(`max by (group) (${L.groupLagSeconds.name}{topic="$topic"})`, '{{group}}')],
          unit: 's',
          min: 0,
          thresholds: [[alertDefaults.consumerLagThresholdSeconds, 'red']],
        },
        {
          kind: 'timeseries',
          title: 'Lag in records per group',
          queries: [q(`sum by (group) (${L.groupTopicSumLag.name}{topic="$topic"})`, '{{group}}')],
          min: 0,
        },
        {
          kind: 'state-timeline',
          title: 'Status per group (Burrow)',
          description: "The worst Burrow status of each group's partitions of $topic.",
          queries: [q(`max by (group) (${L.partitionStatus.name}{topic="$topic"})`, '{{group}}')],
          valueNames: burrowStatusNames,
        },
        {
          kind: 'timeseries',
          title: 'End-to-end freshness (p50, p99): Postgres → consumer',
          description:
            'Time from the Postgres change (bulk mode: the poll) to the record processed by the consumer (consumers’ histograms); the consumer lag dashboard splits it per hop.',
          queries: percentiles(CM.freshness.name, 'topic="$topic"', 'group', '{{group}}'),
          unit: 's',
          min: 0,
          thresholds: [[alertDefaults.consumerFreshnessSloSeconds, 'red']],
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Position behind Postgres per group',
          description:
            "How stale each group's committed position in $topic is against Postgres (lag exporter, from the change time in the record headers).",
          queries: [q(`max by (group) (${L.freshness.name}{topic="$topic"})`, '{{group}}')],
          unit: 's',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Kafka broker health',
      panels: [
        {
          kind: 'stat',
          title: 'Targets up',
          description: 'Scrape targets of the worker and broker jobs that answer.',
          queries: [q('sum by (job) (up{job=~"kafka-connect|kafka-broker"})', '{{job}}')],
        },
        activeControllersStat(B),
        {
          kind: 'stat',
          title: 'Active brokers',
          queries: [q(`max(kafka_controller_kafkacontroller_activebrokercount{${B}})`)],
        },
        ...partitionHealthStats(B),
      ],
    },
  ],
}
