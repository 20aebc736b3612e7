// Differential test of PostgreSQL CDC: the real Debezium 3.6.1 Postgres connector on a real Apache Kafka Connect 4.1
// worker, and flowscope's CDC connector on a flowscope worker, each capture a table of their own with the same
// columns (every common type), the same rows (snapshot) and the same script of changes (stream); their keys and
// values are then compared field by field, schemas included (test/support/cdc-event-diff.ts).
// The Debezium half stands on its own (its own events are checked), so it passes before flowscope's connector exists.
// A second pair of connectors, with provide.transaction.metadata=true, compares the transaction topic's BEGIN/END
// events, the change events' transaction blocks and the committed offsets' transaction keys.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { javaHashMapOrder } from '../../../src/connectors/postgres-cdc/java-hash-order.ts'
import { DEBEZIUM_POSTGRES_BUNDLE, ensureJars } from '../../../src/local/kafka-jars.ts'
import { consoleProgress } from '../../../src/local/progress.ts'
import { type CapturedEvent, diffEvents, formatDifferences } from '../../support/cdc-event-diff.ts'
import type { RestRequest } from '../../support/rest-contract.ts'
import { uniqueName } from '../../support/stack.ts'
import { eventually, path, sql, startTestWorker, type TestWorker, workerIdentity } from '../worker/helpers.ts'
import {
  ADDED_COLUMN,
  applyChangeScript,
  type CdcNames,
  cdcConfig,
  changeTopic,
  committedOffset,
  createEnum,
  createExtensions,
  createTxTables,
  createTypesTable,
  DEBEZIUM_CLASS,
  dropSlot,
  FLOWSCOPE_CDC_CLASS,
  insertInitialRows,
  opsOf,
  payloadOf,
  readEvents,
  SCRIPT_OPS,
  SNAPSHOT_OPS,
  TX_STATUSES,
  TX_TABLE_OPS,
  type TxNames,
  transactionTopicOf,
  txConfig,
  txScript,
} from './cdc-capture.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

const DEBEZIUM_VERSION = '3.6.1.Final'
const PLACEHOLDER = '__debezium_unavailable_value'
const EXPECTED_OPS = [...SNAPSHOT_OPS, ...SCRIPT_OPS]

function cdcNames(side: string): CdcNames {
  const table = uniqueName(`cdc_${side}`)
  return { table, prefix: `${table}_p`, slot: `${table}_slot`, publication: `${table}_pub` }
}

function txNames(side: string): TxNames {
  const base = uniqueName(`cdc_tx_${side}`)
  const tables: TxNames['tables'] = [`${base}_a`, `${base}_b`, `${base}_c`]
  return { table: tables[0], tables, prefix: `${base}_p`, slot: `${base}_slot`, publication: `${base}_pub` }
}

/** Where the connector's task stands, for a failure message. */
async function statusText(request: RestRequest, name: string): Promise<string> {
  const response = await request('GET', path(name, '/status'))
  return response.text.slice(0, 3000)
}

/** Creates the connector, waits for its snapshot, runs the script and returns every event once all have arrived. */
async function capture(request: RestRequest, name: string, connectorClass: string, names: CdcNames) {
  const created = await request('POST', '/connectors', { name, config: cdcConfig(connectorClass, names) })
  assert.equal(created.status, 201, `creating ${name} (${connectorClass}): ${created.status} ${created.text}`)
  const topic = changeTopic(names)
  let events: CapturedEvent[] = []
  await eventually(
    async () => {
      events = await readEvents(topic)
      return events.length >= SNAPSHOT_OPS.length ? events : undefined
    },
    async () => `${topic}: ${events.length} snapshot events; status ${await statusText(request, name)}`,
    120_000,
  )
  await applyChangeScript(names.table)
  await eventually(
    async () => {
      events = await readEvents(topic)
      return events.length >= EXPECTED_OPS.length ? events : undefined
    },
    async () =>
      `${topic}: ${events.length} of ${EXPECTED_OPS.length} events (${opsOf(events).join(' ')}); status ${await statusText(request, name)}`,
    120_000,
  )
  return events
}

function fieldSchema(event: CapturedEvent, envelopeField: string, column: string) {
  const envelope = (event.value as { schema: { fields: { field: string; fields?: unknown[] }[] } }).schema
  const row = envelope.fields.find((f) => f.field === envelopeField)
  return (row?.fields as { field: string; name?: string; type: string }[] | undefined)?.find((f) => f.field === column)
}

/**
 * What the volatile transaction ids must hold on either side: each change event's block id is
 * "<source.txId>:<source.lsn>"; a transaction's BEGIN and END ids are "<its txId>:<LSN>", END's LSN past BEGIN's;
 * END counts its events, per table in java.util.HashMap order of the table names in order of first event;
 * total_order runs 1…n over the transaction's events and data_collection_order 1…k over each table's.
 */
function checkTransactionIds(label: string, transactions: CapturedEvent[], tables: CapturedEvent[][]): void {
  const changes = tables.flatMap((events) =>
    events.filter((e) => e.value !== null && payloadOf(e).op !== 'r').map((e) => payloadOf(e)),
  )
  for (const change of changes) {
    const block = change.transaction as { id: string } | null
    assert.equal(block?.id, `${change.source.txId}:${change.source.lsn}`, `${label}: transaction block id`)
  }
  for (const e of tables.flat().filter((e) => e.value !== null && payloadOf(e).op === 'r')) {
    assert.equal(payloadOf(e).transaction, null, `${label}: snapshot reads have no transaction block`)
  }
  for (let t = 0; t < transactions.length; t += 2) {
    type Tx = {
      id: string
      event_count: number | null
      data_collections: { data_collection: string; event_count: number }[]
    }
    const begin = (transactions[t].value as { payload: Tx }).payload
    const end = (transactions[t + 1].value as { payload: Tx }).payload
    assert.deepEqual(transactions[t].key && (transactions[t].key as { payload: unknown }).payload, { id: begin.id })
    const [xid, beginLsn] = begin.id.split(':')
    const [endXid, endLsn] = end.id.split(':')
    assert.equal(endXid, xid, `${label}: BEGIN and END of one transaction`)
    assert.ok(Number(endLsn) > Number(beginLsn), `${label}: END ${end.id} after BEGIN ${begin.id}`)
    const mine = changes.filter((c) => String(c.source.txId) === xid)
    assert.equal(end.event_count, mine.length, `${label}: END event_count`)
    const orders = mine.map((c) => (c.transaction as { total_order: number }).total_order).sort((x, y) => x - y)
    assert.deepEqual(
      orders,
      mine.map((_, i) => i + 1),
      `${label}: total_order`,
    )
    // Tables in the order of their first event in the transaction (total_order), as the context's HashMap got them.
    const byOrder = [...mine].sort(
      (x, y) =>
        (x.transaction as { total_order: number }).total_order - (y.transaction as { total_order: number }).total_order,
    )
    const counts = new Map<string, number>()
    for (const c of byOrder)
      counts.set(`${c.source.schema}.${c.source.table}`, (counts.get(`${c.source.schema}.${c.source.table}`) ?? 0) + 1)
    assert.deepEqual(
      end.data_collections.map((d) => [d.data_collection, d.event_count]),
      javaHashMapOrder(counts),
      `${label}: data_collections in HashMap order`,
    )
  }
}

describe('PostgreSQL CDC: Debezium 3.6.1 on Kafka Connect 4.1, and flowscope compared to it', () => {
  const enumType = uniqueName('cdc_status')
  const debezium = cdcNames('dbz')
  const flowscope = cdcNames('fs')
  const debeziumConnector = `dbz-${debezium.table}`
  const flowscopeConnector = `fs-${flowscope.table}`
  let connect: UpstreamConnect | undefined
  let worker: TestWorker | undefined
  const handoverConnector = `handover-${debezium.table}`
  let debeziumEvents: CapturedEvent[] | undefined
  const txCleanup: { names: TxNames; connector: string; request: RestRequest }[] = []

  before(async () => {
    await createExtensions()
    await createEnum(enumType)
    for (const names of [debezium, flowscope]) {
      await createTypesTable(names.table, enumType)
      await insertInitialRows(names.table)
    }
    const plugin = await ensureJars(consoleProgress(), DEBEZIUM_POSTGRES_BUNDLE)
    ;[connect, worker] = await Promise.all([
      startUpstreamConnect({ pluginPath: [dirname(plugin.dir)], heapMb: 512 }),
      startTestWorker(await workerIdentity('cdc_diff')),
    ])
  })

  after(async () => {
    await connect?.request('DELETE', path(debeziumConnector)).catch(() => {})
    await worker?.request('DELETE', path(flowscopeConnector)).catch(() => {})
    await worker?.request('DELETE', path(handoverConnector)).catch(() => {})
    for (const side of txCleanup) await side.request('DELETE', path(side.connector)).catch(() => {})
    await connect?.stop()
    await worker?.worker.stop()
    for (const names of [debezium, flowscope]) {
      await dropSlot(names.slot)
      await sql(`DROP PUBLICATION IF EXISTS ${names.publication}`)
      await sql(`DROP TABLE IF EXISTS ${names.table}`)
    }
    await sql(`DROP TYPE IF EXISTS ${enumType}`)
    for (const { names } of txCleanup) {
      await dropSlot(names.slot)
      await sql(`DROP PUBLICATION IF EXISTS ${names.publication}`)
      for (const table of names.tables) await sql(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  test('Kafka Connect 4.1 lists Debezium’s PostgreSQL connector 3.6.1.Final from its plugin folder', async () => {
    assert.ok(connect)
    const response = await connect.request('GET', '/connector-plugins')
    assert.equal(response.status, 200, response.text)
    const plugins = response.body as { class: string; type: string; version: string }[]
    const postgres = plugins.find((p) => p.class === DEBEZIUM_CLASS)
    assert.deepEqual(postgres, { class: DEBEZIUM_CLASS, type: 'source', version: DEBEZIUM_VERSION })
  })

  test('Debezium snapshots the rows, then streams the script: ops, tombstones, schemas, TOAST, ALTER TABLE', async () => {
    assert.ok(connect)
    const events = await capture(connect.request, debeziumConnector, DEBEZIUM_CLASS, debezium)
    debeziumEvents = events
    if (process.env.FLOWSCOPE_DEBEZIUM_CAPTURE) {
      // For whoever works on flowscope's connector: the real thing's events, to read beside their own.
      await writeFile(process.env.FLOWSCOPE_DEBEZIUM_CAPTURE, JSON.stringify({ names: debezium, events }, null, 2))
    }
    assert.deepEqual(opsOf(events), EXPECTED_OPS)
    const base = `${debezium.prefix}.public.${debezium.table}`
    for (const [i, event] of events.entries()) {
      assert.equal(event.topic, changeTopic(debezium))
      assert.equal((event.key as { schema: { name: string } }).schema.name, `${base}.Key`, `event ${i} key schema`)
      if (event.value === null) {
        // A tombstone carries the key of the delete just before it.
        assert.deepEqual(event.key, events[i - 1].key, `tombstone ${i} follows its delete`)
        assert.equal(payloadOf(events[i - 1]).op, 'd')
        continue
      }
      const value = event.value as { schema: { name: string } }
      assert.equal(value.schema.name, `${base}.Envelope`)
      const source = payloadOf(event).source
      assert.equal(source.connector, 'postgresql')
      assert.equal(source.version, DEBEZIUM_VERSION)
      assert.equal(source.name, debezium.prefix)
      assert.equal(source.table, debezium.table)
      assert.equal(source.schema, 'public')
      assert.equal(typeof source.lsn, 'number')
      assert.equal(typeof source.txId, 'number')
    }
    // Snapshot reads say where they are in the snapshot; streamed events say false.
    assert.deepEqual(
      events.slice(0, 3).map((e) => payloadOf(e).source.snapshot),
      ['first', 'true', 'last'],
    )
    assert.equal(payloadOf(events[3]).source.snapshot, 'false')

    // Debezium's type mapping (decimal.handling.mode=precise, time.precision.mode=adaptive).
    const names: Record<string, string> = {
      c_numeric: 'org.apache.kafka.connect.data.Decimal',
      c_numeric_any: 'io.debezium.data.VariableScaleDecimal',
      c_money: 'org.apache.kafka.connect.data.Decimal',
      c_date: 'io.debezium.time.Date',
      c_time: 'io.debezium.time.MicroTime',
      c_timetz: 'io.debezium.time.ZonedTime',
      c_timestamp: 'io.debezium.time.MicroTimestamp',
      c_timestamptz: 'io.debezium.time.ZonedTimestamp',
      c_interval: 'io.debezium.time.MicroDuration',
      c_uuid: 'io.debezium.data.Uuid',
      c_json: 'io.debezium.data.Json',
      c_jsonb: 'io.debezium.data.Json',
      c_enum: 'io.debezium.data.Enum',
      c_point: 'io.debezium.data.geometry.Point',
      c_tsvector: 'io.debezium.data.Tsvector',
      c_hstore: 'io.debezium.data.Json',
      c_ltree: 'io.debezium.data.Ltree',
    }
    for (const [column, name] of Object.entries(names)) {
      assert.equal(fieldSchema(events[0], 'after', column)?.name, name, `schema name of ${column}`)
    }
    assert.equal(fieldSchema(events[0], 'after', 'c_int_array')?.type, 'array')
    assert.equal(fieldSchema(events[0], 'after', 'c_bytea')?.type, 'bytes')
    for (const column of ['c_inet', 'c_cidr', 'c_macaddr', 'c_int4range', 'c_tstzrange', 'c_daterange', 'c_citext']) {
      const schema = fieldSchema(events[0], 'after', column)
      assert.deepEqual([schema?.type, schema?.name], ['string', undefined], `${column}: a plain string`)
    }
    const first = payloadOf(events[0]).after
    assert.equal(first?.c_int4range, '[1,11)')
    assert.equal(first?.c_citext, 'MiXeD Case 1')
    assert.deepEqual(first?.c_point, { x: 1.5, y: -1.25, wkb: 'AQEAAAAAAAAAAAD4PwAAAAAAAPS/', srid: null })
    assert.deepEqual(JSON.parse(String(first?.c_hstore)), { a: '1', b: null, 'key 1': 'say "hi"', zz: '' })

    // The update that leaves the TOASTed column alone: Debezium's placeholder in its place.
    const untouched = payloadOf(events[4])
    assert.equal(untouched.after?.id, 1)
    assert.equal(untouched.after?.c_text, 'updated')
    assert.equal(untouched.after?.c_big, PLACEHOLDER)
    // The update that sets it carries the whole new value.
    const setBig = payloadOf(events[5]).after?.c_big
    assert.equal(typeof setBig === 'string' ? setBig.length : setBig, 12_800)

    // ALTER TABLE … ADD COLUMN mid-stream: the next event's schema has the column; those before do not.
    assert.equal(fieldSchema(events[6], 'after', ADDED_COLUMN), undefined)
    assert.equal(fieldSchema(events[8], 'after', ADDED_COLUMN)?.type, 'int32')
    assert.equal(payloadOf(events[8]).after?.[ADDED_COLUMN], 42)

    // The multi-row transaction: one txId for all its events.
    const txIds = new Set(events.slice(10).map((e) => (e.value === null ? undefined : payloadOf(e).source.txId)))
    txIds.delete(undefined)
    assert.equal(txIds.size, 1, `one transaction, txIds ${[...txIds]}`)
  })

  test('Debezium’s committed offset: partition {"server": prefix} in the offsets topic, with its LSN fields', async () => {
    assert.ok(connect && debeziumEvents, 'needs the Debezium capture above')
    const last = payloadOf(debeziumEvents[debeziumEvents.length - 1]).source
    let offset: Record<string, unknown> | undefined
    offset = await eventually(
      async () => {
        offset = await committedOffset(connect!.offsetsTopic, debeziumConnector, debezium.prefix)
        return offset && offset.txId === last.txId ? offset : undefined
      },
      () => `no offset for transaction ${last.txId} yet; last read ${JSON.stringify(offset)}`,
      30_000,
    )
    for (const field of ['lsn', 'txId', 'ts_usec', 'lsn_proc']) {
      assert.equal(typeof offset[field], 'number', `offset field ${field} in ${JSON.stringify(offset)}`)
    }
    assert.ok((offset.lsn as number) >= (last.lsn as number), `offset ${JSON.stringify(offset)} vs last event lsn`)
    // The REST view of the same offset (KIP-875) names the same partition.
    const rest = await connect.request('GET', path(debeziumConnector, '/offsets'))
    assert.equal(rest.status, 200, rest.text)
    const offsets = (rest.body as { offsets: { partition: unknown; offset: unknown }[] }).offsets
    assert.deepEqual(
      offsets.map((o) => o.partition),
      [{ server: debezium.prefix }],
    )
  })

  test('flowscope’s CDC connector emits the same keys and values as Debezium, field by field', async () => {
    assert.ok(worker && debeziumEvents, 'needs the Debezium capture above')
    const events = await capture(worker.request, flowscopeConnector, FLOWSCOPE_CDC_CLASS, flowscope)
    const differences = diffEvents(
      { prefix: debezium.prefix, table: debezium.table, events: debeziumEvents },
      { prefix: flowscope.prefix, table: flowscope.table, events },
    )
    assert.equal(
      differences.length,
      0,
      `${differences.length} difference(s):\n${formatDifferences(differences, { expected: 'debezium', actual: 'flowscope' })}`,
    )
  })

  test('flowscope continues from Debezium’s committed offset and slot: no gap, no repeat, no new snapshot', async () => {
    assert.ok(connect && worker && debeziumEvents, 'needs the Debezium capture above')
    // Debezium stops (Connect commits its offsets on the way); changes made meanwhile are only in the slot.
    const stopped = await connect.request('PUT', path(debeziumConnector, '/stop'))
    assert.ok(stopped.status === 202 || stopped.status === 204, `stop: ${stopped.status} ${stopped.text}`)
    await eventually(
      async () => {
        const status = (await connect!.request('GET', path(debeziumConnector, '/status'))).body as {
          connector: { state: string }
        }
        return status.connector.state === 'STOPPED' ? true : undefined
      },
      () => `${debeziumConnector} did not stop`,
      60_000,
    )
    const offset = await committedOffset(connect.offsetsTopic, debeziumConnector, debezium.prefix)
    assert.ok(offset, 'Debezium committed an offset')
    await sql(`INSERT INTO ${debezium.table} (id, c_text) VALUES (20, 'after the move')`)
    await sql(`UPDATE ${debezium.table} SET c_text = 'moved' WHERE id = 20`)

    // flowscope takes over the same slot, publication and topic prefix, from Debezium's offset (KIP-875 PATCH).
    const created = await worker.request('POST', '/connectors', {
      name: handoverConnector,
      config: cdcConfig(FLOWSCOPE_CDC_CLASS, debezium),
      initial_state: 'STOPPED',
    })
    assert.equal(created.status, 201, `creating ${handoverConnector}: ${created.status} ${created.text}`)
    const patched = await worker.request('PATCH', path(handoverConnector, '/offsets'), {
      offsets: [{ partition: { server: debezium.prefix }, offset }],
    })
    assert.equal(patched.status, 200, patched.text)
    const resumed = await worker.request('PUT', path(handoverConnector, '/resume'))
    assert.ok(resumed.status === 202 || resumed.status === 204, `resume: ${resumed.status} ${resumed.text}`)

    // A last change after flowscope is streaming: anything it repeated, or a new snapshot, lands before it.
    const topic = changeTopic(debezium)
    const rowTwentyArrived = async () => {
      const events = await readEvents(topic)
      return events.some((e) => e.value !== null && payloadOf(e).after?.id === 20) ? events : undefined
    }
    await eventually(
      rowTwentyArrived,
      async () => `${topic}: no event of row 20; ${await statusText(worker!.request, handoverConnector)}`,
      60_000,
    )
    await sql(`INSERT INTO ${debezium.table} (id, c_text) VALUES (21, 'sentinel')`)
    let events: CapturedEvent[] = []
    await eventually(
      async () => {
        events = await readEvents(topic)
        return events.some((e) => e.value !== null && payloadOf(e).after?.id === 21) ? events : undefined
      },
      () => `${topic}: no event of row 21 (${events.length} events)`,
      60_000,
    )
    const moved = events.slice(debeziumEvents.length)
    assert.deepEqual(opsOf(moved), ['c', 'u', 'c'], `after Debezium's last event: ${opsOf(moved).join(' ')}`)
    assert.deepEqual(
      moved.map((e) => payloadOf(e).after?.c_text),
      ['after the move', 'moved', 'sentinel'],
    )
  })

  test('provide.transaction.metadata: BEGIN/END events, transaction blocks and offsets are Debezium’s', async () => {
    assert.ok(connect && worker, 'needs both workers')
    const sides = [
      { label: 'debezium', names: txNames('dbz'), connectorClass: DEBEZIUM_CLASS, request: connect.request },
      { label: 'flowscope', names: txNames('fs'), connectorClass: FLOWSCOPE_CDC_CLASS, request: worker.request },
    ]
    const connectors = sides.map((side) => `tx-${side.names.table}`)
    txCleanup.push(...sides.map((side, i) => ({ ...side, connector: connectors[i] })))
    for (const [i, side] of sides.entries()) {
      await createTxTables(side.names)
      const created = await side.request('POST', '/connectors', {
        name: connectors[i],
        config: txConfig(side.connectorClass, side.names),
      })
      assert.equal(created.status, 201, `creating ${connectors[i]}: ${created.status} ${created.text}`)
    }
    for (const [i, side] of sides.entries()) {
      const topic = changeTopic(side.names)
      await eventually(
        async () => ((await readEvents(topic)).length >= 1 ? true : undefined),
        async () => `${topic}: no snapshot event; ${await statusText(side.request, connectors[i])}`,
        120_000,
      )
      for (const statement of txScript(side.names.tables)) await sql(statement)
    }
    const captured = []
    for (const [i, side] of sides.entries()) {
      const topics = [
        transactionTopicOf(side.names),
        ...side.names.tables.map((t) => changeTopic({ ...side.names, table: t })),
      ]
      const wanted = [TX_STATUSES.length, ...TX_TABLE_OPS.map((ops) => ops.length)]
      let lists: CapturedEvent[][] = []
      lists = await eventually(
        async () => {
          lists = await Promise.all(topics.map((topic) => readEvents(topic)))
          return lists.every((list, t) => list.length >= wanted[t]) ? lists : undefined
        },
        async () =>
          `${side.label}: ${lists.map((l, t) => `${topics[t]} ${l.length}/${wanted[t]}`).join(', ')}; ${await statusText(side.request, connectors[i])}`,
        120_000,
      )
      const [transactions, ...tables] = lists
      assert.deepEqual(
        transactions.map((e) => (e.value as { payload: { status: string } }).payload.status),
        TX_STATUSES,
        `${side.label}: BEGIN/END`,
      )
      for (const [t, events] of tables.entries()) {
        assert.deepEqual(opsOf(events), TX_TABLE_OPS[t], `${side.label}: table ${t} ops`)
      }
      checkTransactionIds(side.label, transactions, tables)
      captured.push({ transactions, tables })
    }

    // Field by field, both sides' tables named alike. data_collections are compared as sets here: their order is
    // java.util.HashMap's over each side's own table names (checked per side above), which differ between the sides.
    const normalize = (names: TxNames, events: CapturedEvent[]) =>
      events.map((event) => {
        let text = JSON.stringify(event)
        names.tables.forEach((table, t) => {
          text = text.replaceAll(table, `<t${t}>`)
        })
        const copy = JSON.parse(text) as CapturedEvent
        const payload = (copy.value as { payload?: { data_collections?: { data_collection: string }[] } } | null)
          ?.payload
        payload?.data_collections?.sort((x, y) => x.data_collection.localeCompare(y.data_collection))
        return copy
      })
    const [dbz, fs] = captured
    const lists = [
      ['transaction topic', dbz.transactions, fs.transactions],
      ...dbz.tables.map((events, t) => [`table ${t}`, events, fs.tables[t]] as const),
    ] as const
    const volatilePaths = ['key.payload.id', 'value.payload.id']
    for (const [what, expected, actual] of lists) {
      const differences = diffEvents(
        { prefix: sides[0].names.prefix, events: normalize(sides[0].names, expected) },
        { prefix: sides[1].names.prefix, events: normalize(sides[1].names, actual) },
        { volatilePaths },
      )
      assert.equal(
        differences.length,
        0,
        `${what}: ${differences.length} difference(s):\n${formatDifferences(differences, { expected: 'debezium', actual: 'flowscope' })}`,
      )
    }

    // The committed offsets: the last one is END's, with the transaction's id and per-table counts (Debezium stores
    // the context before ending it).
    const offsets: Record<string, unknown>[] = []
    for (const [i, side] of sides.entries()) {
      const lastTxId = String(payloadOf(captured[i].tables[2].at(-1) as CapturedEvent).source.txId)
      let offset: Record<string, unknown> | undefined
      offset = await eventually(
        async () => {
          const response = await side.request('GET', path(connectors[i], '/offsets'))
          offset = (response.body as { offsets?: { offset: Record<string, unknown> }[] }).offsets?.[0]?.offset
          return offset && offset.transaction_id === lastTxId ? offset : undefined
        },
        () => `${side.label}: no committed offset of transaction ${lastTxId}; last ${JSON.stringify(offset)}`,
        30_000,
      )
      offsets.push(
        Object.fromEntries(
          Object.entries(offset).map(([k, v]) => [
            side.names.tables.reduce((key, table, t) => key.replace(table, `<t${t}>`), k),
            v,
          ]),
        ),
      )
    }
    const keysOf = (offset: Record<string, unknown>) => Object.keys(offset).sort()
    assert.deepEqual(keysOf(offsets[1]), keysOf(offsets[0]), 'offset keys')
    for (const key of ['messageType', 'transaction_data_collection_order_public.<t2>']) {
      assert.equal(offsets[1][key], offsets[0][key], `offset ${key}`)
    }
    assert.equal(offsets[0].messageType, 'COMMIT')
  })
})
