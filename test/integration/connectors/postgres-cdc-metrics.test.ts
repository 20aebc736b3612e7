// The CDC connector's metrics on a real worker's /metrics, against the test stack's Postgres and Kafka: Debezium's
// snapshot figures after a snapshot of two tables, the streaming counts after known changes (and nothing made up
// before the first one), the slot's WAL figures from pg_replication_slots moving back when offsets are committed,
// a deleted connector's slot still reported (it retains WAL) until it is dropped, and then every series gone.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { SLOT_POLL_INTERVAL_MS } from '../../../src/connectors/postgres-cdc/slot-monitor.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { parseExposition, type Series } from '../../unit/metrics/scrape.ts'
import {
  createConnector,
  eventually,
  path,
  sql,
  startTestWorker,
  type TestWorker,
  waitForState,
  workerIdentity,
} from '../worker/helpers.ts'

let worker: TestWorker | undefined
const tables: string[] = []
const slots: string[] = []

before(async () => {
  // Offsets are committed only when the test pauses the connector: the slot's unconfirmed WAL can be seen first.
  worker = await startTestWorker(await workerIdentity('cdcm', { 'offset.flush.interval.ms': '600000' }))
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

async function scrape(running: TestWorker): Promise<Series[]> {
  const response = await fetch(`${running.url}/metrics`)
  assert.equal(response.status, 200)
  return parseExposition(await response.text())
}

/** The value of `name` whose labels include `labels`; undefined when there is no such series. */
function seriesValue(series: Series[], name: string, labels: Record<string, string>): number | undefined {
  return series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

async function waitForValue(
  running: TestWorker,
  name: string,
  labels: Record<string, string>,
  wanted: (v: number) => boolean,
  timeoutMs = 30_000,
): Promise<number> {
  let last: number | undefined
  return eventually(
    async () => {
      last = seriesValue(await scrape(running), name, labels)
      return last !== undefined && wanted(last) ? last : undefined
    },
    () => `${name}${JSON.stringify(labels)}: last ${last}`,
    timeoutMs,
  )
}

test('snapshot and streaming metrics as Debezium names them; slot WAL figures; gone with the connector', async () => {
  assert.ok(worker)
  const running = worker
  const a = uniqueName('cdcm_a')
  const b = uniqueName('cdcm_b')
  const slot = uniqueName('slot')
  const prefix = uniqueName('cdcm')
  const name = `${prefix}-connector`
  tables.push(a, b)
  slots.push(slot)
  await sql(`CREATE TABLE ${a} (id int PRIMARY KEY, v text)`)
  await sql(`CREATE TABLE ${b} (id int PRIMARY KEY, v text)`)
  await sql(`INSERT INTO ${a} SELECT g, 'a' || g FROM generate_series(1, 3) g`)
  await sql(`INSERT INTO ${b} SELECT g, 'b' || g FROM generate_series(1, 2) g`)
  const url = new URL(testStack().postgresUrl)
  await createConnector(running.request, name, {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': url.hostname,
    'database.port': url.port,
    'database.user': decodeURIComponent(url.username) || 'postgres',
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1) || 'postgres',
    'topic.prefix': prefix,
    'table.include.list': `public.${a},public.${b}`,
    'slot.name': slot,
    'publication.name': `${slot}_pub`,
    'publication.autocreate.mode': 'filtered',
    'status.update.interval.ms': '200',
    'poll.interval.ms': '100',
    'max.queue.size': '4096',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  })
  await waitForState(running.request, name, 'RUNNING')

  // ---- snapshot ----
  const snap = { plugin: 'postgres', name: prefix, context: 'snapshot' }
  const stream = { plugin: 'postgres', name: prefix, context: 'streaming' }
  await waitForValue(running, 'debezium_metrics_SnapshotCompleted', snap, (v) => v === 1)
  await waitForValue(running, 'debezium_metrics_Connected', stream, (v) => v === 1)
  let series = await scrape(running)
  assert.equal(seriesValue(series, 'debezium_metrics_SnapshotRunning', snap), 0)
  assert.equal(seriesValue(series, 'debezium_metrics_SnapshotAborted', snap), 0)
  assert.equal(seriesValue(series, 'debezium_metrics_TotalTableCount', snap), 2)
  assert.equal(seriesValue(series, 'debezium_metrics_RemainingTableCount', snap), 0)
  assert.equal(seriesValue(series, 'debezium_metrics_RowsScanned', { ...snap, table: `public.${a}` }), 3)
  assert.equal(seriesValue(series, 'debezium_metrics_RowsScanned', { ...snap, table: `public.${b}` }), 2)
  assert.ok((seriesValue(series, 'debezium_metrics_SnapshotDurationInSeconds', snap) ?? -1) >= 0)
  // Streaming before its first change: counts are 0, what needs an event is absent.
  assert.equal(seriesValue(series, 'debezium_metrics_TotalNumberOfEventsSeen', stream), 0)
  assert.equal(seriesValue(series, 'debezium_metrics_MilliSecondsBehindSource', stream), undefined)
  assert.equal(seriesValue(series, 'debezium_metrics_MilliSecondsSinceLastEvent', stream), undefined)
  assert.equal(seriesValue(series, 'debezium_metrics_QueueTotalCapacity', stream), 4096)

  // ---- streaming: 2 creates in one transaction, 1 update, 1 delete ----
  await sql(`INSERT INTO ${a} VALUES (10, 'x'), (11, 'y')`)
  await sql(`UPDATE ${b} SET v = 'changed' WHERE id = 1`)
  const deleted = (await sql(`DELETE FROM ${a} WHERE id = 1; SELECT txid_current()::text AS xid`)) as unknown as {
    rows: { xid: string }[]
  }[]
  const lastXid = Number(deleted[1].rows[0].xid)
  await waitForValue(running, 'debezium_metrics_TotalNumberOfEventsSeen', stream, (v) => v >= 4)
  series = await scrape(running)
  assert.equal(seriesValue(series, 'debezium_metrics_TotalNumberOfEventsSeen', stream), 4)
  assert.equal(seriesValue(series, 'debezium_metrics_TotalNumberOfCreateEventsSeen', stream), 2)
  assert.equal(seriesValue(series, 'debezium_metrics_TotalNumberOfUpdateEventsSeen', stream), 1)
  assert.equal(seriesValue(series, 'debezium_metrics_TotalNumberOfDeleteEventsSeen', stream), 1)
  assert.equal(seriesValue(series, 'debezium_metrics_NumberOfCommittedTransactions', stream), 3)
  assert.equal(seriesValue(series, 'debezium_metrics_NumberOfEventsFiltered', stream), 0)
  assert.equal(seriesValue(series, 'debezium_metrics_LastTransactionId', stream), lastXid)
  assert.ok((seriesValue(series, 'debezium_metrics_MilliSecondsBehindSource', stream) ?? -1) >= 0)
  assert.ok((seriesValue(series, 'debezium_metrics_MilliSecondsSinceLastEvent', stream) ?? -1) >= 0)
  const remaining = seriesValue(series, 'debezium_metrics_QueueRemainingCapacity', stream) ?? -1
  assert.ok(remaining >= 0 && remaining <= 4096, `QueueRemainingCapacity ${remaining}`)

  // ---- slot: WAL written but not confirmed (no offsets committed yet) ----
  const slotLabels = { connector: name, slot }
  await waitForValue(running, 'flowscope_replication_slot_active', slotLabels, (v) => v === 1)
  assert.equal(seriesValue(await scrape(running), 'flowscope_cdc_connector_info', { ...slotLabels, name: prefix }), 1)
  await waitForValue(running, 'flowscope_replication_slot_retained_wal_bytes', slotLabels, (v) => v > 0)
  // The changes' WAL stays unconfirmed: after two polls its age shows.
  const lagSeconds = await waitForValue(
    running,
    'flowscope_replication_slot_confirmed_flush_lag_seconds',
    slotLabels,
    (v) => v > 0,
    4 * SLOT_POLL_INTERVAL_MS,
  )
  assert.ok(lagSeconds >= SLOT_POLL_INTERVAL_MS / 1000 - 1, `lag ${lagSeconds} s after two polls`)
  const lagBefore = seriesValue(
    await scrape(running),
    'flowscope_replication_slot_confirmed_flush_lag_bytes',
    slotLabels,
  )
  assert.ok(lagBefore !== undefined && lagBefore > 0, `unconfirmed WAL ${lagBefore}`)
  const [{ lsn: confirmedBefore }] = (
    await sql('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])
  ).rows as { lsn: string }[]

  // Pausing commits the offsets; the task confirms them to the slot; the next poll sees less unconfirmed WAL.
  await eventually(
    async () => {
      assert.equal((await running.request('PUT', path(name, '/pause'))).status, 202)
      await new Promise((resolve) => setTimeout(resolve, 500))
      const r = await sql('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [
        slot,
      ])
      if ((r.rows[0] as { lsn: string }).lsn !== confirmedBefore) return true
      assert.equal((await running.request('PUT', path(name, '/resume'))).status, 202)
      await waitForState(running.request, name, 'RUNNING')
      return undefined
    },
    () => `the slot's confirmed_flush_lsn stayed at ${confirmedBefore}`,
    30_000,
  )
  // The figure is WAL end − confirmed position, and other sessions keep writing WAL, so it need not shrink in bytes:
  // what must hold is that a poll after the confirmation counts from the new position, i.e. it is at most the WAL
  // end read after the scrape minus the position confirmed now (the old position would make it larger).
  const walBytes = async (query: string) => Number(((await sql(query, [slot])).rows[0] as { bytes: string }).bytes)
  const confirmedGain = await walBytes(
    `SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '${confirmedBefore}') AS bytes FROM pg_replication_slots WHERE slot_name = $1`,
  )
  assert.ok(confirmedGain > 0)
  let lagAfter: number | undefined
  await eventually(
    async () => {
      lagAfter = seriesValue(await scrape(running), 'flowscope_replication_slot_confirmed_flush_lag_bytes', slotLabels)
      const bound = await walBytes(
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS bytes FROM pg_replication_slots WHERE slot_name = $1',
      )
      return lagAfter !== undefined && lagAfter <= bound ? true : undefined
    },
    () => `confirmed-flush lag ${lagAfter} bytes never counted from the newly confirmed position`,
    4 * SLOT_POLL_INTERVAL_MS,
  )

  // ---- deleted: its task's series go; its slot, which stays and retains WAL, is still reported until dropped ----
  assert.equal((await running.request('DELETE', path(name))).status, 204)
  const cdcSeries = async () =>
    (await scrape(running)).filter(
      (s) =>
        (s.labels.name === prefix || s.labels.connector === name) &&
        (s.name.startsWith('debezium_') ||
          s.name.startsWith('flowscope_replication_slot_') ||
          s.name.startsWith('flowscope_cdc_')),
    )
  await waitForValue(running, 'flowscope_replication_slot_active', slotLabels, (v) => v === 0)
  const abandoned = await cdcSeries()
  assert.deepEqual(
    abandoned.filter((s) => s.name.startsWith('debezium_')),
    [],
    'no task figures of a deleted connector',
  )
  assert.ok((seriesValue(abandoned, 'flowscope_replication_slot_retained_wal_bytes', slotLabels) ?? 0) > 0)
  await sql('SELECT pg_drop_replication_slot($1)', [slot])
  await eventually(
    async () => ((await cdcSeries()).length === 0 ? true : undefined),
    async () =>
      `CDC series of the deleted connector remain after its slot was dropped: ${JSON.stringify(await cdcSeries())}`,
    3 * SLOT_POLL_INTERVAL_MS,
  )
})
