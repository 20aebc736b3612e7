// `npm run bench:console`: the console with thousands of things in it, on a local stack the bench starts (a Kafka
// broker, Postgres with one small table, a flowscope worker in this process, the lag exporter and the console as
// processes of their own, as `npm start` runs them). With T topics, G consumer groups (committed offsets, no
// members) and C JDBC connectors (bulk mode, an hour's poll interval, one small table: cheap on 2 cores; 20 RUNNING,
// 10 PAUSED, the rest STOPPED, as Postgres allows 100 connections) it measures
// - time to first render of the Topics, Consumers and Connect pages in headless Chromium: from navigation to the
//   first data row visible (target < 1 s);
// - the API p50/p99 of those pages' endpoints, next to the raw call each wraps, timed in the same run (the limit);
// - the console's memory (its own process) before and after the runs: RSS, V8 heap, memory outside it;
// - the message browser's filtered scan over a topic of 1M records on the same broker, in a process of its own
//   (bench/console-scan.ts): records/s against the 100k/s target, RSS before/peak/after, heap after GC.
// The console and the lag exporter run with the V8 flags every flowscope process runs with (src/cli/v8-flags.ts).
// A benchmark, not a test.
//   npm run bench:console                                       2,000 topics, 500 groups, 100 connectors, 1M records
//   npm run bench:console -- --topics 200 --groups 50 --connectors 10 --scan-records 100000
import { type ChildProcess, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Admin } from '@platformatic/kafka'
import pg from 'pg'
import { chromium } from 'playwright-core'
import { builtinPlugins } from '../src/cli/plugins.ts'
import { V8_FLAGS } from '../src/cli/v8-flags.ts'
import { loadWorkerConfig } from '../src/config/worker-config.ts'
import { startLocalKafka } from '../src/local/kafka.ts'
import { ensureKafkaJars } from '../src/local/kafka-jars.ts'
import { freePort } from '../src/local/ports.ts'
import { startLocalPostgres } from '../src/local/postgres.ts'
import { consoleProgress, silentProgress } from '../src/local/progress.ts'
import { setLoggerLevel } from '../src/logging.ts'
import { startWorker } from '../src/runtime/worker-process.ts'
import { isolatedWorkerProperties, workerSettingsFrom } from '../src/runtime/worker-settings.ts'
import { type ScanRun, scanBench, scanReport } from './console-scan.ts'

const HELP = `Usage: npm run bench:console -- [options]

Measures the flowscope console with many topics, consumer groups and connectors on a local stack the bench starts:
first render of the Topics, Consumers and Connect pages in headless Chromium, API p50/p99 of their endpoints next to
the raw call each wraps, the console's memory, and the message browser's filtered scan rate.

Options:
  --topics N        topics to create (default 2000)
  --groups N        consumer groups with committed offsets (default 500)
  --connectors N    JDBC source connectors on the flowscope worker (default 100; the first 20 RUNNING, 10 PAUSED,
                    the rest STOPPED: running and paused ones hold Postgres connections)
  --runs N          page loads per page and API calls per endpoint (default 10 and 50×; API calls = 5 × runs)
  --scan-records N  records in the topic the message browser's filters scan (default 1000000; 0: no scan)
  --heap-snapshot   write a V8 heap snapshot of the console after the runs into test-output/ (for DevTools)
  -h, --help        show this help

Chromium: /usr/bin/chromium, or FLOWSCOPE_CHROMIUM.`

function usageError(message: string): never {
  console.error(`bench:console: ${message} (see --help)`)
  process.exit(2)
}

const { values } = parseArgs({
  options: {
    topics: { type: 'string' },
    groups: { type: 'string' },
    connectors: { type: 'string' },
    runs: { type: 'string' },
    'scan-records': { type: 'string' },
    'heap-snapshot': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
const count = (flag: string, raw: string | undefined, fallback: number, min = 0) => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < min) usageError(`--${flag} ${raw}: expected a whole number ≥ ${min}`)
  return n
}
const topics = count('topics', values.topics, 2000)
const groups = count('groups', values.groups, 500)
const connectors = count('connectors', values.connectors, 100)
const runs = count('runs', values.runs, 10, 1)
const scanRecords = count('scan-records', values['scan-records'], 1_000_000)
/** Connectors started RUNNING; the rest are created PAUSED (see below). */
const RUNNING_CONNECTORS = 20
const CHROMIUM = process.env.FLOWSCOPE_CHROMIUM ?? '/usr/bin/chromium'

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]
}
const timed = async (work: () => Promise<unknown>) => {
  const t = performance.now()
  await work()
  return performance.now() - t
}
async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work))
}
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`bench:console: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
function startChild(name: string, args: string[], nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...V8_FLAGS, ...nodeFlags, 'src/cli/main.ts', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000)
  })
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`bench:console: ${name} exited ${code}: ${err}`)
  })
  return child
}
const rssMb = async (pid: number) => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024
}
interface ProcessMemory {
  rssBytes: number
  heapTotalBytes: number
  heapUsedBytes: number
  externalBytes: number
  arrayBuffersBytes: number
}
/** The console's own account of its memory (GET /api/process), one line. */
const memoryLine = async (consoleUrl: string) => {
  const m = (await (await fetch(`${consoleUrl}/api/process`)).json()) as ProcessMemory
  const f = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`
  return `RSS ${f(m.rssBytes)} = V8 heap ${f(m.heapTotalBytes)} (${f(m.heapUsedBytes)} used) + external ${f(m.externalBytes)} (array buffers ${f(m.arrayBuffersBytes)}) + code, stacks and the allocator's pages ${f(m.rssBytes - m.heapTotalBytes - m.externalBytes)}`
}

setLoggerLevel('root', 'WARN')
const progress = consoleProgress()
await mkdir('test-output', { recursive: true })
const dir = await mkdtemp(join(tmpdir(), 'flowscope-bench-console-'))
await chmod(dir, 0o755)
const prefix = `bench${Date.now().toString(36)}`
const children: ChildProcess[] = []
let stopWorker: (() => Promise<void>) | undefined
const kafka = await startLocalKafka({
  dataDir: join(dir, 'kafka'),
  jars: await ensureKafkaJars(progress),
  port: await freePort(),
  controllerPort: await freePort(),
  metricsPort: null,
  heapMb: 1024,
  progress: silentProgress,
})
const postgres = await startLocalPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), seed: false, progress })
const admin = new Admin({ clientId: 'bench-console', bootstrapBrokers: [kafka.bootstrapServers] })
try {
  let done = progress.step(`Creating ${topics} topics and ${groups} consumer groups`)
  const names = Array.from({ length: topics }, (_, i) => `${prefix}-topic-${String(i).padStart(5, '0')}`)
  await inBatches(
    Array.from({ length: Math.ceil(names.length / 200) }, (_, i) => names.slice(i * 200, i * 200 + 200)),
    1,
    (batch) => admin.createTopics({ topics: batch, partitions: 1, replicas: 1 }),
  )
  // Right after the broker starts (and under 2,000 new topics) the group coordinator may not be ready yet: retry.
  const commit = async (i: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await admin.alterConsumerGroupOffsets({
          groupId: `${prefix}-group-${String(i).padStart(4, '0')}`,
          topics: [{ name: names[i % names.length] ?? names[0], partitionOffsets: [{ partition: 0, offset: 0n }] }],
        })
      } catch (error) {
        if (attempt >= 20) throw error
        await new Promise((r) => setTimeout(r, 500 * attempt))
      }
    }
  }
  if (groups > 0) await commit(0)
  await inBatches(
    Array.from({ length: Math.max(0, groups - 1) }, (_, i) => i + 1),
    25,
    commit,
  )
  done()

  done = progress.step(`Starting a flowscope worker with ${connectors} JDBC connectors`)
  const db = new pg.Client({ connectionString: postgres.url })
  await db.connect()
  await db.query('CREATE TABLE bench_small (id serial PRIMARY KEY, note text)')
  await db.query("INSERT INTO bench_small (note) SELECT 'row ' || g FROM generate_series(1, 10) g")
  await db.end()
  const restPort = await freePort()
  const worker = await startWorker(
    workerSettingsFrom(
      loadWorkerConfig({
        env: {},
        overrides: isolatedWorkerProperties(`${prefix}-connect`, kafka.bootstrapServers, restPort),
      }),
      builtinPlugins,
    ),
  )
  stopWorker = () => worker.stop()
  const connectUrl = `http://127.0.0.1:${restPort}`
  const u = new URL(postgres.url)
  await inBatches(
    Array.from({ length: connectors }, (_, i) => `${prefix}-source-${String(i).padStart(3, '0')}`),
    10,
    async (name) => {
      // Running and paused JDBC connectors hold Postgres connections (the connector's and its task's): past the first
      // 20 RUNNING and 10 PAUSED they are created STOPPED (KIP-980), within Postgres' 100 connections; the console
      // lists them all the same.
      const index = Number(name.slice(-3))
      const response = await fetch(`${connectUrl}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name,
          initial_state:
            index < RUNNING_CONNECTORS ? 'RUNNING' : index < RUNNING_CONNECTORS + 10 ? 'PAUSED' : 'STOPPED',
          config: {
            'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
            'connection.url': `jdbc:postgresql://${u.hostname}:${u.port}/postgres`,
            'connection.user': 'postgres',
            'connection.password': 'postgres',
            mode: 'bulk',
            'table.whitelist': 'bench_small',
            'topic.prefix': `${name}-`,
            'poll.interval.ms': '3600000',
            'tasks.max': '1',
          },
        }),
      })
      if (!response.ok) throw new Error(`creating ${name}: HTTP ${response.status} ${await response.text()}`)
    },
  )
  await until(`${connectors} connectors RUNNING`, async () => {
    const body = (await (await fetch(`${connectUrl}/connectors?expand=status`)).json()) as Record<
      string,
      { status: { connector: { state: string } } }
    >
    return (
      Object.values(body).filter((c) => ['RUNNING', 'PAUSED', 'STOPPED'].includes(c.status.connector.state)).length >=
      connectors
    )
  })
  done()

  done = progress.step('Starting the lag exporter and the console')
  const lagPort = await freePort()
  children.push(
    startChild('lag exporter', [
      'lag-exporter',
      '--bootstrap-servers',
      kafka.bootstrapServers,
      '--port',
      String(lagPort),
      '--host',
      '127.0.0.1',
      '--state-file',
      'none',
    ]),
  )
  const lagUrl = `http://127.0.0.1:${lagPort}`
  await until(`the lag exporter to see ${groups} groups`, async () => {
    const text = await (await fetch(`${lagUrl}/metrics`)).text()
    return (text.match(/^kafka_consumergroup_group_max_lag\{/gm)?.length ?? 0) >= groups
  })
  const consolePort = await freePort()
  const consoleProcess = startChild(
    'console',
    [
      'console',
      '--port',
      String(consolePort),
      '--kafka',
      `local=${kafka.bootstrapServers}`,
      '--connect',
      `main=${connectUrl}`,
      '--lag-exporter',
      lagUrl,
    ],
    values['heap-snapshot'] ? ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir=test-output'] : [],
  )
  children.push(consoleProcess)
  const consoleUrl = `http://localhost:${consolePort}`
  await until('the console', async () => (await fetch(`${consoleUrl}/api/config`)).ok, 60_000)
  // Two samples in (the sample store fills as it will stay), before any page or API call.
  await new Promise((r) => setTimeout(r, 11_000))
  const memoryAtStart = await memoryLine(consoleUrl)
  done()

  // API p50/p99 of the pages' endpoints, and the raw call each wraps (the limit).
  done = progress.step('Timing the API')
  const calls = runs * 5
  const endpoints = [
    {
      page: 'Topics',
      api: '/api/clusters/local/topics?page=1&size=50',
      raw: 'admin metadata of every topic',
      rawCall: () => admin.metadata({ topics: names }),
    },
    {
      page: 'Consumers',
      api: '/api/consumers?page=1&size=50',
      raw: 'GET lag exporter /metrics',
      rawCall: async () => (await fetch(`${lagUrl}/metrics`)).text(),
    },
    {
      page: 'Connect',
      api: '/api/connect',
      raw: 'GET Connect /connectors?expand=status&expand=info',
      rawCall: async () => (await fetch(`${connectUrl}/connectors?expand=status&expand=info`)).json(),
    },
  ]
  const apiRows: {
    page: string
    api: string
    p50: number
    p99: number
    raw: string
    rawP50: number
    rawP99: number
  }[] = []
  for (const e of endpoints) {
    const api: number[] = []
    const raw: number[] = []
    for (let i = 0; i < calls; i++) {
      api.push(await timed(async () => (await fetch(`${consoleUrl}${e.api}`)).json()))
      raw.push(await timed(e.rawCall))
    }
    apiRows.push({
      page: e.page,
      api: e.api,
      p50: quantile(api, 0.5),
      p99: quantile(api, 0.99),
      raw: e.raw,
      rawP50: quantile(raw, 0.5),
      rawP99: quantile(raw, 0.99),
    })
  }
  done()

  done = progress.step('Timing first renders in Chromium')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  const renderRows: { page: string; path: string; median: number; worst: number }[] = []
  try {
    for (const [page, path] of [
      ['Topics', '/topics'],
      ['Consumers', '/consumers'],
      ['Connect', '/connect'],
    ] as const) {
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        // A fresh context each time: nothing cached, as a user opening the page.
        const context = await browser.newContext({ viewport: { width: 1300, height: 900 } })
        const tab = await context.newPage()
        const t = performance.now()
        await tab.goto(`${consoleUrl}${path}`, { waitUntil: 'commit' })
        await tab.locator('main table tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 })
        times.push(performance.now() - t)
        if (i === 0) await tab.screenshot({ path: join('test-output', `bench-console-${page.toLowerCase()}.png`) })
        await context.close()
      }
      renderRows.push({ page, path, median: quantile(times, 0.5), worst: Math.max(...times) })
    }
  } finally {
    await browser.close()
  }
  done()
  const rss = await rssMb(consoleProcess.pid!)
  const memoryAfter = await memoryLine(consoleUrl)
  if (values['heap-snapshot']) {
    const before = new Set(await readdir('test-output'))
    consoleProcess.kill('SIGUSR2')
    await until('the heap snapshot', async () => {
      const file = (await readdir('test-output')).find((f) => f.endsWith('.heapsnapshot') && !before.has(f))
      if (!file) return false
      const size = (await stat(join('test-output', file))).size
      await new Promise((r) => setTimeout(r, 1000))
      return size > 0 && (await stat(join('test-output', file))).size === size
    })
  }
  const stats = (await (await fetch(`${consoleUrl}/api/history/stats`)).json()) as {
    series: number
    bytes: number
    lastSampleMs: number | null
  }

  // The scan last: its producing and reading must not disturb the console's figures.
  let scan: ScanRun[] = []
  if (scanRecords > 0) {
    for (const c of children) c.kill('SIGTERM')
    scan = await scanBench({
      bootstrap: kafka.bootstrapServers,
      topic: `${prefix}-scan`,
      records: scanRecords,
      partitions: 3,
      progress,
    })
  }

  const ms = (n: number) => `${n.toFixed(0)} ms`
  console.log(
    `\nflowscope console: ${topics} topics, ${groups} consumer groups, ${connectors} connectors (flowscope worker), local broker; ${runs} page loads and ${calls} API calls each`,
  )
  console.log('\nFirst render (navigation → first data row visible; target < 1 s):')
  for (const r of renderRows)
    console.log(
      `  ${r.page.padEnd(10)} ${r.path.padEnd(11)} median ${ms(r.median).padStart(7)}  worst ${ms(r.worst).padStart(7)}  ${r.median < 1000 ? 'OK' : 'OVER TARGET'}`,
    )
  console.log('\nAPI (p50 / p99) next to the raw call it wraps (the limit, same run):')
  for (const r of apiRows)
    console.log(
      `  ${r.api.padEnd(44)} ${ms(r.p50).padStart(7)} / ${ms(r.p99).padStart(7)}   raw: ${r.raw} ${ms(r.rawP50)} / ${ms(r.rawP99)}`,
    )
  console.log(
    `\nConsole (node ${V8_FLAGS.join(' ')}) memory before the runs: ${memoryAtStart}\nConsole memory after the runs:  ${memoryAfter}\nConsole RSS after the runs: ${rss.toFixed(0)} MB; sample store ${stats.series} series, ${(stats.bytes / 1024 / 1024).toFixed(1)} MB reserved, last sample took ${stats.lastSampleMs ?? '?'} ms`,
  )
  if (scan.length > 0) {
    console.log(
      `\nMessage browser filtered scan: ${scanRecords.toLocaleString('en')} small JSON records in 3 partitions, filters matching 0.1 %, in a process of its own:`,
    )
    for (const line of scanReport(scan)) console.log(`  ${line}`)
  }
} finally {
  for (const c of children) c.kill('SIGTERM')
  await admin.close().catch(() => {})
  await stopWorker?.().catch(() => {})
  await postgres.stop()
  await kafka.stop()
  await rm(dir, { recursive: true, force: true })
}
