// Incremental snapshots of the PostgreSQL CDC connector, triggered through the signalling table, on a real worker
// against the test stack's Postgres and Kafka: chunks read between watermarks while streaming goes on, a change
// streamed inside a chunk's window winning over the chunk's read (made certain by triggers that change rows while
// the window is open), Debezium's incremental_snapshot_* context in the committed offset, and a restart in the middle
// that goes on after the stored key instead of starting over.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { Admin } from '@platformatic/kafka'
import { deserializeKey } from '../../../src/connectors/postgres-cdc/java-serialized-key.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { parseExposition } from '../../unit/metrics/scrape.ts'
import {
  createConnector,
  eventually,
  path,
  sql,
  startTestWorker,
  type TestWorker,
  type WorkerIdentity,
  waitForState,
  workerIdentity,
} from '../worker/helpers.ts'
import { commitByPausing, offsetsOf, readJsonRecords, cdcConfig as sharedCdcConfig } from './postgres-cdc-support.ts'

const _run = promisify(execFile)

interface Envelope {
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  source: Record<string, unknown>
  op: string
}

interface KafkaRecord {
  key: { payload: Record<string, unknown> } | null
  value: { payload: Envelope } | null
}

const readRecords = (topic: string): Promise<KafkaRecord[]> =>
  readJsonRecords<KafkaRecord['key'], NonNullable<KafkaRecord['value']>>(topic)

/** The signalling table is not in the include list: it is captured all the same, as with Debezium. */
const cdcConfig = (prefix: string, table: string, slot: string, signal: string, chunk: number) =>
  sharedCdcConfig(testStack().postgresUrl, prefix, table, slot, {
    'signal.data.collection': `public.${signal}`,
    'incremental.snapshot.chunk.size': String(chunk),
    'snapshot.mode': 'no_data',
  })

/**
 * Names for one test (data table, signalling table, slot, topic prefix, connector), dropped after the file. The two
 * topics are created up front: the test reads order across polls, which holds once a topic exists.
 */
async function capture(tablePrefix: string) {
  const table = uniqueName(tablePrefix)
  const signal = `${table}_signal`
  const slot = uniqueName('slot')
  const prefix = uniqueName('cdc')
  tables.push(table, signal)
  slots.push(slot)
  const topic = `${prefix}.public.${table}`
  await admin.createTopics({ topics: [topic, `${prefix}.public.${signal}`], partitions: 1, replicas: 1 })
  return { table, signal, slot, prefix, name: `${prefix}-connector`, topic }
}

async function createSignalTable(signal: string): Promise<void> {
  // Debezium's documented signalling table.
  await sql(`CREATE TABLE ${signal} (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`)
}

const idOf = (r: KafkaRecord) => Number(r.key?.payload.id)

/** The table as the topic tells it: every event applied in order (tombstones carry nothing). */
function replay(records: KafkaRecord[]): Map<number, unknown> {
  const state = new Map<number, unknown>()
  for (const r of records) {
    if (!r.value) continue
    if (r.value.payload.op === 'd') state.delete(idOf(r))
    else state.set(idOf(r), r.value.payload.after?.v)
  }
  return state
}

async function tableState(table: string): Promise<Map<number, unknown>> {
  const r = await sql(`SELECT id, v FROM ${table} ORDER BY id`)
  return new Map((r.rows as { id: number; v: string }[]).map((row) => [Number(row.id), row.v]))
}

let admin: Admin
let identity: WorkerIdentity
let worker: TestWorker | undefined
const tables: string[] = []
const slots: string[] = []

before(async () => {
  admin = new Admin({ clientId: 'cdc-incremental-test', bootstrapBrokers: [testStack().bootstrapServers] })
  // Offsets are committed only when the test asks (pause, stop).
  identity = await workerIdentity('cdc-incremental', { 'offset.flush.interval.ms': '600000' })
  worker = await startTestWorker(identity)
})

after(async () => {
  await worker?.worker.stop()
  await admin.close()
  for (const slot of slots) {
    await sql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
      slot,
    ]).catch(() => {})
    await sql(`DROP PUBLICATION IF EXISTS ${slot}_pub`)
  }
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table} CASCADE`)
})

test('an execute-snapshot signal reads the table in chunks alongside streaming: every row once, deletes stay deleted, changes in the window win', async () => {
  assert.ok(worker)
  const { table, signal, slot, prefix, name, topic } = await capture('cdc_incr')
  const rows = 300
  const chunk = 20
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, 'initial-' || g FROM generate_series(1, ${rows}) g`)
  await createSignalTable(signal)
  // While chunk n's window is open — in the transaction of its close watermark, before the watermark row — row
  // 20n+5 is updated and row 20n+7 deleted: the chunk's read saw both rows as they were before, the stream sees
  // the change inside the window, so the read must give way.
  await sql(`CREATE TABLE ${table}_chunks (n int NOT NULL)`)
  tables.push(`${table}_chunks`)
  await sql(`INSERT INTO ${table}_chunks VALUES (0)`)
  await sql(
    `CREATE FUNCTION ${table}_in_window() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE chunk_no int;
     BEGIN
       IF NEW.type = 'snapshot-window-close' THEN
         UPDATE ${table}_chunks SET n = n + 1 RETURNING n - 1 INTO chunk_no;
         UPDATE ${table} SET v = 'window-update' WHERE id = chunk_no * ${chunk} + 5;
         DELETE FROM ${table} WHERE id = chunk_no * ${chunk} + 7;
       END IF;
       RETURN NEW;
     END $$`,
  )
  await sql(`CREATE TRIGGER in_window BEFORE INSERT ON ${signal} FOR EACH ROW EXECUTE FUNCTION ${table}_in_window()`)
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, signal, chunk))
  await waitForState(worker.request, name, 'RUNNING')
  // Other sessions keep changing rows before, during and after the snapshot: updates with increasing versions,
  // deletes, new rows.
  const concurrent: { updated: Set<number>; deleted: Set<number> } = { updated: new Set(), deleted: new Set() }
  const changes = (async () => {
    for (let i = 1; i <= 60; i++) {
      const id = 1 + ((i * 37) % rows)
      if (id % chunk === 5 || id % chunk === 7) continue
      if (i % 4 === 0) {
        await sql(`DELETE FROM ${table} WHERE id = $1`, [id])
        concurrent.deleted.add(id)
      } else {
        await sql(`UPDATE ${table} SET v = $2 WHERE id = $1`, [id, `concurrent-${i}`])
        concurrent.updated.add(id)
      }
      if (i % 10 === 0) await sql(`INSERT INTO ${table} VALUES ($1, $2)`, [rows + i, `new-${i}`])
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 50))
  await sql(`INSERT INTO ${signal} VALUES ('ad-hoc-1', 'execute-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${table}`], type: 'incremental' }),
  ])
  await changes

  // Done once the topic replays to the table and the last chunk's rows are there.
  const expected = await tableState(table)
  let records: KafkaRecord[] = []
  await eventually(
    async () => {
      records = await readRecords(topic)
      const state = replay(records)
      const reads = records.filter((r) => r.value?.payload.op === 'r').map(idOf)
      const sorted = (m: Map<number, unknown>) => JSON.stringify([...m].sort((a, b) => a[0] - b[0]))
      return reads.includes(rows) && sorted(state) === sorted(expected) ? true : undefined
    },
    () => {
      const state = replay(records)
      const diff = [...new Set([...state.keys(), ...expected.keys()])]
        .filter((id) => state.get(id) !== expected.get(id))
        .map((id) => `${id}: topic ${state.get(id)} table ${expected.get(id)}`)
      const reads = records.filter((r) => r.value?.payload.op === 'r').map(idOf)
      return `topic has ${records.length} records, reads ${JSON.stringify(reads)}; replay differs from the table at ${diff.slice(0, 10).join('; ')}`
    },
    60_000,
  )

  const reads = records.filter((r) => r.value?.payload.op === 'r')
  // Every row read at most once; every row no session touched read exactly once.
  const readIds = reads.map(idOf)
  assert.equal(new Set(readIds).size, readIds.length, 'no row read twice')
  for (let id = 1; id <= rows; id++) {
    const touched = concurrent.updated.has(id) || concurrent.deleted.has(id) || id % chunk === 5 || id % chunk === 7
    if (!touched) assert.ok(readIds.includes(id), `row ${id} was never read`)
  }
  // The rows changed inside a window: the streamed change is there, the chunk's read is not.
  for (let n = 0; n < rows / chunk; n++) {
    const updated = n * chunk + 5
    const deleted = n * chunk + 7
    assert.ok(!readIds.includes(updated), `row ${updated} updated in the window was not dropped from the chunk`)
    assert.ok(!readIds.includes(deleted), `row ${deleted} deleted in the window was resurrected by the chunk`)
    assert.ok(
      records.some((r) => idOf(r) === updated && r.value?.payload.op === 'u'),
      `the update of ${updated} streamed`,
    )
    assert.ok(
      records.some((r) => idOf(r) === deleted && r.value?.payload.op === 'd'),
      `the delete of ${deleted} streamed`,
    )
  }
  // Per key: no read after a delete, and no read older than a change already sent (versions only grow).
  const version = (v: unknown) => (typeof v === 'string' && v.startsWith('concurrent-') ? Number(v.slice(11)) : 0)
  const seen = new Map<number, { deleted: boolean; version: number }>()
  for (const r of records) {
    if (!r.value) continue
    const id = idOf(r)
    const last = seen.get(id)
    const v = version(r.value.payload.after?.v)
    if (r.value.payload.op === 'r') {
      assert.ok(!last?.deleted, `row ${id} read after its delete`)
      assert.ok(v >= (last?.version ?? 0), `row ${id} read with an older value than a change sent before it`)
    }
    seen.set(id, { deleted: r.value.payload.op === 'd', version: Math.max(v, last?.version ?? 0) })
  }
  // Debezium's incremental read: source.snapshot "incremental", no txId/lsn/xmin, the sequence kept.
  const source = reads[0].value?.payload.source as Record<string, unknown>
  assert.equal(source.snapshot, 'incremental')
  assert.equal(source.txId, null)
  assert.equal(source.lsn, null)
  assert.equal(source.xmin, null)
  assert.match(String(source.sequence), /^\["\d+","\d+"\]$/)
  assert.equal(reads[0].value?.payload.before, null)
  // The signalling table's rows go to its topic, as Debezium sends them: the request, then open/close watermarks.
  const signals = (await readRecords(`${prefix}.public.${signal}`)).filter((r) => r.value)
  const types = signals.map((r) => r.value?.payload.after?.type)
  assert.equal(
    types[0],
    'execute-snapshot',
    JSON.stringify(signals.map((r) => [r.value?.payload.after?.id, r.value?.payload.after?.type])),
  )
  assert.equal(
    types.filter((t) => t === 'snapshot-window-open').length,
    rows / chunk + 1,
    'one window per chunk and the last, empty read',
  )
  assert.equal(types.filter((t) => t === 'snapshot-window-close').length, rows / chunk + 1)

  // Debezium's snapshot metrics cover the incremental snapshot: completed, one table, the rows its chunks read.
  const metrics = parseExposition(await (await fetch(`${worker.url}/metrics`)).text())
  const snapshotMetric = (metric: string, labels: Record<string, string> = {}) =>
    metrics.find(
      (s) =>
        s.name === `debezium_metrics_${metric}` &&
        Object.entries({ name: prefix, context: 'snapshot', ...labels }).every(([k, v]) => s.labels[k] === v),
    )?.value
  assert.equal(snapshotMetric('SnapshotCompleted'), 1)
  assert.equal(snapshotMetric('SnapshotRunning'), 0)
  assert.equal(snapshotMetric('TotalTableCount'), 1)
  assert.equal(snapshotMetric('RemainingTableCount'), 0)
  const scanned = snapshotMetric('RowsScanned', { table: `public.${table}` }) ?? 0
  assert.ok(
    scanned >= reads.length && scanned <= rows,
    `RowsScanned ${scanned}: at least the ${reads.length} rows sent`,
  )

  // Finished: the committed offset carries no incremental context any more.
  const committed = await commitByPausing(worker, name, (o) => typeof o.lsn_commit === 'number')
  assert.equal(committed.offset.incremental_snapshot_collections, undefined)
  assert.equal(committed.offset.incremental_snapshot_primary_key, undefined)
})

test('a restart in the middle of an incremental snapshot goes on after the key stored in the offset', async () => {
  assert.ok(worker)
  const { table, signal, slot, prefix, name, topic } = await capture('cdc_incr_resume')
  const rows = 1000
  await sql(`CREATE TABLE ${table} (id bigint PRIMARY KEY, v text NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, 'row-' || g FROM generate_series(1, ${rows}) g`)
  await createSignalTable(signal)
  // Each chunk takes at least 200 ms (its close watermark waits), so the test can stop the snapshot in its middle.
  await sql(
    `CREATE FUNCTION ${table}_slow() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN IF NEW.type = 'snapshot-window-close' THEN PERFORM pg_sleep(0.2); END IF; RETURN NEW; END $$`,
  )
  await sql(`CREATE TRIGGER slow BEFORE INSERT ON ${signal} FOR EACH ROW EXECUTE FUNCTION ${table}_slow()`)
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, signal, 10))
  await waitForState(worker.request, name, 'RUNNING')
  await sql(`INSERT INTO ${signal} VALUES ('ad-hoc-resume', 'execute-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${table}`] }),
  ])
  await eventually(
    // (The database's count: reading a topic still being written runs until the writing stops.)
    async () => {
      const r = await sql(`SELECT count(*)::int AS n FROM ${signal} WHERE type = 'snapshot-window-close'`)
      return (r.rows[0] as { n: number }).n >= 10 ? true : undefined
    },
    () => 'the incremental snapshot never got going',
    30_000,
  )

  // Pause (which commits the offsets) in the middle of the snapshot, stop the worker (which commits again), start it
  // again with the connector still paused: the stored offset holds Debezium's incremental context, the key as Java
  // serializes a Long.
  await commitByPausing(worker, name, (o) => typeof o.incremental_snapshot_primary_key === 'string')
  await worker.worker.stop()
  worker = undefined
  const before = await readRecords(topic)
  const readBefore = before.filter((r) => r.value?.payload.op === 'r').map(idOf)
  worker = await startTestWorker(identity)
  const [{ offset }] = await offsetsOf(worker, name)
  // A snapshot read's offset is the stream's position marked INCREMENTAL; a streamed record's carries no marker.
  assert.ok(offset.snapshot === undefined || offset.snapshot === 'INCREMENTAL', String(offset.snapshot))
  assert.equal(typeof offset.lsn_commit, 'number')
  assert.deepEqual(JSON.parse(String(offset.incremental_snapshot_collections)), [
    {
      incremental_snapshot_collections_id: `public.${table}`,
      incremental_snapshot_collections_additional_condition: null,
      incremental_snapshot_collections_surrogate_key: null,
    },
  ])
  assert.equal(offset.incremental_snapshot_correlation_id, 'ad-hoc-resume')
  assert.deepEqual(deserializeKey(String(offset.incremental_snapshot_maximum_key)), [
    { java: 'Long', text: String(rows) },
  ])
  const stored = deserializeKey(String(offset.incremental_snapshot_primary_key))
  assert.equal(stored?.[0]?.java, 'Long')
  const storedKey = Number(stored?.[0]?.text)
  assert.ok(storedKey >= 10 && storedKey < rows, `stored key ${storedKey} is mid-table`)
  assert.ok(readBefore.includes(storedKey), 'the stored key is that of a row Kafka has')

  // Resumed: the snapshot continues after the stored key, not from the table's start.
  assert.equal((await worker.request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(worker.request, name, 'RUNNING')
  let all: KafkaRecord[] = []
  await eventually(
    async () => {
      all = await readRecords(topic)
      return all.some((r) => r.value?.payload.op === 'r' && idOf(r) === rows) ? true : undefined
    },
    () => `the snapshot did not finish after the restart (${all.length} records)`,
    90_000,
  )
  const readAfter = all
    .slice(before.length)
    .filter((r) => r.value?.payload.op === 'r')
    .map(idOf)
  assert.equal(readAfter[0], storedKey + 1, 'the first read after the restart follows the stored key')
  assert.deepEqual(
    readAfter,
    Array.from({ length: rows - storedKey }, (_, i) => storedKey + 1 + i),
    'the rest of the table, in key order, once',
  )
  // Nothing lost: before and after together cover the table.
  const union = new Set([...readBefore, ...readAfter])
  assert.equal(union.size, rows)
})

test('additional conditions narrow the snapshot; stop-snapshot ends it before the next chunk; a lost connection is re-established', async () => {
  assert.ok(worker)
  const { table, signal, slot, prefix, name, topic } = await capture('cdc_incr_stop')
  const rows = 400
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, 'row-' || g FROM generate_series(1, ${rows}) g`)
  await createSignalTable(signal)
  await sql(
    `CREATE FUNCTION ${table}_slow() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN IF NEW.type = 'snapshot-window-close' THEN PERFORM pg_sleep(0.1); END IF; RETURN NEW; END $$`,
  )
  await sql(`CREATE TRIGGER slow BEFORE INSERT ON ${signal} FOR EACH ROW EXECUTE FUNCTION ${table}_slow()`)
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, signal, 10))
  await waitForState(worker.request, name, 'RUNNING')
  await sql(`INSERT INTO ${signal} VALUES ('even-only', 'execute-snapshot', $1)`, [
    JSON.stringify({
      'data-collections': [`public.${table}`],
      type: 'incremental',
      'additional-conditions': [{ 'data-collection': `public.${table}`, filter: 'id % 2 = 0' }],
    }),
  ])
  const closes = async () =>
    (
      (await sql(`SELECT count(*)::int AS n FROM ${signal} WHERE type = 'snapshot-window-close'`)).rows[0] as {
        n: number
      }
    ).n
  await eventually(
    async () => ((await closes()) >= 3 ? true : undefined),
    () => 'no chunk was read',
    30_000,
  )

  // The snapshot's own connection is cut (it is waiting in the trigger of a close watermark, or between chunks).
  const cut = await sql(
    `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
      WHERE application_name = 'flowscope-cdc-incremental' AND query LIKE $1`,
    [`%${table}%`],
  )
  assert.equal(cut.rows.length, 1, 'the incremental snapshot has a connection of its own')
  const afterCut = await closes()
  await eventually(
    async () => ((await closes()) >= afterCut + 3 ? true : undefined),
    () => 'no chunk after the cut',
    30_000,
  )

  await sql(`INSERT INTO ${signal} VALUES ('stop-it', 'stop-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${table}`], type: 'incremental' }),
  ])
  // Stopped: no further watermark is written.
  let settled = -1
  await eventually(
    async () => {
      const n = await closes()
      await new Promise((resolve) => setTimeout(resolve, 600))
      if (n === (await closes())) settled = n
      return settled >= 0 ? true : undefined
    },
    () => 'watermarks kept coming after stop-snapshot',
    30_000,
  )
  const records = await readRecords(topic)
  const reads = records.filter((r) => r.value?.payload.op === 'r').map(idOf)
  assert.ok(reads.length > 0)
  assert.ok(
    reads.every((id) => id % 2 === 0),
    'only rows of the additional condition',
  )
  assert.equal(new Set(reads).size, reads.length, 'no row read twice, the cut chunk included')
  assert.deepEqual(
    reads,
    Array.from({ length: reads.length }, (_, i) => 2 * (i + 1)),
    'even keys in order from the start, none skipped at the cut',
  )
  assert.ok(reads.length < rows / 2, `stopped before the end (${reads.length} of ${rows / 2} read)`)
  const metrics = parseExposition(await (await fetch(`${worker.url}/metrics`)).text())
  const aborted = metrics.find(
    (s) => s.name === 'debezium_metrics_SnapshotAborted' && s.labels.name === prefix && s.labels.context === 'snapshot',
  )?.value
  assert.equal(aborted, 1, 'a stopped incremental snapshot is reported aborted, as Debezium does')
  const committed = await commitByPausing(worker, name, (o) => typeof o.lsn_commit === 'number')
  assert.equal(committed.offset.incremental_snapshot_collections, undefined, 'no context once stopped')
})

test('a TRUNCATE inside a chunk’s window empties the chunk: no row read before it comes back', async () => {
  assert.ok(worker)
  const { table, signal, slot, prefix, name, topic } = await capture('cdc_incr_truncate')
  await sql(`CREATE TABLE ${table} (id int PRIMARY KEY, v text NOT NULL)`)
  await sql(`INSERT INTO ${table} SELECT g, 'row-' || g FROM generate_series(1, 100) g`)
  await createSignalTable(signal)
  // In the transaction of the fourth close watermark (chunk 31..40 read, window open): TRUNCATE the table.
  await sql(
    `CREATE FUNCTION ${table}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.type = 'snapshot-window-close'
          AND (SELECT count(*) FROM ${signal} WHERE type = 'snapshot-window-close') = 3 THEN
         TRUNCATE ${table};
       END IF;
       RETURN NEW;
     END $$`,
  )
  await sql(
    `CREATE TRIGGER truncate_in_window BEFORE INSERT ON ${signal} FOR EACH ROW EXECUTE FUNCTION ${table}_truncate()`,
  )
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, signal, 10))
  await waitForState(worker.request, name, 'RUNNING')
  await sql(`INSERT INTO ${signal} VALUES ('t-1', 'execute-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${table}`] }),
  ])
  // Done when the snapshot wrote its last watermarks: the empty table ends it.
  await eventually(
    async () => {
      const r = await sql(`SELECT count(*)::int AS n FROM ${signal} WHERE type = 'snapshot-window-close'`)
      return (r.rows[0] as { n: number }).n >= 5 ? true : undefined
    },
    () => 'the snapshot did not go on after the truncate',
    30_000,
  )
  let reads: number[] = []
  await eventually(
    async () => {
      reads = (await readRecords(topic)).filter((r) => r.value?.payload.op === 'r').map(idOf)
      return reads.length >= 30 ? true : undefined
    },
    () => `reads: ${JSON.stringify(reads)}`,
  )
  await new Promise((resolve) => setTimeout(resolve, 1000))
  reads = (await readRecords(topic)).filter((r) => r.value?.payload.op === 'r').map(idOf)
  assert.deepEqual(
    reads,
    Array.from({ length: 30 }, (_, i) => i + 1),
    'the three chunks before the truncate, none of the chunk read before it, nothing after',
  )
})

test('a surrogate key chunks a table that has no primary key', async () => {
  assert.ok(worker)
  const { table, signal, slot, prefix, name, topic } = await capture('cdc_incr_surrogate')
  await sql(`CREATE TABLE ${table} (n int NOT NULL, v text NOT NULL)`)
  await sql(`ALTER TABLE ${table} REPLICA IDENTITY FULL`)
  await sql(`INSERT INTO ${table} SELECT g, 'row-' || g FROM generate_series(1, 25) g`)
  await createSignalTable(signal)
  await createConnector(worker.request, name, cdcConfig(prefix, table, slot, signal, 10))
  await waitForState(worker.request, name, 'RUNNING')
  await sql(`INSERT INTO ${signal} VALUES ('s-1', 'execute-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${table}`], 'surrogate-key': 'n' }),
  ])
  let reads: (number | undefined)[] = []
  await eventually(
    async () => {
      const records = await readRecords(topic)
      reads = records.filter((r) => r.value?.payload.op === 'r').map((r) => r.value?.payload.after?.n as number)
      return reads.length >= 25 ? true : undefined
    },
    () => `reads: ${JSON.stringify(reads)}`,
  )
  assert.deepEqual(
    reads,
    Array.from({ length: 25 }, (_, i) => i + 1),
    'every row once, in surrogate key order',
  )
})
