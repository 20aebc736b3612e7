// Two workers, one group.id: the worker is a live member of Kafka's group coordinator under its group.id (protocol
// type `connect`), so a second worker of the same group.id is refused at start-up with a message naming the first,
// while the first keeps running; a worker that stopped cleanly left the group, so the next one starts at once.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { Connection, describeGroupsV5 } from '@platformatic/kafka'
import { GroupConflictError } from '../../../src/runtime/group-membership.ts'
import { testStack } from '../../support/stack.ts'
import { startTestWorker, type TestWorker, workerIdentity } from './helpers.ts'

const started: TestWorker[] = []
after(async () => {
  for (const worker of started) await worker.worker.stop()
})

async function start(groupId: string): Promise<TestWorker> {
  const identity = await workerIdentity('group')
  const worker = await startTestWorker({ ...identity, groupId })
  started.push(worker)
  return worker
}

async function groupMembers(groupId: string): Promise<{ state: string; protocolType: string; clients: string[] }> {
  const [host, port] = testStack().bootstrapServers.split(',')[0].split(':')
  const connection = new Connection('group-test')
  await connection.connect(host, Number(port))
  try {
    // A single broker is every group's coordinator (once it has loaded the group's __consumer_offsets partition).
    for (let attempt = 0; ; attempt++) {
      try {
        const { groups } = await describeGroupsV5.api.async(connection, [groupId], false)
        const group = groups[0]
        return {
          state: group.groupState,
          protocolType: group.protocolType,
          clients: group.members.map((m) => m.clientId),
        }
      } catch (error) {
        if (attempt > 40) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  } finally {
    await connection.close()
  }
}

describe('one live worker per group.id', () => {
  test('a second worker is refused naming the first; the first keeps running; after a clean stop a new one starts at once', async () => {
    const { groupId: gid } = await workerIdentity('group')
    const first = await start(gid)
    const members = await groupMembers(gid)
    assert.equal(members.state, 'Stable')
    assert.equal(members.protocolType, 'connect')
    assert.equal(members.clients.length, 1)

    const identity = await workerIdentity('group')
    const refusedAt = performance.now()
    await assert.rejects(startTestWorker({ ...identity, groupId: gid }), (error: unknown) => {
      assert.ok(error instanceof GroupConflictError, String(error))
      assert.match(error.message, new RegExp(`group\\.id '${gid}'`))
      assert.match(error.message, new RegExp(`client id '${members.clients[0]}'`))
      assert.ok(error.message.includes(first.url), `names the first worker's URL ${first.url}: ${error.message}`)
      assert.match(error.message, /another group\.id/)
      assert.match(error.message, /stop the other worker/)
      assert.match(error.message, /issue #11/)
      return true
    })
    console.log(`refused in ${(performance.now() - refusedAt).toFixed(0)} ms`)
    // The refused worker let go of its REST port; the first one still runs, alone in the group.
    await assert.rejects(fetch(`http://127.0.0.1:${identity.port}/`))
    const health = await first.request('GET', '/health')
    assert.equal(health.status, 200, health.text)
    assert.equal((await first.request('GET', '/connectors')).status, 200)
    assert.equal((await groupMembers(gid)).clients.length, 1)
    // Past Connect's 10 s session timeout the first worker is still the group's member: it heartbeats.
    await new Promise((resolve) => setTimeout(resolve, 11_000))
    assert.deepEqual(await groupMembers(gid), members)

    await first.worker.stop()
    assert.equal((await groupMembers(gid)).state, 'Empty', 'a stopped worker left the group')
    const startAt = performance.now()
    const next = await start(gid)
    const ms = performance.now() - startAt
    console.log(`next worker of the group started in ${ms.toFixed(0)} ms after the first stopped`)
    assert.ok(ms < 10_000, `started in ${ms} ms, less than a session timeout`)
    assert.equal((await next.request('GET', '/health')).status, 200)
    assert.equal((await groupMembers(gid)).clients.length, 1)
  })

  test('two workers starting at the same moment: exactly one runs, the other is refused', async () => {
    const { groupId } = await workerIdentity('group-race')
    const results = await Promise.allSettled([start(groupId), start(groupId)])
    const running = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected')
    assert.equal(running.length, 1, JSON.stringify(results.map((r) => r.status)))
    assert.equal(refused.length, 1)
    const reason = (refused[0] as PromiseRejectedResult).reason
    assert.ok(reason instanceof GroupConflictError, String(reason))
    assert.match(reason.message, new RegExp(`group\\.id '${groupId}'`))
    assert.equal((await groupMembers(groupId)).clients.length, 1)
  })
})
