// `flowscope up`: the whole local pipeline on this machine, no Docker — Postgres (embedded, or yours), Kafka
// (local KRaft broker, or yours), the worker with the seed's connector, and Prometheus when installed.
// Parts start in flow order and stop in reverse; a part given by URL is used as is and never touched.
import { join } from 'node:path'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import type { RunningWorker, WorkerSettings } from '../runtime/worker-process.ts'
import { startWorker } from '../runtime/worker-process.ts'
import { type LocalKafka, startLocalKafka } from './kafka.ts'
import { ensureKafkaJars } from './kafka-jars.ts'
import { assertPortFree } from './ports.ts'
import { type LocalPostgres, startLocalPostgres } from './postgres.ts'
import type { Progress } from './progress.ts'
import { type LocalPrometheus, startLocalPrometheus } from './prometheus.ts'
import { postgresTarget, SEED_CONNECTOR_NAME, SEED_TOPIC, seedConnectorConfig } from './seed-connector.ts'

export interface StackPorts {
  postgres: number
  kafka: number
  kafkaController: number
  brokerMetrics: number
  rest: number
  prometheus: number
  nodeExporter: number
}

export const defaultPorts: StackPorts = {
  postgres: 5433,
  kafka: 9092,
  kafkaController: 9093,
  brokerMetrics: 9404,
  rest: 8083,
  prometheus: 9090,
  nodeExporter: 9100,
}

export interface StackOptions {
  stateDir: string
  ports: StackPorts
  /** Use this Postgres instead of the embedded one. */
  postgresUrl?: string
  /** Use this Kafka cluster instead of the local broker. */
  bootstrapServers?: string
  /** Start Prometheus when it is on PATH (default true). */
  prometheus?: boolean
  /** Register the seed's connector (default true). */
  seedConnector?: boolean
  /** Worker settings derived from worker properties (bootstrap servers and REST port are filled in here). */
  worker: (bootstrap: string[], restPort: number) => WorkerSettings
  plugins: SourceConnectorPlugin[]
  progress: Progress
}

export interface RunningStack {
  postgresUrl: string
  bootstrapServers: string
  brokerMetricsAddress: string | null
  worker: RunningWorker
  prometheusUrl: string | null
  topic: string
  stop(): Promise<void>
}

export async function startStack(o: StackOptions): Promise<RunningStack> {
  let postgres: LocalPostgres | undefined
  let kafka: LocalKafka | undefined
  let worker: RunningWorker | undefined
  let prometheus: LocalPrometheus | null = null
  const stop = async () => {
    await prometheus?.stop().catch(() => {})
    await worker?.stop().catch((e) => console.error('worker stop failed:', e))
    await kafka?.stop().catch((e) => console.error('Kafka stop failed:', e))
    await postgres?.stop().catch((e) => console.error('Postgres stop failed:', e))
  }
  try {
    // Check every local port first, so a clash is reported before anything starts.
    if (!o.postgresUrl) await assertPortFree(o.ports.postgres, 'PostgreSQL', '--postgres-port')
    await assertPortFree(o.ports.rest, 'the worker REST API', '--rest-port')
    if (!o.postgresUrl) {
      postgres = await startLocalPostgres({
        dataDir: join(o.stateDir, 'postgres'),
        port: o.ports.postgres,
        progress: o.progress,
      })
    }
    const postgresUrl = o.postgresUrl ?? postgres!.url
    if (!o.bootstrapServers) {
      const jars = await ensureKafkaJars(o.progress)
      kafka = await startLocalKafka({
        dataDir: join(o.stateDir, 'kafka'),
        jars,
        port: o.ports.kafka,
        controllerPort: o.ports.kafkaController,
        metricsPort: o.ports.brokerMetrics,
        progress: o.progress,
      })
    }
    const bootstrapServers = o.bootstrapServers ?? kafka!.bootstrapServers
    const settings = o.worker(bootstrapServers.split(','), o.ports.rest)
    const done = o.progress.step(`Starting the worker (REST on http://localhost:${o.ports.rest})`)
    worker = await startWorker({ ...settings, plugins: o.plugins })
    done()
    if (o.seedConnector !== false) {
      const config = { name: SEED_CONNECTOR_NAME, ...seedConnectorConfig(postgresTarget(postgresUrl)) }
      const existing = worker.herder.connectors().includes(SEED_CONNECTOR_NAME)
      const same =
        existing && JSON.stringify(worker.herder.connectorConfig(SEED_CONNECTOR_NAME)) === JSON.stringify(config)
      if (!same) await worker.herder.putConnectorConfig(SEED_CONNECTOR_NAME, config, { allowReplace: true })
      o.progress.info(`connector ${SEED_CONNECTOR_NAME} ${existing ? (same ? 'resumed' : 'updated') : 'registered'}`)
    }
    if (o.prometheus !== false) {
      prometheus = await startLocalPrometheus({
        dataDir: join(o.stateDir, 'prometheus'),
        port: o.ports.prometheus,
        workerAddress: `localhost:${o.ports.rest}`,
        brokerExporterAddress: kafka?.metricsAddress ?? null,
        nodeExporterPort: o.ports.nodeExporter,
        connectClusterId: settings.groupId,
        progress: o.progress,
      })
    }
    return {
      postgresUrl,
      bootstrapServers,
      brokerMetricsAddress: kafka?.metricsAddress ?? null,
      worker,
      prometheusUrl: prometheus?.url ?? null,
      topic: SEED_TOPIC,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
