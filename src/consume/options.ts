// `flowscope consume` flags → settings. Pure (no I/O), so every bad flag is unit-tested: a bad flag throws a
// FlagError naming it and what to do, which the CLI prints before exiting with code 2.
import { parseArgs } from 'node:util'

export const DEFAULT_CONSUMER_METRICS_PORT = 8001
export const DEFAULT_CONSUME_TOPIC = 'postgres-jdbc-users'
export const DEFAULT_CONSUME_GROUP = 'flowscope-sample-consumer'
export const DEFAULT_COMMIT_INTERVAL_MS = 1000

export const OffsetResets = { earliest: 'earliest', latest: 'latest' } as const
export type OffsetReset = (typeof OffsetResets)[keyof typeof OffsetResets]

export interface ConsumeSettings {
  readonly bootstrapServers: string[]
  readonly topics: string[]
  readonly groupId: string
  readonly clientId: string
  /** Port of the /metrics server; 0 = any free port. */
  readonly metricsPort: number
  readonly metricsHost: string | undefined
  /** Where a partition without a committed offset starts (Kafka's auto.offset.reset). */
  readonly offsetReset: OffsetReset
  /** Milliseconds slept per record after it is processed (0 = none). */
  readonly slowMs: number
  /** Join the group but fetch nothing: the committed offsets stay where they are while the topic grows. */
  readonly pause: boolean
  /** Print each record (topic/partition@offset key value) on stdout. */
  readonly print: boolean
  /** How often processed offsets are committed. */
  readonly commitIntervalMs: number
}

export class FlagError extends Error {
  override name = 'FlagError'
}

export const consumeHelp = `Usage: flowscope consume [options]

A sample consumer, as a real application would run one: reads topics in a consumer group, commits the offset after
the last processed record of each partition (at-least-once) every --commit-interval-ms and on shutdown, and serves
the Java consumer's metrics (kafka_consumer_*), record freshness and age histograms on http://<host>:<port>/metrics.
SIGINT/SIGTERM commit what was processed, leave the group and exit. See docs/lag-exporter.md.

Options:
  --bootstrap-servers H:P,...   Kafka cluster (env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092)
  --topic NAME                  topic to read; repeat it or give a comma list (default ${DEFAULT_CONSUME_TOPIC})
  --group ID                    consumer group (default ${DEFAULT_CONSUME_GROUP})
  --client-id ID                client id, the client_id label of the metrics (default <group>-1)
  --metrics-port N              /metrics port (default ${DEFAULT_CONSUMER_METRICS_PORT}; 0 = any free port)
  --metrics-host ADDR           address /metrics listens on (default: all interfaces)
  --from-beginning              a partition without a committed offset starts at its first record
  --auto-offset-reset MODE      earliest | latest (default latest, as Kafka's consumer)
  --slow MS                     sleep MS per record after processing it, so lag grows on purpose
  --pause                       join the group and keep its membership, but fetch nothing: the group's committed
                                offsets stay put (re-committed unchanged) while the topic grows, so lag is visible
  --commit-interval-ms N        commit processed offsets this often (default ${DEFAULT_COMMIT_INTERVAL_MS})
  --print                       print each record: topic/partition@offset key value
  -h, --help                    show this help`

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new FlagError(`${flag} ${raw}: expected a whole number from ${min} to ${max}`)
  }
  return value
}

const NAME = /^[a-zA-Z0-9._-]+$/

/** Settings from argv (and env); `help` when --help was asked. Throws FlagError on any bad flag. */
export function parseConsumeArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConsumeSettings | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'bootstrap-servers': { type: 'string' },
        topic: { type: 'string', multiple: true },
        group: { type: 'string' },
        'client-id': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'from-beginning': { type: 'boolean' },
        'auto-offset-reset': { type: 'string' },
        slow: { type: 'string' },
        pause: { type: 'boolean' },
        'commit-interval-ms': { type: 'string' },
        print: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    // node:util's messages already name the flag ("Unknown option '--x'", "Option '--slow <value>' argument missing").
    throw new FlagError(`${(error as Error).message}. See flowscope consume --help.`)
  }
  if (values.help) return 'help'
  const str = (key: string) => values[key] as string | undefined

  const bootstrap = str('bootstrap-servers') ?? env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092'
  const bootstrapServers = bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (bootstrapServers.length === 0 || bootstrapServers.some((s) => !/^[^:\s]+:\d{1,5}$/.test(s))) {
    throw new FlagError(`--bootstrap-servers ${bootstrap}: expected host:port[,host:port...], e.g. localhost:9092`)
  }

  const topics = ((values.topic as string[] | undefined) ?? [DEFAULT_CONSUME_TOPIC])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
  for (const topic of topics) {
    if (!NAME.test(topic) || topic.length > 249) {
      throw new FlagError(`--topic ${JSON.stringify(topic)}: a topic name is 1-249 letters, digits, '.', '_' or '-'`)
    }
  }

  const groupId = str('group') ?? DEFAULT_CONSUME_GROUP
  if (groupId.trim() === '') throw new FlagError('--group is empty: give a consumer group id')
  const clientId = str('client-id') ?? `${groupId}-1`
  if (!NAME.test(clientId)) {
    throw new FlagError(`--client-id ${JSON.stringify(clientId)}: use letters, digits, '.', '_' or '-'`)
  }

  const fromBeginning = values['from-beginning'] === true
  const reset = str('auto-offset-reset')
  if (reset !== undefined && reset !== 'earliest' && reset !== 'latest') {
    throw new FlagError(`--auto-offset-reset ${reset}: expected earliest or latest`)
  }
  if (fromBeginning && reset === 'latest') {
    throw new FlagError('--from-beginning contradicts --auto-offset-reset latest: give one of them')
  }
  const offsetReset: OffsetReset = fromBeginning ? 'earliest' : (reset ?? 'latest')

  const slowMs = integer('--slow', str('slow'), 0, 0, 3_600_000)
  const pause = values.pause === true
  if (pause && slowMs > 0) throw new FlagError('--slow has no effect with --pause (nothing is read): give one of them')

  return {
    bootstrapServers,
    topics: [...new Set(topics)],
    groupId,
    clientId,
    metricsPort: integer('--metrics-port', str('metrics-port'), DEFAULT_CONSUMER_METRICS_PORT, 0, 65_535),
    metricsHost: str('metrics-host'),
    offsetReset,
    slowMs,
    pause,
    print: values.print === true,
    commitIntervalMs: integer(
      '--commit-interval-ms',
      str('commit-interval-ms'),
      DEFAULT_COMMIT_INTERVAL_MS,
      100,
      600_000,
    ),
  }
}
