// The PostgreSQL CDC connector under faults and bad input, against real Postgres and Kafka: a publication dropped or
// altered behind its back, a user without REPLICATION, wal_level not logical, a table without a primary key, a
// value it cannot represent; a worker process killed with SIGKILL mid-stream and mid-snapshot; Postgres and the
// broker restarted under a running task.
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { SourceTaskContext } from '../../../src/connectors/plugin.ts'
import { postgresCdcPlugin } from '../../../src/connectors/postgres-cdc/index.ts'
import { PUBLICATION_CHECK_INTERVAL_MS } from '../../../src/connectors/postgres-cdc/publication-watch.ts'
import { type LocalKafka, startLocalKafka } from '../../../src/local/kafka.ts'
import { ensureKafkaJars } from '../../../src/local/kafka-jars.ts'
import { freePort } from '../../../src/local/ports.ts'
import { type LocalPostgres, startLocalPostgres } from '../../../src/local/postgres.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { getLogger } from '../../../src/logging.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  eventually,
  killHard,
  path,
  sql,
  startTestWorker,
  startWorkerProcess,
  statusOf,
  type TestWorker,
  waitForState,
  workerIdentity,
} from '../worker/helpers.ts'
import {
  assertNoDuplicates,
  cdcConfig,
  readChanges,
  rowId,
  sqlOn,
  storedOffset,
  waitForRowIds,
  waitForSlot,
} from './postgres-cdc-support.ts'

let worker: TestWorker | undefined
const tables: string[] = []
const slots: string[] = []
const roles: string[] = []

/** Names for one test's capture (table, slot, topic prefix, connector), dropped after the file's tests. */
function capture(tablePrefix: string): { table: string; slot: string; prefix: string; name: string; topic: string } {
  const table = uniqueName(tablePrefix)
  const slot = uniqueName('slot')
  const prefix = uniqueName('cdc')
  tables.push(table)
  slots.push(slot)
  return { table, slot, prefix, name: `${prefix}-connector`, topic: `${prefix}.public.${table}` }
}

const shared = () => testStack().postgresUrl

/** A Postgres of this file's own on a data folder and port kept for the file, so a test can stop and start it. */
let ownDir: string | undefined
let ownPort = 0
let ownPostgres: LocalPostgres | undefined
let child: ChildProcess | undefined

async function dedicatedPostgres(settings: Record<string, string> = {}): Promise<LocalPostgres> {
  if (!ownDir) {
    ownDir = await mkdtemp(join(tmpdir(), 'flowscope-cdc-faults-'))
    // Embedded Postgres runs as the `postgres` system user when we are root: it must be able to enter this folder.
    await chmod(ownDir, 0o755)
    ownPort = await freePort()
  }
  const server = await startLocalPostgres({
    dataDir: join(ownDir, 'postgres'),
    port: ownPort,
    seed: false,
    settings,
    progress: silentProgress,
  })
  ownPostgres = server
  return {
    ...server,
    url: server.url,
    stop: async () => {
      ownPostgres = undefined
      await server.stop()
    },
  }
}

/** What the runtime hands a task, for a task started outside a worker. */
function taskContext(connectorName: string): SourceTaskContext {
  return {
    connectorName,
    taskId: 0,
    offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
    log: getLogger('test.cdc-faults'),
    pipeline: { rowsRead: () => {}, pendingRows: () => {}, pollError: () => {} },
  }
}

before(async () => {
  worker = await startTestWorker(await workerIdentity('cdcfaults', { 'offset.flush.interval.ms': '300' }))
})

after(async () => {
  child?.kill('SIGKILL')
  await worker?.worker.stop()
  await ownPostgres?.stop().catch(() => {})
  if (ownDir) await rm(ownDir, { recursive: true, force: true }).catch(() => {})
  for (const slot of slots) {
    await sql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
      slot,
    ]).catch(() => {})
    await sql(`DROP PUBLICATION IF EXISTS ${slot}_pub`)
  }
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
  for (const role of roles) {
    await sql(`DROP OWNED BY ${role}`)
    await sql(`DROP ROLE ${role}`)
  }
})

/** Waits for the task to fail and returns its trace. */
async function failedTrace(running: TestWorker, name: string, timeoutMs = 30_000): Promise<string> {
  const status = await waitForState(running.request, name, 'RUNNING', 'FAILED', timeoutMs)
  return status.tasks[0].trace ?? ''
}

test('a table removed from the publication behind the connector fails the task, naming table and publication', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name, topic } = capture('cdc_pubalter')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  await sql(`CREATE TABLE ${table}_b (id int PRIMARY KEY)`)
  tables.push(`${table}_b`)
  const config = cdcConfig(shared(), prefix, table, slot, {
    'snapshot.mode': 'no_data',
    'table.include.list': `public\\.${table}(_b)?`,
  })
  await createConnector(worker.request, name, config)
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(shared(), slot)
  // A captured table dropped leaves the publication too: not a fault, streaming goes on.
  await sql(`DROP TABLE ${table}_b`)
  await sql(`INSERT INTO ${table} VALUES (1)`)
  await waitForRowIds(topic, [1])
  await new Promise((resolve) => setTimeout(resolve, PUBLICATION_CHECK_INTERVAL_MS + 500))
  assert.equal((await statusOf(worker.request, name)).tasks[0].state, 'RUNNING')

  await sql(`ALTER PUBLICATION ${slot}_pub DROP TABLE ${table}`)
  await sql(`INSERT INTO ${table} VALUES (2)`)
  const trace = await failedTrace(worker, name)
  assert.match(trace, new RegExp(`public\\.${table}.*no longer in publication ${slot}_pub`))
})

test('a publication dropped behind the connector fails the task, naming the publication', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name, topic } = capture('cdc_pubdrop')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  await createConnector(worker.request, name, cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' }))
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(shared(), slot)
  await sql(`INSERT INTO ${table} VALUES (1)`)
  await waitForRowIds(topic, [1])

  await sql(`DROP PUBLICATION ${slot}_pub`)
  await sql(`INSERT INTO ${table} VALUES (2)`)
  const trace = await failedTrace(worker, name)
  assert.match(trace, new RegExp(`publication "?${slot}_pub"? does not exist`))
})

test('a user without REPLICATION: validate and create name database.user; a task whose user lost it fails saying so', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_norepl')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  const role = uniqueName('cdcrole')
  roles.push(role)
  await sql(`CREATE ROLE ${role} LOGIN PASSWORD 'secret' REPLICATION`)
  await sql(`GRANT SELECT ON ${table} TO ${role}`)
  await sql(`GRANT CREATE ON DATABASE postgres TO ${role}`)
  await sql(`ALTER TABLE ${table} OWNER TO ${role}`)
  const config = {
    ...cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' }),
    'database.user': role,
    'database.password': 'secret',
  }
  await createConnector(worker.request, name, config)
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(shared(), slot)

  await sql(`ALTER ROLE ${role} NOREPLICATION`)
  // Validation (and so creation) refuses the config, on the key to fix.
  const other = `${name}-2`
  const refused = await worker.request('POST', '/connectors', { name: other, config })
  assert.equal(refused.status, 400, refused.text)
  assert.match(refused.text, new RegExp(`database.user: User ${role} lacks the REPLICATION attribute`))
  // The running task's reconnect (its replication connection cut) fails with the cause, not a retry loop.
  await sql('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1', [slot])
  const trace = await failedTrace(worker, name)
  assert.match(trace, new RegExp(`${role}.*REPLICATION`))
  assert.match(trace, /database\.user/)
})

test('wal_level not logical: validate names it, and a task started anyway fails saying so', async () => {
  const server = await dedicatedPostgres({ wal_level: 'replica' })
  const { table, slot, prefix, name } = capture('cdc_walreplica')
  await sqlOn(server.url, `CREATE TABLE ${table} (id int PRIMARY KEY)`)
  const config = cdcConfig(server.url, prefix, table, slot)
  const errors = await postgresCdcPlugin.validate?.(config)
  assert.match(
    errors?.get('database.hostname')?.join() ?? '',
    /wal_level is replica; logical decoding needs wal_level=logical/,
  )
  // The REST API refuses the config (validation); a task given it anyway fails at start, with the server's reason.
  const task = postgresCdcPlugin.createTask()
  await assert.rejects(task.start(config, taskContext(name)), /logical decoding requires "?wal_level"? >= "?logical"?/)
  await task.stop()
  await server.stop()
})

test('a table without a primary key: validate names it; under REPLICA IDENTITY FULL its changes have a null key and the whole old row', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name, topic } = capture('cdc_keyless')
  await sql(`CREATE TABLE ${table} (id int, v text)`)
  const config = cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' })
  const refused = await worker.request('POST', '/connectors', { name, config })
  assert.equal(refused.status, 400, refused.text)
  assert.match(
    refused.text,
    new RegExp(`table.include.list: Table\\(s\\) without a primary key or replica identity: public\\.${table}`),
  )

  await sql(`ALTER TABLE ${table} REPLICA IDENTITY FULL`)
  await createConnector(worker.request, name, config)
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(shared(), slot)
  await sql(`INSERT INTO ${table} VALUES (1, 'a')`)
  await sql(`UPDATE ${table} SET v = 'b' WHERE id = 1`)
  await sql(`DELETE FROM ${table} WHERE id = 1`)
  const records = await eventually(
    async () => {
      const all = await readChanges(topic)
      return all.length >= 3 ? all : undefined
    },
    () => 'three changes never arrived',
  )
  assert.deepEqual(
    records.map((r) => [r.key, r.value?.op, r.value?.before?.v ?? null, r.value?.after?.v ?? null]),
    [
      [null, 'c', null, 'a'],
      [null, 'u', 'a', 'b'],
      [null, 'd', 'b', null],
    ],
    'null keys; the whole old row as before (REPLICA IDENTITY FULL); no tombstone for a null key',
  )
})

test('a value the connector cannot represent fails the task, naming table, column and value', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name, topic } = capture('cdc_badvalue')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, amount numeric(10,2))`)
  await createConnector(worker.request, name, cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' }))
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(shared(), slot)
  await sql(`INSERT INTO ${table} VALUES (1, 1.5)`)
  await waitForRowIds(topic, [1])
  await sql(`INSERT INTO ${table} VALUES (2, 'NaN')`)
  const trace = await failedTrace(worker, name)
  assert.match(trace, new RegExp(`public\\.${table}.*amount.*NaN`))
  assert.deepEqual((await readChanges(topic)).map(rowId), [1])
})

test('Postgres restarted under a streaming task: it reconnects and continues, nothing lost, nothing twice', async () => {
  assert.ok(worker)
  // The data folder of the wal_level test, now with wal_level=logical (the default of src/local/postgres.ts).
  let server = await dedicatedPostgres()
  const { table, slot, prefix, name, topic } = capture('cdc_pgrestart')
  await sqlOn(server.url, `CREATE TABLE ${table} (id int PRIMARY KEY)`)
  await createConnector(
    worker.request,
    name,
    cdcConfig(server.url, prefix, table, slot, { 'snapshot.mode': 'no_data' }),
  )
  await waitForState(worker.request, name, 'RUNNING')
  await waitForSlot(server.url, slot)
  await sqlOn(server.url, `INSERT INTO ${table} SELECT g FROM generate_series(1, 20) g`)
  await waitForRowIds(topic, range(1, 20))

  // A fast shutdown ends once every walsender exits, which waits for the client's flush or write position.
  const stopped = await Promise.race([
    server.stop().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref()),
  ])
  assert.ok(stopped, 'PostgreSQL did not shut down within 20 s while the task was connected')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  assert.equal((await statusOf(worker.request, name)).tasks[0].state, 'RUNNING', 'reconnecting, not failed')
  server = await dedicatedPostgres()
  await sqlOn(server.url, `INSERT INTO ${table} SELECT g FROM generate_series(21, 40) g`)
  const records = await waitForRowIds(topic, range(1, 40))
  assertNoDuplicates(records.map(rowId), 'no change twice after the reconnect')
  assert.equal((await statusOf(worker.request, name)).tasks[0].state, 'RUNNING')
  assert.equal((await worker.request('DELETE', path(name))).status, 204)
  await server.stop()
})

test('the broker restarted under a streaming task: it continues once Kafka is back, nothing lost', async () => {
  // A broker of this test's own (the shared one serves the other test files): stopped, then started on its data.
  const jars = await ensureKafkaJars(silentProgress)
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-cdc-broker-'))
  const ports = { port: await freePort(), controllerPort: await freePort() }
  const startBroker = () =>
    startLocalKafka({ dataDir: dir, jars, ...ports, metricsPort: null, heapMb: 384, progress: silentProgress })
  let kafka: LocalKafka | undefined = await startBroker()
  const bootstrap = kafka.bootstrapServers
  const own = await startTestWorker(
    await workerIdentity('cdcbroker', { 'bootstrap.servers': bootstrap, 'offset.flush.interval.ms': '300' }),
  )
  try {
    const { table, slot, prefix, name, topic } = capture('cdc_brokerrestart')
    await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
    await createConnector(own.request, name, cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' }))
    await waitForState(own.request, name, 'RUNNING')
    await waitForSlot(shared(), slot)
    await sql(`INSERT INTO ${table} SELECT g FROM generate_series(1, 20) g`)
    await waitForRowIds(topic, range(1, 20), 30_000, bootstrap)

    await kafka.stop()
    kafka = undefined
    // Written while Kafka is down: polled by the task, whose produce requests are retried until the broker is back.
    for (let id = 21; id <= 40; id++) await sql(`INSERT INTO ${table} VALUES (${id})`)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    kafka = await startBroker()
    await waitForRowIds(topic, range(1, 40), 60_000, bootstrap)
    assert.equal((await statusOf(own.request, name)).tasks[0].state, 'RUNNING')
    assert.equal((await own.request('DELETE', path(name))).status, 204)
  } finally {
    await own.worker.stop()
    await kafka?.stop()
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
})

/** The connector's committed offsets, as the worker's REST API reads them from its offsets topic. */
async function committedOffsets(
  request: ReturnType<typeof httpRequester>,
  name: string,
): Promise<{ offset: Record<string, unknown> }[]> {
  const response = await request('GET', path(name, '/offsets'))
  return response.status === 200 ? (response.body as { offsets: { offset: Record<string, unknown> }[] }).offsets : []
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

test('SIGKILL of the worker process mid-stream: every committed row in Kafka, repeats only after the committed offset', async () => {
  const groupId = uniqueName('cdccrash')
  const port = await freePort()
  const request = httpRequester(`http://127.0.0.1:${port}`)
  const { table, slot, prefix, name, topic } = capture('cdc_crashstream')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  child = await startWorkerProcess(groupId, port)
  await createConnector(request, name, cdcConfig(shared(), prefix, table, slot, { 'snapshot.mode': 'no_data' }))
  await waitForState(request, name, 'RUNNING')
  await waitForSlot(shared(), slot)

  // Transactions of 10 rows keep committing while the worker dies mid-poll and mid-send, and while it is down.
  const total = 6000
  let next = 1
  const writer = (async () => {
    while (next <= total) {
      await sql(`INSERT INTO ${table} SELECT g, 'x' FROM generate_series($1::int, $1::int + 9) g`, [next])
      next += 10
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  const offsetsTopic = `${groupId}-offsets`
  await eventually(
    async () => (next > 500 && (await committedOffsets(request, name)).length > 0 ? true : undefined),
    () => 'no offset committed while rows were written',
  )
  await killHard(child)
  const writtenAtKill = next - 1
  const committed = await storedOffset(offsetsTopic, name)
  assert.ok(committed, 'an offset was committed before the kill')
  const lsnProc = committed.lsn_proc as number
  const beforeRestart = await readChanges(topic)
  assertNoDuplicates(beforeRestart.map(rowId), 'one worker, no restart yet: nothing twice')

  child = await startWorkerProcess(groupId, port)
  await writer
  assert.ok(writtenAtKill < total, `rows were still being written when the worker died (${writtenAtKill})`)
  const records = await waitForRowIds(topic, range(1, total), 90_000)
  assert.equal((await statusOf(request, name)).tasks[0].state, 'RUNNING')
  const copies = new Map<number, number[]>()
  for (const r of records) {
    const id = rowId(r) as number
    copies.set(id, [...(copies.get(id) ?? []), r.source?.lsn as number])
  }
  const repeated = [...copies.entries()].filter(([, lsns]) => lsns.length > 1)
  // A change the committed offset covers (at or before lsn_proc: one row per LSN here) is never sent again.
  for (const [id, lsns] of repeated) {
    assert.ok(
      lsns.every((lsn) => lsn > lsnProc),
      `row ${id} repeated although the committed offset (lsn_proc ${lsnProc}) covers it: ${lsns}`,
    )
    assert.equal(lsns.length, 2, `row ${id} more than twice`)
  }
  console.log(
    `CDC crash mid-stream: ${total} rows, ${writtenAtKill} written and ${beforeRestart.length} in Kafka at the kill, ${repeated.length} sent twice (all after the committed offset)`,
  )
  await killHard(child)
  child = undefined
})

test('SIGKILL of the worker process mid-snapshot: the snapshot starts over, every row in Kafka, rows written meanwhile too', async () => {
  const groupId = uniqueName('cdccrashsnap')
  const port = await freePort()
  const request = httpRequester(`http://127.0.0.1:${port}`)
  const { table, slot, prefix, name, topic } = capture('cdc_crashsnap')
  const rows = 20_000
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  await sql(`INSERT INTO ${table} SELECT g, 'x' FROM generate_series(1, ${rows}) g`)
  child = await startWorkerProcess(groupId, port)
  await createConnector(
    request,
    name,
    cdcConfig(shared(), prefix, table, slot, { 'snapshot.fetch.size': '100', 'max.batch.size': '100' }),
  )
  const offsetsTopic = `${groupId}-offsets`
  // A snapshot offset committed (the snapshot under way), then rows written once the slot exists.
  await eventually(
    async () => ((await committedOffsets(request, name))[0]?.offset.snapshot === 'INITIAL' ? true : undefined),
    () => 'no snapshot offset committed',
  )
  await sql(`INSERT INTO ${table} SELECT g, 'y' FROM generate_series(${rows + 1}, ${rows + 100}) g`)
  await killHard(child)
  const committed = await storedOffset(offsetsTopic, name)
  assert.equal(committed?.snapshot_completed, false, `killed mid-snapshot: ${JSON.stringify(committed)}`)
  const beforeRestart = await readChanges(topic)
  assert.ok(beforeRestart.length < rows, `killed mid-snapshot (${beforeRestart.length} of ${rows} rows in Kafka)`)

  child = await startWorkerProcess(groupId, port)
  const records = await waitForRowIds(topic, range(1, rows + 100), 120_000)
  assert.equal((await statusOf(request, name)).tasks[0].state, 'RUNNING')
  // The interrupted snapshot starts over (as Debezium's does): what the first one sent comes again, nothing else.
  const afterRestart = records.slice(beforeRestart.length)
  assertNoDuplicates(afterRestart.map(rowId), 'the new snapshot and the stream after it send each row once')
  assert.equal(afterRestart.filter((r) => r.source?.snapshot === 'first').length, 1)
  assert.equal(afterRestart.filter((r) => r.source?.snapshot === 'last').length, 1)
  console.log(
    `CDC crash mid-snapshot: ${rows} rows + 100 written during it, ${beforeRestart.length} in Kafka at the kill, ${records.length} records in all`,
  )
  await killHard(child)
  child = undefined
})
