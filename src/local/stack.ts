// `flowscope up`: the whole local pipeline on this machine, no Docker — Postgres (embedded, or yours), Kafka
// (local KRaft broker, or yours), the worker with the seed's connector (and a CDC connector on the same table when
// asked for), the consumer end (the lag exporter and the
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
import {
  CDC_CONNECTOR_NAME,
  CDC_SLOT,
  CDC_TOPIC,
  cdcConnectorConfig,
  postgresTarget,
  SEED_CONNECTOR_NAME,
  SEED_TOPIC,
  seedConnectorConfig,
} from './seed-connector.ts'

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
   * Register the CDC connector on the seed's `users` table (seed-connector.ts). Opt-in (default false), as the
   * consumer end is: an embedded stack (tests) creates no replication slot it did not ask for; `flowscope up` asks
   * for it unless --no-cdc. Only on the embedded Postgres: on a database given by URL the slot would hold its WAL
   * back whenever the stack is stopped.
   */
  cdcConnector?: boolean
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

/** What became of the CDC connector, for the summary. */
export type CdcState = { state: 'registered'; connector: string; topic: string } | { state: 'disabled'; why: string }

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
  /** The CDC connector on the seed table and its topic, or why it is not registered. */
  cdc: CdcState
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
    // A connector whose stored config is unchanged is left alone: it resumes from its committed offsets.
    const register = async (name: string, settings: Record<string, string>) => {
      if (!worker) return
      const config = { name, ...settings }
      const existing = worker.herder.connectors().includes(name)
      const same = existing && JSON.stringify(worker.herder.connectorConfig(name)) === JSON.stringify(config)
      if (!same) await worker.herder.putConnectorConfig(name, config, { allowReplace: true })
      o.progress.info(`connector ${name} ${existing ? (same ? 'resumed' : 'updated') : 'registered'}`)
    }
    const target = postgresTarget(postgresUrl)
    const cdc: CdcState =
      o.cdcConnector !== true
        ? { state: 'disabled', why: o.cdcConnector === false ? '--no-cdc' : 'not asked for' }
        : o.postgresUrl
          ? { state: 'disabled', why: 'only on the embedded PostgreSQL, not on one given by --postgres-url' }
          : { state: 'registered', connector: CDC_CONNECTOR_NAME, topic: CDC_TOPIC }
    const registerSeed = async () => {
      if (o.seedConnector !== false) await register(SEED_CONNECTOR_NAME, seedConnectorConfig(target))
      if (cdc.state === 'registered') await register(CDC_CONNECTOR_NAME, cdcConnectorConfig(target))
      else if (o.cdcConnector === false && worker?.herder.connectors().includes(CDC_CONNECTOR_NAME)) {
        // --no-cdc on a stack that ran it: the worker would resume it from its stored config, so it is deleted.
        // Its slot and offsets stay, so a later start without --no-cdc resumes with every change made meanwhile.
        await worker.herder.deleteConnector(CDC_CONNECTOR_NAME)
        o.progress.info(
          `connector ${CDC_CONNECTOR_NAME} deleted (--no-cdc); slot ${CDC_SLOT} keeps WAL for its return — drop it with SELECT pg_drop_replication_slot('${CDC_SLOT}')`,
        )
      }
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
      cdc,
      consoleUrl: consoleUi?.url ?? null,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
