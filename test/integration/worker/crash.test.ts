// A worker killed with SIGKILL mid-stream (no flush, no commit) and started again loses no row: offsets are only
// ever committed for records Kafka acknowledged, so the restarted worker resumes at or before the crash point. Rows
// after the last commit may come twice (at-least-once, as in Kafka Connect); none may be missing.
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { after, test } from 'node:test'
import { freePort } from '../../../src/local/ports.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  duplicates,
  eventually,
  idsInTopic,
  insertRows,
  jdbcConfig,
  killHard,
  sql,
  startWorkerProcess,
  statusOf,
  waitForIds,
  waitForState,
} from './helpers.ts'

const tables: string[] = []
let child: ChildProcess | undefined

after(async () => {
  child?.kill('SIGKILL')
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

test('SIGKILL mid-stream, then a restart: every row reaches Kafka, only rows after the last commit may repeat', async () => {
  const groupId = uniqueName('crash')
  const port = await freePort()
  const request = httpRequester(`http://127.0.0.1:${port}`)
  const table = await createTable('crash_stream')
  tables.push(table)
  const topic = `${table}-${table}`

  child = await startWorkerProcess(groupId, port)
  await createConnector(request, 'crashing', jdbcConfig(table, { 'batch.max.rows': '20' }))
  await waitForState(request, 'crashing', 'RUNNING')
  const inserted = await insertRows(table, 100)
  await waitForIds(topic, inserted)

  // Rows keep coming while the worker dies mid-poll and mid-send, and while it is down.
  const writer = (async () => {
    while (inserted.length < 1500) {
      inserted.push(...(await insertRows(table, 10)))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  await eventually(
    async () => (inserted.length >= 500 ? true : undefined),
    () => 'the writer never reached 500 rows',
  )
  await killHard(child)
  const beforeIds = await idsInTopic(topic)
  const beforeRestart = new Set(beforeIds)
  // One worker, no restart yet: nothing may have been written twice (e.g. by a second task for the same table).
  assert.deepEqual(duplicates(beforeIds), [], 'no row twice before the crash')

  child = await startWorkerProcess(groupId, port)
  await writer
  assert.ok(beforeRestart.size < inserted.length, 'rows were still to be copied when the worker died')
  const ids = await waitForIds(topic, inserted, 60_000)
  assert.equal((await statusOf(request, 'crashing')).tasks[0].state, 'RUNNING')
  // Nothing is missing (waitForIds); what repeats was already in Kafka before the restart, i.e. after the last commit.
  const repeated = duplicates(ids)
  assert.ok(
    repeated.every((id) => beforeRestart.has(id)),
    'only rows written before the crash may appear twice',
  )
  console.log(
    `crash test: ${inserted.length} rows, ${beforeRestart.size} in Kafka at the crash, ${repeated.length} written twice`,
  )
  await killHard(child)
  child = undefined
})
