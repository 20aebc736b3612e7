// Differential test of incremental snapshots: the real Debezium 3.6.1 Postgres connector on a real Kafka Connect 4.1
// worker and flowscope's CDC connector each get a table of their own (same columns, same rows), a signalling table
// and the same execute-snapshot signal; their snapshot reads are compared field by field (schemas included), the
// records of their signalling tables by type, and the incremental_snapshot_* context of the offsets they commit
// while the snapshot runs.
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { deserializeKey } from '../../../src/connectors/postgres-cdc/java-serialized-key.ts'
import { DEBEZIUM_POSTGRES_BUNDLE, ensureJars } from '../../../src/local/kafka-jars.ts'
import { consoleProgress } from '../../../src/local/progress.ts'
import { type CapturedEvent, diffEvents, formatDifferences } from '../../support/cdc-event-diff.ts'
import type { RestRequest } from '../../support/rest-contract.ts'
import { uniqueName } from '../../support/stack.ts'
import { eventually, path, sql, startTestWorker, type TestWorker, workerIdentity } from '../worker/helpers.ts'
import {
  type CdcNames,
  cdcConfig,
  changeTopic,
  DEBEZIUM_CLASS,
  dropSlot,
  FLOWSCOPE_CDC_CLASS,
  payloadOf,
  readEvents,
} from './cdc-capture.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

const ROWS = 10
const CHUNK = 3

interface Side extends CdcNames {
  signal: string
  connector: string
}

function side(name: string): Side {
  const table = uniqueName(`cdc_incr_${name}`)
  return {
    table,
    signal: `${table}_signal`,
    prefix: `${table}_p`,
    slot: `${table}_slot`,
    publication: `${table}_pub`,
    connector: `${name}-${table}`,
  }
}

async function createTables(s: Side): Promise<void> {
  await sql(
    `CREATE TABLE ${s.table} (id integer PRIMARY KEY, name text NOT NULL, amount numeric(10, 2), at timestamptz)`,
  )
  await sql(
    `INSERT INTO ${s.table} SELECT g, 'row ' || g, g * 1.5, '2024-05-06 07:08:09.123456+02'::timestamptz + g * interval '1 day'
       FROM generate_series(1, ${ROWS}) g`,
  )
  await sql(`CREATE TABLE ${s.signal} (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`)
  // Slow chunks (400 ms each), so offsets are committed (every 500 ms on both workers) while the snapshot runs.
  await sql(
    `CREATE FUNCTION ${s.signal}_slow() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN IF NEW.type = 'snapshot-window-close' THEN PERFORM pg_sleep(0.4); END IF; RETURN NEW; END $$`,
  )
  await sql(`CREATE TRIGGER slow BEFORE INSERT ON ${s.signal} FOR EACH ROW EXECUTE FUNCTION ${s.signal}_slow()`)
}

/** Starts the connector, waits until it streams, sends the signal and returns the snapshot's reads. */
async function snapshotReads(request: RestRequest, s: Side, connectorClass: string): Promise<CapturedEvent[]> {
  const config = {
    ...cdcConfig(connectorClass, s),
    'snapshot.mode': 'no_data',
    'signal.data.collection': `public.${s.signal}`,
    'incremental.snapshot.chunk.size': String(CHUNK),
  }
  const created = await request('POST', '/connectors', { name: s.connector, config })
  assert.equal(created.status, 201, created.text)
  await eventually(
    async () => {
      const r = await sql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [s.slot])
      return (r.rows[0] as { active?: boolean } | undefined)?.active ? true : undefined
    },
    () => `${s.connector} never started streaming`,
    120_000,
  )
  await sql(`INSERT INTO ${s.signal} VALUES ('ad-hoc-1', 'execute-snapshot', $1)`, [
    JSON.stringify({ 'data-collections': [`public.${s.table}`], type: 'incremental' }),
  ])
  let events: CapturedEvent[] = []
  await eventually(
    async () => {
      events = await readEvents(changeTopic(s))
      return events.length >= ROWS ? events : undefined
    },
    () => `${changeTopic(s)}: ${events.length} of ${ROWS} reads`,
    120_000,
  )
  return events
}

/** Every committed offset of the connector that carries an incremental snapshot context, oldest first. */
async function incrementalOffsets(offsetsTopic: string, s: Side): Promise<Record<string, unknown>[]> {
  const wanted = JSON.stringify([s.connector, { server: s.prefix }])
  return (await readEvents(offsetsTopic))
    .filter((r) => JSON.stringify(r.key) === wanted && r.value !== null)
    .map((r) => r.value as Record<string, unknown>)
    .filter((o) => typeof o.incremental_snapshot_collections === 'string')
}

/** Signal rows by type, as the signalling table's topic has them. */
async function signalTypes(s: Side): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const r of await readEvents(`${s.prefix}.public.${s.signal}`)) {
    if (r.value === null) continue
    const type = String(payloadOf(r).after?.type)
    counts[type] = (counts[type] ?? 0) + 1
  }
  return counts
}

describe('Incremental snapshots: Debezium 3.6.1 on Kafka Connect 4.1, and flowscope compared to it', () => {
  const debezium = side('dbz')
  const flowscope = side('fs')
  let connect: UpstreamConnect | undefined
  let worker: TestWorker | undefined
  let workerGroup = ''
  let debeziumReads: CapturedEvent[] | undefined

  before(async () => {
    for (const s of [debezium, flowscope]) await createTables(s)
    const plugin = await ensureJars(consoleProgress(), DEBEZIUM_POSTGRES_BUNDLE)
    const identity = await workerIdentity('cdc_incr_diff')
    workerGroup = identity.groupId
    ;[connect, worker] = await Promise.all([
      startUpstreamConnect({ pluginPath: [dirname(plugin.dir)], heapMb: 512 }),
      startTestWorker(identity),
    ])
  })

  after(async () => {
    await connect?.request('DELETE', path(debezium.connector)).catch(() => {})
    await worker?.request('DELETE', path(flowscope.connector)).catch(() => {})
    await connect?.stop()
    await worker?.worker.stop()
    for (const s of [debezium, flowscope]) {
      await dropSlot(s.slot)
      await sql(`DROP PUBLICATION IF EXISTS ${s.publication}`)
      await sql(`DROP TABLE IF EXISTS ${s.table}`)
      await sql(`DROP TABLE IF EXISTS ${s.signal}`)
      await sql(`DROP FUNCTION IF EXISTS ${s.signal}_slow()`)
    }
  })

  test('Debezium reads the table in chunks on the signal: op r, source.snapshot incremental', async () => {
    assert.ok(connect)
    debeziumReads = await snapshotReads(connect.request, debezium, DEBEZIUM_CLASS)
    const reads = debeziumReads.map(payloadOf)
    assert.deepEqual(
      reads.map((p) => [p.op, p.source.snapshot, p.after?.id]),
      Array.from({ length: ROWS }, (_, i) => ['r', 'incremental', i + 1]),
    )
  })

  test('flowscope emits the same reads as Debezium, field by field', async () => {
    assert.ok(worker && debeziumReads, 'needs the Debezium capture above')
    const reads = await snapshotReads(worker.request, flowscope, FLOWSCOPE_CDC_CLASS)
    const differences = diffEvents(
      { prefix: debezium.prefix, table: debezium.table, events: debeziumReads },
      { prefix: flowscope.prefix, table: flowscope.table, events: reads },
    )
    assert.equal(
      differences.length,
      0,
      `${differences.length} difference(s):\n${formatDifferences(differences, { expected: 'debezium', actual: 'flowscope' })}`,
    )
  })

  test('the signalling tables’ topics hold the same signals: the request and one open/close pair per chunk', async () => {
    const expected = await signalTypes(debezium)
    assert.equal(expected['execute-snapshot'], 1, JSON.stringify(expected))
    assert.deepEqual(await signalTypes(flowscope), expected)
  })

  test('offsets committed during the snapshot carry the same incremental_snapshot_* context', async () => {
    assert.ok(connect && worker)
    const theirs = await incrementalOffsets(connect.offsetsTopic, debezium)
    const ours = await incrementalOffsets(`${workerGroup}-offsets`, flowscope)
    assert.ok(theirs.length > 0, 'Debezium committed an offset while its snapshot ran')
    assert.ok(ours.length > 0, 'flowscope committed an offset while its snapshot ran')
    const incrementalKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => k.startsWith('incremental'))
    assert.deepEqual(incrementalKeys(ours[0]).sort(), incrementalKeys(theirs[0]).sort())
    const collections = (o: Record<string, unknown>, table: string) =>
      String(o.incremental_snapshot_collections).replaceAll(table, '<table>')
    assert.equal(collections(ours[0], flowscope.table), collections(theirs[0], debezium.table))
    assert.equal(ours[0].incremental_snapshot_correlation_id, theirs[0].incremental_snapshot_correlation_id)
    assert.equal(ours[0].incremental_snapshot_maximum_key, theirs[0].incremental_snapshot_maximum_key, 'Integer 10')
    assert.deepEqual(deserializeKey(String(theirs[0].incremental_snapshot_maximum_key)), [
      { java: 'Integer', text: String(ROWS) },
    ])
    // Every stored chunk position is a key Java wrote / would write the same way.
    for (const o of [...theirs, ...ours]) {
      const key = deserializeKey(String(o.incremental_snapshot_primary_key))
      assert.ok(key === null || key[0]?.java === 'Integer', JSON.stringify(key))
    }
    // Debezium's offset of a read: its snapshot markers, which flowscope writes the same (a task with no initial snapshot).
    for (const o of theirs.filter((t) => t.snapshot === 'INCREMENTAL')) {
      assert.equal(o.last_snapshot_record, false)
      assert.equal(o.snapshot_completed, false)
    }
    // The rest of the offset: the same field names on both sides, for offsets of the same kind.
    const kind = (o: Record<string, unknown>) => (o.snapshot === 'INCREMENTAL' ? 'read' : 'streamed')
    const shapes = (list: Record<string, unknown>[]) =>
      new Map(
        list.map((o) => [
          kind(o),
          Object.keys(o)
            .filter((k) => k !== 'lsn_events_processed')
            .sort()
            .join(','),
        ]),
      )
    const theirShapes = shapes(theirs)
    for (const [k, keys] of shapes(ours)) {
      if (theirShapes.has(k)) assert.equal(keys, theirShapes.get(k), `offset of a ${k} record`)
    }
  })
})
