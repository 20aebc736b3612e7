// LagExporter's memory across polls, fed scripted cluster snapshots (the admin reads themselves are tested against
// the real broker in test/integration/lag/): a failed poll keeps the last values marked stale and logs once; the
// next success clears it; interpolation takes over when no record was read.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LagExporter } from '../../../src/lag/exporter.ts'
import { LagMetrics } from '../../../src/lag/metrics.ts'
import type { ClusterSnapshot, GroupSnapshot } from '../../../src/lag/poller.ts'
import { getLogger } from '../../../src/logging.ts'

const T0 = 1_700_000_000_000

function snapshot(timeMs: number, latest: bigint, committed: bigint): ClusterSnapshot {
  const group: GroupSnapshot = {
    id: 'g',
    state: 'Empty',
    protocolType: '',
    members: [],
    owners: new Map(),
    commits: new Map([['t', new Map([[0, committed]])]]),
  }
  return {
    timeMs,
    pollMs: 3,
    brokers: 1,
    topics: new Map([['t', { name: 't', id: 'id', partitions: [{ earliest: 0n, latest, leader: 1 }] }]]),
    groups: new Map([['g', group]]),
    records: new Map(),
    fetches: 0,
    budgetSkipped: 1,
  }
}

function scripted(steps: (ClusterSnapshot | Error)[]) {
  const messages: string[] = []
  const log = getLogger('flowscope.lag.unit')
  const capture = (message: string) => void messages.push(message)
  const logger = Object.assign(Object.create(log), { error: capture, info: capture, warn: capture })
  const metrics = new LagMetrics('c')
  const exporter = new LagExporter({
    poller: {
      async poll() {
        const step = steps.shift()
        if (!step) throw new Error('script exhausted')
        if (step instanceof Error) throw step
        return step
      },
      async close() {},
    },
    pollIntervalMs: 1000,
    describeCluster: 'b:9092',
    log: logger,
    onPoll: (view, health) => metrics.update(view, health, health.up),
  })
  return { exporter, metrics, messages }
}

async function value(metrics: LagMetrics, name: string): Promise<string[]> {
  const { body } = await metrics.render()
  return body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
}

test('interpolated seconds from the table when no record was read; stale values kept on failure, one log line', async () => {
  const { exporter, metrics, messages } = scripted([
    snapshot(T0, 0n, 0n),
    snapshot(T0 + 10_000, 100n, 0n),
    snapshot(T0 + 20_000, 100n, 49n),
    new Error('Connection to b:9092 failed.'),
    new Error('Connection to b:9092 failed.'),
    snapshot(T0 + 50_000, 100n, 100n),
  ])
  await exporter.pollOnce()
  await exporter.pollOnce()
  await exporter.pollOnce()
  // Record 49 was written when the log end passed 50: T0 + 5 s by the table (0 at T0, 100 at T0 + 10 s).
  assert.deepEqual(await value(metrics, 'kafka_consumergroup_group_lag_seconds'), [
    'kafka_consumergroup_group_lag_seconds{cluster_name="c",group="g",topic="t",partition="0",member_host="",consumer_id="",client_id="",method="interpolated"} 15',
  ])
  assert.equal(await exporter.pollOnce(), false)
  assert.equal(await exporter.pollOnce(), false)
  assert.deepEqual(await value(metrics, 'flowscope_lag_exporter_up'), ['flowscope_lag_exporter_up{cluster_name="c"} 0'])
  assert.equal((await value(metrics, 'kafka_consumergroup_group_lag'))[0]?.endsWith(' 51'), true, 'last value kept')
  assert.deepEqual(await value(metrics, 'flowscope_lag_exporter_last_success_timestamp_seconds'), [
    `flowscope_lag_exporter_last_success_timestamp_seconds{cluster_name="c"} ${(T0 + 20_000) / 1000}`,
  ])
  assert.deepEqual(await value(metrics, 'flowscope_lag_exporter_poll_errors_total'), [
    'flowscope_lag_exporter_poll_errors_total{cluster_name="c"} 2',
  ])
  assert.equal(messages.length, 1, messages.join('\n'))
  assert.match(
    messages[0],
    /cannot reach Kafka at b:9092 \(Connection to b:9092 failed\.\); serving the values of .* as stale/,
  )
  assert.equal(await exporter.pollOnce(), true)
  assert.deepEqual(await value(metrics, 'flowscope_lag_exporter_up'), ['flowscope_lag_exporter_up{cluster_name="c"} 1'])
  assert.equal((await value(metrics, 'kafka_consumergroup_group_lag'))[0]?.endsWith(' 0'), true)
  assert.equal(messages.length, 2)
  assert.match(messages[1], /reached Kafka at b:9092 again/)
  // Consumed 51 offsets in 30 s while the lag went to 0: ETA 0, rate known.
  assert.deepEqual(await value(metrics, 'flowscope_consumergroup_drain_eta_seconds'), [
    'flowscope_consumergroup_drain_eta_seconds{cluster_name="c",group="g"} 0',
  ])
})
