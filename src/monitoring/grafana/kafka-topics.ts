// The topics dashboard: the seed's kafka-topics dashboard on the broker's JMX series, per topic: traffic, requests,
// sizes, offsets and partition health. Topics without traffic yet show 0 instead of no data.
import type { DashboardSpec, PanelSpec } from './panels.ts'
import { q } from './panels.ts'

const B = 'job="kafka-broker",topic=~"$topic"'
/** 0 per partitioned topic: `or`-ed under per-topic meters that Kafka creates on the first produce/fetch only. */
const zero = `sum by (topic) (0 * kafka_log_log_size{${B}})`

function perTopicRate(title: string, metric: string, unit: string): PanelSpec {
  return {
    kind: 'timeseries',
    title,
    queries: [q(`sum by (topic) (rate(${metric}{${B}}[$__rate_interval])) or ${zero}`, '{{topic}}')],
    unit,
    min: 0,
  }
}

export const kafkaTopics: DashboardSpec = {
  uid: 'flowscope-kafka-topics',
  title: 'flowscope / Kafka topics',
  description: "Per-topic traffic, size, offsets and partition health (the seed's kafka-topics dashboard).",
  tags: ['flowscope', 'kafka'],
  variables: [
    {
      name: 'topic',
      label: 'Topic',
      query: 'label_values(kafka_log_log_size{job="kafka-broker"}, topic)',
      multi: true,
    },
  ],
  rows: [
    {
      title: 'Overview',
      panels: [
        {
          kind: 'stat',
          title: 'Topics',
          queries: [q('max(kafka_controller_kafkacontroller_globaltopiccount{job="kafka-broker"})')],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Partitions',
          queries: [q('max(kafka_controller_kafkacontroller_globalpartitioncount{job="kafka-broker"})')],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Under-replicated partitions (selected topics)',
          queries: [q(`sum(kafka_cluster_partition_underreplicated{${B}})`)],
          thresholds: [[1, 'red']],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Under min ISR partitions (selected topics)',
          queries: [q(`sum(kafka_cluster_partition_underminisr{${B}})`)],
          thresholds: [[1, 'red']],
          width: 6,
        },
      ],
    },
    {
      title: 'Traffic',
      panels: [
        perTopicRate('Messages in', 'kafka_server_brokertopicmetrics_messagesinpersec', 'rps'),
        perTopicRate('Bytes in', 'kafka_server_brokertopicmetrics_bytesinpersec', 'Bps'),
        perTopicRate('Bytes out', 'kafka_server_brokertopicmetrics_bytesoutpersec', 'Bps'),
        perTopicRate('Produce requests per sec', 'kafka_server_brokertopicmetrics_totalproducerequestspersec', 'reqps'),
        perTopicRate('Fetch requests per sec', 'kafka_server_brokertopicmetrics_totalfetchrequestspersec', 'reqps'),
        {
          kind: 'timeseries',
          title: 'Log size',
          queries: [q(`sum by (topic) (kafka_log_log_size{${B}})`, '{{topic}}')],
          unit: 'bytes',
          min: 0,
        },
      ],
    },
    {
      title: 'Partitions and offsets',
      panels: [
        {
          kind: 'table',
          title: 'Start offset',
          queries: [{ expr: `kafka_log_log_logstartoffset{${B}}`, table: true }],
          width: 8,
        },
        {
          kind: 'table',
          title: 'End offset',
          queries: [{ expr: `kafka_log_log_logendoffset{${B}}`, table: true }],
          width: 8,
        },
        {
          kind: 'timeseries',
          title: 'Messages retained (end − start offset)',
          queries: [
            q(`sum by (topic) (kafka_log_log_logendoffset{${B}} - kafka_log_log_logstartoffset{${B}})`, '{{topic}}'),
          ],
          min: 0,
          width: 8,
        },
        {
          kind: 'timeseries',
          title: 'Partitions and in-sync replicas',
          queries: [
            q(`count by (topic) (kafka_log_log_size{${B}})`, 'partitions {{topic}}'),
            q(`sum by (topic) (kafka_cluster_partition_insyncreplicascount{${B}})`, 'in-sync replicas {{topic}}'),
          ],
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Log segments',
          queries: [q(`sum by (topic) (kafka_log_log_numlogsegments{${B}})`, '{{topic}}')],
          min: 0,
          width: 12,
        },
      ],
    },
  ],
}
