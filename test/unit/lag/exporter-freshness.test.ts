// The exporter's freshness and state-file handling over scripted snapshots: the gauge follows each poll, the sampled
// histogram keeps its series while the group reads the topic (even through a poll without a sample) and drops them
// with the group; a saved table seeds only a topic with the same id.
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { LagExporter } from '../../../src/lag/exporter.ts'
import { LagMetrics } from '../../../src/lag/metrics.ts'
import { type ClusterSnapshot, recordKey } from '../../../src/lag/poller.ts'
import { saveTables } from '../../../src/lag/state-file.ts'
import { getLogger } from '../../../src/logging.ts'

const T0 = 1_700_000_000_000

function snapshot(
  timeMs: number,
  o: { latest: bigint; committed?: bigint; sourceMs?: number; topicId?: string; fetches?: number },
): ClusterSnapshot {
  const records = new Map()
  if (o.committed !== undefined && o.sourceMs !== undefined) {
    const at = o.committed >= o.latest ? o.latest - 1n : o.committed
    records.set(recordKey('t', 0, at), {
      offset: at,
      timestampMs: timeMs,
      source: { timestampMs: o.sourceMs, basis: 'change' },
    })
  }
  return {
    timeMs,
    pollMs: 1,
    brokers: 1,
    topics: new Map([
      ['t', { name: 't', id: o.topicId ?? 'id-1', partitions: [{ earliest: 0n, latest: o.latest, leader: 1 }] }],
    ]),
    groups:
      o.committed === undefined
        ? new Map()
        : new Map([
            [
              'g',
              {
                id: 'g',
                state: 'Empty',
                protocolType: '',
                members: [],
                owners: new Map(),
                commits: new Map([['t', new Map([[0, o.committed]])]]),
              },
            ],
          ]),
    records,
    fetches: o.fetches ?? 0,
    budgetSkipped: 0,
  }
}

function scripted(steps: ClusterSnapshot[], stateFile?: string) {
  const metrics = new LagMetrics('c')
  const log = Object.assign(Object.create(getLogger('flowscope.lag.unit')), { info: () => {}, warn: () => {} })
  const exporter = new LagExporter({
    poller: {
      async poll() {
        const step = steps.shift()
        if (!step) throw new Error('script exhausted')
        return step
      },
      async close() {},
    },
    pollIntervalMs: 1000,
    describeCluster: 'b:9092',
    log,
    onPoll: (view, health) => metrics.update(view, health, health.up),
    stateFile,
  })
  const lines = async (name: string) =>
    (await metrics.render()).body.split('\n').filter((l) => l.startsWith(`${name}{`))
  return { exporter, lines }
}

test('freshness gauge per poll; the sampled histogram survives a poll without a sample and goes with the group', async () => {
  const { exporter, lines } = scripted([
    snapshot(T0, { latest: 10n, committed: 4n, sourceMs: T0 - 90_000 }),
    snapshot(T0 + 5000, { latest: 10n, committed: 10n, sourceMs: T0 - 2000 }),
    // The record was not read this time (budget): no gauge, the histogram series stays.
    snapshot(T0 + 10_000, { latest: 12n, committed: 10n }),
    // The group is gone.
    snapshot(T0 + 15_000, { latest: 12n }),
  ])
  const gauge = 'flowscope_consumergroup_freshness_seconds'
  const count = 'flowscope_consumergroup_freshness_sampled_seconds_count'
  await exporter.pollOnce()
  assert.deepEqual(await lines(gauge), [
    `${gauge}{cluster_name="c",group="g",topic="t",partition="0",basis="change"} 90`,
  ])
  await exporter.pollOnce()
  // Caught up: from the last consumed record, changed at T0 − 2 s, 7 s before this poll.
  assert.deepEqual(await lines(gauge), [
    `${gauge}{cluster_name="c",group="g",topic="t",partition="0",basis="change"} 7`,
  ])
  assert.deepEqual(await lines(count), [`${count}{cluster_name="c",group="g",topic="t",basis="change"} 2`])
  await exporter.pollOnce()
  assert.deepEqual(await lines(gauge), [])
  assert.deepEqual(await lines(count), [`${count}{cluster_name="c",group="g",topic="t",basis="change"} 2`])
  await exporter.pollOnce()
  assert.deepEqual(await lines(count), [])
})

test('a saved table seeds the same topic (same id) at the first poll, not a topic recreated under its name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lag-state-'))
  const stateFile = join(dir, 'state.json')
  const points = [
    { offset: 0n, timeMs: T0 - 20_000 },
    { offset: 100n, timeMs: T0 - 10_000 },
  ]
  await saveTables(stateFile, [{ topic: 't', topicId: 'id-1', partition: 0, points }], T0)
  const same = scripted([snapshot(T0, { latest: 100n, committed: 50n })], stateFile)
  await same.exporter.pollOnce()
  // Record 50 was written when the log end passed 51: 14.9 s before T0 by the saved table.
  assert.deepEqual(await same.lines('kafka_consumergroup_group_lag_seconds'), [
    'kafka_consumergroup_group_lag_seconds{cluster_name="c",group="g",topic="t",partition="0",member_host="",consumer_id="",client_id="",method="interpolated"} 14.9',
  ])
  assert.deepEqual(
    same.exporter.savedTables().map((t) => t.points.length),
    [3],
  )
  const recreated = scripted([snapshot(T0, { latest: 100n, committed: 50n, topicId: 'id-2' })], stateFile)
  await recreated.exporter.pollOnce()
  assert.deepEqual(await recreated.lines('kafka_consumergroup_group_lag_seconds'), [])
})
