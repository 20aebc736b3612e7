// `npm run bench:cdc`: PostgreSQL CDC side by side in one run, on one Postgres, one broker, one table, JsonConverter
// with schemas — the real Debezium 3.6.1 Postgres connector on a real Apache Kafka Connect 4.1 worker, and flowscope's
// CDC connector on a flowscope worker (reported "not available" while the worker has no such connector class) — next
// to the limits measured in the same run: pgoutput drained by pg_recvlogical to /dev/null, and the broker's ingest
// rate with a warmed kcat producer (acks=all, idempotent, linger.ms=5) at the events' record size. A benchmark, not a
// test. Each peer runs alone (the other's worker is stopped) so they do not share the 2 cores.
//
// Per peer: start to first event (connector created → first record appended), snapshot rows/s, streaming changes/s as
// single-row transactions and as one large transaction (changes are written while the connector is stopped, then it
// is resumed: the rate is records / (last − first append time), so task start-up does not count), commit → append
// latency p50/p99 at steady rates (commit time: the row's `changed_us`, clock_timestamp() in the single-row
// transaction that commits right after it; append time: the record's LogAppendTime, the topic is created with it),
// peak RSS of the worker process (VmHWM from /proc).
//   npm run bench:cdc                          20k-row snapshot, 20k changes per streaming run, 1k and 5k changes/s
//   npm run bench:cdc -- --rows 1000000 --rates 1000,5000 --seconds 30
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import { V8_FLAGS } from '../src/cli/v8-flags.ts'
import { startApacheConnect } from '../src/local/apache-connect.ts'
import { type Supervised, startProcess } from '../src/local/child-process.ts'
import { DEBEZIUM_POSTGRES_BUNDLE, ensureJars } from '../src/local/kafka-jars.ts'
import { freePort } from '../src/local/ports.ts'
import { consoleProgress, silentProgress } from '../src/local/progress.ts'
import { isolatedWorkerProperties } from '../src/runtime/worker-settings.ts'
import { brokerIngestRate } from './broker-ingest.ts'
import { startBenchStack } from './local-stack.ts'

const run = promisify(execFile)
const DEBEZIUM_CLASS = 'io.debezium.connector.postgresql.PostgresConnector'
const FLOWSCOPE_CDC_CLASS = 'io.flowscope.connect.postgres.PostgresCdcConnector'
const TABLE = 'bench_cdc'
const STALL_MS = 120_000

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    rates: { type: 'string' },
    seconds: { type: 'string' },
    'connect-heap-mb': { type: 'string' },
    connections: { type: 'string' },
    peers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(`Usage: npm run bench:cdc -- [--rows N] [--rates R1,R2] [--seconds S] [--connect-heap-mb M] [--connections C]
                          [--peers debezium,flowscope]

Debezium 3.6.1 on Kafka Connect 4.1 and flowscope's CDC connector, side by side on one Postgres and broker:
snapshot of N rows (default 20000), streaming of N changes as single-row transactions and as one transaction,
commit → Kafka append latency at steady rates (default 1000,5000 changes/s, S seconds each, default 10), peak RSS,
start to first event; limits: pg_recvlogical (pgoutput to /dev/null) and kcat's producer rate (best of 3).
Connect runs with -Xmx M MiB (default 1024). Single-row transactions are spread over C connections (--connections,
default 32): each waits for its commit's WAL flush, so one connection alone cannot reach 5k commits/s.
--peers picks which connectors run (default both). Each peer starts on a freshly created table of N rows, and its
topic is counted at the end: records beyond what its phases asked for (duplicates) are reported.`)
  process.exit(0)
}
function usageError(message: string): never {
  console.error(`bench:cdc: ${message} (see --help)`)
  process.exit(2)
}
const wholeNumber = (flag: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback
  if (!/^[1-9]\d*$/.test(text)) usageError(`--${flag} ${text}: expected a whole number above 0`)
  return Number(text)
}
const ROWS = wholeNumber('rows', values.rows, 20_000)
const SECONDS = wholeNumber('seconds', values.seconds, 10)
const CONNECT_HEAP_MB = wholeNumber('connect-heap-mb', values['connect-heap-mb'], 1024)
/** Connections the load generator spreads its single-row transactions over. */
const GENERATOR_CONNECTIONS = wholeNumber('connections', values.connections, 32)
const RATES = (values.rates ?? '1000,5000').split(',').map((r) => wholeNumber('rates', r, 0))

interface Stack {
  pgUrl: string
  bootstrap: string
  kafkaClasspath: string[]
  client: pg.Client
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a topic: kcat follows it from an offset and hands over each record's append time and sizes.

interface Appended {
  appendMs: number
  bytes: number
  /** The row's changed_us (µs since the epoch), when asked for. */
  changedUs?: number
}

class TopicFollower {
  readonly records: Appended[] = []
  #kcat: ChildProcess
  #waiters: (() => void)[] = []

  constructor(bootstrap: string, topic: string, fromOffset: number, withValues: boolean) {
    const format = withValues ? '%T\t%K\t%S\t%s\n' : '%T\t%K\t%S\n'
    this.#kcat = spawn(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', String(fromOffset), '-u', '-q', '-f', format],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    createInterface({ input: this.#kcat.stdout! }).on('line', (line) => {
      const [ts, key, value, json] = line.split('\t')
      const changed = json === undefined ? undefined : /"changed_us":(\d+)/.exec(json)?.[1]
      this.records.push({
        appendMs: Number(ts),
        bytes: Math.max(0, Number(key)) + Math.max(0, Number(value)),
        changedUs: changed === undefined ? undefined : Number(changed),
      })
      for (const wake of this.#waiters.splice(0)) wake()
    })
  }

  /** Resolves once `count` records arrived; fails when none arrives for STALL_MS. */
  async waitFor(count: number, what: string): Promise<Appended[]> {
    let seen = this.records.length
    let lastProgress = Date.now()
    while (this.records.length < count) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 1000)
      })
      if (this.records.length > seen) [seen, lastProgress] = [this.records.length, Date.now()]
      if (Date.now() - lastProgress > STALL_MS) {
        throw new Error(`${what}: ${this.records.length} of ${count} records, none for ${STALL_MS / 1000} s`)
      }
    }
    return this.records.slice(0, count)
  }

  stop(): void {
    this.#kcat.kill('SIGKILL')
  }
}

async function topicEnd(stack: Stack, topic: string): Promise<number> {
  const { stdout } = await run('kcat', ['-b', stack.bootstrap, '-Q', '-t', `${topic}:0:-1`])
  return Number(/\S+ \[0\] offset (-?\d+)/.exec(stdout)?.[1] ?? 0)
}

/** The change topic, created before the connector writes to it, with LogAppendTime: append times from the broker. */
async function createAppendTimeTopic(stack: Stack, topic: string): Promise<void> {
  await run(
    'java',
    [
      '-Xmx128m',
      '-cp',
      stack.kafkaClasspath.join(':'),
      'org.apache.kafka.tools.TopicCommand',
      '--bootstrap-server',
      stack.bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      '1',
      '--config',
      'message.timestamp.type=LogAppendTime',
    ],
    { maxBuffer: 4 * 1024 * 1024 },
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Workloads

async function createTable(stack: Stack): Promise<void> {
  await stack.client.query(`DROP TABLE IF EXISTS ${TABLE}`)
  await stack.client.query(`CREATE TABLE ${TABLE} (
    id bigint PRIMARY KEY, name varchar(64), amount numeric(12, 2), status text, note text,
    created_at timestamptz DEFAULT now(),
    changed_us bigint DEFAULT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)`)
  await stack.client.query(
    `INSERT INTO ${TABLE} (id, name, amount, status, note)
     SELECT g, 'customer ' || g, g % 10000 / 100.0, 'new', md5(g::text) FROM generate_series(1, ${ROWS}) g`,
  )
  await stack.client.query(`VACUUM ANALYZE ${TABLE}`)
}

let nextId = 1_000_000_000
const insertOne = (client: pg.Client) =>
  client.query(`INSERT INTO ${TABLE} (id, name, amount, status, note) VALUES ($1, 'customer', 12.34, 'new', md5($2))`, [
    nextId,
    String(nextId++),
  ])

/** `count` single-row transactions, spread over connections as fast as Postgres takes them. */
async function singleRowTransactions(pool: pg.Client[], count: number): Promise<void> {
  let left = count
  await Promise.all(
    pool.map(async (client) => {
      while (left > 0) {
        left--
        await insertOne(client)
      }
    }),
  )
}

async function oneLargeTransaction(stack: Stack, count: number): Promise<void> {
  const first = nextId
  nextId += count
  await stack.client.query(
    `INSERT INTO ${TABLE} (id, name, amount, status, note)
     SELECT g, 'customer', 12.34, 'bulk', md5(g::text) FROM generate_series(${first}, ${first + count - 1}) g`,
  )
}

/** Single-row transactions at a steady `rate` for `seconds`; returns how many were committed. */
async function steadyRate(pool: pg.Client[], rate: number, seconds: number): Promise<number> {
  const started = performance.now()
  let issued = 0
  let inFlight = 0
  const idle = [...pool]
  const done: Promise<unknown>[] = []
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate)
    while (issued < due && idle.length > 0) {
      const client = idle.pop()!
      issued++
      inFlight++
      done.push(
        insertOne(client).then(() => {
          inFlight--
          idle.push(client)
        }),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(done)
  void inFlight
  return issued
}

// ---------------------------------------------------------------------------------------------------------------
// Peers: a worker process with a REST API.

interface PeerWorker {
  url: string
  pid: number
  stop(): Promise<void>
}

interface Peer {
  label: string
  connectorClass: string
  start(stack: Stack, dir: string): Promise<PeerWorker>
}

async function rest(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, text, body: text ? (JSON.parse(text) as unknown) : undefined }
}

async function waitForState(url: string, name: string, state: string): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const { body } = await rest(url, 'GET', `/connectors/${name}/status`)
    const status = body as { connector?: { state: string }; tasks?: { state: string; trace?: string }[] }
    const failed = status.tasks?.find((t) => t.state === 'FAILED')
    if (failed) throw new Error(`${name}: task FAILED\n${failed.trace?.slice(0, 2000)}`)
    const tasksOk = state === 'STOPPED' ? status.tasks?.length === 0 : status.tasks?.every((t) => t.state === state)
    if (status.connector?.state === state && tasksOk) return
    if (Date.now() > deadline) throw new Error(`${name}: not ${state} after 60 s: ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function peakRssMb(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
  return kb === undefined ? null : Number(kb) / 1024
}

const debezium: Peer = {
  label: 'Debezium 3.6.1 / Connect 4.1.1',
  connectorClass: DEBEZIUM_CLASS,
  async start(stack) {
    const plugin = await ensureJars(consoleProgress(), DEBEZIUM_POSTGRES_BUNDLE)
    const connect = await startApacheConnect({
      bootstrapServers: stack.bootstrap,
      groupId: `bench-dbz-${process.pid}`,
      progress: silentProgress,
      pluginPath: [dirname(plugin.dir)],
      heapMb: CONNECT_HEAP_MB,
    })
    return connect
  },
}

const flowscope: Peer = {
  label: 'flowscope',
  connectorClass: FLOWSCOPE_CDC_CLASS,
  async start(stack, dir) {
    const port = await freePort()
    const properties = {
      ...isolatedWorkerProperties(`bench-fs-${process.pid}`, stack.bootstrap, port),
      'offset.flush.interval.ms': '500',
    }
    const child: Supervised = startProcess(
      'flowscope worker',
      process.execPath,
      [
        ...V8_FLAGS,
        new URL('../src/cli/main.ts', import.meta.url).pathname,
        'worker',
        ...Object.entries(properties).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
      ],
      join(dir, 'flowscope-worker.log'),
    )
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 60_000
    while ((await fetch(`${url}/`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('the flowscope worker did not answer on its REST port in 60 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return { url, pid: child.pid, stop: () => child.stop() }
  },
}

const PEER_NAMES: Record<string, Peer> = { debezium, flowscope }
const PEERS = (values.peers ?? 'debezium,flowscope')
  .split(',')
  .map((name) => PEER_NAMES[name.trim()] ?? usageError(`--peers ${values.peers}: expected debezium and/or flowscope`))

interface PeerResult {
  label: string
  available: boolean
  reason?: string
  bootSeconds?: number
  startToFirstMs?: number
  snapshotRate?: number
  singleRowRate?: number
  largeTxRate?: number
  latency?: { rate: number; achieved: number; committed: number; p50: number; p99: number }[]
  /** Records in the peer's topic beyond the changes its phases made (duplicates); 0 when every change came once. */
  extraRecords?: number
  peakRssMb?: number | null
  recordBytes?: number
}

function cdcConfig(stack: Stack, connectorClass: string, prefix: string): Record<string, string> {
  const u = new URL(stack.pgUrl)
  return {
    'connector.class': connectorClass,
    'tasks.max': '1',
    'database.hostname': u.hostname,
    'database.port': u.port,
    'database.user': decodeURIComponent(u.username),
    'database.password': decodeURIComponent(u.password),
    'database.dbname': u.pathname.slice(1) || 'postgres',
    'topic.prefix': prefix,
    'plugin.name': 'pgoutput',
    'slot.name': `${prefix}_slot`,
    'publication.name': `${prefix}_pub`,
    'publication.autocreate.mode': 'filtered',
    'snapshot.mode': 'initial',
    'table.include.list': `public.${TABLE}`,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  }
}

const ratePerSecond = (records: Appended[]) => {
  const ms = records[records.length - 1].appendMs - records[0].appendMs
  return ms > 0 ? ((records.length - 1) / ms) * 1000 : Number.POSITIVE_INFINITY
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function measurePeer(peer: Peer, stack: Stack, pool: pg.Client[], dir: string): Promise<PeerResult> {
  const progress = consoleProgress()
  const booted = performance.now()
  const worker = await peer.start(stack, dir)
  const bootSeconds = (performance.now() - booted) / 1000
  const result: PeerResult = { label: peer.label, available: true, bootSeconds }
  const prefix = `bench_${peer === debezium ? 'dbz' : 'fs'}_${process.pid}`
  const topic = `${prefix}.public.${TABLE}`
  const name = `${prefix}-cdc`
  try {
    const plugins = (await rest(worker.url, 'GET', '/connector-plugins')).body as { class: string }[]
    if (!plugins.some((p) => p.class === peer.connectorClass)) {
      return { label: peer.label, available: false, reason: `the worker has no connector class ${peer.connectorClass}` }
    }
    await createAppendTimeTopic(stack, topic)

    let done = progress.step(`${peer.label}: snapshot of ${ROWS} rows`)
    let follower = new TopicFollower(stack.bootstrap, topic, 0, false)
    const created = Date.now()
    const response = await rest(worker.url, 'POST', '/connectors', {
      name,
      config: cdcConfig(stack, peer.connectorClass, prefix),
    })
    if (response.status !== 201) throw new Error(`creating ${name}: ${response.status} ${response.text}`)
    const snapshot = await follower.waitFor(ROWS, `${peer.label} snapshot`)
    follower.stop()
    result.startToFirstMs = snapshot[0].appendMs - created
    result.snapshotRate = ratePerSecond(snapshot)
    result.recordBytes = snapshot.reduce((sum, r) => sum + r.bytes, 0) / snapshot.length
    done(`${result.snapshotRate.toFixed(0)} rows/s`)

    for (const [label, write] of [
      ['single-row transactions', () => singleRowTransactions(pool, ROWS)],
      ['one transaction', () => oneLargeTransaction(stack, ROWS)],
    ] as const) {
      done = progress.step(`${peer.label}: streaming ${ROWS} changes as ${label}`)
      // Written while the connector is stopped, read once it is resumed: the connector's rate, not the writer's.
      const stopped = await rest(worker.url, 'PUT', `/connectors/${name}/stop`)
      if (stopped.status >= 300) throw new Error(`stopping ${name}: ${stopped.status} ${stopped.text}`)
      await waitForState(worker.url, name, 'STOPPED')
      const from = await topicEnd(stack, topic)
      await write()
      follower = new TopicFollower(stack.bootstrap, topic, from, false)
      await rest(worker.url, 'PUT', `/connectors/${name}/resume`)
      const records = await follower.waitFor(ROWS, `${peer.label} ${label}`)
      follower.stop()
      const rate = ratePerSecond(records)
      if (label === 'one transaction') result.largeTxRate = rate
      else result.singleRowRate = rate
      done(`${rate.toFixed(0)} changes/s`)
    }

    result.latency = []
    for (const rate of RATES) {
      done = progress.step(`${peer.label}: commit → append latency at ${rate} changes/s for ${SECONDS} s`)
      const from = await topicEnd(stack, topic)
      follower = new TopicFollower(stack.bootstrap, topic, from, true)
      const started = performance.now()
      const committed = await steadyRate(pool, rate, SECONDS)
      const achieved = committed / ((performance.now() - started) / 1000)
      const records = await follower.waitFor(committed, `${peer.label} at ${rate}/s`)
      follower.stop()
      const latencies = records
        .filter((r) => r.changedUs !== undefined)
        .map((r) => r.appendMs - r.changedUs! / 1000)
        .sort((a, b) => a - b)
      const entry = { rate, achieved, committed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
      result.latency.push(entry)
      done(`p50 ${entry.p50.toFixed(0)} ms, p99 ${entry.p99.toFixed(0)} ms (${achieved.toFixed(0)} changes/s achieved)`)
    }
    const expected = 3 * ROWS + result.latency.reduce((sum, l) => sum + l.committed, 0)
    await new Promise((resolve) => setTimeout(resolve, 2000)) // anything still coming would be a duplicate
    result.extraRecords = (await topicEnd(stack, topic)) - expected
    result.peakRssMb = await peakRssMb(worker.pid)
    await rest(worker.url, 'DELETE', `/connectors/${name}`)
    return result
  } finally {
    await worker.stop()
    await dropSlot(stack, `${prefix}_slot`)
  }
}

async function dropSlot(stack: Stack, slot: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await stack.client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])
    if (rows.length === 0) return
    if (!rows[0].active) return void (await stack.client.query('SELECT pg_drop_replication_slot($1)', [slot]))
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

/** pgoutput decoded by the server and received by pg_recvlogical to /dev/null: changes/s for one workload. */
async function recvlogicalRate(stack: Stack, pool: pg.Client[], write: () => Promise<void>): Promise<number> {
  const slot = `bench_limit_${process.pid}_${nextId}`
  const publication = `bench_limit_pub_${process.pid}`
  await stack.client.query(`DROP PUBLICATION IF EXISTS ${publication}`)
  await stack.client.query(`CREATE PUBLICATION ${publication} FOR TABLE ${TABLE}`)
  await stack.client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot])
  void pool
  await write()
  const endpos = (await stack.client.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string
  const started = performance.now()
  await run(
    'pg_recvlogical',
    [
      '-d',
      stack.pgUrl,
      '--slot',
      slot,
      '--start',
      '--endpos',
      endpos,
      '--no-loop',
      '-o',
      'proto_version=1',
      '-o',
      `publication_names=${publication}`,
      '-f',
      '/dev/null',
    ],
    { timeout: 600_000 },
  )
  const seconds = (performance.now() - started) / 1000
  await stack.client.query('SELECT pg_drop_replication_slot($1)', [slot])
  await stack.client.query(`DROP PUBLICATION ${publication}`)
  return ROWS / seconds
}

/** kcat's producer rate (acks=all, idempotent, linger.ms=5) for ROWS records of `bytes` bytes: best of 3. */
// ---------------------------------------------------------------------------------------------------------------

/** The machine's 1-minute load average at the start and end: the figures are only as quiet as the machine was. */
const loadAtStart = loadavg()[0]

async function main(): Promise<void> {
  const progress = consoleProgress()
  const bench = await startBenchStack('cdc', progress)
  await ensureJars(progress, DEBEZIUM_POSTGRES_BUNDLE)
  const dir = bench.dir
  const client = new pg.Client({ connectionString: bench.pgUrl })
  client.on('error', (e) => console.error('bench: Postgres connection error:', e.message))
  await client.connect()
  const pool = await Promise.all(
    Array.from({ length: GENERATOR_CONNECTIONS }, async () => {
      const c = new pg.Client({ connectionString: bench.pgUrl })
      await c.connect()
      return c
    }),
  )
  const stack: Stack = {
    pgUrl: bench.pgUrl,
    bootstrap: bench.bootstrap,
    kafkaClasspath: bench.kafkaClasspath,
    client,
  }
  const results: PeerResult[] = []
  let limits: { recvSingle: number; recvLarge: number; ingest: number; recordBytes: number } | undefined
  try {
    for (const peer of PEERS) {
      // A table of its own per peer: on a shared one the second peer's snapshot would also read every row the first
      // peer's phases inserted, and its later phases would count that backlog as their own records.
      const done = progress.step(`${peer.label}: creating ${TABLE} with ${ROWS} rows`)
      await createTable(stack)
      done()
      results.push(
        await measurePeer(peer, stack, pool, dir).catch((error: Error) => ({
          label: peer.label,
          available: false,
          reason: error.message.split('\n')[0],
        })),
      )
    }
    const limitDone = progress.step('Limits: pg_recvlogical (pgoutput → /dev/null) and kcat producer ingest')
    const recvSingle = await recvlogicalRate(stack, pool, () => singleRowTransactions(pool, ROWS))
    const recvLarge = await recvlogicalRate(stack, pool, () => oneLargeTransaction(stack, ROWS))
    const recordBytes = results.find((r) => r.recordBytes)?.recordBytes ?? 1000
    const ingest = await brokerIngestRate({ bootstrap: stack.bootstrap, dir, recordBytes, records: ROWS })
    limits = { recvSingle, recvLarge, ingest, recordBytes }
    limitDone(
      `pg_recvlogical ${recvSingle.toFixed(0)} / ${recvLarge.toFixed(0)} changes/s, broker ${ingest.toFixed(0)} rec/s`,
    )
  } finally {
    for (const c of [client, ...pool]) await c.end().catch(() => {})
    await bench.stop()
  }
  report(results, limits)
}

function report(
  results: PeerResult[],
  limits: { recvSingle: number; recvLarge: number; ingest: number; recordBytes: number } | undefined,
): void {
  const n = (value: number | undefined, digits = 0) => (value === undefined ? '—' : value.toFixed(digits))
  console.log(
    `\nPostgreSQL CDC → Kafka, ${ROWS} rows / changes per run, JsonConverter with schemas, one Postgres 18 and broker`,
  )
  console.log(`load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`)
  if (limits) {
    console.log(
      `limits: pg_recvlogical ${n(limits.recvSingle)} changes/s (single-row transactions), ${n(limits.recvLarge)} changes/s (one transaction); ` +
        `broker ingest ${n(limits.ingest)} rec/s (kcat, acks=all, idempotent, linger.ms=5, ${n(limits.recordBytes)} B records, best of 3)`,
    )
  }
  const limitFor = (recv: number | undefined) =>
    limits && recv !== undefined ? Math.min(recv, limits.ingest) : undefined
  for (const r of results) {
    console.log(`\n${r.label}`)
    if (!r.available) {
      console.log(`  not available: ${r.reason}`)
      continue
    }
    const ratio = (rate: number | undefined, limit: number | undefined) =>
      rate !== undefined && limit !== undefined ? ` (ratio to limit ${(rate / limit).toFixed(2)})` : ''
    console.log(`  worker start to REST up     ${n(r.bootSeconds, 1)} s`)
    console.log(`  start to first event        ${n(r.startToFirstMs)} ms (connector created → first record appended)`)
    console.log(`  snapshot                    ${n(r.snapshotRate)} rows/s${ratio(r.snapshotRate, limits?.ingest)}`)
    console.log(
      `  stream, single-row tx       ${n(r.singleRowRate)} changes/s${ratio(r.singleRowRate, limitFor(limits?.recvSingle))}`,
    )
    console.log(
      `  stream, one transaction     ${n(r.largeTxRate)} changes/s${ratio(r.largeTxRate, limitFor(limits?.recvLarge))}`,
    )
    for (const l of r.latency ?? []) {
      console.log(
        `  latency at ${String(l.rate).padStart(5)}/s           p50 ${n(l.p50)} ms, p99 ${n(l.p99)} ms (${n(l.achieved)} changes/s achieved)`,
      )
    }
    console.log(
      `  records beyond the changes  ${n(r.extraRecords)}${r.extraRecords ? ' (duplicates: the figures above are not clean)' : ''}`,
    )
    console.log(`  peak RSS (VmHWM)            ${r.peakRssMb == null ? '—' : `${n(r.peakRssMb)} MB`}`)
    console.log(`  record size                 ${n(r.recordBytes)} B (key + value)`)
  }
  const dbz = results.find((r) => r.label === debezium.label)
  const fs = results.find((r) => r.label === flowscope.label)
  if (dbz?.available && fs?.available) {
    const x = (a?: number, b?: number) => (a && b ? (a / b).toFixed(2) : '—')
    console.log('\nflowscope ÷ Debezium (targets: changes/s ≥ 3, p99 ≤ 0.5, RSS ≤ 0.2)')
    console.log(
      `  snapshot ${x(fs.snapshotRate, dbz.snapshotRate)}, single-row ${x(fs.singleRowRate, dbz.singleRowRate)},`,
    )
    console.log(
      `  one transaction ${x(fs.largeTxRate, dbz.largeTxRate)}, peak RSS ${x(fs.peakRssMb ?? undefined, dbz.peakRssMb ?? undefined)}`,
    )
    for (const [i, l] of (fs.latency ?? []).entries()) {
      console.log(`  p99 at ${l.rate}/s ${x(l.p99, dbz.latency?.[i]?.p99)}`)
    }
  }
}

await main()
