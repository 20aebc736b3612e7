// KIP-618 zombie fencing by the group's leader, on the test broker: two workers of one group with
// exactly.once.source.support=enabled run an exactly-once JDBC connector with two tasks. A producer opened on the old
// task 1's transactional id — a zombie of that task, with a record in an open transaction — can no longer commit once
// tasks.max goes 2 → 1: before the new generation's task starts, the leader fences out the ids of every task of the
// previous generation and writes Connect's task-count record to the config topic. Also the internal
// `PUT /connectors/<name>/fence` endpoint under the group's `sessioned` protocol: signed with the session key, 204 on
// the leader and forwarded there by a follower; unsigned 400, a wrong signature 403.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { freePort } from '../../../src/local/ports.ts'
import { RecordProducer } from '../../../src/produce/record-producer.ts'
import { taskTransactionalId } from '../../../src/runtime/exactly-once.ts'
import { LeaderRequestError, putFence } from '../../../src/runtime/leader-client.ts'
import type { SessionKey } from '../../../src/runtime/request-signature.ts'
import { openConfigTopicView } from '../../support/config-topic-view.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  jdbcConfig,
  path,
  type StatusBody,
  sql,
  startTestWorker,
  statusOf,
  type TestWorker,
} from './helpers.ts'

const run = promisify(execFile)
const tables: string[] = []
const workers: TestWorker[] = []
const producers: RecordProducer[] = []

after(async () => {
  for (const producer of producers) await producer.close()
  for (const worker of workers) await worker.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

const EXACTLY_ONCE = { 'exactly.once.source.support': 'enabled' }

/** Every record of a topic as `key\tvalue` (kcat), read with the given isolation level. */
async function records(topic: string, isolation = 'read_uncommitted'): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    [
      ...['-b', testStack().bootstrapServers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'],
      ...['-X', `isolation.level=${isolation}`, '-f', '%k\t%s\n'],
    ],
    { timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
  )
  return stdout.split('\n').filter(Boolean)
}

/** The values of the connector's task-count records in the config topic, in order. */
async function taskCountRecords(groupId: string, connector: string): Promise<string[]> {
  const key = `tasks-fencing-${connector}\t`
  return (await records(`${groupId}-configs`)).filter((r) => r.startsWith(key)).map((r) => r.slice(key.length))
}

/** The Kafka error codes (by name) in a client error and the errors it aggregates. */
function kafkaErrors(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return []
  const own = (error as { apiId?: unknown }).apiId
  const nested = (error as { errors?: unknown }).errors
  return [...(typeof own === 'string' ? [own] : []), ...(Array.isArray(nested) ? nested.flatMap(kafkaErrors) : [])]
}

/** The group's session key, as a third reader of its config topic sees it (the leader wrote it). */
async function sessionKeyOf(groupId: string): Promise<SessionKey> {
  const view = await openConfigTopicView(`${groupId}-configs`, 'fencing-test')
  try {
    await view.store.readToEnd()
    const key = view.store.sessionKey()
    assert.ok(key, 'the leader wrote a session key')
    return key
  } finally {
    await view.stop()
  }
}

function zombieProducer(transactionalId: string): RecordProducer {
  const producer = new RecordProducer({
    bootstrapServers: testStack().bootstrapServers.split(','),
    clientId: 'zombie-task',
    overrides: {},
    metrics: { recordSend() {}, recordErrors() {}, recordRetries() {}, requestsInFlight() {} },
    transactionalId,
  })
  producers.push(producer)
  return producer
}

test('tasks.max 2 → 1 on an exactly-once connector: the old task 1 producer is fenced, the task-count record written, the fence endpoint answers 204', async () => {
  const groupId = uniqueName('fencing')
  const overrides = { ...EXACTLY_ONCE, 'scheduled.rebalance.max.delay.ms': '0' }
  workers.push(await startTestWorker({ groupId, port: await freePort(), overrides }))
  workers.push(await startTestWorker({ groupId, port: await freePort(), overrides }))
  const leader = workers.find((w) => w.worker.herder.isLeader())
  const follower = workers.find((w) => !w.worker.herder.isLeader())
  assert.ok(leader && follower, 'one leader, one follower')

  const [t1, t2] = [await createTable('fence_a'), await createTable('fence_b')]
  tables.push(t1, t2)
  const name = 'eos-fenced'
  const prefix = `${groupId}-`
  const config = jdbcConfig(t1, { 'table.whitelist': `${t1},${t2}`, 'topic.prefix': prefix, 'tasks.max': '2' })
  await createConnector(follower.request, name, config)
  let status: StatusBody | undefined
  const running = (tasks: number) => async () => {
    status = await statusOf(leader.request, name)
    return status.tasks.length === tasks && status.tasks.every((t) => t.state === 'RUNNING') ? true : undefined
  }
  await eventually(running(2), () => `not 2 tasks RUNNING: ${JSON.stringify(status)}`, 60_000)
  // One task on each worker: the follower's passed its preflight by asking the leader over REST.
  assert.deepEqual(
    new Set(status?.tasks.map((t) => t.worker_id)),
    new Set([leader.worker.workerId, follower.worker.workerId]),
    JSON.stringify(status),
  )
  // The first generation: nothing to fence (no task-count record yet), but the count is recorded.
  await eventually(
    async () => ((await taskCountRecords(groupId, name)).length > 0 ? true : undefined),
    () => 'no task-count record after the first start',
    30_000,
  )
  assert.deepEqual(await taskCountRecords(groupId, name), ['{"task-count":2}'])

  // A zombie of task 1: the latest producer of its id, with a record in an open transaction.
  const zombie = zombieProducer(taskTransactionalId(groupId, name, 1))
  await zombie.beginTransaction()
  const topic = `${prefix}${t2}`
  await zombie.send([{ topic, key: null, value: Buffer.from('{"zombie":true}') }])

  const updated = await follower.request('PUT', path(name, '/config'), { ...config, 'tasks.max': '1' })
  assert.equal(updated.status, 200, updated.text)
  await eventually(
    async () => ((await taskCountRecords(groupId, name)).length >= 2 ? true : undefined),
    async () => `task-count records: ${await taskCountRecords(groupId, name)}`,
    60_000,
  )
  assert.deepEqual(await taskCountRecords(groupId, name), ['{"task-count":2}', '{"task-count":1}'])
  await eventually(running(1), () => `not 1 task RUNNING: ${JSON.stringify(status)}`, 60_000)

  await assert.rejects(zombie.commitTransaction(), (error: unknown) => {
    assert.deepEqual(kafkaErrors(error), ['PRODUCER_FENCED'], String(error))
    return true
  })
  // Its record was written, and aborted by the fencing: read_committed never sees it.
  assert.ok((await records(topic)).some((r) => r.endsWith('{"zombie":true}')))
  assert.ok(!(await records(topic, 'read_committed')).some((r) => r.endsWith('{"zombie":true}')))

  // A producer of an id no task generation used commits as usual: the failure above is the fencing.
  const unrelated = zombieProducer(`${groupId}-unrelated`)
  await unrelated.beginTransaction()
  await unrelated.send([{ topic, key: null, value: Buffer.from('{"unrelated":true}') }])
  await unrelated.commitTransaction()

  // The internal endpoint, signed with the group's session key as the workers sign it (the group runs `sessioned`):
  // 204 on the leader, and on the follower, which passes it on to the leader; unsigned 400, a wrong key 403, an
  // unknown connector 404.
  const key = await sessionKeyOf(groupId)
  const fence = (worker: TestWorker, connector: string, sessionKey = key) =>
    putFence({ leaderUrl: worker.url, connector, sessionKey, signatureAlgorithm: 'HmacSHA256' })
  await fence(leader, name)
  await fence(follower, name)
  const unsigned = await leader.request('PUT', path(name, '/fence'))
  assert.equal(unsigned.status, 400, unsigned.text)
  assert.equal((unsigned.body as { message: string }).message, 'Internal request missing required signature')
  const answers = async (request: Promise<void>) =>
    request.then(
      () => 'resolved',
      (error: unknown) => `${error instanceof LeaderRequestError ? error.statusCode : '?'} ${(error as Error).message}`,
    )
  assert.equal(
    await answers(fence(leader, name, { ...key, key: Buffer.alloc(key.key.length, 7) })),
    '403 Internal request contained invalid signature.',
  )
  assert.equal(await answers(fence(leader, 'no-such-connector')), '404 Connector no-such-connector not found')
  // Nothing was pending, so neither request fenced or wrote anything more.
  assert.deepEqual(await taskCountRecords(groupId, name), ['{"task-count":2}', '{"task-count":1}'])
})
