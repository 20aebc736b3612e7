// The offsets endpoints against a real worker and the JDBC source: GET shows the JDBC source's partition and offset
// shapes; altering and resetting need a STOPPED connector; a resumed connector re-reads from the altered or reset
// position (read back from the topic with kcat).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { assertError } from '../../support/rest-contract.ts'
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

const ALTERED = 'The offsets for this connector have been altered successfully'
const RESET = 'The offsets for this connector have been reset successfully'

let running: TestWorker
let table: string

before(async () => {
  table = await createTable('offsets')
  running = await startTestWorker(await workerIdentity('offsets'))
})

after(async () => {
  await running?.worker.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
})

type Offsets = { partition: Record<string, unknown>; offset: Record<string, unknown> }[]

async function offsetsOf(name: string): Promise<Offsets> {
  const response = await running.request('GET', path(name, '/offsets'))
  assert.equal(response.status, 200, response.text)
  return (response.body as { offsets: Offsets }).offsets
}

/** Waits until every id occurs `times` times in the topic (and none more often). */
async function waitForCounts(topic: string, expected: Map<number, number>): Promise<void> {
  let last = new Map<number, number>()
  await eventually(
    async () => {
      last = new Map()
      for (const id of await idsInTopic(topic)) last.set(id, (last.get(id) ?? 0) + 1)
      const same = last.size === expected.size && [...expected].every(([id, n]) => last.get(id) === n)
      return same ? true : undefined
    },
    () => `topic ${topic}: expected ${JSON.stringify([...expected])}, got ${JSON.stringify([...last])}`,
  )
}

test('GET, PATCH and DELETE offsets, and resuming from the altered and the reset position', async () => {
  const { request } = running
  const name = 'offsets-jdbc'
  const topic = `${table}-${table}`
  const ids = await insertRows(table, 5)
  assert.deepEqual(ids, [1, 2, 3, 4, 5])
  await createConnector(request, name, jdbcConfig(table))
  await waitForState(request, name, 'RUNNING')
  await waitForCounts(topic, new Map(ids.map((id) => [id, 1])))

  const partition = { protocol: '1', table: `postgres.public.${table}` }
  await eventually(
    async () => {
      const offsets = await offsetsOf(name)
      return offsets.length === 1 && offsets[0].offset.incrementing === 5 ? offsets : undefined
    },
    async () => `offsets never reached incrementing=5: ${JSON.stringify(await offsetsOf(name))}`,
  )
  assert.deepEqual(await offsetsOf(name), [{ partition, offset: { incrementing: 5 } }])

  // A RUNNING connector's offsets cannot be altered or reset.
  const altered = [{ partition, offset: { incrementing: 2 } }]
  assertError(
    await request('PATCH', path(name, '/offsets'), { offsets: altered }),
    400,
    /^Connectors must be in the STOPPED state/,
  )
  assertError(await request('DELETE', path(name, '/offsets')), 400, /STOPPED/)
  assert.deepEqual(await offsetsOf(name), [{ partition, offset: { incrementing: 5 } }])

  // Stopped: alter to incrementing=2, resume, rows 3..5 come again.
  assert.equal((await request('PUT', path(name, '/stop'))).status, 204)
  await waitForState(request, name, 'STOPPED')
  const patch = await request('PATCH', path(name, '/offsets'), { offsets: altered })
  assert.equal(patch.status, 200, patch.text)
  assert.deepEqual(patch.body, { message: ALTERED })
  assert.deepEqual(await offsetsOf(name), altered)
  assert.equal((await request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(request, name, 'RUNNING')
  await waitForCounts(
    topic,
    new Map([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 2],
    ]),
  )

  // Stopped again: reset, resume, everything comes again from the start.
  assert.equal((await request('PUT', path(name, '/stop'))).status, 204)
  await waitForState(request, name, 'STOPPED')
  const reset = await request('DELETE', path(name, '/offsets'))
  assert.equal(reset.status, 200, reset.text)
  assert.deepEqual(reset.body, { message: RESET })
  assert.deepEqual(await offsetsOf(name), [])
  assert.equal((await request('PUT', path(name, '/resume'))).status, 202)
  await waitForState(request, name, 'RUNNING')
  await waitForCounts(
    topic,
    new Map([
      [1, 2],
      [2, 2],
      [3, 3],
      [4, 3],
      [5, 3],
    ]),
  )
  await eventually(
    async () => ((await offsetsOf(name))[0]?.offset.incrementing === 5 ? true : undefined),
    async () => `offsets after the re-read: ${JSON.stringify(await offsetsOf(name))}`,
  )
})
