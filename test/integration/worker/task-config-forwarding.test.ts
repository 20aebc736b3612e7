// Two flowscope workers in one group on Connect's default `sessioned` protocol: internal request validation is on,
// and the leader wrote the group's session key at its first assignment. A connector running on the follower does
// not write its task configs itself but POSTs them to the leader, signed with the session key, and its tasks run.
// The internal endpoint refuses an altered request on either worker (403) and an unsigned one (400), and a follower
// passes a correctly signed one on to the leader with its signature intact.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { freePort } from '../../../src/local/ports.ts'
import { signatureHeaders } from '../../../src/runtime/request-signature.ts'
import type { ConfigStore } from '../../../src/storage/config-store.ts'
import { openConfigTopicView } from '../../support/config-topic-view.ts'
import { uniqueName } from '../../support/stack.ts'
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
  const view = await openConfigTopicView(`${groupId}-configs`, 'forwarding-test')
  cleanups.push(() => view.stop())
  return view.store
}

async function post(worker: TestWorker, name: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${worker.url}${path(name, '/tasks')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, text: await response.text() }
}

test("a follower's task configs reach the config topic only through the leader, signed with the session key", async () => {
  const groupId = uniqueName('signed')
  for (const port of [await freePort(), await freePort()]) {
    workers.push(await startTestWorker({ groupId, port, overrides: {} }))
  }
  const leader = workers.find((w) => w.worker.herder.isLeader())
  const follower = workers.find((w) => !w.worker.herder.isLeader())
  assert.ok(leader && follower, 'one leader, one follower')
  // The group runs `sessioned`: both check signatures, and the leader distributed a key as it took its assignment.
  for (const w of workers) assert.equal(w.worker.herder.requestValidationEnabled(), true)
  const store = await configView(groupId)
  const key = await eventually(
    async () => {
      await store.readToEnd()
      return store.sessionKey()
    },
    () => 'no session key in the config topic',
  )
  assert.equal(key.algorithm, 'HmacSHA256')
  assert.equal(await leader.worker.herder.ensureSessionKey(), false, 'the current key is kept')
  assert.equal(await follower.worker.herder.ensureSessionKey(), false, 'a follower never writes one')

  // The assignor gives a lone connector to one member, and a second one to the least loaded, the other: at most two
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

  const status = await waitForState(leader.request, onFollower, 'RUNNING', 'RUNNING', 30_000)
  assert.equal(status.tasks.length, 1)
  assert.equal(status.connector.worker_id, follower.worker.workerId)

  // The internal endpoint itself, on both workers, with the key the leader wrote.
  await store.readToEnd()
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
