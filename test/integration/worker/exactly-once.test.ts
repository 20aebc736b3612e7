// Exactly-once source delivery (KIP-618): a worker with exactly.once.source.support=enabled writes each poll's
// records and their offsets in one transaction of the task's own producer (transactional id
// `<group.id>-<connector>-<task>`). Killed with SIGKILL in the middle of a 100k-row copy and started again, a
// read_committed consumer sees every row exactly once: the cut transaction is aborted with its offsets, and the
// restarted task resumes from the last committed ones. (The same crash without it repeats rows: crash.test.ts.)
import assert from 'node:assert/strict'
import { type ChildProcess, execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { freePort } from '../../../src/local/ports.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  duplicates,
  eventually,
  insertRows,
  jdbcConfig,
  killHard,
  sql,
  startWorkerProcess,
  statusOf,
  waitForState,
} from './helpers.ts'

const run = promisify(execFile)
const ROWS = 100_000
const tables: string[] = []
let child: ChildProcess | undefined

after(async () => {
  child?.kill('SIGKILL')
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

const EXACTLY_ONCE = { CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: 'enabled' }

/** The `id` of every record, read with the given isolation level (kcat/librdkafka). */
async function ids(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<number[]> {
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
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%s\n',
    ],
    { timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 },
  ).catch((error: { stderr?: string }) => {
    if (/Unknown topic/i.test(String(error.stderr))) return { stdout: '' }
    throw error
  })
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { payload: { id: number } }).payload.id)
}

/** Records appended to the topic so far, committed or not (its end offset). */
async function appended(topic: string): Promise<number> {
  const { stdout } = await run('kcat', ['-b', testStack().bootstrapServers, '-Q', '-t', `${topic}:0:-1`]).catch(() => ({
    stdout: '',
  }))
  return Number(/\[0\] offset (\d+)/.exec(stdout)?.[1] ?? 0)
}

test('SIGKILL during a 100k-row copy with exactly-once on: read_committed sees every row once', async () => {
  const groupId = uniqueName('eos')
  const port = await freePort()
  const request = httpRequester(`http://127.0.0.1:${port}`)
  const table = await createTable('eos_copy')
  tables.push(table)
  const topic = `${table}-${table}`
  const inserted = await insertRows(table, ROWS)

  child = await startWorkerProcess(groupId, port, EXACTLY_ONCE)
  await createConnector(request, 'eos', jdbcConfig(table, { 'batch.max.rows': '500' }))
  await waitForState(request, 'eos', 'RUNNING')
  await eventually(
    async () => ((await appended(topic)) >= ROWS / 4 ? true : undefined),
    async () => `only ${await appended(topic)} records appended`,
    60_000,
  )
  await killHard(child)
  const atCrash = await appended(topic)
  assert.ok(atCrash < ROWS, `the copy was still running at the kill (${atCrash} of ${ROWS} appended)`)

  child = await startWorkerProcess(groupId, port, EXACTLY_ONCE)
  const committed = await eventually(
    async () => {
      const seen = await ids(topic, 'read_committed')
      return new Set(seen).size >= ROWS ? seen : undefined
    },
    async () => `${new Set(await ids(topic, 'read_committed')).size} of ${ROWS} rows committed`,
    120_000,
  )
  assert.equal((await statusOf(request, 'eos')).tasks[0].state, 'RUNNING')
  const seen = new Set(committed)
  assert.deepEqual(
    inserted.filter((id) => !seen.has(id)),
    [],
    'missing rows',
  )
  assert.deepEqual(duplicates(committed), [], 'rows committed twice')
  const all = await ids(topic, 'read_uncommitted')
  console.log(
    `exactly-once: ${ROWS} rows, ${atCrash} records appended at the kill, ${all.length - committed.length} records in aborted transactions`,
  )
  await killHard(child)
  child = undefined
})

test('a connector asking for connector-defined transaction boundaries fails its task, naming the key', async () => {
  const groupId = uniqueName('eos_bad')
  const port = await freePort()
  const request = httpRequester(`http://127.0.0.1:${port}`)
  const table = await createTable('eos_bad')
  tables.push(table)
  child = await startWorkerProcess(groupId, port, EXACTLY_ONCE)
  await createConnector(request, 'eos-bad', jdbcConfig(table, { 'transaction.boundary': 'connector' }))
  const status = await eventually(
    async () => {
      const s = await statusOf(request, 'eos-bad')
      return s.tasks[0]?.state === 'FAILED' ? s : undefined
    },
    async () => `task never FAILED: ${JSON.stringify(await statusOf(request, 'eos-bad'))}`,
  )
  assert.match(status.tasks[0].trace ?? '', /transaction\.boundary=connector/)
  await killHard(child)
  child = undefined
})
