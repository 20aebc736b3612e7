import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as prom from 'prom-client'
import { CdcMetrics, cdcMetrics, SlotLagClock } from '../../../../src/connectors/postgres-cdc/metrics.ts'
import { metricsHost } from '../../../../src/metrics/components.ts'

/** The registry's text, as `name{labels} value` lines. */
async function scrape(registry: prom.Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

function value(lines: string[], prefix: string): number | undefined {
  const line = lines.find((l) => l.startsWith(prefix))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

const STREAM = 'plugin="postgres",name="shop",context="streaming"'
const SNAP = 'plugin="postgres",name="shop",context="snapshot"'

test('names: debezium_metrics_<Attribute> with case kept, slot families flowscope_replication_slot_*', () => {
  const names = Object.values(cdcMetrics.metrics).map((m) => m.name)
  assert.ok(names.includes('debezium_metrics_MilliSecondsBehindSource'))
  assert.ok(names.includes('debezium_metrics_RowsScanned'))
  assert.ok(names.includes('flowscope_replication_slot_retained_wal_bytes'))
  for (const m of Object.values(cdcMetrics.metrics)) {
    if (m.name.startsWith('debezium_metrics_')) assert.deepEqual(m.labels.slice(0, 3), ['plugin', 'name', 'context'])
    else if (m.name.startsWith('flowscope_replication_slot_')) assert.deepEqual(m.labels, ['connector', 'slot'])
    else assert.equal(m.name, 'flowscope_cdc_connector_info')
  }
})

test('before any event: counts 0, MilliSecondsBehindSource / SinceLastEvent / queue absent, not 0', async () => {
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => 1000)
  cdc.taskStarted('orders-cdc', 'shop')
  const lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfEventsSeen{${STREAM}}`), 0)
  assert.equal(value(lines, `debezium_metrics_Connected{${STREAM}}`), 0)
  assert.equal(value(lines, `debezium_metrics_SnapshotRunning{${SNAP}}`), 0)
  for (const absent of [
    'MilliSecondsBehindSource',
    'MilliSecondsSinceLastEvent',
    'QueueTotalCapacity',
    'LastTransactionId',
    'SnapshotDurationInSeconds',
    'TotalTableCount',
  ]) {
    assert.equal(value(lines, `debezium_metrics_${absent}{`), undefined, absent)
  }
})

test('events: per-op counts, behind-source from the commit time, since-last-event at scrape time', async () => {
  let now = 10_000
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => now)
  const task = cdc.taskStarted('orders-cdc', 'shop')
  task.event('c', 9_000)
  task.event('u', 9_500)
  task.event('d', 9_800)
  task.connected = true
  task.queue = () => ({ total: 8192, remaining: 8000 })
  now = 12_500
  const lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfEventsSeen{${STREAM}}`), 3)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfCreateEventsSeen{${STREAM}}`), 1)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfUpdateEventsSeen{${STREAM}}`), 1)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfDeleteEventsSeen{${STREAM}}`), 1)
  assert.equal(value(lines, `debezium_metrics_MilliSecondsBehindSource{${STREAM}}`), 200)
  assert.equal(value(lines, `debezium_metrics_MilliSecondsSinceLastEvent{${STREAM}}`), 2500)
  assert.equal(value(lines, `debezium_metrics_Connected{${STREAM}}`), 1)
  assert.equal(value(lines, `debezium_metrics_QueueRemainingCapacity{${STREAM}}`), 8000)
})

test('snapshot: running → completed, tables and rows per table, duration frozen at the end', async () => {
  let now = 0
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => now)
  const task = cdc.taskStarted('orders-cdc', 'shop')
  task.snapshotStarted(['public.a', 'public.b'])
  now = 1500
  task.snapshotProgress(new Map([['public.a', 10]]), 1)
  let lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_SnapshotRunning{${SNAP}}`), 1)
  assert.equal(value(lines, `debezium_metrics_RemainingTableCount{${SNAP}}`), 1)
  assert.equal(value(lines, `debezium_metrics_RowsScanned{${SNAP},table="public.b"}`), 0)
  assert.equal(value(lines, `debezium_metrics_SnapshotDurationInSeconds{${SNAP}}`), 1.5)
  task.snapshotProgress(new Map([['public.b', 4]]), 0)
  now = 2000
  task.snapshotFinished(true)
  now = 9000
  lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_SnapshotRunning{${SNAP}}`), 0)
  assert.equal(value(lines, `debezium_metrics_SnapshotCompleted{${SNAP}}`), 1)
  assert.equal(value(lines, `debezium_metrics_SnapshotAborted{${SNAP}}`), 0)
  assert.equal(value(lines, `debezium_metrics_TotalTableCount{${SNAP}}`), 2)
  assert.equal(value(lines, `debezium_metrics_RowsScanned{${SNAP},table="public.a"}`), 10)
  assert.equal(value(lines, `debezium_metrics_RowsScanned{${SNAP},table="public.b"}`), 4)
  assert.equal(value(lines, `debezium_metrics_SnapshotDurationInSeconds{${SNAP}}`), 2)
})

test('a task stopped mid-snapshot shows SnapshotAborted until its connector stops', async () => {
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => 0)
  const slot = cdc.connectorStarted('orders-cdc', 'shop', 'flowscope')
  const task = cdc.taskStarted('orders-cdc', 'shop')
  task.snapshotStarted(['public.a'])
  cdc.taskStopped('orders-cdc', task)
  let lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_SnapshotAborted{${SNAP}}`), 1)
  assert.equal(value(lines, `debezium_metrics_SnapshotCompleted{${SNAP}}`), 0)
  cdc.connectorStopped('orders-cdc', slot)
  lines = await scrape(registry)
  assert.equal(value(lines, 'debezium_metrics_SnapshotAborted{'), undefined)
})

test("a running task's figures survive a restart of its connector alone", async () => {
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => 0)
  const slot = cdc.connectorStarted('orders-cdc', 'shop', 'flowscope')
  cdc.taskStarted('orders-cdc', 'shop').event('c', 0)
  cdc.connectorStopped('orders-cdc', slot)
  cdc.connectorStarted('orders-cdc', 'shop', 'flowscope')
  const lines = await scrape(registry)
  assert.equal(value(lines, `debezium_metrics_TotalNumberOfEventsSeen{${STREAM}}`), 1)
})

test('slot figures: bytes and active from the poll; absent when the slot is gone', async () => {
  const registry = new prom.Registry()
  const cdc = new CdcMetrics(registry, () => 0)
  const slot = cdc.connectorStarted('orders-cdc', 'shop', 'flowscope')
  slot.polled({ active: true, retainedBytes: 4096, confirmedLagBytes: 1024, currentLsn: 5000n, confirmedLsn: 3976n })
  let lines = await scrape(registry)
  const labels = 'connector="orders-cdc",slot="flowscope"'
  assert.equal(value(lines, `flowscope_replication_slot_retained_wal_bytes{${labels}}`), 4096)
  assert.equal(value(lines, `flowscope_replication_slot_confirmed_flush_lag_bytes{${labels}}`), 1024)
  assert.equal(value(lines, `flowscope_replication_slot_confirmed_flush_lag_seconds{${labels}}`), 0)
  assert.equal(value(lines, `flowscope_replication_slot_active{${labels}}`), 1)
  assert.equal(value(lines, 'flowscope_cdc_connector_info{connector="orders-cdc",name="shop",slot="flowscope"}'), 1)
  slot.polled(null)
  lines = await scrape(registry)
  assert.equal(value(lines, 'flowscope_replication_slot_'), undefined)
})

test('confirmed-flush lag seconds: age of the first poll that saw WAL beyond the confirmed position', () => {
  const clock = new SlotLagClock()
  assert.equal(clock.observe(100n, 100n, 0), 0) // caught up
  assert.equal(clock.observe(200n, 100n, 5_000), 0) // WAL moved: first seen now
  assert.equal(clock.observe(300n, 100n, 10_000), 5) // confirmed did not follow
  assert.equal(clock.observe(300n, 200n, 15_000), 5) // confirmed past the first sighting only: next one's age
  assert.equal(clock.observe(300n, 300n, 20_000), 0) // caught up
  assert.equal(clock.observe(300n, null, 25_000), null) // no confirmed position: unknowable
})

test('confirmed-flush lag seconds: thinning keeps the oldest sighting (a lower bound stays one)', () => {
  const clock = new SlotLagClock()
  for (let i = 1; i <= 3000; i++) clock.observe(BigInt(i), 0n, i * 1000)
  assert.equal(clock.observe(3001n, 0n, 3_001_000), 3000)
})

test('one state per worker registry, however many tasks and connectors ask', () => {
  const host = metricsHost(new prom.Registry())
  const a = host.component('cdc', (registry) => new CdcMetrics(registry))
  const b = host.component('cdc', (registry) => new CdcMetrics(registry))
  assert.equal(a, b)
})
