// Every dashboard flowscope ships, with the file name it is exported under in monitoring/grafana/dashboards/.
import { connectWorker } from './connect-worker.ts'
import { consumerLag } from './consumer-lag.ts'
import { host } from './host.ts'
import { kafkaCluster } from './kafka-cluster.ts'
import { kafkaTopics } from './kafka-topics.ts'
import type { DashboardSpec } from './panels.ts'
import { pipelineOverview } from './pipeline-overview.ts'

export const dashboards: readonly { readonly file: string; readonly spec: DashboardSpec }[] = [
  { file: 'pipeline-overview.json', spec: pipelineOverview },
  { file: 'consumer-lag.json', spec: consumerLag },
  { file: 'connect-worker.json', spec: connectWorker },
  { file: 'kafka-cluster.json', spec: kafkaCluster },
  { file: 'kafka-topics.json', spec: kafkaTopics },
  { file: 'host.json', spec: host },
]
