// The `flowscope` command: dispatches to a sub-command; every sub-command has --help. Errors print what to do next
// and exit 1 (no stack trace unless FLOWSCOPE_DEBUG=1).
// Sub-commands load on demand: the Kafka client library alone takes about a second to import, and `up` starts
// Postgres and the broker while the worker's modules are still loading.
import { FLOWSCOPE_VERSION } from '../version.ts'

const help = `flowscope ${FLOWSCOPE_VERSION} — PostgreSQL → Kafka pipelines you can see

Usage: flowscope <command> [options]

Commands:
  up           start the local stack (Postgres, Kafka, worker with the seed connector, sample consumer,
               lag exporter, Prometheus)  [npm start]
  down         stop it; --purge deletes its local data
  worker       run a Kafka Connect–compatible worker against an existing Kafka cluster
  lag-exporter export consumer-group lag (offsets, seconds, Burrow status) of any Kafka cluster on /metrics
  consume      a sample consumer: reads topics in a group, commits after processing, Java consumer metrics on /metrics
  console      the web console: pipeline, overview, Connect, topics, consumers (http://localhost:9021)
  kafka-jars   fetch the Kafka broker jars from Maven Central into the cache (done by \`up\` when needed);
               --compat also Kafka Connect and Debezium (compatibility tests, bench:cdc)
  help         show this help (also: flowscope <command> --help)`

const kafkaJarsHelp = `Usage: flowscope kafka-jars [--compat]

Resolves Apache Kafka's broker jars and the Prometheus JMX exporter agent with \`mvn\` (Maven Central) into
~/.cache/flowscope (FLOWSCOPE_CACHE). Needs Java 17+ and Maven.

  --compat  also the peers flowscope is measured against: a real Apache Kafka Connect worker and the Debezium
            PostgreSQL connector's plugin folder (compatibility tests, npm run bench:cdc)`

const commands: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  up: async () => (await import('./up.ts')).up,
  down: async () => (await import('./down.ts')).down,
  worker: async () => (await import('./worker.ts')).worker,
  'lag-exporter': async () => (await import('./lag-exporter.ts')).lagExporter,
  consume: async () => (await import('./consume.ts')).consume,
  console: async () => (await import('./console.ts')).consoleCommand,
  'kafka-jars': async () => async (argv) => {
    if (argv.includes('--help') || argv.includes('-h')) return void console.log(kafkaJarsHelp)
    const [{ ensureKafkaJars, ensureJars, CONNECT_WORKER_BUNDLE, DEBEZIUM_POSTGRES_BUNDLE }, { consoleProgress }] =
      await Promise.all([import('../local/kafka-jars.ts'), import('../local/progress.ts')])
    const jars = await ensureKafkaJars(consoleProgress())
    console.log(`Kafka ${jars.version}: ${jars.classpath.length} jars in ${jars.dir}`)
    if (!argv.includes('--compat')) return
    for (const bundle of [CONNECT_WORKER_BUNDLE, DEBEZIUM_POSTGRES_BUNDLE]) {
      const resolved = await ensureJars(consoleProgress(), bundle)
      console.log(`${bundle.title} ${resolved.version}: ${resolved.jars.length} jars in ${resolved.dir}`)
    }
  },
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') return void console.log(help)
  if (name === '--version' || name === '-v') return void console.log(FLOWSCOPE_VERSION)
  const load = commands[name]
  if (!load) {
    console.error(`Unknown command "${name}".\n\n${help}`)
    process.exit(2)
  }
  const run = await load()
  await run(rest)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`flowscope: ${message}`)
  if (process.env.FLOWSCOPE_DEBUG === '1' && error instanceof Error) console.error(error.stack)
  process.exit(1)
})
