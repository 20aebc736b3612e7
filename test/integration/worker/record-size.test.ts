// Record size against the broker's limits: one poll may hold more bytes than a produce request can carry (the worker
// splits it), while a single record over producer.max.request.size fails the task with a message saying which
// setting to raise, or, with errors.tolerance=all, is skipped and the records after it still flow.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  eventually,
  idsInTopic,
  jdbcConfig,
  sql,
  statusOf,
  waitForIds,
  waitForState,
  workerForFile,
} from './helpers.ts'

const file = workerForFile('record-size')

async function tableWithRows(prefix: string, rows: number, width: number): Promise<string> {
  const table = uniqueName(prefix)
  file.tables.push(table)
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, v text NOT NULL)`)
  await sql(`INSERT INTO ${table} (v) SELECT repeat('x', $1) FROM generate_series(1, $2)`, [width, rows])
  return table
}

test('a 3 MB poll (3,000 rows of 1 KB) reaches Kafka whole though the broker takes at most 1 MB per batch', async () => {
  const { request } = file.running
  const table = await tableWithRows('size_big_poll', 3000, 1000)
  await createConnector(request, 'big-poll', jdbcConfig(table, { 'batch.max.rows': '3000' }))
  const ids = await waitForIds(
    `${table}-${table}`,
    Array.from({ length: 3000 }, (_, i) => i + 1),
  )
  assert.equal(ids.length, 3000, 'each row exactly once')
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    'in table order',
  )
  assert.equal((await statusOf(request, 'big-poll')).tasks[0].state, 'RUNNING')
})

test('a record over max.request.size fails the task saying what to raise; tolerated, it is skipped', async () => {
  const { request } = file.running
  const table = await tableWithRows('size_huge_row', 3, 10)
  await sql(`INSERT INTO ${table} (v) VALUES (repeat('y', 2 * 1024 * 1024))`) // id 4: 2 MiB
  await sql(`INSERT INTO ${table} (v) SELECT 'after' FROM generate_series(1, 2)`) // ids 5, 6

  await createConnector(request, 'huge-fails', jdbcConfig(table, { 'topic.prefix': `${table}-fails-` }))
  const failed = await eventually(
    async () => {
      const status = await statusOf(request, 'huge-fails')
      return status.tasks[0]?.state === 'FAILED' ? status : undefined
    },
    async () => `task never FAILED: ${JSON.stringify(await statusOf(request, 'huge-fails'))}`,
  )
  assert.match(failed.tasks[0].trace ?? '', /is \d+ bytes when serialized.*producer\.max\.request\.size/s)
  // Nothing after the oversized record was written or committed past it.
  assert.deepEqual(
    (await idsInTopic(`${table}-fails-${table}`)).filter((id) => id > 3),
    [],
  )

  await createConnector(
    request,
    'huge-skipped',
    jdbcConfig(table, { 'topic.prefix': `${table}-skips-`, 'errors.tolerance': 'all' }),
  )
  const ids = await waitForIds(`${table}-skips-${table}`, [1, 2, 3, 5, 6])
  assert.ok(!ids.includes(4), 'the oversized record is skipped')
  await waitForState(request, 'huge-skipped', 'RUNNING')
})
