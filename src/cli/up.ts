// `flowscope up` (= `npm start`): runs the local stack in the foreground until Ctrl-C / SIGTERM / SIGHUP (or until
// npm, its parent, dies), then stops every part cleanly — also when that comes during start-up. A second `up`
// resumes where the last one stopped (data and offsets live in the state folder).
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_CONSOLE_PORT, webhookTargets } from '../console/server/options.ts'
import { SAMPLE_CONSUMER_GROUP } from '../local/consumer-end.ts'
import { onStopRequest, startedByNpm } from '../local/lifecycle.ts'
import { consoleProgress } from '../local/progress.ts'
import { CDC_CONNECTOR_NAME, CDC_SLOT, CDC_TOPIC, SEED_CONNECTOR_NAME, SEED_TOPIC } from '../local/seed-connector.ts'
import { defaultPorts, type StackOptions, type StackPorts, startStack } from '../local/stack.ts'
import { stateDir } from '../local/state-dir.ts'
import { renderSummary } from '../local/summary.ts'
import { type LogLevel, setLoggerLevel } from '../logging.ts'
import { workerSettingsFrom } from '../runtime/worker-settings.ts'
import { builtinPlugins } from './plugins.ts'
import { upWorkerConfig } from './up-worker-config.ts'

export const upHelp = `Usage: flowscope up [options]

Starts the local pipeline and keeps it running until Ctrl-C:
  PostgreSQL (embedded, port 5433) → flowscope worker (REST :8083) with the seed's JDBC connector
  ${SEED_CONNECTOR_NAME} (polls users into ${SEED_TOPIC}) and the CDC connector ${CDC_CONNECTOR_NAME}
  (streams users' changes from the WAL into ${CDC_TOPIC}, Debezium's events; slot ${CDC_SLOT})
  → Kafka (local KRaft broker, :9092) → sample consumer (group ${SAMPLE_CONSUMER_GROUP}, metrics :8001)
  with the lag exporter (:8000) and Prometheus (:9090, when installed) watching

Options:
  --postgres-url URL          use this Postgres instead of the embedded one (env DATABASE_URL); its data is not touched
  --bootstrap-servers H:P     use this Kafka cluster instead of the local broker (env KAFKA_BOOTSTRAP_SERVERS)
  --worker-config FILE        Kafka Connect worker .properties (CONNECT_* env variables apply too)
  --postgres-port N           embedded Postgres port (default ${defaultPorts.postgres})
  --kafka-port N              local broker port (default ${defaultPorts.kafka}); --kafka-controller-port N (default ${defaultPorts.kafkaController})
  --broker-metrics-port N     broker JMX exporter port (default ${defaultPorts.brokerMetrics})
  --rest-port N               worker REST API and /metrics port (default ${defaultPorts.rest})
  --prometheus-port N         Prometheus port (default ${defaultPorts.prometheus}); --node-exporter-port N (default ${defaultPorts.nodeExporter})
  --lag-exporter-port N       lag exporter /metrics and Burrow API port (default ${defaultPorts.lagExporter})
  --consumer-metrics-port N   sample consumer /metrics port (default ${defaultPorts.consumerMetrics})
  --no-consumer               do not start the sample consumer
  --no-prometheus             do not start Prometheus (nor the Node Exporter)
  --no-seed-connector         do not register the seed's jdbc-postgres-source connector
  --no-cdc                    do not run the ${CDC_CONNECTOR_NAME} CDC connector (deleted if an earlier start registered
                              it; its slot stays so a later start resumes with no change lost — drop it with
                              SELECT pg_drop_replication_slot('${CDC_SLOT}'), or \`flowscope down --purge\`)
  --console-port N            web console port (default ${DEFAULT_CONSOLE_PORT}); --no-console: do not serve it
  --webhook URL               the console POSTs its health checks' firing and resolved changes (JSON) here; repeatable
  --slack-webhook URL         the same as Slack messages ({"text": ...}) to a Slack incoming webhook; repeatable
  -h, --help                  show this help

Every port is checked before anything starts. Ctrl-C, SIGTERM or SIGHUP (to this process or to the \`npm start\`
that runs it) stop every part: the sample consumer and the worker commit their offsets first.
State (Postgres data with the CDC slot, Kafka logs and offsets) lives in .flowscope/ (FLOWSCOPE_HOME): a restart
resumes the CDC connector from its slot (changes made while stopped arrive then); \`flowscope down --purge\` removes
it all, the slot with the Postgres data. The CDC connector runs only on the embedded Postgres, not on --postgres-url.`

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: ${value} is not a port number (1-65535)`)
  return n
}

const UP_OPTIONS = {
  'postgres-url': { type: 'string' },
  'bootstrap-servers': { type: 'string' },
  'worker-config': { type: 'string' },
  'postgres-port': { type: 'string' },
  'kafka-port': { type: 'string' },
  'kafka-controller-port': { type: 'string' },
  'broker-metrics-port': { type: 'string' },
  'rest-port': { type: 'string' },
  'prometheus-port': { type: 'string' },
  'node-exporter-port': { type: 'string' },
  'lag-exporter-port': { type: 'string' },
  'consumer-metrics-port': { type: 'string' },
  'no-prometheus': { type: 'boolean' },
  'no-consumer': { type: 'boolean' },
  'no-seed-connector': { type: 'boolean' },
  'no-cdc': { type: 'boolean' },
  'console-port': { type: 'string' },
  'no-console': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  webhook: { type: 'string', multiple: true },
  'slack-webhook': { type: 'string', multiple: true },
} as const

/** `flowscope up`'s command line (unknown options are an error naming them). */
export function parseUpArgs(argv: string[]) {
  return parseArgs({ args: argv, options: UP_OPTIONS }).values
}

/** The console `up` serves: its port, the local lag exporter, and the webhooks given; undefined with --no-console. */
export function upConsole(
  values: ReturnType<typeof parseUpArgs>,
  ports: Pick<StackPorts, 'lagExporter'>,
): StackOptions['console'] {
  if (values['no-console']) return undefined
  return {
    port: port(values['console-port'], DEFAULT_CONSOLE_PORT, '--console-port'),
    lagExporterUrl: `http://localhost:${ports.lagExporter}`,
    webhooks: webhookTargets(values),
  }
}

export async function up(argv: string[]): Promise<void> {
  // Figures in the summary count from the process start (module loading included), as a user waits for it.
  const started = Math.round(performance.timeOrigin)
  const values = parseUpArgs(argv)
  if (values.help) return void console.log(upHelp)
  const ports: StackPorts = {
    postgres: port(values['postgres-port'], defaultPorts.postgres, '--postgres-port'),
    kafka: port(values['kafka-port'], defaultPorts.kafka, '--kafka-port'),
    kafkaController: port(values['kafka-controller-port'], defaultPorts.kafkaController, '--kafka-controller-port'),
    brokerMetrics: port(values['broker-metrics-port'], defaultPorts.brokerMetrics, '--broker-metrics-port'),
    rest: port(values['rest-port'], defaultPorts.rest, '--rest-port'),
    prometheus: port(values['prometheus-port'], defaultPorts.prometheus, '--prometheus-port'),
    nodeExporter: port(values['node-exporter-port'], defaultPorts.nodeExporter, '--node-exporter-port'),
    lagExporter: port(values['lag-exporter-port'], defaultPorts.lagExporter, '--lag-exporter-port'),
    consumerMetrics: port(values['consumer-metrics-port'], defaultPorts.consumerMetrics, '--consumer-metrics-port'),
  }
  // Keep the terminal for progress and the summary: the worker logs warnings and errors unless asked for more.
  setLoggerLevel('root', (process.env.FLOWSCOPE_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN')
  const dir = stateDir()
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const pidFile = join(dir, 'up.pid')
  // Written before start-up, so `flowscope down` can stop a stack that is still starting.
  await writeFile(pidFile, String(process.pid))
  // A terminal that went away must not turn shutdown messages into an EPIPE/EIO crash half-way through stopping.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
  const progress = consoleProgress()

  // Stop requests are honoured from the first moment: one during start-up aborts it (what started is stopped).
  const abort = new AbortController()
  let startup: Promise<Awaited<ReturnType<typeof startStack>>> | undefined
  let stoppingSince = 0
  const shutdown = async (reason: string) => {
    if (stoppingSince) {
      // Ctrl-C under npm arrives twice at once (from the terminal and forwarded by npm): only a later one forces.
      if (reason !== 'SIGINT' || Date.now() - stoppingSince < 1000) return
      console.error('Forced: child processes are killed.')
      process.exit(130)
    }
    stoppingSince = Date.now()
    console.error(`\n${reason}: stopping (worker flushes and commits offsets first; Ctrl-C again forces)…`)
    abort.abort(new Error(`stopped by ${reason}`))
    const stack = await startup?.catch(() => undefined)
    await stack?.stop()
    await rm(pidFile, { force: true })
    console.error('Stopped. `npm start` resumes where this left off.')
    process.exit(0)
  }
  onStopRequest((reason) => void shutdown(reason), { watchParent: startedByNpm() })

  startup = startStack({
    stateDir: dir,
    ports,
    postgresUrl: values['postgres-url'] ?? process.env.DATABASE_URL,
    bootstrapServers: values['bootstrap-servers'] ?? process.env.KAFKA_BOOTSTRAP_SERVERS,
    prometheus: !values['no-prometheus'],
    seedConnector: !values['no-seed-connector'],
    cdcConnector: !values['no-cdc'],
    lagExporter: true,
    consumer: !values['no-consumer'],
    console: upConsole(values, ports),
    plugins: builtinPlugins,
    progress,
    signal: abort.signal,
    worker: (bootstrap, restPort) =>
      workerSettingsFrom(
        upWorkerConfig({
          file: values['worker-config'],
          bootstrap,
          restPort,
          localBroker: !(values['bootstrap-servers'] || process.env.KAFKA_BOOTSTRAP_SERVERS),
        }),
        builtinPlugins,
      ),
  })
  const stack = await startup.catch(async (error: unknown) => {
    // Stopped during start-up: shutdown() finishes and exits.
    if (abort.signal.aborted) return new Promise<never>(() => {})
    await rm(pidFile, { force: true })
    throw error
  })

  const firstRecordWaitS = 60
  const firstRecordAt = await timeOfFirstRecord(stack.bootstrapServers, stack.topic, firstRecordWaitS * 1000)
  if (stoppingSince) return
  console.log(
    renderSummary({
      stack: { ...stack, restUrl: stack.worker.restUrl },
      startedAt: started,
      firstRecordAt,
      firstRecordWaitS,
    }),
  )
}

/** When (epoch ms) the topic's end offset moved (a record was written), or null after `waitMs`. */
async function timeOfFirstRecord(bootstrap: string, topic: string, waitMs: number): Promise<number | null> {
  const { Admin } = await import('@platformatic/kafka')
  const admin = new Admin({ clientId: 'flowscope-up', bootstrapBrokers: bootstrap.split(',') })
  const end = async () => {
    try {
      const [t] = await admin.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      })
      return t?.partitions[0]?.offset ?? -1n
    } catch {
      return -1n
    }
  }
  try {
    const initial = await end()
    const deadline = Date.now() + waitMs
    while (Date.now() < deadline) {
      const now = await end()
      if (now > initial && now > 0n) return Date.now()
      await new Promise((r) => setTimeout(r, 50))
    }
    return null
  } finally {
    await admin.close().catch(() => {})
  }
}
