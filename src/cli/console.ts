// `flowscope console`: the web console in its own process — pipeline, overview, Connect, topics and consumers of
// the configured clusters — on http://localhost:9021 by default. Runs until SIGTERM / Ctrl-C.
import { parseArgs } from 'node:util'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../console/server/app.ts'
import { buildAssets } from '../console/server/assets.ts'
import { ConnectClient } from '../console/server/connect.ts'
import { KafkaCluster } from '../console/server/kafka.ts'
import { LagClient } from '../console/server/lag.ts'
import { DEFAULT_CONSOLE_PORT, parseConsoleOptions } from '../console/server/options.ts'

export const consoleHelp = `Usage: flowscope console [options]

Serves the flowscope console, a web UI of the pipeline: Postgres table → connector → topic → consumer group with
each hop's health, the Kafka cluster's overview, Connect clusters' connectors (pause, resume, restart, stop,
delete, failure traces), topics and consumer-group lag. Every asset is served by the console itself (works offline).
See docs/console.md.

Options:
  --port N                    HTTP port (default ${DEFAULT_CONSOLE_PORT}; 0 = any free port)
  --host ADDR                 address to listen on (default localhost; 0.0.0.0 for every interface)
  --kafka [NAME=]H:P[,H:P]    a Kafka cluster's bootstrap servers; repeat for more clusters
                              (default local=$KAFKA_BOOTSTRAP_SERVERS or localhost:9092)
  --connect [NAME=]URL        a Kafka Connect REST URL (any Connect worker); repeat for more
                              (default connect-default=http://localhost:8083)
  --lag-exporter URL          the lag exporter of the first Kafka cluster (default http://localhost:8000)
  --no-lag-exporter           do not ask a lag exporter (consumer lag is then not shown)
  --prometheus URL            a Prometheus server (optional): history charts beyond the console's own hour of
                              samples, freshness p99, and its firing alerts on the Alerts page
  --webhook URL               POST the health checks' firing and resolved notifications (JSON) here; repeatable
  --slack-webhook URL         the same as Slack messages ({"text": ...}) to a Slack incoming webhook; repeatable
  --lag-seconds-threshold S   alert when a consumer group is more than S seconds behind (default 60)
  --read-only                 refuse every write (pause, resume, restart, stop, delete, config) on the server
  --basic-auth-user USER      ask for this user and the password in env FLOWSCOPE_CONSOLE_PASSWORD (HTTP basic auth)
  -h, --help                  show this help`

export async function consoleCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      kafka: { type: 'string', multiple: true },
      connect: { type: 'string', multiple: true },
      'lag-exporter': { type: 'string' },
      'no-lag-exporter': { type: 'boolean' },
      prometheus: { type: 'string' },
      'read-only': { type: 'boolean' },
      'lag-seconds-threshold': { type: 'string' },
      'basic-auth-user': { type: 'string' },
      webhook: { type: 'string', multiple: true },
      'slack-webhook': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return void console.log(consoleHelp)
  const options = parseConsoleOptions(values, process.env)
  const assets = await buildAssets()
  const kafka = options.kafka.map((k) => new KafkaCluster(k.name, k.bootstrapServers))
  const app = await createConsoleApp({
    kafka,
    connects: options.connects.map((c) => new ConnectClient(c.name, c.url)),
    lag: options.lagExporter ? new LagClient(options.lagExporter) : null,
    prometheusUrl: options.prometheus,
    assets,
    readOnly: options.readOnly,
    lagSecondsThreshold: options.lagSecondsThreshold,
    basicAuth: options.basicAuth ?? undefined,
    webhooks: options.webhooks,
    allowedHostnames:
      LOOPBACK_HOSTNAMES.includes(options.host) || options.host === '::1' ? LOOPBACK_HOSTNAMES : undefined,
  })
  try {
    await app.listen({ port: options.port, host: options.host })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} is in use: stop what uses it or choose another with --port`)
    }
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const shown = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host
  console.log(`flowscope console: http://${shown}:${port}/`)
  let stopping = false
  const shutdown = async () => {
    if (stopping) process.exit(130)
    stopping = true
    await app.close().catch(() => {})
    await Promise.all(kafka.map((k) => k.close()))
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}
