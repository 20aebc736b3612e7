// Workers sharing a group.id are members of one group on Kafka's group coordinator (protocol type `connect`, Connect's
// protocols and member metadata): a second worker joins beside the first instead of being refused, both serve REST,
// and a worker that stops cleanly leaves the group at once (no session timeout to wait). The group agrees on the
// newest protocol every member offers: `sessioned` by default, eager `default` while a worker set to eager is in it.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { Connection, describeGroupsV5 } from '@platformatic/kafka'
import { decodeMetadata } from '../../../src/runtime/connect-protocol.ts'
import { testStack } from '../../support/stack.ts'
import { eventually, startTestWorker, type TestWorker, workerIdentity } from './helpers.ts'

const started: TestWorker[] = []
after(async () => {
  for (const worker of started) await worker.worker.stop()
})

async function start(groupId: string, overrides: Record<string, string> = {}): Promise<TestWorker> {
  const identity = await workerIdentity('group', overrides)
  const worker = await startTestWorker({ ...identity, groupId })
  started.push(worker)
  return worker
}

/** `<leader_name> <connect_protocol>` from the worker's /metrics (each an info-style series of value 1). */
async function rebalanceInfo(worker: TestWorker): Promise<string> {
  const text = (await worker.request('GET', '/metrics')).text
  const label = (metric: string, name: string) =>
    new RegExp(`^kafka_connect_connect_worker_rebalance_metrics_${metric}\\{${name}="([^"]*)"\\} 1$`, 'm').exec(
      text,
    )?.[1]
  return `${label('leader_name', 'leader_name')} ${label('connect_protocol', 'connect_protocol')}`
}

interface GroupView {
  state: string
  protocolType: string
  protocol: string
  /** Each member's REST URL and config offset, from its Connect metadata, sorted by URL. */
  members: { url: string; configOffset: bigint }[]
}

async function describeGroup(groupId: string): Promise<GroupView> {
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
          protocol: group.protocolData,
          members: group.members
            .map((m) => decodeMetadata(m.memberMetadata))
            .map(({ url, configOffset }) => ({ url, configOffset }))
            .sort((a, b) => a.url.localeCompare(b.url)),
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

const stableWith = (groupId: string, count: number) =>
  eventually(
    async () => {
      const view = await describeGroup(groupId)
      return view.state === 'Stable' && view.members.length === count ? view : undefined
    },
    async () =>
      `group ${groupId} never Stable with ${count} members: ${JSON.stringify(await describeGroup(groupId), (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
  )

describe('workers sharing a group.id', () => {
  test('a second worker joins the first; both answer; a clean stop leaves the group at once', async () => {
    const { groupId } = await workerIdentity('group')
    const first = await start(groupId)
    const alone = await stableWith(groupId, 1)
    assert.equal(alone.protocolType, 'connect')
    assert.equal(alone.protocol, 'sessioned', "Connect's default connect.protocol")
    assert.deepEqual(
      alone.members.map((m) => m.url),
      [`http://${first.worker.workerId}`],
      "the member's metadata carries its advertised REST URL",
    )

    const second = await start(groupId)
    const both = await stableWith(groupId, 2)
    assert.equal(both.protocol, 'sessioned')
    assert.equal(new Set(both.members.map((m) => m.url)).size, 2, 'two members, each with its own REST URL')
    for (const worker of [first, second]) {
      assert.equal((await worker.request('GET', '/health')).status, 200)
      assert.equal((await worker.request('GET', '/connectors')).status, 200)
    }
    // Past Connect's 10 s session timeout both are still members: they heartbeat.
    await new Promise((resolve) => setTimeout(resolve, 11_000))
    assert.equal((await describeGroup(groupId)).members.length, 2)

    const stopAt = performance.now()
    await first.worker.stop()
    await stableWith(groupId, 1)
    const ms = performance.now() - stopAt
    console.log(`the group was back to one member ${ms.toFixed(0)} ms after a clean stop`)
    assert.ok(ms < 10_000, `${ms} ms: the stopped worker left rather than timing out`)
    assert.equal((await second.request('GET', '/health')).status, 200)
  })

  test('a worker set to connect.protocol=eager joins a sessioned group: the group runs eager until it leaves', async () => {
    const { groupId } = await workerIdentity('group-mixed')
    const cooperative = await start(groupId)
    assert.equal((await stableWith(groupId, 1)).protocol, 'sessioned')
    const eager = await start(groupId, { 'connect.protocol': 'eager' })
    assert.equal((await stableWith(groupId, 2)).protocol, 'default', 'the only protocol both offer')
    for (const worker of [cooperative, eager]) assert.equal((await worker.request('GET', '/health')).status, 200)
    await eager.worker.stop()
    started.splice(started.indexOf(eager), 1)
    await eventually(
      async () => {
        const view = await describeGroup(groupId)
        return view.state === 'Stable' && view.protocol === 'sessioned' ? view : undefined
      },
      async () => `never back on sessioned: ${JSON.stringify((await describeGroup(groupId)).protocol)}`,
    )
    assert.equal((await cooperative.request('GET', '/connectors')).status, 200)
  })

  test("each worker's rebalance metrics name the group's leader and protocol, the same on both", async () => {
    const { groupId } = await workerIdentity('group-leader')
    const first = await start(groupId)
    const second = await start(groupId)
    const both = await stableWith(groupId, 2)
    const expected = { default: 'EAGER', compatible: 'COMPATIBLE', sessioned: 'SESSIONED' }[both.protocol]
    assert.ok(expected, `protocol ${both.protocol}`)
    const reported = await eventually(
      async () => {
        const views = await Promise.all([first, second].map(rebalanceInfo))
        return views.every((v) => v === views[0] && v.endsWith(` ${expected}`)) ? views[0] : undefined
      },
      async () => `rebalance info: ${JSON.stringify(await Promise.all([first, second].map(rebalanceInfo)))}`,
    )
    assert.ok(
      both.members.some((m) => reported === `${m.url} ${expected}`),
      `${reported}: the leader is one of the members`,
    )
  })

  test('two workers starting at the same moment: both join one group', async () => {
    const { groupId } = await workerIdentity('group-race')
    const results = await Promise.allSettled([start(groupId), start(groupId)])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
      JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))),
    )
    const view = await stableWith(groupId, 2)
    assert.equal(view.protocolType, 'connect')
  })
})
