// The Kafka cluster dashboard: the seed's kafka-cluster dashboard for a KRaft broker scraped through
// monitoring/jmx/kafka-broker.yml; the ZooKeeper panels give way to the KRaft metadata quorum.

import { activeControllersStat, partitionHealthStats } from './broker-health.ts'
import type { DashboardSpec, PanelSpec } from './panels.ts'
import { q } from './panels.ts'

const B = 'job="kafka-broker",instance=~"$instance"'

function requestStat(title: string, request?: string): PanelSpec {
  const filter = request === undefined ? B : `${B},request="${request}"`
  return {
    kind: 'stat',
    title,
    queries: [q(`sum(rate(kafka_network_requestmetrics_requestspersec{${filter}}[$__rate_interval]))`)],
    unit: 'reqps',
  }
}

const latencyParts = [
  ['requestqueuetimems', 'request queue'],
  ['localtimems', 'local'],
  ['remotetimems', 'remote'],
  ['responsequeuetimems', 'response queue'],
  ['responsesendtimems', 'response send'],
] as const

function requestLatency(title: string, request: string): PanelSpec {
  return {
    kind: 'timeseries',
    title,
    description:
      'Where a request spends its time at the chosen percentile. Remote time is waiting for followers (acks=all) or for fetch.min.bytes.',
    queries: latencyParts.map(([metric, legend]) =>
      q(
        `kafka_network_requestmetrics_${metric}{${B},request="${request}",quantile=~"$percentile"}`,
        `${legend} {{instance}} {{quantile}}`,
      ),
    ),
    unit: 'ms',
    min: 0,
  }
}

export const kafkaCluster: DashboardSpec = {
  uid: 'flowscope-kafka-cluster',
  title: 'flowscope / Kafka cluster',
  description:
    "Broker health for a KRaft Kafka cluster (the seed's kafka-cluster dashboard without ZooKeeper): controllers, partitions, throughput, request latency, connections, groups and the metadata quorum.",
  tags: ['flowscope', 'kafka'],
  variables: [
    {
      name: 'instance',
      label: 'Broker',
      query: 'label_values(kafka_server_kafkaserver_brokerstate{job="kafka-broker"}, instance)',
      multi: true,
    },
    {
      name: 'percentile',
      label: 'Percentile',
      query: 'label_values(kafka_network_requestmetrics_totaltimems{job="kafka-broker"}, quantile)',
    },
  ],
  rows: [
    {
      title: 'Overview',
      panels: [
        activeControllersStat(B),
        {
          kind: 'stat',
          title: 'Brokers online',
          queries: [q(`count(kafka_server_replicamanager_leadercount{${B}})`)],
        },
        {
          kind: 'stat',
          title: 'Registered brokers (active / fenced)',
          queries: [
            q(`max(kafka_controller_kafkacontroller_activebrokercount{${B}})`, 'active'),
            q(`max(kafka_controller_kafkacontroller_fencedbrokercount{${B}})`, 'fenced'),
          ],
        },
        {
          kind: 'stat',
          title: 'Online partitions',
          queries: [q(`sum(kafka_server_replicamanager_partitioncount{${B}})`)],
        },
        {
          kind: 'stat',
          title: 'Preferred replica imbalance',
          queries: [q(`sum(kafka_controller_kafkacontroller_preferredreplicaimbalancecount{${B}})`)],
          thresholds: [[1, 'yellow']],
        },
        {
          kind: 'stat',
          title: 'Unclean leader elections (1h)',
          queries: [q(`sum(increase(kafka_controller_controllerstats_uncleanleaderelectionspersec{${B}}[1h]))`)],
          thresholds: [[1, 'red']],
        },
        ...partitionHealthStats(B),
        requestStat('All requests per sec'),
        requestStat('Produce requests per sec', 'Produce'),
        requestStat('Fetch requests per sec', 'Fetch'),
      ],
    },
    {
      title: 'Throughput',
      panels: [
        {
          kind: 'timeseries',
          title: 'Messages in',
          queries: [
            q(
              `sum by (instance) (rate(kafka_server_brokertopicmetrics_messagesinpersec{${B},topic!=""}[$__rate_interval]))`,
              '{{instance}}',
            ),
          ],
          unit: 'rps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Bytes in',
          queries: [
            q(
              `sum by (instance) (rate(kafka_server_brokertopicmetrics_bytesinpersec{${B},topic!=""}[$__rate_interval]))`,
              '{{instance}}',
            ),
          ],
          unit: 'Bps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Bytes out',
          queries: [
            q(
              `sum by (instance) (rate(kafka_server_brokertopicmetrics_bytesoutpersec{${B},topic!=""}[$__rate_interval]))`,
              '{{instance}}',
            ),
          ],
          unit: 'Bps',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Requests per second by type',
          queries: [
            q(
              `sum by (request) (rate(kafka_network_requestmetrics_requestspersec{${B}}[$__rate_interval])) > 0`,
              '{{request}}',
            ),
          ],
          unit: 'reqps',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Log size per topic',
          queries: [q(`sum by (topic) (kafka_log_log_size{${B}})`, '{{topic}}')],
          unit: 'bytes',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Broker process (JVM)',
      panels: [
        {
          kind: 'timeseries',
          title: 'CPU usage',
          queries: [q(`rate(process_cpu_seconds_total{${B}}[$__rate_interval])`, '{{instance}}')],
          unit: 'percentunit',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'JVM heap used / max',
          queries: [
            q(`jvm_memory_used_bytes{${B},area="heap"}`, 'used {{instance}}'),
            q(`jvm_memory_max_bytes{${B},area="heap"}`, 'max {{instance}}'),
          ],
          unit: 'bytes',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Time spent in GC',
          queries: [
            q(`sum by (instance) (rate(jvm_gc_collection_seconds_sum{${B}}[$__rate_interval]))`, '{{instance}}'),
          ],
          unit: 'percentunit',
          min: 0,
        },
      ],
    },
    {
      title: 'Thread utilization',
      panels: [
        {
          kind: 'timeseries',
          title: 'Network processor usage',
          queries: [q(`1 - kafka_network_socketserver_networkprocessoravgidlepercent{${B}}`, '{{instance}}')],
          unit: 'percentunit',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Request handler idle ratio',
          description:
            'Average idle fraction of the request handler threads. On a combined broker+controller node both pools add to the same meter, so the value ranges up to 2.',
          queries: [q(`kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total{${B}}`, '{{instance}}')],
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'KRaft metadata quorum',
      panels: [
        {
          kind: 'stat',
          title: 'Quorum leader (node id)',
          queries: [q(`max(kafka_server_raftmetrics_current_leader{${B}})`)],
        },
        {
          kind: 'stat',
          title: 'Voters / observers',
          queries: [
            q(`max(kafka_server_raftmetrics_number_of_voters{${B}})`, 'voters'),
            q(`max(kafka_server_raftmetrics_number_of_observers{${B}})`, 'observers'),
          ],
        },
        {
          kind: 'stat',
          title: 'Unknown voter connections',
          queries: [q(`max(kafka_server_raftmetrics_number_unknown_voter_connections{${B}})`)],
          thresholds: [[1, 'red']],
        },
        {
          kind: 'stat',
          title: 'Metadata errors',
          queries: [
            q(
              `sum(kafka_controller_kafkacontroller_metadataerrorcount{${B}}) + sum(kafka_server_brokermetadatametrics_metadata_apply_error_count{${B}})`,
            ),
          ],
          thresholds: [[1, 'red']],
        },
        {
          kind: 'timeseries',
          title: 'Metadata log: high watermark and end offset',
          queries: [
            q(`kafka_server_raftmetrics_high_watermark{${B}}`, 'high watermark {{instance}}'),
            q(`kafka_server_raftmetrics_log_end_offset{${B}}`, 'log end {{instance}}'),
          ],
        },
        {
          kind: 'timeseries',
          title: 'Metadata apply lag',
          description: 'How old the last metadata record applied by the controller and by the broker is.',
          queries: [
            q(`kafka_controller_kafkacontroller_lastappliedrecordlagms{${B}}`, 'controller {{instance}}'),
            q(`kafka_server_brokermetadatametrics_last_applied_record_lag_ms{${B}}`, 'broker {{instance}}'),
          ],
          unit: 'ms',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Raft commit latency',
          queries: [
            q(`kafka_server_raftmetrics_commit_latency_avg{${B}}`, 'avg {{instance}}'),
            q(`kafka_server_raftmetrics_commit_latency_max{${B}}`, 'max {{instance}}'),
          ],
          unit: 'ms',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Replication',
      panels: [
        {
          kind: 'timeseries',
          title: 'ISR shrinks per sec',
          queries: [q(`rate(kafka_server_replicamanager_isrshrinkspersec{${B}}[$__rate_interval])`, '{{instance}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'ISR expands per sec',
          queries: [q(`rate(kafka_server_replicamanager_isrexpandspersec{${B}}[$__rate_interval])`, '{{instance}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Leaders and partitions per broker',
          queries: [
            q(`kafka_server_replicamanager_leadercount{${B}}`, 'leaders {{instance}}'),
            q(`kafka_server_replicamanager_partitioncount{${B}}`, 'partitions {{instance}}'),
          ],
          min: 0,
        },
      ],
    },
    {
      title: 'Request latency',
      panels: [
        requestLatency('Produce', 'Produce'),
        requestLatency('Fetch (consumer)', 'FetchConsumer'),
        requestLatency('Fetch (follower)', 'FetchFollower'),
      ],
    },
    {
      title: 'Connections',
      panels: [
        {
          kind: 'timeseries',
          title: 'Connections per listener',
          queries: [q(`sum by (listener) (kafka_server_socketservermetrics_connection_count{${B}})`, '{{listener}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Connection creation / close rate',
          queries: [
            q(
              `sum by (listener) (kafka_server_socketservermetrics_connection_creation_rate{${B}})`,
              'created {{listener}}',
            ),
            q(
              `sum by (listener) (kafka_server_socketservermetrics_connection_close_rate{${B}})`,
              'closed {{listener}}',
            ),
          ],
          unit: 'ops',
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Acceptor blocked',
          description: 'Share of time the acceptor waited for a network thread to take a new connection.',
          queries: [
            q(
              `rate(kafka_network_acceptor_acceptorblockedpercent{${B}}[$__rate_interval])`,
              '{{instance}} {{listener}}',
            ),
          ],
          min: 0,
        },
        {
          kind: 'piechart',
          title: 'Clients by software version',
          queries: [
            q(
              `sum by (client_software_name, client_software_version) (kafka_server_socketservermetrics_connections{${B}})`,
              '{{client_software_name}} {{client_software_version}}',
            ),
          ],
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Message format conversions per sec',
          queries: [
            q(
              `sum(rate(kafka_server_brokertopicmetrics_producemessageconversionspersec{${B}}[$__rate_interval]))`,
              'produce',
            ),
            q(
              `sum(rate(kafka_server_brokertopicmetrics_fetchmessageconversionspersec{${B}}[$__rate_interval]))`,
              'fetch',
            ),
          ],
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Consumer groups',
      panels: [
        {
          kind: 'timeseries',
          title: 'Groups per coordinator',
          queries: [q(`kafka_coordinator_group_groupmetadatamanager_numgroups{${B}}`, '{{instance}}')],
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Groups per state',
          queries: (
            [
              ['numgroupsstable', 'stable'],
              ['numgroupspreparingrebalance', 'preparing rebalance'],
              ['numgroupscompletingrebalance', 'completing rebalance'],
              ['numgroupsempty', 'empty'],
              ['numgroupsdead', 'dead'],
            ] as const
          ).map(([m, legend]) => q(`sum(kafka_coordinator_group_groupmetadatamanager_${m}{${B}})`, legend)),
          min: 0,
          width: 12,
        },
      ],
    },
  ],
}
