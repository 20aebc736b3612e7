// `npm run bench:group`: a group of flowscope workers (one group.id, worker processes started as `flowscope worker`)
// on a Postgres and a broker of the bench's own. A benchmark, not a test. Prints:
//  - spread: 3 workers, 50 JDBC connectors created through one worker → time until every connector and task is
//    RUNNING, and how many each worker holds;
//  - failover: SIGKILL one worker → time until each of its tasks is RUNNING on another worker; then the worker
//    restarted → time until it holds work again;
//  - throughput: 3 tables of N/3 rows copied by 3 connectors on 1 worker, then on 3 workers (rows/s).
// Spread and failover run once per scheduled.rebalance.max.delay.ms given (default: 0 and Connect's 300000), each
// with a group of its own on the given connect.protocol (default sessioned: incremental cooperative). The failover
// waits for session.timeout.ms (10 s) to expire the killed member, then for the delay.
//   npm run bench:group -- [--connectors 50] [--rows 300000] [--delays 0,300000] [--protocol sessioned]
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import { V8_FLAGS } from '../src/cli/v8-flags.ts'
import { type Supervised, startProcess } from '../src/local/child-process.ts'
import { freePort } from '../src/local/ports.ts'
import { consoleProgress } from '../src/local/progress.ts'
import { type BenchStack, startBenchStack } from './local-stack.ts'

const run = promisify(execFile)
const { values } = parseArgs({
  options: {
    connectors: { type: 'string' },
    rows: { type: 'string' },
    delays: { type: 'string' },
    protocol: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(`Usage: npm run bench:group -- [--connectors C] [--rows N] [--delays D1,D2] [--protocol P]

A group of 3 flowscope worker processes on the bench's own Postgres and broker: time to spread C connectors
(default 50) over the group, time from SIGKILL of a worker to its tasks RUNNING elsewhere and back after its
restart — once per scheduled.rebalance.max.delay.ms in D (default 0,300000) — and the copy rate of N rows
(default 300000, in 3 tables) on 1 worker and on 3. P is connect.protocol: sessioned (default), compatible or
eager.`)
  process.exit(0)
}
const whole = (flag: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback
  if (!/^[1-9]\d*$/.test(text)) {
    console.error(`bench:group: --${flag} ${text}: expected a whole number above 0 (see --help)`)
    process.exit(2)
  }
  return Number(text)
}
const CONNECTORS = whole('connectors', values.connectors, 50)
const ROWS = whole('rows', values.rows, 300_000)
const DELAYS = (values.delays ?? '0,300000').split(',').map((d) => {
  if (!/^\d+$/.test(d)) {
    console.error(`bench:group: --delays ${values.delays}: expected whole numbers of ms, comma-separated (see --help)`)
    process.exit(2)
  }
  return Number(d)
})
const PROTOCOL = values.protocol ?? 'sessioned'
if (!['sessioned', 'compatible', 'eager'].includes(PROTOCOL)) {
  console.error(`bench:group: --protocol ${PROTOCOL}: expected sessioned, compatible or eager (see --help)`)
  process.exit(2)
}

interface Worker {
  url: string
  id: string
  process: Supervised
}

interface Status {
  name: string
  connector: { state: string; worker_id: string }
  tasks: { id: number; state: string; worker_id: string }[]
}

async function startWorker(stack: BenchStack, group: string, n: number, delayMs = 0): Promise<Worker> {
  const port = await freePort()
  const env = {
    ...process.env,
    CONNECT_BOOTSTRAP_SERVERS: stack.bootstrap,
    CONNECT_GROUP_ID: group,
    CONNECT_CONFIG_STORAGE_TOPIC: `${group}-configs`,
    CONNECT_OFFSET_STORAGE_TOPIC: `${group}-offsets`,
    CONNECT_STATUS_STORAGE_TOPIC: `${group}-status`,
    CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
    CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
    CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
    CONNECT_LISTENERS: `http://127.0.0.1:${port}`,
    CONNECT_REST_ADVERTISED_HOST_NAME: '127.0.0.1',
    CONNECT_REST_ADVERTISED_PORT: String(port),
    CONNECT_OFFSET_FLUSH_INTERVAL_MS: '1000',
    CONNECT_CONNECT_PROTOCOL: PROTOCOL,
    CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS: String(delayMs),
    FLOWSCOPE_LOG_LEVEL: 'WARN',
  }
  const main = new URL('../src/cli/main.ts', import.meta.url).pathname
  const child = startProcess(
    `worker ${n}`,
    process.execPath,
    [...V8_FLAGS, main, 'worker'],
    join(stack.dir, `${group}-worker-${n}.log`),
    env,
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  while ((await fetch(`${url}/`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error(`worker ${n} did not answer on ${url} in 90 s (log: ${stack.dir})`)
    await sleep(100)
  }
  return { url, id: `127.0.0.1:${port}`, process: child }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function rest(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : null
}

async function statuses(url: string): Promise<Status[]> {
  const all = (await rest(url, 'GET', '/connectors?expand=status')) as Record<string, { status: Status }>
  return Object.values(all).map((c) => c.status)
}

/** Waits until `done` holds for the statuses read from `url`; returns the seconds it took from `since`. */
async function until(url: string, since: number, what: string, done: (s: Status[]) => boolean): Promise<number> {
  const limitMs = 300_000 + Math.max(...DELAYS)
  const deadline = Date.now() + limitMs
  for (;;) {
    const s = await statuses(url).catch(() => [])
    if (done(s)) return (performance.now() - since) / 1000
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${limitMs / 1000} s`)
    await sleep(100)
  }
}

const allRunning = (count: number) => (s: Status[]) =>
  s.length === count &&
  s.every((c) => c.connector.state === 'RUNNING' && c.tasks.length > 0 && c.tasks.every((t) => t.state === 'RUNNING'))

function jdbcConfig(stack: BenchStack, table: string, prefix: string): Record<string, string> {
  const u = new URL(stack.pgUrl)
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': `jdbc:postgresql://${u.hostname}:${u.port}${u.pathname}`,
    'connection.user': decodeURIComponent(u.username),
    'connection.password': decodeURIComponent(u.password),
    'table.whitelist': table,
    mode: 'incrementing',
    'incrementing.column.name': 'id',
    'batch.max.rows': '1000',
    'poll.interval.ms': '1000',
    'topic.prefix': prefix,
  }
}

async function topicEnd(stack: BenchStack, topic: string): Promise<number> {
  const { stdout } = await run('kcat', ['-b', stack.bootstrap, '-Q', '-t', `${topic}:0:-1`]).catch(() => ({
    stdout: '',
  }))
  return Number(/\[0\] offset (\d+)/.exec(stdout)?.[1] ?? 0)
}

async function copyRate(stack: BenchStack, workers: Worker[], tables: string[], label: string): Promise<number> {
  const started = performance.now()
  for (const table of tables) {
    await rest(workers[0].url, 'POST', '/connectors', {
      name: `${label}-${table}`,
      config: jdbcConfig(stack, table, `${label}-`),
    })
  }
  const perTable = ROWS / tables.length
  for (;;) {
    const ends = await Promise.all(tables.map((t) => topicEnd(stack, `${label}-${t}`)))
    if (ends.every((e) => e >= perTable)) break
    await sleep(200)
  }
  return ROWS / ((performance.now() - started) / 1000)
}

/** SIGKILLs `victim`; the seconds until every connector's tasks are RUNNING on other workers, as `witness` sees. */
async function failoverSeconds(victim: Worker, witness: Worker): Promise<number> {
  const killed = performance.now()
  process.kill(victim.process.pid, 'SIGKILL')
  return until(witness.url, killed, `the tasks of ${victim.id} RUNNING elsewhere`, (s) => {
    return allRunning(CONNECTORS)(s) && s.every((c) => c.tasks.every((t) => t.worker_id !== victim.id))
  })
}

/** Spread, failover and rejoin of a group of 3 workers with this scheduled delay; its lines for the summary. */
async function groupPhase(stack: BenchStack, workers: Worker[], delayMs: number): Promise<string[]> {
  const progress = consoleProgress()
  // Spread: 3 workers, C connectors created through the first one (forwarded to the leader when it is not).
  const group = `bench-group-${delayMs}`
  const label = `scheduled.rebalance.max.delay.ms=${delayMs}`
  const lines: string[] = []
  let done = progress.step(`Starting 3 workers in one group (${label})`)
  for (let n = 1; n <= 3; n++) workers.push(await startWorker(stack, group, n, delayMs))
  done()
  done = progress.step(`Creating ${CONNECTORS} connectors through one worker`)
  const created = performance.now()
  for (let i = 0; i < CONNECTORS; i++) {
    await rest(workers[0].url, 'POST', '/connectors', {
      name: `spread-${delayMs}-${i}`,
      config: jdbcConfig(stack, 'spread', `spread-${delayMs}-${i}-`),
    })
  }
  const spread = await until(workers[1].url, created, 'all connectors RUNNING', allRunning(CONNECTORS))
  const holding = (s: Status[], id: string) => s.filter((c) => c.tasks.some((t) => t.worker_id === id)).length
  const after = await statuses(workers[1].url)
  done(`${spread.toFixed(1)} s`)
  lines.push(
    `${label}: spread: ${CONNECTORS} connectors over 3 workers, all RUNNING ${spread.toFixed(1)} s after the first POST; tasks per worker ${workers.map((w) => holding(after, w.id)).join(' / ')}`,
  )

  // Failover: SIGKILL the follower holding the most tasks. The first worker started leads the group (the
  // coordinator keeps its first member as leader while it lives); a killed leader's successor has no memory of the
  // previous assignment, so the leader's own work moves at once, as in Connect — measured after the rejoin below.
  const followers = workers.slice(1)
  const victim = followers.reduce((a, b) => (holding(after, a.id) >= holding(after, b.id) ? a : b))
  const survivor = workers[0]
  const moved = holding(after, victim.id)
  done = progress.step(`SIGKILL of the worker holding ${moved} tasks`)
  const failover = await failoverSeconds(victim, survivor)
  done(`${failover.toFixed(1)} s`)
  lines.push(
    `${label}: failover: SIGKILL of a worker holding ${moved} tasks → all RUNNING on the other two after ${failover.toFixed(1)} s`,
  )

  done = progress.step('Restarting the killed worker')
  const index = workers.indexOf(victim)
  const restarted = performance.now()
  const back = await startWorker(stack, group, index + 1, delayMs)
  workers[index] = back
  // Back: the restarted worker runs its share (a third, rounded down) of the tasks again.
  const share = Math.floor(CONNECTORS / workers.length)
  const rejoin = await until(survivor.url, restarted, 'work back on the restarted worker', (s) => {
    return allRunning(CONNECTORS)(s) && holding(s, back.id) >= share
  })
  done(`${rejoin.toFixed(1)} s`)
  lines.push(
    `${label}: rejoin: the restarted worker runs its share (${share} tasks) again ${rejoin.toFixed(1)} s after it was started (process start included)`,
  )

  // The leader killed: its successor treats the leader's work as new and deals it out in the next rebalance.
  const settled = await statuses(survivor.url)
  const leader = workers[0]
  const witness = workers[1]
  const leaderTasks = holding(settled, leader.id)
  done = progress.step(`SIGKILL of the leader (holding ${leaderTasks} tasks)`)
  const leaderFailover = await failoverSeconds(leader, witness)
  done(`${leaderFailover.toFixed(1)} s`)
  lines.push(
    `${label}: leader failover: SIGKILL of the leader holding ${leaderTasks} tasks → all RUNNING on the other two after ${leaderFailover.toFixed(1)} s (no delay: the new leader has no previous assignment)`,
  )
  workers.splice(0, 1)
  for (let i = 0; i < CONNECTORS; i++) await rest(workers[0].url, 'DELETE', `/connectors/spread-${delayMs}-${i}`)
  return lines
}

async function main(): Promise<void> {
  const progress = consoleProgress()
  const stack = await startBenchStack('group', progress)
  const db = new pg.Client({ connectionString: stack.pgUrl })
  await db.connect()
  const workers: Worker[] = []
  const lines: string[] = []
  try {
    let done = progress.step('Tables')
    await db.query('CREATE TABLE spread (id serial PRIMARY KEY, v text)')
    await db.query(`INSERT INTO spread (v) SELECT 'row ' || g FROM generate_series(1, 10) g`)
    const tables = ['copy_a', 'copy_b', 'copy_c']
    for (const t of tables) {
      await db.query(`CREATE TABLE ${t} (id serial PRIMARY KEY, name varchar(64), age int, note text)`)
      await db.query(
        `INSERT INTO ${t} (name, age, note) SELECT 'user ' || g, g % 90, md5(g::text) FROM generate_series(1, ${ROWS / tables.length}) g`,
      )
    }
    done()

    for (const delayMs of DELAYS) {
      lines.push(...(await groupPhase(stack, workers, delayMs)))
      for (const w of workers.splice(0)) await w.process.stop()
    }

    // Throughput: the same 3 tables on 3 workers, then on a group of 1.
    done = progress.step('Starting 3 workers in one group')
    for (let n = 1; n <= 3; n++) workers.push(await startWorker(stack, 'bench-copy', n))
    done()
    done = progress.step(`Copying ${ROWS} rows in 3 tables on 3 workers`)
    const onThree = await copyRate(stack, workers, tables, 'three')
    done(`${onThree.toFixed(0)} rows/s`)
    for (const w of workers.splice(0)) await w.process.stop()
    done = progress.step(`Copying ${ROWS} rows in 3 tables on 1 worker`)
    workers.push(await startWorker(stack, 'bench-solo', 1))
    const onOne = await copyRate(stack, workers, tables, 'one')
    done(`${onOne.toFixed(0)} rows/s`)
    lines.push(
      `throughput: ${ROWS} rows in 3 tables — 1 worker ${onOne.toFixed(0)} rows/s, 3 workers ${onThree.toFixed(0)} rows/s (${(onThree / onOne).toFixed(2)}×; 2 shared cores run the broker, Postgres and every worker)`,
    )
  } finally {
    for (const w of workers) await w.process.stop().catch(() => {})
    await db.end()
    await stack.stop()
  }
  console.log(`\nflowscope: a group of workers (connect.protocol=${PROTOCOL}), one Postgres and broker`)
  for (const line of lines) console.log(`  ${line}`)
}

await main()
