// Two flowscope workers in one group with internal request validation on (as once the group agrees on `sessioned`):
// a connector running on the follower does not write its task configs itself but POSTs them to the leader, signed
// with the session key. Before the leader has written a key the leader refuses them (unsigned: 400) and the follower
// retries on its backoff; once the leader writes a key (ensureSessionKey) the next attempt is accepted and the tasks
// run. The internal endpoint refuses an altered request on either worker (403), and a follower passes a correctly
// signed one on to the leader with its signature intact.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Producer } from '@platformatic/kafka'
import { freePort } from '../../../src/local/ports.ts'
import { signatureHeaders } from '../../../src/runtime/request-signature.ts'
import { ConfigStore } from '../../../src/storage/config-store.ts'
import { KafkaLog } from '../../../src/storage/kafka-log.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  jdbcConfig,
  path,
  sql,
  startTestWorker,
  statusOf,
  type TestWorker,
  waitForState,
} from './helpers.ts'

const workers: TestWorker[] = []
const tables: string[] = []
const cleanups: (() => Promise<void>)[] = []

after(async () => {
  for (const cleanup of cleanups) await cleanup()
  for (const worker of workers) await worker.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

/** The group's config topic as a third reader sees it (the session key the leader wrote). */
async function configView(groupId: string): Promise<ConfigStore> {
  const store = new ConfigStore()
  const producer = new Producer({ clientId: 'forwarding-test', bootstrapBrokers: [testStack().bootstrapServers] })
  const log = new KafkaLog({
    topic: `${groupId}-configs`,
    bootstrapServers: [testStack().bootstrapServers],
    clientId: 'forwarding-test',
    producer,
    partitions: 1,
    onRecord: (key, value, _partition, offset) => store.apply(key, value, offset),
  })
  store.attach(log)
  await log.start()
  cleanups.push(async () => {
    await log.stop()
    await producer.close()
  })
  return store
}

async function post(worker: TestWorker, name: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${worker.url}${path(name, '/tasks')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, text: await response.text() }
}

const taskCount = async (worker: TestWorker, name: string) =>
  ((await worker.request('GET', path(name, '/tasks'))).body as unknown[]).length

test("a follower's task configs reach the config topic only through the leader, signed with the session key", async () => {
  const groupId = uniqueName('signed')
  for (const port of [await freePort(), await freePort()]) {
    workers.push(await startTestWorker({ groupId, port, overrides: {} }))
  }
  const leader = workers.find((w) => w.worker.herder.isLeader())
  const follower = workers.find((w) => !w.worker.herder.isLeader())
  assert.ok(leader && follower, 'one leader, one follower')
  // What the rebalance path does once the group runs `sessioned`; the leader has not written a key yet.
  for (const w of workers) w.worker.herder.setRequestValidation(true)

  // The eager assignor gives a lone connector to the first member, and a second one to the other member: at most two
  // connectors until one is first started on the follower.
  let onFollower: string | undefined
  for (let i = 0; i < 2 && onFollower === undefined; i++) {
    const table = await createTable(`signed_t${i}`)
    tables.push(table)
    const name = `${groupId}-c${i}`
    await createConnector(leader.request, name, jdbcConfig(table))
    const status = await eventually(
      async () => {
        const response = await leader.request('GET', path(name, '/status'))
        const body = response.body as { connector?: { state: string; worker_id: string } }
        return response.status === 200 && body.connector?.state === 'RUNNING' ? body : undefined
      },
      () => `${name} not RUNNING`,
      30_000,
    )
    if (status.connector?.worker_id === follower.worker.workerId) onFollower = name
  }
  assert.ok(onFollower, 'a connector was started on the follower')

  // No session key yet: the follower's unsigned POST is refused (400) and retried; nothing is written meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  assert.equal(await taskCount(leader, onFollower), 0, 'the follower did not write its task configs itself')

  assert.equal(await leader.worker.herder.ensureSessionKey(), true, 'the leader writes the first key')
  assert.equal(await follower.worker.herder.ensureSessionKey(), false, 'a follower never writes one')
  const status = await waitForState(leader.request, onFollower, 'RUNNING', 'RUNNING', 30_000)
  assert.equal(status.tasks.length, 1)
  assert.equal(status.connector.worker_id, follower.worker.workerId)

  // The internal endpoint itself, on both workers, with the key the leader wrote.
  const store = await configView(groupId)
  const key = await eventually(
    async () => {
      await store.readToEnd()
      return store.sessionKey()
    },
    () => 'no session key in the config topic',
  )
  const stored = store.taskConfigs(onFollower)
  assert.equal(stored.length, 1)
  const body = JSON.stringify(stored)
  const altered = JSON.stringify([{ ...stored[0], 'poll.interval.ms': '1' }])
  for (const worker of [leader, follower]) {
    const refused = await post(worker, onFollower, altered, signatureHeaders(body, key.key, 'HmacSHA256'))
    assert.equal(refused.status, 403, refused.text)
    assert.deepEqual(JSON.parse(refused.text), {
      error_code: 403,
      message: 'Internal request contained invalid signature.',
    })
    const unsigned = await post(worker, onFollower, body, {})
    assert.equal(unsigned.status, 400, unsigned.text)
  }
  // Signed correctly, sent to the follower: passed on to the leader with its signature, and written.
  const accepted = await post(follower, onFollower, body, signatureHeaders(body, key.key, 'HmacSHA256'))
  assert.equal(accepted.status, 204, accepted.text)
  const after = await statusOf(leader.request, onFollower)
  assert.equal(after.tasks.length, 1)
})
