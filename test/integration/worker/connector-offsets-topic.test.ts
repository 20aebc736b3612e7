// A source connector's own offsets topic (offsets.storage.topic, KIP-618) on the real broker: the topic is created
// with the worker's offsets-topic settings; the task resumes from the worker's global offsets topic when its own
// holds nothing for a partition; it writes its offsets to its own topic, then to the global one; GET, PATCH and
// DELETE /connectors/<c>/offsets read and write both, a reset tombstoning the global copy too so it cannot come
// back as the fallback. With exactly-once delivery the offsets go to the connector's topic in the task's
// transaction (read read_committed). Topics are read with kcat.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { testStack } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  idsInTopic,
  insertRows,
  jdbcConfig,
  path,
  sql,
  startTestWorker,
  type TestWorker,
  waitForState,
  workerIdentity,
} from './helpers.ts'

const run = promisify(execFile)
const workers: TestWorker[] = []
const tables: string[] = []

after(async () => {
  for (const w of workers) await w.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

type Offsets = { partition: Record<string, unknown>; offset: Record<string, unknown> }[]

/** The latest value per key of an offsets topic, for one connector's keys (null: a tombstone), read_committed. */
async function offsetsInTopic(topic: string, connector: string): Promise<Map<string, unknown>> {
  const { stdout } = await run(
    'kcat',
    [
      '-b',
      testStack().bootstrapServers,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-Z',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%k\t%s\n',
    ],
    { timeout: 30_000, killSignal: 'SIGKILL' },
  )
  const latest = new Map<string, unknown>()
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [key, value] = line.split('\t')
    if ((JSON.parse(key) as [string])[0] !== connector) continue
    latest.set(key, value === 'NULL' ? null : JSON.parse(value))
  }
  return latest
}

async function partitionsOf(topic: string): Promise<number> {
  const { stdout } = await run('kcat', ['-b', testStack().bootstrapServers, '-L', '-t', topic, '-J'])
  const meta = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[]; error?: string }[] }
  const found = meta.topics.find((t) => t.topic === topic)
  return found && !found.error ? found.partitions.length : 0
}

async function offsetsOf(worker: TestWorker, name: string): Promise<Offsets> {
  const response = await worker.request('GET', path(name, '/offsets'))
  assert.equal(response.status, 200, response.text)
  return (response.body as { offsets: Offsets }).offsets
}

test("offsets.storage.topic: created, read before the worker's topic, written to both; REST offsets use both", async () => {
  const identity = await workerIdentity('own_offsets')
  const worker = await startTestWorker(identity)
  workers.push(worker)
  const { request } = worker
  const table = await createTable('own_offsets')
  tables.push(table)
  const topic = `${table}-${table}`
  const globalTopic = `${identity.groupId}-offsets`
  const ownTopic = `${table}-offsets`
  await insertRows(table, 10)
  const name = 'own-offsets'
  const partition = { protocol: '1', table: `postgres.public.${table}` }
  const key = JSON.stringify([name, partition])

  // A stopped connector without the key: its offset (incrementing 6) goes to the worker's topic only.
  await createConnector(request, name, jdbcConfig(table), { initial_state: 'STOPPED' })
  const patched = await request('PATCH', path(name, '/offsets'), {
    offsets: [{ partition, offset: { incrementing: 6 } }],
  })
  assert.equal(patched.status, 200, patched.text)
  assert.deepEqual((await offsetsInTopic(globalTopic, name)).get(key), { incrementing: 6 })

  // Given its own topic: created (the worker's offsets-topic partition count), empty, so the global offset is the fallback.
  const updated = await request('PUT', path(name, '/config'), jdbcConfig(table, { 'offsets.storage.topic': ownTopic }))
  assert.equal(updated.status, 200, updated.text)
  assert.deepEqual(await offsetsOf(worker, name), [{ partition, offset: { incrementing: 6 } }])
  assert.equal(await partitionsOf(ownTopic), 3, 'created with offset.storage.partitions')
  assert.equal((await offsetsInTopic(ownTopic, name)).size, 0)

  // Resumed: rows 7..10 only (it resumed from the fallback), and its offset lands in its topic, then the global one.
  assert.equal((await request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(request, name, 'RUNNING')
  await eventually(
    async () => ((await idsInTopic(topic)).length >= 4 ? true : undefined),
    async () => `records: ${JSON.stringify(await idsInTopic(topic))}`,
  )
  await eventually(
    async () => {
      const [own, global] = [await offsetsInTopic(ownTopic, name), await offsetsInTopic(globalTopic, name)]
      const done = (m: Map<string, unknown>) => (m.get(key) as { incrementing?: number })?.incrementing === 10
      return done(own) && done(global) ? true : undefined
    },
    async () =>
      `own ${JSON.stringify([...(await offsetsInTopic(ownTopic, name))])}, global ${JSON.stringify([...(await offsetsInTopic(globalTopic, name))])}`,
  )
  assert.deepEqual(
    (await idsInTopic(topic)).sort((x, y) => x - y),
    [7, 8, 9, 10],
  )

  // Stopped and reset: tombstones in both topics (the global copy must not come back as the fallback).
  assert.equal((await request('PUT', path(name, '/stop'))).status, 204)
  await waitForState(request, name, 'STOPPED')
  assert.equal((await request('DELETE', path(name, '/offsets'))).status, 200)
  assert.deepEqual(await offsetsOf(worker, name), [])
  assert.equal((await offsetsInTopic(ownTopic, name)).get(key), null)
  assert.equal((await offsetsInTopic(globalTopic, name)).get(key), null)

  // Altered: to its own topic, then the global one; GET reads it back.
  const altered = await request('PATCH', path(name, '/offsets'), {
    offsets: [{ partition, offset: { incrementing: 8 } }],
  })
  assert.equal(altered.status, 200, altered.text)
  assert.deepEqual(await offsetsOf(worker, name), [{ partition, offset: { incrementing: 8 } }])
  assert.deepEqual((await offsetsInTopic(ownTopic, name)).get(key), { incrementing: 8 })
  assert.deepEqual((await offsetsInTopic(globalTopic, name)).get(key), { incrementing: 8 })
})

test('exactly-once with offsets.storage.topic: the transaction writes the offsets to the connector topic', async () => {
  const identity = await workerIdentity('own_offsets_eos', { 'exactly.once.source.support': 'enabled' })
  const worker = await startTestWorker(identity)
  workers.push(worker)
  const table = await createTable('own_offsets_eos')
  tables.push(table)
  const ownTopic = `${table}-offsets`
  await insertRows(table, 5)
  const name = 'own-offsets-eos'
  const key = JSON.stringify([name, { protocol: '1', table: `postgres.public.${table}` }])
  await createConnector(worker.request, name, jdbcConfig(table, { 'offsets.storage.topic': ownTopic }))
  await waitForState(worker.request, name, 'RUNNING')
  const globalTopic = `${identity.groupId}-offsets`
  await eventually(
    async () => {
      const own = (await offsetsInTopic(ownTopic, name)).get(key) as { incrementing?: number } | undefined
      const global = (await offsetsInTopic(globalTopic, name)).get(key) as { incrementing?: number } | undefined
      return own?.incrementing === 5 && global?.incrementing === 5 ? true : undefined
    },
    async () => `own ${JSON.stringify([...(await offsetsInTopic(ownTopic, name))])}`,
  )
  // The connector topic holds transaction markers: it was written by the task's transactional producer.
  const { stdout } = await run('kcat', [
    '-b',
    testStack().bootstrapServers,
    '-Q',
    '-t',
    `${ownTopic}:0:-1`,
    '-t',
    `${ownTopic}:1:-1`,
    '-t',
    `${ownTopic}:2:-1`,
  ])
  const end = [...stdout.matchAll(/offset (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  const records = (await offsetsInTopic(ownTopic, name)).size
  assert.ok(end > records, `end offsets ${end} count commit markers beyond the ${records} offset record(s)`)
})
