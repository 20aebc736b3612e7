// A worker killed with SIGKILL mid-stream (no flush, no commit) and started again loses no row: offsets are only
// ever committed for records Kafka acknowledged, so the restarted worker resumes at or before the crash point. Rows
// after the last commit may come twice (at-least-once, as in Kafka Connect); none may be missing.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { after, test } from 'node:test'
import { V8_FLAGS } from '../../../src/cli/v8-flags.ts'
import { freePort } from '../../../src/local/ports.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  duplicates,
  eventually,
  idsInTopic,
  insertRows,
  jdbcConfig,
  sql,
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

/** `flowscope worker` in a process of its own, configured through CONNECT_* variables as a container would be. */
async function startWorkerProcess(groupId: string, port: number): Promise<ChildProcess> {
  const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname
  const worker = spawn(process.execPath, [...V8_FLAGS, main, 'worker'], {
    env: {
      ...process.env,
      CONNECT_BOOTSTRAP_SERVERS: testStack().bootstrapServers,
      CONNECT_GROUP_ID: groupId,
      CONNECT_CONFIG_STORAGE_TOPIC: `${groupId}-configs`,
      CONNECT_OFFSET_STORAGE_TOPIC: `${groupId}-offsets`,
      CONNECT_STATUS_STORAGE_TOPIC: `${groupId}-status`,
      CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_FLUSH_INTERVAL_MS: '300',
      CONNECT_LISTENERS: `http://127.0.0.1:${port}`,
      // CRASH_LOG=INFO shows the worker's own logs when this test needs debugging.
      FLOWSCOPE_LOG_LEVEL: process.env.CRASH_LOG ?? 'WARN',
    },
    stdio: ['ignore', process.env.CRASH_LOG ? 'inherit' : 'ignore', 'inherit'],
  })
  const request = httpRequester(`http://127.0.0.1:${port}`)
  await eventually(
    async () => {
      if (worker.exitCode !== null) assert.fail(`the worker process exited with ${worker.exitCode}`)
      return (await request('GET', '/').catch(() => undefined))?.status === 200 ? true : undefined
    },
    () => 'the worker process never answered GET /',
    30_000,
  )
  return worker
}

function killHard(worker: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    worker.once('exit', () => resolve())
    worker.kill('SIGKILL')
  })
}

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
