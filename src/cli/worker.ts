// `flowscope worker`: one Kafka Connect–compatible worker against an existing Kafka cluster, configured like Connect
// (a .properties file and/or CONNECT_* environment variables). Runs until SIGTERM / Ctrl-C, then shuts down
// gracefully: stop polling, flush, commit offsets, write statuses.
import { parseArgs } from 'node:util'
import { loadWorkerConfig } from '../config/worker-config.ts'
import { startWorker } from '../runtime/worker-process.ts'
import { workerSettingsFrom } from '../runtime/worker-settings.ts'
import { builtinPlugins } from './plugins.ts'

export const workerHelp = `Usage: flowscope worker [worker.properties] [--config FILE] [--set key=value ...]

Runs one Kafka Connect–compatible worker (REST API, internal topics, metrics) against an existing Kafka cluster.
Configuration: Connect worker properties (bootstrap.servers, group.id, config/offset/status.storage.topic,
offset.flush.interval.ms, key.converter, value.converter, listeners / rest.port, producer.*, …) from the file,
then CONNECT_* environment variables (CONNECT_OFFSET_FLUSH_INTERVAL_MS → offset.flush.interval.ms), then --set.
  -h, --help   show this help`

export async function worker(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return void console.log(workerHelp)
  const overrides: Record<string, string> = {}
  for (const pair of values.set ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new Error(`--set ${pair}: expected key=value`)
    overrides[pair.slice(0, at)] = pair.slice(at + 1)
  }
  const config = loadWorkerConfig({ file: values.config ?? positionals[0], overrides })
  const running = await startWorker(workerSettingsFrom(config, builtinPlugins))
  console.log(`flowscope worker ${running.workerId} is running; REST API ${running.restUrl}`)
  let stopping = false
  const shutdown = async () => {
    if (stopping) process.exit(130)
    stopping = true
    const timer = setTimeout(() => {
      console.error('Graceful shutdown took too long; exiting.')
      process.exit(1)
    }, config.get('task.shutdown.graceful.timeout.ms') + 30_000)
    timer.unref()
    await running.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}
