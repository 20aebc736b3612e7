// `npm run bench:jdbc`: copies a users-shaped table to Kafka through the worker and the JDBC source, and prints
// rows/s, MB/s and peak RSS against the machine's limit measured in the same run: min(Postgres COPY rate, the broker's
// ingest rate for a warmed kcat producer with the same record size and producer settings, best of 3:
// broker-ingest.ts). A benchmark, not a test.
// Each copy runs in a process of its own, started with flowscope's V8 flags (src/cli/v8-flags.ts) as `npm start`
// is, and with the connector's default settings (batch.max.rows 100, poll.interval.ms 5000), as a user would.
//   npm run bench:jdbc                       100k + 1M rows incrementing, 1M rows bulk (one full pass)
//   npm run bench:jdbc -- --rows 200000 --modes incrementing
import { execFile } from 'node:child_process'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import { builtinPlugins } from '../src/cli/plugins.ts'
import { V8_FLAGS } from '../src/cli/v8-flags.ts'
import { loadWorkerConfig } from '../src/config/worker-config.ts'
import { JsonConverter } from '../src/convert/json-converter.ts'
import { freePort } from '../src/local/ports.ts'
import { consoleProgress } from '../src/local/progress.ts'
import { setLoggerLevel } from '../src/logging.ts'
import { startWorker } from '../src/runtime/worker-process.ts'
import { isolatedWorkerProperties, workerSettingsFrom } from '../src/runtime/worker-settings.ts'
import { brokerIngestRate } from './broker-ingest.ts'
import { childSettings, reportToParent, runBenchChild } from './child.ts'
import { startBenchStack } from './local-stack.ts'

const run = promisify(execFile)
const TARGET_RATIO = 0.7
const RSS_LIMIT_MB = 200

const { values } = parseArgs({
  options: {
    rows: { type: 'string', multiple: true },
    modes: { type: 'string' },
    'exactly-once': { type: 'boolean' },
    child: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(`Usage: npm run bench:jdbc -- [--rows N ...] [--modes incrementing,bulk] [--exactly-once]

Copies users-shaped tables of N rows (default 100000 and 1000000) to Kafka through a flowscope worker and prints
rows/s, MB/s and peak RSS next to the machine's limit measured in the same run. Bulk mode runs on the largest size.
--exactly-once also copies each size in incrementing mode on a worker with exactly.once.source.support=enabled
(records and offsets in one transaction per poll): the throughput cost of exactly-once delivery.`)
  process.exit(0)
}

function usageError(message: string): never {
  console.error(`bench:jdbc: ${message} (see --help)`)
  process.exit(2)
}

interface ChildResult {
  rows: number
  mode: string
  seconds: number
  bytes: number
  peakRssMb: number
  /** RSS once the worker is up, before the connector starts: what the process costs idle. */
  idleRssMb: number
}

/** No progress for this long means the copy is stuck: the child reports and gives up instead of hanging. */
const STALL_MS = 60_000

/** One measured copy (runs in its own process so peak RSS is its own). */
async function child(): Promise<void> {
  setLoggerLevel('root', 'WARN')
  const env = childSettings<{
    pg: string
    bootstrap: string
    table: string
    rows: number
    mode: string
    exactlyOnce: boolean
  }>()
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  const port = await freePort()
  const group = `bench-${process.pid}`
  const worker = await startWorker(
    workerSettingsFrom(
      loadWorkerConfig({
        env: {},
        overrides: {
          ...isolatedWorkerProperties(group, env.bootstrap, port),
          ...(env.exactlyOnce ? { 'exactly.once.source.support': 'enabled' } : {}),
        },
      }),
      builtinPlugins,
    ),
  )
  const idleRssMb = process.memoryUsage().rss / 1024 / 1024
  const u = new URL(env.pg)
  const started = performance.now()
  await worker.herder.putConnectorConfig(
    'bench',
    {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': `jdbc:postgresql://${u.hostname}:${u.port}/postgres`,
      'connection.user': decodeURIComponent(u.username),
      'connection.password': decodeURIComponent(u.password),
      'table.whitelist': env.table,
      mode: env.mode,
      ...(env.mode === 'incrementing' ? { 'incrementing.column.name': 'id' } : {}),
      'topic.prefix': `${group}-`,
    },
    { allowReplace: true },
  )
  const scrape = async (name: string) => {
    const line = new RegExp(`^${name}\\{[^}]*\\} ([\\d.e+]+)$`, 'm')
    return Number(line.exec((await worker.metrics.render()).body)?.[1] ?? 0)
  }
  let written = 0
  let lastProgress = performance.now()
  while (written < env.rows) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const n = await scrape('kafka_connect_source_task_metrics_source_record_write_total')
    if (n > written) lastProgress = performance.now()
    written = n
    const task = worker.herder.connectorStatus('bench').tasks[0]
    if (task?.state === 'FAILED') throw new Error(`the bench connector's task failed:\n${task.trace}`)
    if (performance.now() - lastProgress > STALL_MS) {
      throw new Error(`no record written for ${STALL_MS / 1000} s (${written} of ${env.rows}); task: ${task?.state}`)
    }
  }
  const seconds = (performance.now() - started) / 1000
  const bytes = await scrape('kafka_producer_producer_metrics_outgoing_byte_total')
  clearInterval(sampler)
  await worker.stop()
  const result: ChildResult = {
    rows: env.rows,
    mode: env.mode,
    seconds,
    bytes,
    peakRssMb: peak / 1024 / 1024,
    idleRssMb,
  }
  reportToParent(result)
}

async function main(): Promise<void> {
  const sizes = (values.rows ?? ['100000', '1000000']).map(Number)
  const modes = (values.modes ?? 'incrementing,bulk').split(',')
  const badSize = (values.rows ?? []).find((n) => !/^[1-9]\d*$/.test(n))
  if (badSize !== undefined) usageError(`--rows ${badSize}: expected a whole number of rows above 0`)
  const badMode = modes.find((m) => m !== 'incrementing' && m !== 'bulk')
  if (badMode !== undefined) usageError(`--modes: ${badMode} is not one of incrementing, bulk`)
  const progress = consoleProgress()
  const bench = await startBenchStack('jdbc', progress)
  const dir = bench.dir
  const client = new pg.Client({ connectionString: bench.pgUrl })
  client.on('error', (e) => console.error('bench: Postgres connection error:', e.message))
  await client.connect()
  const rows: { label: string; result: ChildResult; limit: number; copyRate: number; producerRate: number }[] = []
  try {
    for (const size of sizes) {
      const table = `bench_users_${size}`
      const done = progress.step(`Creating ${table} with ${size} users-shaped rows`)
      await client.query(`DROP TABLE IF EXISTS ${table}`)
      await client.query(`CREATE TABLE ${table} (id SERIAL PRIMARY KEY, name VARCHAR(256), age INTEGER,
        insert_date TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP, update_date TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP)`)
      await client.query(
        `INSERT INTO ${table} (name, age) SELECT 'user ' || g, 20 + g % 60 FROM generate_series(1, ${size}) g`,
      )
      await client.query(`VACUUM ANALYZE ${table}`)
      done()

      // Limit 1: Postgres' own COPY of the same rows (psql, output discarded).
      const u = new URL(bench.pgUrl)
      const copyStarted = performance.now()
      await run(
        'psql',
        [
          '-h',
          u.hostname,
          '-p',
          u.port,
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-c',
          `COPY (SELECT * FROM ${table}) TO '/dev/null'`,
        ],
        {
          env: { ...process.env, PGPASSWORD: 'postgres' },
        },
      ).catch(async () =>
        run('sh', ['-c', `psql "${bench.pgUrl}" -c "\\copy (SELECT * FROM ${table}) TO '/dev/null'"`]),
      )
      const copyRate = size / ((performance.now() - copyStarted) / 1000)

      // Limit 2: the broker's producer rate for records of the size the worker writes.
      const sample = (await client.query(`SELECT * FROM ${table} LIMIT 1`)).rows[0] as Record<string, unknown>
      const json = new JsonConverter()
      json.configure({}, false)
      const recordSize = json.fromConnectData('t', usersSchema(table), {
        ...sample,
        insert_date: sample.insert_date as Date,
        update_date: sample.update_date as Date,
      })!.length
      const producerRate = await brokerIngestRate({
        bootstrap: bench.bootstrap,
        dir,
        recordBytes: recordSize,
        records: Math.max(size, 200_000),
      })
      const limit = Math.min(copyRate, producerRate)
      progress.info(
        `limits for ${size} rows: COPY ${copyRate.toFixed(0)} rows/s, producer ${producerRate.toFixed(0)} rec/s (${recordSize} B records)`,
      )

      const runs = modes.map((mode) => ({ mode, exactlyOnce: false }))
      if (values['exactly-once']) runs.push({ mode: 'incrementing', exactlyOnce: true })
      for (const { mode, exactlyOnce } of runs) {
        if (mode === 'bulk' && size !== Math.max(...sizes)) continue
        const result = await runBenchChild<ChildResult>(
          new URL(import.meta.url).pathname,
          {
            pg: bench.pgUrl,
            bootstrap: bench.bootstrap,
            table,
            rows: size,
            mode,
            exactlyOnce,
          },
          V8_FLAGS,
        )
        const label = `${exactlyOnce ? 'incr. exactly-once' : mode} ${size}`
        rows.push({ label, result, limit, copyRate, producerRate })
      }
    }
  } finally {
    await client.end()
    await bench.stop()
  }
  console.log('\nflowscope JDBC source → Kafka (JsonConverter with schemas, acks=all, idempotent, connector defaults)')
  console.log(
    `worker process: node ${V8_FLAGS.join(' ')}; limit = min(COPY rows/s, kcat producer rec/s: acks=all, idempotent, linger.ms=5, best of 3)`,
  )
  console.log(
    'run                         rows/s    MB/s  peak RSS  idle RSS  limit rows/s  ratio  (targets: ratio ≥ 0.70, peak RSS < 200 MB)',
  )
  for (const r of rows) {
    const rate = r.result.rows / r.result.seconds
    const mbs = r.result.bytes / r.result.seconds / 1024 / 1024
    const ratio = rate / r.limit
    const verdicts = [
      ratio >= TARGET_RATIO ? 'ok' : 'BELOW TARGET',
      r.result.peakRssMb < RSS_LIMIT_MB ? 'ok' : 'RSS OVER LIMIT',
    ]
    console.log(
      `${r.label.padEnd(26)} ${rate.toFixed(0).padStart(7)} ${mbs.toFixed(1).padStart(7)} ${r.result.peakRssMb.toFixed(0).padStart(6)} MB ${r.result.idleRssMb.toFixed(0).padStart(6)} MB ${r.limit.toFixed(0).padStart(13)}  ${ratio.toFixed(2).padStart(5)}  ${verdicts.join(', ')}`,
    )
  }
}

function usersSchema(table: string) {
  const ts = { type: 'int64' as const, optional: true, name: 'org.apache.kafka.connect.data.Timestamp', version: 1 }
  return {
    type: 'struct' as const,
    optional: false,
    name: table,
    fields: [
      { name: 'id', index: 0, schema: { type: 'int32' as const, optional: false } },
      { name: 'name', index: 1, schema: { type: 'string' as const, optional: true } },
      { name: 'age', index: 2, schema: { type: 'int32' as const, optional: true } },
      { name: 'insert_date', index: 3, schema: ts },
      { name: 'update_date', index: 4, schema: ts },
    ],
  }
}

await (values.child ? child() : main())
