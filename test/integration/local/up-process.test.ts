// `npm start` as a user, systemd, CI or a container runtime runs it: the real npm and CLI processes on moved ports in
// their own FLOWSCOPE_HOME. SIGTERM or SIGINT to the npm process stops every part — no Postgres, java or worker is
// left behind — the broker it starts keeps topics within a bounded retention, and a port clash is reported before
// anything is written. (A full start takes 10-40 s on 2 cores: the two signal tests share one state folder — a first
// start, then a restart — and the retention check rides on the first.)
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Admin } from '@platformatic/kafka'
import pg from 'pg'
import { SAMPLE_CONSUMER_GROUP } from '../../../src/local/consumer-end.ts'
import { LOCAL_RETENTION } from '../../../src/local/kafka.ts'
import { kafkaVersion } from '../../../src/local/kafka-jars.ts'
import { freePort } from '../../../src/local/ports.ts'
import { CDC_CONNECTOR_NAME, CDC_SLOT, CDC_TOPIC, SEED_TOPIC } from '../../../src/local/seed-connector.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const TOPIC_RESOURCE = 2 // ConfigResourceTypes.TOPIC

const homes: string[] = []
const leftovers = new Map<number, string>()

after(async () => {
  // Whatever a failed test left running is killed (only processes that are still the ones we saw).
  for (const [pid, name] of leftovers) {
    try {
      if (alive(pid) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  for (const home of homes) await rm(home, { recursive: true, force: true })
})

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'flowscope-up-'))
  await chmod(home, 0o755) // embedded Postgres runs as the `postgres` user when we are root
  homes.push(home)
  return home
}

async function movedPorts(): Promise<Record<string, number>> {
  const names = [
    'postgres',
    'kafka',
    'kafka-controller',
    'broker-metrics',
    'rest',
    'prometheus',
    'node-exporter',
    'lag-exporter',
    'consumer-metrics',
    'console',
  ]
  const ports: Record<string, number> = {}
  for (const name of names) {
    let port = await freePort()
    while (Object.values(ports).includes(port)) port = await freePort()
    ports[name] = port
  }
  return ports
}

interface Started {
  npm: ChildProcess
  output: () => string
  exited: Promise<number | null>
  closed: Promise<void>
}

/** `npm start -- <every port moved>` in its own FLOWSCOPE_HOME, as a user would type it. */
function npmStart(home: string, ports: Record<string, number>, flags: string[] = []): Started {
  const args = [
    'start',
    '--',
    ...Object.entries(ports).flatMap(([name, port]) => [`--${name}-port`, String(port)]),
    ...flags,
  ]
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWSCOPE_HOME: home }
  for (const key of ['NODE_TEST_CONTEXT', 'FLOWSCOPE_TEST_STACK', 'DATABASE_URL', 'KAFKA_BOOTSTRAP_SERVERS'])
    delete env[key]
  const npm = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  npm.stdout?.on('data', (d) => {
    out += d
  })
  npm.stderr?.on('data', (d) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
  // Output ends when its last writer — the node process, which outlives npm after SIGKILL — has exited.
  const closed = Promise.all([once(npm.stdout!, 'close'), once(npm.stderr!, 'close')]).then(() => {})
  return { npm, output: () => out, exited, closed }
}

async function until(what: string, deadlineMs: number, check: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${deadlineMs} ms. Output:\n${output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Live processes (zombies excluded) below `root`, with their command names. */
function descendants(root: number): Map<number, string> {
  const parent = new Map<number, number>()
  const comm = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const [state, ppid] = stat.slice(close + 2).split(' ')
      if (state === 'Z') continue
      parent.set(Number(entry), Number(ppid))
      comm.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close))
    } catch {
      // exited while we read
    }
  }
  const found = new Map<number, string>()
  const queue = [root]
  while (queue.length) {
    const p = queue.shift()!
    for (const [pid, pp] of parent) {
      if (pp === p && !found.has(pid)) {
        found.set(pid, comm.get(pid) ?? '?')
        queue.push(pid)
      }
    }
  }
  return found
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Starts the stack with npm, checks its parts run, sends `signal` to npm, and checks that nothing is left. */
async function stopsEverything(
  signal: NodeJS.Signals,
  home: string,
  ports: Record<string, number>,
  whileRunning?: (tree: Map<number, string>, output: string) => Promise<void>,
  flags: string[] = [],
) {
  const up = npmStart(home, ports, flags)
  const summary = () => up.output().includes('Press Ctrl-C to stop.')
  await until('the summary', 180_000, () => summary() || up.npm.exitCode !== null, up.output)
  assert.ok(summary(), `npm start exited before its summary:\n${up.output()}`)
  const tree = descendants(up.npm.pid!)
  for (const [pid, name] of tree) leftovers.set(pid, name)
  const names = [...tree.values()]
  assert.ok(names.includes('java'), `a java broker runs under npm: ${names}`)
  assert.ok(names.includes('postgres'), `Postgres runs under npm: ${names}`)
  assert.ok(names.includes('node') || names.includes('MainThread'), `the node worker runs under npm: ${names}`)
  assert.match(up.output(), /Ready after {8}PostgreSQL \d+\.\d s, Kafka \d+\.\d s, worker \d+\.\d s.*first record/)
  // A failed check still stops the stack (with the signal under test), so no part outlives the test on its ports.
  let failedCheck: unknown
  await whileRunning?.(tree, up.output()).catch((error: unknown) => {
    failedCheck = error ?? new Error('check failed')
  })

  up.npm.kill(signal)
  let code: number | null = null
  await until('npm exiting', 120_000, () => up.npm.exitCode !== null || up.npm.signalCode !== null, up.output)
  code = await up.exited
  // The node process exits only after it stopped its children (after SIGKILL to npm it first has to notice that
  // its parent is gone); give it time, then the kernel a moment to reap them.
  const deadline = Date.now() + 60_000
  while ([...tree.keys()].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const left = [...tree].filter(([pid]) => alive(pid)).map(([pid, name]) => `${name}(${pid})`)
  assert.deepEqual(left, [], `processes left after ${signal} to npm. Output:\n${up.output()}`)
  await up.closed
  if (signal === 'SIGKILL') {
    assert.match(up.output(), /parent process \d+ exited: stopping/)
  } else {
    assert.equal(code, 0, up.output())
    assert.match(up.output(), new RegExp(`${signal}: stopping`))
  }
  assert.match(up.output(), /Stopped\. `npm start` resumes/)
  assert.ok(!existsSync(join(home, 'up.pid')), 'the pid file is removed')
  if (failedCheck) throw failedCheck
}

/**
 * The consumer end under npm start: the summary names the sample consumer and the lag exporter with their URLs, the
 * sample group commits on the seed topic, and the lag exporter reports that group (offsets and Burrow status).
 */
async function consumerEndRuns(summary: string, ports: Record<string, number>): Promise<void> {
  const lagUrl = `http://localhost:${ports['lag-exporter']}`
  const consumerUrl = `http://localhost:${ports['consumer-metrics']}`
  const status = `${lagUrl}/v3/kafka/local/consumer/${SAMPLE_CONSUMER_GROUP}/status`
  assert.ok(
    summary.includes(
      `Sample consumer    group ${SAMPLE_CONSUMER_GROUP} reads ${SEED_TOPIC}   (metrics ${consumerUrl}/metrics)`,
    ),
    summary,
  )
  assert.ok(summary.includes(`Lag exporter       ${lagUrl}/metrics   (Burrow status: curl ${status})`), summary)
  const admin = new Admin({ clientId: 'up-process-test', bootstrapBrokers: [`localhost:${ports.kafka}`] })
  try {
    const deadline = Date.now() + 60_000
    let committed = -1n
    while (committed <= 0n && Date.now() < deadline) {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [SAMPLE_CONSUMER_GROUP] })
      committed = group?.topics.find((t) => t.name === SEED_TOPIC)?.partitions[0]?.committedOffset ?? -1n
      if (committed <= 0n) await new Promise((r) => setTimeout(r, 500))
    }
    assert.ok(committed > 0n, `the sample consumer committed on ${SEED_TOPIC} (committed ${committed})`)
  } finally {
    await admin.close()
  }
  const consumed = await (await fetch(`${consumerUrl}/metrics`)).text()
  assert.match(
    consumed,
    new RegExp(
      `kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total\\{client_id="${SAMPLE_CONSUMER_GROUP}-1",topic="${SEED_TOPIC}"\\} [1-9]`,
    ),
  )
  // The lag exporter polls every 5 s: the group's partition lag shows up within a few polls (its group-level series
  // can come first, while the group has joined but not yet committed).
  const partitionLag = new RegExp(
    `kafka_consumergroup_group_lag\\{[^}]*group="${SAMPLE_CONSUMER_GROUP}"[^}]*topic="${SEED_TOPIC}"`,
  )
  const deadline = Date.now() + 60_000
  let lag = ''
  while (!partitionLag.test(lag) && Date.now() < deadline) {
    lag = await (await fetch(`${lagUrl}/metrics`)).text()
    if (!partitionLag.test(lag)) await new Promise((r) => setTimeout(r, 1000))
  }
  assert.match(lag, partitionLag)
  const burrow = await fetch(status)
  assert.equal(burrow.status, 200)
  assert.equal(((await burrow.json()) as { status?: { group?: string } }).status?.group, SAMPLE_CONSUMER_GROUP)
}

const run = promisify(execFile)

interface CdcEvent {
  op: string
  before: { id: number; name: string | null; age: number | null } | null
  after: { id: number; name: string; age: number } | null
  source: { connector: string; name: string; schema: string; table: string; snapshot: string }
}

/** Every record of the CDC topic so far, in order: Debezium's envelope payloads, null for tombstones. */
async function cdcEvents(ports: Record<string, number>): Promise<(CdcEvent | null)[]> {
  const { stdout } = await run('kcat', [
    ...['-b', `localhost:${ports.kafka}`, '-t', CDC_TOPIC, '-C', '-o', 'beginning', '-e', '-q'],
    ...['-f', '%s\n'],
  ])
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => (line === '' ? null : (JSON.parse(line) as { payload: CdcEvent }).payload))
}

async function untilEvents(
  ports: Record<string, number>,
  what: string,
  done: (events: (CdcEvent | null)[]) => boolean,
): Promise<(CdcEvent | null)[]> {
  const deadline = Date.now() + 60_000
  let events: (CdcEvent | null)[] = []
  while (Date.now() < deadline) {
    events = await cdcEvents(ports).catch(() => [])
    if (done(events)) return events
    await new Promise((r) => setTimeout(r, 500))
  }
  assert.fail(`${what} did not arrive in ${CDC_TOPIC} within 60 s; it holds: ${JSON.stringify(events)}`)
}

async function withPostgres<T>(ports: Record<string, number>, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/postgres`,
  })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

const snapshotRows = (events: (CdcEvent | null)[]) => events.filter((e) => e?.op === 'r')

/**
 * The CDC connector under npm start: RUNNING, named in the summary, its snapshot of the 10 sample rows as op "r" in
 * Debezium's envelope, then an insert, an update and a delete as c, u, d + tombstone, read from the slot it created.
 */
async function cdcRuns(summary: string, ports: Record<string, number>): Promise<void> {
  assert.match(
    summary,
    new RegExp(`Changes arrive in {2}topic ${CDC_TOPIC.replaceAll('.', '\\.')} {3}\\(connector ${CDC_CONNECTOR_NAME}`),
  )
  const status = (await (
    await fetch(`http://localhost:${ports.rest}/connectors/${CDC_CONNECTOR_NAME}/status`)
  ).json()) as { connector: { state: string }; tasks: { state: string }[] }
  assert.equal(status.connector.state, 'RUNNING', JSON.stringify(status))
  assert.deepEqual(
    status.tasks.map((t) => t.state),
    ['RUNNING'],
  )
  const snapshot = snapshotRows(await untilEvents(ports, 'the snapshot', (e) => snapshotRows(e).length >= 10))
  assert.equal(snapshot.length, 10)
  for (const e of snapshot) {
    assert.equal(e?.before, null)
    assert.deepEqual(
      { connector: e?.source.connector, name: e?.source.name, schema: e?.source.schema, table: e?.source.table },
      { connector: 'postgresql', name: 'postgres-cdc', schema: 'public', table: 'users' },
    )
  }
  assert.deepEqual(snapshot.map((e) => e?.after?.name).sort(), [
    'Ada Lovelace',
    'Alan Turing',
    'Barbara Liskov',
    'Donald Knuth',
    'Edsger Dijkstra',
    'Frances Allen',
    'Grace Hopper',
    'Ken Thompson',
    'Margaret Hamilton',
    'Niklaus Wirth',
  ])
  const wirth = snapshot.find((e) => e?.after?.name === 'Niklaus Wirth')?.after?.id
  await withPostgres(ports, async (client) => {
    await client.query("INSERT INTO users (name, age) VALUES ('Barbara Liskov (CDC test)', 47)")
    await client.query("UPDATE users SET age = age + 1 WHERE name = 'Ada Lovelace'")
    await client.query('DELETE FROM users WHERE id = $1', [wirth])
    const { rows } = await client.query('SELECT plugin, database FROM pg_replication_slots WHERE slot_name = $1', [
      CDC_SLOT,
    ])
    assert.deepEqual(rows, [{ plugin: 'pgoutput', database: 'postgres' }])
  })
  const events = await untilEvents(ports, 'the insert, update and delete', (e) => e.some((x) => x?.op === 'd'))
  const changes = events.slice(events.findIndex((e) => e !== null && e.op !== 'r'))
  assert.deepEqual(
    changes.map((e) => (e === null ? 'tombstone' : e.op)),
    ['c', 'u', 'd', 'tombstone'],
  )
  assert.equal(changes[0]?.after?.name, 'Barbara Liskov (CDC test)')
  assert.deepEqual([changes[1]?.after?.name, changes[1]?.after?.age], ['Ada Lovelace', 37])
  assert.equal(changes[2]?.before?.id, wirth)
  assert.equal(changes[2]?.after, null)
}

// The two signal tests share one state folder: the first is a first start, the second a restart.
let shared: { home: string; ports: Record<string, number> } | undefined
async function sharedHome() {
  shared ??= { home: await newHome(), ports: await movedPorts() }
  return shared
}

test('SIGTERM to the npm start process stops Postgres, Kafka and the worker; the broker bounds retention', async () => {
  const { home, ports } = await sharedHome()
  await stopsEverything('SIGTERM', home, ports, async (_tree, output) => {
    await consumerEndRuns(output, ports)
    await cdcRuns(output, ports)
    const admin = new Admin({ clientId: 'up-process-test', bootstrapBrokers: [`localhost:${ports.kafka}`] })
    try {
      const [topic] = await admin.describeConfigs({
        resources: [{ resourceType: TOPIC_RESOURCE, resourceName: SEED_TOPIC, configurationKeys: null }],
      })
      const value = (name: string) => topic.configs.find((c) => c.name === name)?.value
      assert.equal(value('retention.bytes'), LOCAL_RETENTION['log.retention.bytes'])
      assert.equal(value('retention.ms'), LOCAL_RETENTION['log.retention.ms'])
      assert.equal(value('segment.bytes'), LOCAL_RETENTION['log.segment.bytes'])
    } finally {
      await admin.close()
    }
  })
})

test('SIGINT to the npm start process stops Postgres, Kafka and the worker; a restart uses the class archive and the CDC slot', async () => {
  const { home, ports } = await sharedHome()
  const archive = join(home, 'kafka', `cds-kafka-${kafkaVersion()}.jsa`)
  assert.ok(existsSync(archive), 'the first clean stop wrote the broker class-data archive')
  await stopsEverything('SIGINT', home, ports, async (tree) => {
    // A restart maps that archive (Java ignores one dumped with other flags without a word).
    const java = [...tree].find(([, name]) => name === 'java')?.[0]
    assert.ok(readFileSync(`/proc/${java}/maps`, 'utf8').includes(archive), 'the restarted broker uses the archive')
    // The CDC connector resumes from its committed offset on the slot the first start created: a change made now
    // arrives after the first start's events, with no second snapshot before it (one partition keeps the order).
    await withPostgres(ports, (client) => client.query("INSERT INTO users (name, age) VALUES ('After restart', 1)"))
    const events = await untilEvents(ports, 'the insert after the restart', (e) =>
      e.some((x) => x?.after?.name === 'After restart'),
    )
    assert.equal(snapshotRows(events).length, 10, 'the restart took no second snapshot')
    assert.deepEqual(
      events.slice(-2).map((e) => (e === null ? 'tombstone' : `${e.op} ${e.after?.name ?? ''}`)),
      ['tombstone', 'c After restart'],
    )
  })
})

test('a clash on the Kafka controller port is reported before Postgres is initialised', async () => {
  const home = await newHome()
  const ports = await movedPorts()
  const taken: Server = createServer()
  await new Promise<void>((resolve) => taken.listen(ports['kafka-controller'], '127.0.0.1', resolve))
  try {
    const up = npmStart(home, ports)
    const code = await up.exited
    assert.equal(code, 1, up.output())
    assert.match(
      up.output(),
      new RegExp(
        `Port ${ports['kafka-controller']} for the Kafka controller is already in use: .* --kafka-controller-port`,
      ),
    )
    assert.ok(!existsSync(join(home, 'postgres')), 'no Postgres data folder was created')
    assert.ok(!existsSync(join(home, 'kafka')), 'no Kafka folder was created')
  } finally {
    await new Promise((r) => taken.close(r))
  }
})

test('SIGKILL to the npm start process (nothing forwarded): the CLI sees its parent gone and stops everything', async () => {
  const { home, ports } = await sharedHome()
  // Started with --no-cdc on the stack that ran the CDC connector: the connector is deleted, its slot kept.
  await stopsEverything(
    'SIGKILL',
    home,
    ports,
    async (_tree, output) => {
      assert.match(output, /Changes arrive in {2}not registered \(--no-cdc\)/)
      const status = await fetch(`http://localhost:${ports.rest}/connectors/${CDC_CONNECTOR_NAME}/status`)
      assert.equal(status.status, 404)
      const { rows } = await withPostgres(ports, (client) =>
        client.query('SELECT slot_name FROM pg_replication_slots WHERE slot_name = $1', [CDC_SLOT]),
      )
      assert.equal(rows.length, 1, 'the slot stays for the connector to return')
    },
    ['--no-cdc'],
  )
})
