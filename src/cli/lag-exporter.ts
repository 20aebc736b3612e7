// `flowscope lag-exporter`: a consumer-lag exporter for any Kafka cluster, in its own process. Polls the cluster's
// admin API every interval and serves Kafka Lag Exporter's and kafka_exporter's metrics, lag in seconds, drain ETA
// and Burrow's status on /metrics, plus Burrow's HTTP API. Runs until SIGTERM / Ctrl-C.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type BurrowOptions, DEFAULT_BURROW_OPTIONS } from '../lag/burrow-status.ts'
import { LagExporter } from '../lag/exporter.ts'
import { LagMetrics } from '../lag/metrics.ts'
import { ClusterPoller } from '../lag/poller.ts'
import { createLagServer, listen } from '../lag/server.ts'
import { stateDir } from '../local/state-dir.ts'
import { getLogger } from '../logging.ts'

export const DEFAULT_LAG_EXPORTER_PORT = 8000

export const lagExporterHelp = `Usage: flowscope lag-exporter [options]

Exports consumer-group lag of a Kafka cluster: Kafka Lag Exporter's kafka_consumergroup_group_* and kafka_exporter's
kafka_consumergroup_* / kafka_topic_* names, lag in seconds (read from the first unconsumed record, interpolated when
that is not possible), drain ETA and Burrow's status, on http://<host>:<port>/metrics; Burrow's API on
/v3/kafka/<cluster>/consumer[/<group>/status|lag]; /health. See docs/lag-exporter.md.

Options:
  --bootstrap-servers H:P,...   Kafka cluster (env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092)
  --port N                      HTTP port (default ${DEFAULT_LAG_EXPORTER_PORT}, as Kafka Lag Exporter and Burrow; 0 = any free port)
  --host ADDR                   address to listen on (default: all interfaces)
  --poll-interval-ms N          time between polls (default 5000)
  --cluster-name NAME           cluster_name label and Burrow cluster name (default local)
  --group-allow REGEX           only consumer groups whose id matches (default: all)
  --fetch-budget N              record timestamps read per poll (default 100); further lagging partitions are interpolated
  --allowed-lag N               Burrow's allowed-lag: a partition this many records behind or fewer counts as caught up
                                (default 0, as Burrow); raise it for a topic that never stops receiving records
  --burrow-intervals N          commits in Burrow's sliding window per partition (default 10, as Burrow)
  --state-file PATH             where the offset→time tables persist across restarts, written every 3 polls
                                (default .flowscope/lag-exporter/<cluster-name>-offset-times.json under FLOWSCOPE_HOME;
                                'none' keeps them in memory only)
  -h, --help                    show this help`

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} ${raw}: expected a whole number from ${min} to ${max}`)
  }
  return value
}

export async function lagExporter(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'bootstrap-servers': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'poll-interval-ms': { type: 'string' },
      'cluster-name': { type: 'string' },
      'group-allow': { type: 'string' },
      'fetch-budget': { type: 'string' },
      'allowed-lag': { type: 'string' },
      'burrow-intervals': { type: 'string' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return void console.log(lagExporterHelp)
  const bootstrap = values['bootstrap-servers'] ?? process.env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092'
  const bootstrapServers = bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const server of bootstrapServers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(server)) {
      throw new Error(`--bootstrap-servers ${bootstrap}: expected host:port[,host:port...], e.g. localhost:9092`)
    }
  }
  if (bootstrapServers.length === 0)
    throw new Error('--bootstrap-servers is empty: give host:port, e.g. localhost:9092')
  const port = integer('port', values.port, DEFAULT_LAG_EXPORTER_PORT, 0, 65_535)
  const pollIntervalMs = integer('poll-interval-ms', values['poll-interval-ms'], 5000, 100, 3_600_000)
  const fetchBudget = integer('fetch-budget', values['fetch-budget'], 100, 0, 100_000)
  const burrow: BurrowOptions = {
    ...DEFAULT_BURROW_OPTIONS,
    allowedLag: BigInt(integer('allowed-lag', values['allowed-lag'], 0, 0, Number.MAX_SAFE_INTEGER)),
    intervals: integer('burrow-intervals', values['burrow-intervals'], DEFAULT_BURROW_OPTIONS.intervals, 2, 1000),
  }
  const clusterName = values['cluster-name'] ?? 'local'
  if (!/^[\w.-]+$/.test(clusterName)) {
    throw new Error(`--cluster-name ${clusterName}: use letters, digits, '.', '_' or '-' (it is a URL path segment)`)
  }
  const stateOption = values['state-file']
  if (stateOption === '') throw new Error("--state-file is empty: give a file path, or 'none' to keep no state")
  const stateFile =
    stateOption === 'none'
      ? undefined
      : (stateOption ?? join(stateDir(), 'lag-exporter', `${clusterName}-offset-times.json`))
  let groupAllow: RegExp | undefined
  if (values['group-allow'] !== undefined) {
    try {
      groupAllow = new RegExp(values['group-allow'])
    } catch (error) {
      throw new Error(
        `--group-allow ${values['group-allow']}: not a valid regular expression (${(error as Error).message})`,
      )
    }
  }

  const log = getLogger('flowscope.lag')
  const metrics = new LagMetrics(clusterName)
  const exporter = new LagExporter({
    poller: new ClusterPoller({ bootstrapServers, groupAllow, fetchBudget }),
    pollIntervalMs,
    describeCluster: bootstrapServers.join(','),
    log,
    onPoll: (view, health) => metrics.update(view, health, health.up),
    stateFile,
    burrow,
  })
  const server = createLagServer({
    clusterName,
    metrics,
    view: () => exporter.view,
    health: () => exporter.health,
  })
  const bound = await listen(server, port, values.host)
  const shown = values.host && values.host !== '0.0.0.0' && values.host !== '::' ? values.host : 'localhost'
  console.log(
    `flowscope lag-exporter: serving http://${shown}:${bound}/metrics for cluster ${clusterName} (${bootstrapServers.join(',')}), polling every ${pollIntervalMs} ms`,
  )
  exporter.start()
  let stopping = false
  const shutdown = async () => {
    if (stopping) process.exit(130)
    stopping = true
    server.close()
    server.closeAllConnections()
    await exporter.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}
