// A worker frozen (SIGSTOP) past its session timeout while its task runs: the group hands the task to another worker,
// which carries on. When the frozen worker wakes (SIGCONT) its task still holds a source position older than the new
// owner's, and rows are there for it to read; it must not commit offsets over the new owner's (the next start would
// re-read from there), because its worker can no longer be sure it is a member of the group. It gives its work up.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { freePort } from '../../../src/local/ports.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  insertRows,
  jdbcConfig,
  killHard,
  sql,
  startTestWorker,
  startWorkerProcess,
  statusOf,
  type TestWorker,
  waitForIds,
} from './helpers.ts'

const run = promisify(execFile)
const tables: string[] = []
let child: ChildProcess | undefined
let inProcess: TestWorker | undefined

after(async () => {
  if (child) {
    child.kill('SIGCONT')
    await killHard(child)
  }
  await inProcess?.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

/** The offset records of `connector` in the offsets topic, in the order its partition holds them. */
async function offsetRecords(topic: string, connector: string): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', testStack().bootstrapServers, '-t', topic, '-C', '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n'],
    { timeout: 30_000, killSignal: 'SIGKILL' },
  )
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`["${connector}",`))
    .map((line) => line.split('\t')[1] ?? '')
}

test("a frozen worker's task, taken over by another worker, commits no offsets over the new owner's when it wakes", async () => {
  const groupId = uniqueName('stale')
  const noDelay = { 'scheduled.rebalance.max.delay.ms': '0' }
  inProcess = await startTestWorker({ groupId, port: await freePort(), overrides: noDelay })
  const childPort = await freePort()
  child = await startWorkerProcess(groupId, childPort, { CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS: '0' })
  const childId = `127.0.0.1:${childPort}`
  const here = inProcess

  // Connectors until one's task runs on the worker process (the assignor deals the second one to it).
  let moved: { name: string; table: string } | undefined
  for (let i = 0; i < 3 && !moved; i++) {
    const table = await createTable(`stale_t${i}`)
    tables.push(table)
    const name = `${groupId}-c${i}`
    await createConnector(here.request, name, jdbcConfig(table))
    const status = await eventually(
      async () => {
        const s = await statusOf(here.request, name).catch(() => undefined)
        return s?.tasks[0]?.state === 'RUNNING' ? s : undefined
      },
      () => `${name}'s task never RUNNING`,
      60_000,
    )
    if (status.tasks[0]?.worker_id === childId) moved = { name, table }
  }
  assert.ok(moved, 'a task runs on the worker process')
  const topic = `${moved.table}-${moved.table}`
  const first = await insertRows(moved.table, 50)
  await waitForIds(topic, first, 30_000)

  // Freeze the worker process; the group hands its task over once its session times out.
  const frozen = child
  frozen.kill('SIGSTOP')
  await eventually(
    async () => {
      const s = await statusOf(here.request, moved.name)
      return s.tasks[0]?.state === 'RUNNING' && s.tasks[0]?.worker_id === here.worker.workerId ? true : undefined
    },
    () => "the frozen worker's task never RUNNING on the other worker",
    60_000,
  )
  // The new owner copies rows the frozen task has not read, and commits their offsets.
  const second = await insertRows(moved.table, 50)
  await waitForIds(topic, [...first, ...second], 30_000)
  const offsetsTopic = `${groupId}-offsets`
  const settled = await eventually(
    async () => {
      const before = await offsetRecords(offsetsTopic, moved.name)
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      const now = await offsetRecords(offsetsTopic, moved.name)
      const last = now.at(-1) ?? ''
      return now.length === before.length && last.includes(String(Math.max(...second))) ? now : undefined
    },
    () => "the new owner's offsets never settled on the newest row",
    30_000,
  )

  // Wake the frozen worker: its task resumes behind the new owner, with rows to read. No offset may come from it.
  frozen.kill('SIGCONT')
  await new Promise((resolve) => setTimeout(resolve, 8_000))
  const afterWake = await offsetRecords(offsetsTopic, moved.name)
  assert.deepEqual(
    afterWake.slice(settled.length),
    [],
    `offsets written after the frozen worker woke (the new owner had nothing new): ${afterWake.slice(settled.length)}`,
  )
  assert.equal(frozen.exitCode, null, 'the woken worker process runs on')
})
