// A worker stopped mid-stream and started again with the same config resumes from its committed offsets: no row is
// missing from the topic, and after a graceful stop none is duplicated. Target states survive the restart too.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  createConnector,
  createTable,
  duplicates,
  eventually,
  insertRows,
  jdbcConfig,
  path,
  sql,
  startTestWorker,
  statusOf,
  type TestWorker,
  type WorkerIdentity,
  waitForIds,
  waitForState,
  workerIdentity,
} from './helpers.ts'

let identity: WorkerIdentity
let current: TestWorker | undefined
const tables: string[] = []

before(async () => {
  identity = await workerIdentity('restart')
})

after(async () => {
  await current?.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

async function restartWorker(): Promise<TestWorker> {
  await current?.worker.stop()
  current = undefined
  current = await startTestWorker(identity)
  return current
}

test('a graceful stop mid-stream loses nothing and duplicates nothing; the restarted worker resumes', async () => {
  const table = await createTable('restart_stream')
  tables.push(table)
  const topic = `${table}-${table}`
  current = await startTestWorker(identity)
  await createConnector(current.request, 'stream', jdbcConfig(table, { 'batch.max.rows': '50' }))
  await waitForState(current.request, 'stream', 'RUNNING')

  // A writer inserts rows continuously, across the stop and the restart.
  const inserted: number[] = await insertRows(table, 100)
  await waitForIds(topic, inserted)
  const writer = (async () => {
    while (inserted.length < 700) {
      inserted.push(...(await insertRows(table, 5)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  try {
    // Stop once the stream is under way: a good part of the rows is in Kafka, more are being inserted.
    await eventually(
      async () => (inserted.length >= 250 ? true : undefined),
      () => `only ${inserted.length} rows inserted`,
    )
    const restarted = await restartWorker()
    assert.ok(inserted.length < 700, 'the worker was restarted while rows were still being inserted')
    await waitForState(restarted.request, 'stream', 'RUNNING')
  } finally {
    await writer
  }
  const ids = await waitForIds(topic, inserted)
  assert.ok(inserted.length > 100, `the writer inserted ${inserted.length} rows`)
  assert.deepEqual(duplicates(ids), [], 'a graceful stop commits every acknowledged offset: no duplicates')
  assert.deepEqual(new Set(ids), new Set(inserted), 'nothing but the inserted rows')

  // The committed offset is the last id, as the JDBC source writes it.
  const offsets = await current.request('GET', path('stream', '/offsets'))
  assert.equal(offsets.status, 200)
  assert.deepEqual((offsets.body as { offsets: unknown[] }).offsets, [
    {
      partition: { protocol: '1', table: `postgres.public.${table}` },
      offset: { incrementing: Math.max(...inserted) },
    },
  ])
})

test('PAUSED and STOPPED connectors come back PAUSED and STOPPED; a RUNNING one RUNNING', async () => {
  const table = await createTable('restart_states')
  tables.push(table)
  current ??= await startTestWorker(identity)
  const { request } = current
  await createConnector(request, 'will-pause', jdbcConfig(table))
  await createConnector(request, 'will-stop', jdbcConfig(table))
  await createConnector(request, 'keeps-running', jdbcConfig(table))
  await waitForState(request, 'will-pause', 'RUNNING')
  await waitForState(request, 'will-stop', 'RUNNING')
  assert.equal((await request('PUT', path('will-pause', '/pause'))).status, 202)
  assert.equal((await request('PUT', path('will-stop', '/stop'))).status, 204)
  await waitForState(request, 'will-pause', 'PAUSED')
  await waitForState(request, 'will-stop', 'STOPPED')

  const again = await restartWorker()
  await waitForState(again.request, 'will-pause', 'PAUSED')
  await waitForState(again.request, 'will-stop', 'STOPPED')
  await waitForState(again.request, 'keeps-running', 'RUNNING')
  // Still so a moment later (no late transition to RUNNING once the stores settled).
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.equal((await statusOf(again.request, 'will-pause')).connector.state, 'PAUSED')
  assert.equal((await statusOf(again.request, 'will-stop')).connector.state, 'STOPPED')

  // A paused connector does not produce: a row inserted now only arrives once resumed.
  const topic = `${table}-${table}`
  const [id] = await insertRows(table, 1)
  assert.equal((await again.request('PUT', path('will-pause', '/resume'))).status, 202)
  await waitForState(again.request, 'will-pause', 'RUNNING')
  await waitForIds(topic, [id])
})
