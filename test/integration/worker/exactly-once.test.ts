// Exactly-once source delivery (KIP-618): a worker with exactly.once.source.support=enabled writes each poll's
// records and their offsets in one transaction of the task's own producer (transactional id
// `<group.id>-<connector>-<task>`). Killed with SIGKILL in the middle of a 100k-row copy and started again, a
// read_committed consumer sees every row exactly once: the cut transaction is aborted with its offsets, and the
// restarted task resumes from the last committed ones. (The same crash without it repeats rows: crash.test.ts.)
// Also the herder's preflight checks (exactly.once.support=required, transaction.boundary=connector) over REST.
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
  JDBC_CLASS,
  jdbcConfig,
  killHard,
  sql,
  startTestWorker,
  startWorkerProcess,
  statusOf,
  waitForState,
  workerIdentity,
} from './helpers.ts'

interface ConfigInfosBody {
  error_count: number
  configs: { value: { name: string; errors: string[] } }[]
}

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

test("preflight on an exactly-once worker: required passes for a connector that supports it, else Connect's errors on the keys", async () => {
  const worker = await startTestWorker(
    await workerIdentity('eos_preflight', { 'exactly.once.source.support': 'enabled' }),
  )
  try {
    const table = await createTable('eos_preflight')
    tables.push(table)
    const validate = (config: Record<string, string>) =>
      worker.request('PUT', `/connector-plugins/${JDBC_CLASS}/config/validate`, config)
    const errorsOf = (body: unknown, key: string) =>
      (body as ConfigInfosBody).configs.find((c) => c.value.name === key)?.value.errors ?? []

    const bulk = await validate({
      name: 'eos-bulk',
      ...jdbcConfig(table, { mode: 'bulk', 'exactly.once.support': 'required' }),
    })
    assert.equal(bulk.status, 200, bulk.text)
    assert.equal((bulk.body as ConfigInfosBody).error_count, 1)
    assert.deepEqual(errorsOf(bulk.body, 'exactly.once.support'), [
      'The connector does not support exactly-once semantics with the provided configuration.',
    ])
    const boundary = await validate({ name: 'eos-tb', ...jdbcConfig(table, { 'transaction.boundary': 'connector' }) })
    assert.deepEqual(errorsOf(boundary.body, 'transaction.boundary'), [
      'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.',
    ])
    // Create refuses the same configs with Connect's 400, naming the key; nothing is stored.
    const refused = await worker.request('POST', '/connectors', {
      name: 'eos-tb',
      config: jdbcConfig(table, { 'transaction.boundary': 'connector' }),
    })
    assert.equal(refused.status, 400, refused.text)
    assert.match(
      refused.text,
      /transaction\.boundary: The connector does not support connector-defined transaction boundaries/,
    )
    assert.equal((await worker.request('GET', '/connectors/eos-tb')).status, 404)

    // incrementing mode resumes exactly where its committed offset says: required passes, and the connector runs.
    await createConnector(worker.request, 'eos-required', jdbcConfig(table, { 'exactly.once.support': 'required' }))
    await waitForState(worker.request, 'eos-required', 'RUNNING')
  } finally {
    await worker.worker.stop()
  }
})

test("required on a worker without exactly-once source support: Connect's error on the key", async () => {
  const worker = await startTestWorker(await workerIdentity('eos_off'))
  try {
    const table = await createTable('eos_off')
    tables.push(table)
    const response = await worker.request('PUT', `/connector-plugins/${JDBC_CLASS}/config/validate`, {
      name: 'eos-off',
      ...jdbcConfig(table, { 'exactly.once.support': 'required' }),
    })
    const key = (response.body as ConfigInfosBody).configs.find((c) => c.value.name === 'exactly.once.support')
    assert.deepEqual(key?.value.errors, ['This worker does not have exactly-once source support enabled.'])
  } finally {
    await worker.worker.stop()
  }
})
