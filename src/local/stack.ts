// `flowscope up`: the whole local pipeline on this machine, no Docker — Postgres (embedded, or yours), Kafka
// (local KRaft broker, or yours), the worker with the seed's connector, the consumer end (the lag exporter and the
// sample consumer on the seed topic) and Prometheus when installed.
// Every port is checked before anything starts. Postgres and Kafka start side by side (neither needs the other),
// then the worker, then the consumer end and Prometheus; parts stop in reverse flow order (Prometheus, the lag
// exporter, the sample consumer — which commits to Kafka as it stops —, the worker, Kafka, Postgres). A part given
// by URL is used as is and never touched.
import { join } from 'node:path'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import { type LocalConsole, startLocalConsole } from '../console/local.ts'
import type { WebhookTarget } from '../console/server/webhooks.ts'
import type { RunningWorker, WorkerSettings } from '../runtime/worker-process.ts'
import {
  type ConsumerEndPart,
  type ConsumerEndState,
  SAMPLE_CONSUMER_GROUP,
  startLagExporter,
  startSampleConsumer,
} from './consumer-end.ts'
import { describeRetention, type LocalKafka, startLocalKafka } from './kafka.ts'
import { ensureKafkaJars } from './kafka-jars.ts'
import { assertPortFree } from './ports.ts'
import { type LocalPostgres, startLocalPostgres } from './postgres.ts'
import type { Progress } from './progress.ts'
import { type LocalPrometheus, prometheusBinaries, startLocalPrometheus } from './prometheus.ts'
import { postgresTarget, SEED_CONNECTOR_NAME, SEED_TOPIC, seedConnectorConfig } from './seed-connector.ts'

export interface StackPorts {
  postgres: number
  kafka: number
  kafkaController: number
  brokerMetrics: number
  rest: number
  prometheus: number
  nodeExporter: number
  lagExporter: number
  consumerMetrics: number
}

export const defaultPorts: StackPorts = {
  postgres: 5433,
  kafka: 9092,
  kafkaController: 9093,
  brokerMetrics: 9404,
  rest: 8083,
  prometheus: 9090,
  nodeExporter: 9100,
  lagExporter: 8000,
  consumerMetrics: 8001,
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
  /**
   * Start the lag exporter / the sample consumer on the seed topic as child processes. Opt-in (default false), so an
   * embedded stack (tests) binds no port it did not ask for; `flowscope up` asks for both unless --no-consumer.
   */
  lagExporter?: boolean
  consumer?: boolean
  /** Worker settings derived from worker properties (bootstrap servers and REST port are filled in here). */
  worker: (bootstrap: string[], restPort: number) => WorkerSettings
  plugins: SourceConnectorPlugin[]
  progress: Progress
  /** Aborts start-up (a signal arrived): what has started is stopped and startStack rejects with the reason. */
  signal?: AbortSignal
  // --- console (flowscope console, served from this process) ---
  /** Serve the web console on this port, pointed at this lag exporter; absent: no console. */
  console?: { port: number; lagExporterUrl: string; webhooks?: WebhookTarget[] }
}

/** What became of Prometheus, for the summary. */
export type PrometheusState =
  | { state: 'running'; url: string }
  | { state: 'disabled' }
  | { state: 'not-installed' }
  | { state: 'failed'; reason: string }

/** When each part became ready (epoch milliseconds); absent for a part given by URL. */
export interface StackReadyAt {
  postgres?: number
  kafka?: number
  worker: number
  prometheus?: number
}

export interface RunningStack {
  postgresUrl: string
  bootstrapServers: string
  brokerMetricsAddress: string | null
  worker: RunningWorker
  prometheusUrl: string | null
  prometheus: PrometheusState
  /** The lag exporter (its base URL when running). */
  lagExporter: ConsumerEndState
  /** The sample consumer (its metrics base URL when running) and its group. */
  consumer: ConsumerEndState
  consumerGroup: string
  /** The bounded retention of the local broker's topics, in words; null for a cluster given by URL. */
  retention: string | null
  readyAt: StackReadyAt
  topic: string
  /** The web console's URL; null when not started. */
  consoleUrl: string | null
  stop(): Promise<void>
}

/** Every local port the stack would bind, with its part's name and flag, for the checks before anything starts. */
export function portsToCheck(
  o: Pick<
    StackOptions,
    'ports' | 'postgresUrl' | 'bootstrapServers' | 'prometheus' | 'lagExporter' | 'consumer' | 'console'
  >,
  binaries: { prometheus: string | null; nodeExporter: string | null } = prometheusBinaries(),
): { port: number; what: string; flag: string }[] {
  const list: { port: number; what: string; flag: string }[] = []
  if (!o.postgresUrl) list.push({ port: o.ports.postgres, what: 'PostgreSQL', flag: '--postgres-port' })
  if (!o.bootstrapServers) {
    list.push(
      { port: o.ports.kafka, what: 'the Kafka broker', flag: '--kafka-port' },
      { port: o.ports.kafkaController, what: 'the Kafka controller', flag: '--kafka-controller-port' },
      { port: o.ports.brokerMetrics, what: 'the broker JMX exporter', flag: '--broker-metrics-port' },
    )
  }
  list.push({ port: o.ports.rest, what: 'the worker REST API', flag: '--rest-port' })
  if (o.lagExporter === true)
    list.push({ port: o.ports.lagExporter, what: 'the lag exporter', flag: '--lag-exporter-port' })
  if (o.consumer === true)
    list.push({ port: o.ports.consumerMetrics, what: 'the sample consumer metrics', flag: '--consumer-metrics-port' })
  if (o.prometheus !== false && binaries.prometheus) {
    list.push({ port: o.ports.prometheus, what: 'Prometheus', flag: '--prometheus-port' })
    if (binaries.nodeExporter)
      list.push({ port: o.ports.nodeExporter, what: 'the Node Exporter', flag: '--node-exporter-port' })
  }
  if (o.console) list.push({ port: o.console.port, what: 'the console', flag: '--console-port' })
  const seen = new Map<number, string>()
  for (const p of list) {
    const other = seen.get(p.port)
    if (other) throw new Error(`Port ${p.port} is given to both ${other} and ${p.what}: choose another with ${p.flag}.`)
    seen.set(p.port, p.what)
  }
  return list
}

export async function startStack(o: StackOptions): Promise<RunningStack> {
  let postgres: LocalPostgres | undefined
  let kafka: LocalKafka | undefined
  let worker: RunningWorker | undefined
  let prometheus: LocalPrometheus | null = null
  let lagExporter: ConsumerEndPart | undefined
  let consumer: ConsumerEndPart | undefined
  let consoleUi: LocalConsole | null = null
  const stop = async () => {
    await consoleUi?.stop().catch(() => {})
    await prometheus?.stop().catch(() => {})
    await lagExporter?.stop().catch((e) => console.error('lag exporter stop failed:', e))
    await consumer?.stop().catch((e) => console.error('sample consumer stop failed:', e))
    await worker?.stop().catch((e) => console.error('worker stop failed:', e))
    await kafka?.stop().catch((e) => console.error('Kafka stop failed:', e))
    await postgres?.stop().catch((e) => console.error('Postgres stop failed:', e))
  }
  const readyAt: Partial<StackReadyAt> = {}
  try {
    // Check every local port first, so a clash is reported before anything starts or is written.
    const binaries = prometheusBinaries()
    for (const p of portsToCheck(o, binaries)) await assertPortFree(p.port, p.what, p.flag)
    // The worker's modules (the Kafka client among them, ~1 s to import) load while Postgres and Kafka start.
    const workerModule = import('../runtime/worker-process.ts')
    workerModule.catch(() => {})
    // Postgres and Kafka start side by side; both must be up (or both are stopped) before the worker starts.
    const startPostgres = async () => {
      if (o.postgresUrl) return
      postgres = await startLocalPostgres({
        dataDir: join(o.stateDir, 'postgres'),
        port: o.ports.postgres,
        progress: o.progress,
      })
      readyAt.postgres = Date.now()
    }
    const startKafka = async () => {
      if (o.bootstrapServers) return
      const jars = await ensureKafkaJars(o.progress)
      o.signal?.throwIfAborted()
      kafka = await startLocalKafka({
        dataDir: join(o.stateDir, 'kafka'),
        jars,
        port: o.ports.kafka,
        controllerPort: o.ports.kafkaController,
        metricsPort: o.ports.brokerMetrics,
        quickStart: true,
        boundedRetention: true,
        signal: o.signal,
        progress: o.progress,
      })
      readyAt.kafka = Date.now()
    }
    const failed = (await Promise.allSettled([startPostgres(), startKafka()])).find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    o.signal?.throwIfAborted()
    const postgresUrl = o.postgresUrl ?? postgres!.url
    const bootstrapServers = o.bootstrapServers ?? kafka!.bootstrapServers
    const settings = o.worker(bootstrapServers.split(','), o.ports.rest)
    const done = o.progress.step(`Starting the worker (REST on http://localhost:${o.ports.rest})`)
    const { startWorker } = await workerModule
    worker = await startWorker({ ...settings, plugins: o.plugins })
    readyAt.worker = Date.now()
    done()
    o.signal?.throwIfAborted()
    // The consumer end starts while the seed connector is registered; neither part failing stops the stack.
    const startConsumerEnd = async () => {
      await Promise.all([
        o.lagExporter === true
          ? startLagExporter({
              bootstrapServers,
              port: o.ports.lagExporter,
              stateDir: o.stateDir,
              progress: o.progress,
            }).then((part) => {
              lagExporter = part
            })
          : undefined,
        o.consumer === true
          ? startSampleConsumer({
              bootstrapServers,
              topic: SEED_TOPIC,
              port: o.ports.consumerMetrics,
              stateDir: o.stateDir,
              progress: o.progress,
            }).then((part) => {
              consumer = part
            })
          : undefined,
      ])
    }
    // Prometheus starts beside them and scrapes every part that was asked for (one that failed to start shows as a
    // down target); a Prometheus that fails does not stop the stack.
    const startPrometheus = async (): Promise<PrometheusState> => {
      if (o.prometheus === false) return { state: 'disabled' }
      if (!binaries.prometheus) return { state: 'not-installed' }
      try {
        prometheus = await startLocalPrometheus({
          dataDir: join(o.stateDir, 'prometheus'),
          port: o.ports.prometheus,
          workerAddress: `localhost:${o.ports.rest}`,
          brokerExporterAddress: kafka?.metricsAddress ?? null,
          nodeExporterPort: o.ports.nodeExporter,
          lagExporterAddress: o.lagExporter === true ? `localhost:${o.ports.lagExporter}` : null,
          consumerAddress: o.consumer === true ? `localhost:${o.ports.consumerMetrics}` : null,
          connectClusterId: settings.groupId,
          progress: o.progress,
        })
        if (!prometheus) return { state: 'not-installed' }
        readyAt.prometheus = Date.now()
        return { state: 'running', url: prometheus.url }
      } catch (error) {
        o.progress.info(`Prometheus did not start: ${(error as Error).message}`)
        return { state: 'failed', reason: (error as Error).message }
      }
    }
    const registerSeed = async () => {
      if (o.seedConnector === false || !worker) return
      const config = { name: SEED_CONNECTOR_NAME, ...seedConnectorConfig(postgresTarget(postgresUrl)) }
      const existing = worker.herder.connectors().includes(SEED_CONNECTOR_NAME)
      const same =
        existing && JSON.stringify(worker.herder.connectorConfig(SEED_CONNECTOR_NAME)) === JSON.stringify(config)
      if (!same) await worker.herder.putConnectorConfig(SEED_CONNECTOR_NAME, config, { allowReplace: true })
      o.progress.info(`connector ${SEED_CONNECTOR_NAME} ${existing ? (same ? 'resumed' : 'updated') : 'registered'}`)
    }
    const [seeded, , prometheusState] = await Promise.all([
      registerSeed().then(
        () => null,
        (error: unknown) => error,
      ),
      startConsumerEnd(),
      startPrometheus(),
    ])
    if (seeded) throw seeded
    o.signal?.throwIfAborted()
    if (o.console) {
      consoleUi = await startLocalConsole({
        port: o.console.port,
        bootstrapServers,
        restUrl: `http://localhost:${o.ports.rest}`,
        lagExporterUrl: o.console.lagExporterUrl,
        webhooks: o.console.webhooks,
        prometheusUrl: prometheusState.state === 'running' ? prometheusState.url : null,
        progress: o.progress,
      })
    }
    return {
      postgresUrl,
      bootstrapServers,
      brokerMetricsAddress: kafka?.metricsAddress ?? null,
      worker,
      prometheusUrl: prometheusState.state === 'running' ? prometheusState.url : null,
      prometheus: prometheusState,
      lagExporter: lagExporter?.state ?? { state: 'disabled', why: 'not asked for' },
      consumer: consumer?.state ?? { state: 'disabled', why: '--no-consumer' },
      consumerGroup: SAMPLE_CONSUMER_GROUP,
      retention: kafka ? describeRetention() : null,
      readyAt: { ...readyAt, worker: readyAt.worker },
      topic: SEED_TOPIC,
      consoleUrl: consoleUi?.url ?? null,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
