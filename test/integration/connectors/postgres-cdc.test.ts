// The PostgreSQL CDC connector on a real flowscope worker against the test stack's Postgres (wal_level=logical) and
// Kafka: validation reaching the database, the snapshot in the slot's exported snapshot, Debezium-shaped change
// events (envelope, op, before/after, key, tombstone, types), Debezium's offsets in the offsets topic, the slot's
// confirmed_flush_lsn moving only when offsets are committed, and a restart that resumes with no gap.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { postgresCdcPlugin } from '../../../src/connectors/postgres-cdc/index.ts'
import { parseLsn } from '../../../src/connectors/postgres-cdc/lsn.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  eventually,
  path,
  sql,
  startTestWorker,
  statusOf,
  type TestWorker,
  type WorkerIdentity,
  waitForState,
  workerIdentity,
} from '../worker/helpers.ts'
import { commitByPausing, offsetsOf, readJsonRecords, cdcConfig as sharedCdcConfig } from './postgres-cdc-support.ts'

const _run = promisify(execFile)

interface KafkaRecord {
  key: { schema: Record<string, unknown>; payload: Record<string, unknown> } | null
  value: { schema: Record<string, unknown>; payload: Envelope } | null
  /** The value as written (JSON.parse would round int64 values beyond 2^53). */
  valueText: string | null
}

interface Envelope {
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  source: Record<string, unknown>
  op: string
  ts_ms: number
  transaction: unknown
}

const readRecords = (topic: string): Promise<KafkaRecord[]> =>
  readJsonRecords<KafkaRecord['key'], NonNullable<KafkaRecord['value']>>(topic)

async function waitForRecords(topic: string, count: number): Promise<KafkaRecord[]> {
  let last: KafkaRecord[] = []
  return eventually(
    async () => {
      last = await readRecords(topic)
      return last.length >= count ? last : undefined
    },
    () =>
      `topic ${topic}: expected ${count} records, have ${last.length}: ${JSON.stringify(last.map((r) => r.value?.payload.op ?? 'tombstone'))}`,
    30_000,
  )
}

const cdcConfig = (prefix: string, table: string, slot: string, extra: Record<string, string> = {}) =>
  sharedCdcConfig(testStack().postgresUrl, prefix, table, slot, extra)

/** Names for one test's capture (table, slot, topic prefix, connector), dropped after the file's tests. */
function capture(tablePrefix: string): { table: string; slot: string; prefix: string; name: string } {
  const table = uniqueName(tablePrefix)
  const slot = uniqueName('slot')
  const prefix = uniqueName('cdc')
  tables.push(table)
  slots.push(slot)
  return { table, slot, prefix, name: `${prefix}-connector` }
}

async function confirmedFlush(slot: string): Promise<number | null> {
  const r = await sql('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])
  const row = r.rows[0] as { lsn: string | null } | undefined
  return row?.lsn ? parseLsn(row.lsn) : null
}

let identity: WorkerIdentity
let worker: TestWorker | undefined
const tables: string[] = []
const slots: string[] = []

before(async () => {
  // Offsets are committed only when the test asks (pause, stop): then the slot's position can be checked against them.
  identity = await workerIdentity('cdc', { 'offset.flush.interval.ms': '600000' })
  worker = await startTestWorker(identity)
})

after(async () => {
  await worker?.worker.stop()
  for (const slot of slots) {
    await sql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
      slot,
    ]).catch(() => {})
    await sql(`DROP PUBLICATION IF EXISTS ${slot}_pub`)
  }
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

test('validate names the key of each problem, reaching the database', async () => {
  const table = uniqueName('cdc_validate')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  tables.push(table)
  const good = await postgresCdcPlugin.validate!(cdcConfig('v', table, uniqueName('slot')))
  assert.deepEqual([...good], [])

  const role = uniqueName('norepl')
  await sql(`CREATE ROLE ${role} LOGIN PASSWORD 'secret'`)
  try {
    const noReplication = await postgresCdcPlugin.validate!({
      ...cdcConfig('v', table, uniqueName('slot')),
      'database.user': role,
      'database.password': 'secret',
    })
    assert.match(noReplication.get('database.user')?.join() ?? '', /lacks the REPLICATION attribute/)
  } finally {
    await sql(`DROP ROLE ${role}`)
  }

  const decoder = postgresCdcPlugin.configDef.parse({ ...cdcConfig('v', table, 's'), 'plugin.name': 'decoderbufs' })
  assert.match(decoder.errors.get('plugin.name')?.join() ?? '', /Only the pgoutput decoder is supported/)
  const noPrefix = postgresCdcPlugin.configDef.parse({ ...cdcConfig('v', table, 's'), 'topic.prefix': '' })
  assert.ok(noPrefix.errors.has('topic.prefix'))
  const mode = postgresCdcPlugin.configDef.parse({ ...cdcConfig('v', table, 's'), 'snapshot.mode': 'never' })
  assert.match(mode.errors.get('snapshot.mode')?.join() ?? '', /initial, initial_only, no_data, always, when_needed/)
  const missingPublication = await postgresCdcPlugin.validate!({
    ...cdcConfig('v', table, uniqueName('slot')),
    'publication.autocreate.mode': 'disabled',
  })
  assert.match(missingPublication.get('publication.name')?.join() ?? '', /does not exist/)

  const keyless = uniqueName('cdc_keyless')
  await sql(`CREATE TABLE ${keyless} (v text)`)
  tables.push(keyless)
  const noKey = await postgresCdcPlugin.validate!(cdcConfig('v', keyless, uniqueName('slot')))
  assert.match(noKey.get('table.include.list')?.join() ?? '', new RegExp(`without a primary key.*public\\.${keyless}`))
  await sql(`ALTER TABLE ${keyless} REPLICA IDENTITY FULL`)
  assert.deepEqual([...(await postgresCdcPlugin.validate!(cdcConfig('v', keyless, uniqueName('slot'))))], [])
})

test('snapshot, then insert/update/delete as Debezium events; offsets and slot confirmed only on commit; restart resumes', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_events')
  await sql(`CREATE TYPE ${table}_mood AS ENUM ('sad', 'ok', 'happy')`)
  await sql(
    `CREATE TABLE ${table} (
       id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), amount numeric, ok boolean, born date,
       seen timestamp, at timestamptz, uid uuid, doc jsonb, mood ${table}_mood, tags text[], blob bytea,
       span interval, cash money, big bigint, ratio double precision, status text DEFAULT 'new')`,
  )
  await sql(
    `INSERT INTO ${table} VALUES
       (1, 'one', 12.50, 3.14159, true, '2024-02-29', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.5+02',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', 'happy', '{x,"y z"}', '\\x0102ff', '1 day 02:00:00',
        '12.34', 9007199254740993, 0.25, DEFAULT),
       (2, 'two', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  )
  const topic = `${prefix}.public.${table}`
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot))
  await waitForState(worker.request, name, 'RUNNING')

  // ---- snapshot: two reads, first and last ----
  const snapshot = await waitForRecords(topic, 2)
  assert.deepEqual(
    snapshot.map((r) => [r.value?.payload.op, r.value?.payload.source.snapshot, r.key?.payload]),
    [
      ['r', 'first', { id: 1 }],
      ['r', 'last', { id: 2 }],
    ],
  )
  const read = snapshot[0].value as NonNullable<KafkaRecord['value']>
  assert.equal(read.schema.name, `${prefix}.public.${table}.Envelope`)
  assert.equal(read.schema.version, 2)
  assert.equal(snapshot[0].key?.schema.name, `${prefix}.public.${table}.Key`)
  assert.deepEqual(
    (read.schema.fields as { field: string }[]).map((f) => f.field),
    ['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns'],
  )
  const afterSchema = (read.schema.fields as { field: string; name?: string; fields?: Record<string, unknown>[] }[])[1]
  assert.equal(afterSchema.name, `${prefix}.public.${table}.Value`)
  const fieldSchema = (field: string) => afterSchema.fields?.find((f) => f.field === field) as Record<string, unknown>
  assert.deepEqual(fieldSchema('price'), {
    type: 'bytes',
    optional: true,
    name: 'org.apache.kafka.connect.data.Decimal',
    version: 1,
    parameters: { scale: '2', 'connect.decimal.precision': '10' },
    field: 'price',
  })
  assert.equal(fieldSchema('amount').name, 'io.debezium.data.VariableScaleDecimal')
  assert.equal(fieldSchema('born').name, 'io.debezium.time.Date')
  assert.equal(fieldSchema('seen').name, 'io.debezium.time.MicroTimestamp')
  assert.equal(fieldSchema('at').name, 'io.debezium.time.ZonedTimestamp')
  assert.equal(fieldSchema('uid').name, 'io.debezium.data.Uuid')
  assert.equal(fieldSchema('doc').name, 'io.debezium.data.Json')
  assert.deepEqual(fieldSchema('mood').parameters, { allowed: 'sad,ok,happy' })
  assert.equal(fieldSchema('span').name, 'io.debezium.time.MicroDuration')
  assert.equal(fieldSchema('name').optional, false)
  assert.equal(fieldSchema('status').default, 'new')
  const after = read.payload.after as Record<string, unknown>
  assert.equal(after.price, Buffer.from([0x04, 0xe2]).toString('base64')) // 1250, scale 2
  assert.deepEqual(after.amount, { scale: 5, value: Buffer.from([0x04, 0xcb, 0x2f]).toString('base64') }) // 314159
  assert.equal(after.ok, true)
  assert.equal(after.born, 19782) // days from 1970-01-01 to 2024-02-29
  assert.equal(after.seen, Date.UTC(2024, 1, 29, 12, 34, 56) * 1000 + 123456)
  assert.equal(after.at, '2024-02-29T10:34:56.500000Z')
  assert.equal(after.uid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
  assert.equal(after.doc, '{"a": 1}')
  assert.equal(after.mood, 'happy')
  assert.deepEqual(after.tags, ['x', 'y z'])
  assert.equal(after.blob, Buffer.from([1, 2, 255]).toString('base64'))
  assert.equal(after.span, 26 * 3600 * 1_000_000)
  assert.equal(after.cash, Buffer.from([0x04, 0xd2]).toString('base64')) // 1234, scale 2
  assert.match(snapshot[0].valueText ?? '', /"big":9007199254740993[,}]/, 'int64 beyond 2^53 kept exact')
  assert.equal(after.ratio, 0.25)
  const source = read.payload.source
  assert.deepEqual(Object.keys(source), [
    'version',
    'connector',
    'name',
    'ts_ms',
    'snapshot',
    'db',
    'sequence',
    'ts_us',
    'ts_ns',
    'schema',
    'table',
    'txId',
    'lsn',
    'xmin',
    'origin',
    'origin_lsn',
  ])
  assert.equal(source.connector, 'postgresql')
  assert.equal(source.name, prefix)
  assert.equal(source.table, table)
  assert.equal(source.schema, 'public')

  // ---- streaming: insert, update, delete ----
  const slotAtStart = await confirmedFlush(slot)
  assert.notEqual(slotAtStart, null)
  await sql(`INSERT INTO ${table} (id, name) VALUES (3, 'three')`)
  await sql(`UPDATE ${table} SET name = 'THREE' WHERE id = 3`)
  await sql(`DELETE FROM ${table} WHERE id = 3`)
  const all = await waitForRecords(topic, 6)
  const [insert, update, del, tombstone] = all.slice(2)
  assert.equal(insert.value?.payload.op, 'c')
  assert.equal(insert.value?.payload.before, null)
  assert.equal(insert.value?.payload.after?.name, 'three')
  assert.equal(insert.value?.payload.source.snapshot, 'false')
  assert.equal(typeof insert.value?.payload.source.lsn, 'number')
  assert.equal(typeof insert.value?.payload.source.txId, 'number')
  assert.deepEqual(insert.key?.payload, { id: 3 })
  assert.equal(update.value?.payload.op, 'u')
  assert.equal(update.value?.payload.before, null, 'REPLICA IDENTITY DEFAULT: no before on update')
  assert.equal(update.value?.payload.after?.name, 'THREE')
  assert.equal(del.value?.payload.op, 'd')
  assert.equal(del.value?.payload.after, null)
  assert.equal(del.value?.payload.before?.id, 3)
  assert.equal(del.value?.payload.before?.price, null, 'only key columns on delete under REPLICA IDENTITY DEFAULT')
  assert.deepEqual(tombstone.key?.payload, { id: 3 })
  assert.equal(tombstone.value, null)

  // ---- nothing committed yet: the slot has not moved, although Kafka holds the events ----
  assert.deepEqual(await offsetsOf(worker, name), [])
  assert.equal(await confirmedFlush(slot), slotAtStart)

  // ---- pausing commits the offsets; only then does the slot confirm, up to what the offset covers ----
  const committed = await commitByPausing(worker, name, (offset) => offset.messageType === 'DELETE')
  assert.deepEqual(committed.partition, { server: prefix })
  assert.equal(committed.offset.lsn, del.value?.payload.source.lsn)
  assert.equal(committed.offset.lsn_proc, del.value?.payload.source.lsn)
  assert.equal(committed.offset.txId, del.value?.payload.source.txId)
  assert.equal(typeof committed.offset.ts_usec, 'number')
  assert.equal(typeof committed.offset.lsn_commit, 'number', 'the update committed before the delete')
  assert.equal(committed.offset.lsn_events_processed, 1)
  const confirmed = await eventually(
    async () => {
      const lsn = await confirmedFlush(slot)
      return lsn !== null && lsn !== slotAtStart ? lsn : undefined
    },
    () => 'the slot never confirmed the committed offset',
  )
  assert.equal(confirmed, committed.offset.lsn_commit, 'the slot confirms exactly lsn_commit of the committed offset')

  // ---- restart: rows written while the worker is down arrive, none twice ----
  await worker.request('PUT', path(name, '/resume'))
  await waitForState(worker.request, name, 'RUNNING')
  await worker.worker.stop()
  worker = undefined
  await sql(`INSERT INTO ${table} (id, name) SELECT g, 'row-' || g FROM generate_series(10, 59) g`)
  await sql(`UPDATE ${table} SET name = 'updated' WHERE id BETWEEN 10 AND 19`)
  worker = await startTestWorker(identity)
  await waitForState(worker.request, name, 'RUNNING')
  const afterRestart = await waitForRecords(topic, 6 + 60)
  const changes = afterRestart.slice(6).map((r) => `${r.value?.payload.op}:${r.key?.payload.id}`)
  const expected = [
    ...Array.from({ length: 50 }, (_, i) => `c:${10 + i}`),
    ...Array.from({ length: 10 }, (_, i) => `u:${10 + i}`),
  ]
  assert.deepEqual(changes, expected)
  assert.ok(
    afterRestart.slice(6).every((r) => r.value?.payload.op !== 'r'),
    'no new snapshot after a restart',
  )
})

test('heartbeats carry the last commit to the slot; a cut replication connection is re-established with no gap; a dropped slot fails the task', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_faults')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`)
  const topic = `${prefix}.public.${table}`
  await createConnector(
    worker.request,
    name,
    cdcConfig(prefix, table, slot, { 'heartbeat.interval.ms': '100', 'snapshot.mode': 'no_data' }),
  )
  await waitForState(worker.request, name, 'RUNNING')
  await eventually(
    async () =>
      (
        (await sql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0] as
          | { active?: boolean }
          | undefined
      )?.active || undefined,
    () => `slot ${slot} never became active`,
  )
  await sql(`INSERT INTO ${table} VALUES (1, 'a')`)
  const [insert] = await waitForRecords(topic, 1)
  assert.equal(insert.value?.payload.op, 'c')
  const heartbeats = await waitForRecords(`__debezium-heartbeat.${prefix}`, 1)
  assert.deepEqual(heartbeats[0].key?.payload, { serverName: prefix })
  assert.equal(heartbeats[0].key?.schema.name, 'io.debezium.connector.common.ServerNameKey')
  assert.equal(typeof (heartbeats[0].value?.payload as unknown as { ts_ms: number } | undefined)?.ts_ms, 'number')

  // Committing now stores the heartbeat's offset: the commit of the insert's transaction, which the slot confirms.
  const committed = (await commitByPausing(worker, name, (offset) => offset.messageType === 'COMMIT')).offset
  assert.ok((committed.lsn_commit as number) > (insert.value?.payload.source.lsn as number))
  await eventually(
    async () => ((await confirmedFlush(slot)) === committed.lsn_commit ? true : undefined),
    async () => `slot at ${await confirmedFlush(slot)}, committed lsn_commit ${committed.lsn_commit}`,
  )
  assert.equal((await worker.request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(worker.request, name, 'RUNNING')

  // Cut the replication connection from the server side; changes made meanwhile arrive once, in order.
  const cut = await sql(
    'SELECT pg_terminate_backend(active_pid) AS done FROM pg_replication_slots WHERE slot_name = $1 AND active',
    [slot],
  )
  assert.equal((cut.rows[0] as { done: boolean }).done, true)
  await sql(`INSERT INTO ${table} SELECT g, 'b' FROM generate_series(2, 21) g`)
  const records = await waitForRecords(topic, 21)
  assert.deepEqual(
    records.map((r) => r.key?.payload.id),
    Array.from({ length: 21 }, (_, i) => i + 1),
  )
  assert.equal((await statusOf(worker.request, name)).tasks[0].state, 'RUNNING')

  // A slot dropped behind the connector's back: the task fails, naming the slot.
  await sql('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])
  await eventually(
    async () => {
      try {
        await sql('SELECT pg_drop_replication_slot($1)', [slot])
        return true
      } catch {
        return undefined
      }
    },
    () => `slot ${slot} could not be dropped`,
  )
  const failed = await waitForState(worker.request, name, 'RUNNING', 'FAILED', 30_000)
  assert.match(failed.tasks[0].trace ?? '', new RegExp(`slot ${slot}.*does not exist`))

  // Restarted with a committed offset and no slot, it refuses to stream from a new slot (which would skip changes).
  await sql(`INSERT INTO ${table} VALUES (100, 'made while no slot existed')`)
  const restart = await worker.request('POST', path(name, '/tasks/0/restart'))
  assert.equal(restart.status, 204, restart.text)
  const refused = await eventually(
    async () => {
      const status = await statusOf((worker as TestWorker).request, name)
      return /a new slot would miss every change/.test(status.tasks[0]?.trace ?? '') ? status : undefined
    },
    async () => `task never refused: ${JSON.stringify(await statusOf((worker as TestWorker).request, name))}`,
  )
  assert.equal(refused.tasks[0].state, 'FAILED')
  assert.match(refused.tasks[0].trace ?? '', /snapshot\.mode=when_needed/)
})

test('changes made while the snapshot runs are streamed after it: every row once, nothing lost', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_during')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v int NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, 0 FROM generate_series(1, 3000) g`)
  const topic = `${prefix}.public.${table}`
  // Small fetches keep the snapshot going while the writes below happen.
  await createConnector(
    worker.request,
    name,
    cdcConfig(prefix, table, slot, { 'snapshot.fetch.size': '50', 'max.batch.size': '50' }),
  )
  // Once the slot exists its exported snapshot is fixed: everything written from now on must be streamed.
  await eventually(
    async () =>
      (await sql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows.length ? true : undefined,
    () => `slot ${slot} never appeared`,
  )
  await sql(`INSERT INTO ${table} SELECT g, 1 FROM generate_series(3001, 3100) g`)
  await sql(`UPDATE ${table} SET v = 2 WHERE id <= 100`)
  await sql(`DELETE FROM ${table} WHERE id BETWEEN 2901 AND 3000`)
  // 3000 reads + 100 creates + 100 updates + 100 deletes and their tombstones.
  const records = await waitForRecords(topic, 3000 + 100 + 100 + 200)
  const events = records.filter((r) => r.value !== null).map((r) => r.value?.payload as Envelope)
  const reads = events.filter((e) => e.op === 'r')
  assert.equal(reads.length, 3000)
  assert.ok(
    reads.every((e) => e.after?.v === 0),
    'the snapshot sees the table as of the slot, before the writes',
  )
  assert.equal(reads[0].source.snapshot, 'first')
  assert.equal(reads[2999].source.snapshot, 'last')
  assert.deepEqual(
    events.filter((e) => e.op !== 'r').map((e) => `${e.op}:${(e.after ?? e.before)?.id}`),
    [
      ...Array.from({ length: 100 }, (_, i) => `c:${3001 + i}`),
      ...Array.from({ length: 100 }, (_, i) => `u:${1 + i}`),
      ...Array.from({ length: 100 }, (_, i) => `d:${2901 + i}`),
    ],
  )
  assert.equal(records.length, 3400, 'no duplicate: nothing more than expected')
})

test('an initial snapshot that emitted nothing leaves no offset: after stop and resume, every change arrives once', async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_empty')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  const topic = `${prefix}.public.${table}`
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot))
  await waitForState(worker.request, name, 'RUNNING')
  await eventually(
    async () =>
      (await sql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rows.length
        ? true
        : undefined,
    () => `slot ${slot} never became active`,
  )
  assert.equal((await worker.request('PUT', path(name, '/stop'))).status, 204)
  await waitForState(worker.request, name, 'STOPPED')
  // Written while stopped: the slot holds them, and no offset exists (the empty snapshot emitted no record).
  await sql(`INSERT INTO ${table} SELECT g FROM generate_series(1, 50) g`)
  assert.equal((await worker.request('PUT', path(name, '/resume'))).status, 202)
  await waitForRecords(topic, 50)
  // Time for a second copy to arrive, were the changes both snapshotted again and streamed from the slot's start.
  await sql(`INSERT INTO ${table} VALUES (51)`)
  const records = await waitForRecords(topic, 51)
  const ids = records.map((r) => (r.value?.payload.after as { id: number } | undefined)?.id ?? -1)
  assert.equal(new Set(ids).size, 51)
  assert.equal(ids.length, 51, `duplicates: ${ids.length - 51} (${records.map((r) => r.value?.payload.op).join('')})`)
})

test("an offset in Debezium 3.6's shape resumes right after the change it names", async () => {
  assert.ok(worker)
  const { table, slot, prefix, name } = capture('cdc_dbz_offset')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  const topic = `${prefix}.public.${table}`
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, { 'snapshot.mode': 'no_data' }))
  await waitForState(worker.request, name, 'RUNNING')
  await sql(`INSERT INTO ${table} VALUES (1)`)
  await waitForRecords(topic, 1)
  assert.equal((await worker.request('PUT', path(name, '/stop'))).status, 204)
  await waitForState(worker.request, name, 'STOPPED')
  await eventually(
    async () =>
      (
        (await sql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0] as {
          active: boolean
        }
      ).active
        ? undefined
        : true,
    () => `slot ${slot} stayed active after the stop`,
  )

  // Two more transactions; the slot (peeked, not consumed) tells the LSN and xid of the first one's insert.
  await sql(`INSERT INTO ${table} VALUES (2)`)
  await sql(`INSERT INTO ${table} VALUES (3)`)
  const peeked = await sql(
    `SELECT lsn::text AS lsn, xid::text AS xid FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL,
       'proto_version', '1', 'publication_names', $2) WHERE get_byte(data, 0) = 73 ORDER BY lsn`,
    [slot, `${slot}_pub`],
  )
  // The slot may still hold row 1's transaction (confirmed only up to its insert): rows 2 and 3 are the last two.
  const inserts = (peeked.rows as { lsn: string; xid: string }[]).slice(-2)
  assert.equal(inserts.length, 2, JSON.stringify(peeked.rows))
  const lsn = parseLsn(inserts[0].lsn)
  // Debezium 3.6.1 writes exactly these keys for a streamed insert (no lsn_commit before its first commit).
  const debeziumOffset = {
    lsn_proc: lsn,
    messageType: 'INSERT',
    lsn,
    txId: Number(inserts[0].xid),
    ts_usec: Date.now() * 1000,
  }
  const patch = await worker.request('PATCH', path(name, '/offsets'), {
    offsets: [{ partition: { server: prefix }, offset: debeziumOffset }],
  })
  assert.equal(patch.status, 200, patch.text)
  assert.equal((await worker.request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(worker.request, name, 'RUNNING')
  const records = await waitForRecords(topic, 2)
  assert.deepEqual(
    records.map((r) => r.key?.payload.id),
    [1, 3],
    'the insert the offset names is not repeated, the next one is not lost',
  )
})

test('provide.transaction.metadata: resumed inside a transaction it goes on counting, with no second BEGIN; from a BEGIN offset, nothing is lost', async () => {
  assert.ok(worker)
  const running = worker
  const { table, slot, prefix, name } = capture('cdc_tx_resume')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
  const topic = `${prefix}.public.${table}`
  const transactionTopic = `${prefix}.transaction`
  const collection = `public.${table}`
  await createConnector(
    running.request,
    name,
    cdcConfig(prefix, table, slot, { 'snapshot.mode': 'no_data', 'provide.transaction.metadata': 'true' }),
  )
  await waitForState(running.request, name, 'RUNNING')
  const stop = async () => {
    assert.equal((await running.request('PUT', path(name, '/stop'))).status, 204)
    await waitForState(running.request, name, 'STOPPED')
    await eventually(
      async () =>
        (
          (await sql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0] as {
            active: boolean
          }
        ).active
          ? undefined
          : true,
      () => `slot ${slot} stayed active after the stop`,
    )
  }
  /** The slot's messages (peeked, not consumed) of the last transaction: LSN and xid of its BEGIN and inserts. */
  const peekLastTransaction = async () => {
    const peeked = await sql(
      `SELECT lsn::text AS lsn, xid::text AS xid, chr(get_byte(data, 0)) AS tag
         FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', $2)
        ORDER BY lsn`,
      [slot, `${slot}_pub`],
    )
    const rows = peeked.rows as { lsn: string; xid: string; tag: string }[]
    const begin = rows.findLastIndex((r) => r.tag === 'B')
    const last = rows.slice(begin)
    return {
      beginLsn: parseLsn(last[0].lsn),
      xid: Number(last.find((r) => r.tag === 'I')?.xid),
      inserts: last.filter((r) => r.tag === 'I').map((r) => parseLsn(r.lsn)),
    }
  }
  const resumeFrom = async (offset: Record<string, unknown>) => {
    const patch = await running.request('PATCH', path(name, '/offsets'), {
      offsets: [{ partition: { server: prefix }, offset }],
    })
    assert.equal(patch.status, 200, patch.text)
    assert.equal((await running.request('PUT', path(name, '/resume'))).status, 202)
    await waitForState(running.request, name, 'RUNNING')
  }
  await stop()

  // 1. Debezium's offset after the second of three inserts of one transaction: its id and the table's count so far.
  await sql(
    `BEGIN; INSERT INTO ${table} VALUES (1); INSERT INTO ${table} VALUES (2); INSERT INTO ${table} VALUES (3); COMMIT`,
  )
  const first = await peekLastTransaction()
  assert.equal(first.inserts.length, 3)
  await resumeFrom({
    lsn_proc: first.inserts[1],
    lsn: first.inserts[1],
    messageType: 'INSERT',
    txId: first.xid,
    ts_usec: Date.now() * 1000,
    transaction_id: String(first.xid),
    [`transaction_data_collection_order_${collection}`]: 2,
  })
  const [third] = await waitForRecords(topic, 1)
  assert.equal(third.key?.payload.id, 3)
  assert.deepEqual(third.value?.payload.transaction, {
    id: `${first.xid}:${first.inserts[2]}`,
    total_order: 3,
    data_collection_order: 3,
  })
  const [end] = await waitForRecords(transactionTopic, 1)
  const endValue = end.value?.payload as unknown as Record<string, unknown>
  assert.equal(end.key?.payload.id, endValue.id)
  assert.match(String(endValue.id), new RegExp(`^${first.xid}:\\d+$`))
  assert.equal(endValue.status, 'END', 'no second BEGIN for the resumed transaction')
  assert.equal(endValue.event_count, 3)
  assert.deepEqual(endValue.data_collections, [{ data_collection: collection, event_count: 3 }])
  await stop()
  // The stop committed END's offset: the commit, and the transaction's keys as Debezium stores them at END.
  const [committed] = await offsetsOf(running, name)
  assert.equal(committed.offset.messageType, 'COMMIT')
  assert.equal(committed.offset.transaction_id, String(first.xid))
  assert.equal(committed.offset[`transaction_data_collection_order_${collection}`], 3)

  // 2. The offset of a BEGIN event: its LSN is that of the transaction's first change, which must still be sent.
  await sql(`BEGIN; INSERT INTO ${table} VALUES (4); INSERT INTO ${table} VALUES (5); COMMIT`)
  const second = await peekLastTransaction()
  await resumeFrom({
    lsn_proc: second.beginLsn,
    lsn: second.beginLsn,
    lsn_commit: committed.offset.lsn_commit,
    messageType: 'BEGIN',
    txId: second.xid,
    ts_usec: Date.now() * 1000,
    transaction_id: String(second.xid),
  })
  const records = await waitForRecords(topic, 3)
  assert.deepEqual(
    records.map((r) => r.key?.payload.id),
    [3, 4, 5],
    `the first change (LSN ${second.inserts[0]}, BEGIN at ${second.beginLsn}) is not skipped`,
  )
  const events = await waitForRecords(transactionTopic, 2)
  assert.deepEqual(
    events.map((e) => {
      const v = e.value?.payload as unknown as Record<string, unknown>
      return [v.status, v.event_count]
    }),
    [
      ['END', 3],
      ['END', 2],
    ],
  )
})
