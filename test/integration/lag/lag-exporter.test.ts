// The lag exporter against the real broker: records with known timestamps, groups committed behind, at and past the
// end, below the log start, a topic deleted under a group, a group that goes away and one that never committed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import { testStack, uniqueName } from '../../support/stack.ts'
import { commitOffset, find, one, type RunningExporter, startExporter } from './helpers.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const admin = new Admin({ clientId: 'lag-exporter-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'lag-exporter-test', bootstrapBrokers, acks: -1 })
const prefix = uniqueName('lagx')
let exporter: RunningExporter

/** Record i of a topic was written "at" BASE + i seconds. */
const RECORDS = 20
const BASE = Date.now() - 600_000

async function topicWithRecords(name: string): Promise<string> {
  const topic = `${prefix}_${name}`
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  await producer.send({
    messages: Array.from({ length: RECORDS }, (_, i) => ({
      topic,
      partition: 0,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      timestamp: BigInt(BASE + i * 1000),
    })),
  })
  return topic
}

/** Commits `offset` on partition 0 of `topic` for group `<prefix>_<group>`, with no member; returns the group id. */
const commit = (group: string, topic: string, offset: bigint) =>
  commitOffset(admin, `${prefix}_${group}`, topic, offset)

before(async () => {
  exporter = await startExporter({ bootstrapServers: bootstrapBrokers, groupAllow: new RegExp(`^${prefix}`) })
})
after(async () => {
  await exporter.stop()
  await producer.close()
  await admin.close()
})

test('a group 15 records behind: lag in offsets and, from the record timestamp, in seconds', async () => {
  const topic = await topicWithRecords('behind')
  const group = await commit('behind', topic, 5n)
  const before = Date.now()
  assert.equal(await exporter.poll(), true)
  const after = Date.now()
  const m = await exporter.scrape()
  const p = { cluster_name: 'local', group, topic, partition: 0 }
  assert.equal(one(m, 'kafka_consumergroup_group_lag', p).value, 15)
  assert.equal(one(m, 'kafka_consumergroup_group_offset', p).value, 5)
  const seconds = one(m, 'kafka_consumergroup_group_lag_seconds', { ...p, method: 'record_ts' }).value
  // The first unconsumed record (offset 5) was written at BASE + 5 s; the poll ran between `before` and `after`.
  const written = BASE + 5000
  assert.ok(seconds >= (before - written) / 1000 - 0.001 && seconds <= (after - written) / 1000 + 0.001, `${seconds}`)
  assert.equal(one(m, 'flowscope_consumergroup_lag_quality', p).labels.quality, 'exact')
  assert.equal(one(m, 'kafka_consumergroup_group_max_lag', { group, is_simple_consumer: 'true' }).value, 15)
  assert.equal(one(m, 'kafka_consumergroup_group_max_lag_seconds', { group }).value, seconds)
  assert.equal(one(m, 'kafka_consumergroup_group_sum_lag', { group }).value, 15)
  assert.equal(one(m, 'kafka_consumergroup_group_topic_sum_lag', { group, topic }).value, 15)
  assert.equal(one(m, 'kafka_partition_latest_offset', { topic, partition: 0 }).value, RECORDS)
  assert.equal(one(m, 'kafka_partition_earliest_offset', { topic, partition: 0 }).value, 0)
  // kafka_exporter's names and labels.
  assert.equal(one(m, 'kafka_consumergroup_lag', { consumergroup: group, topic, partition: 0 }).value, 15)
  assert.equal(one(m, 'kafka_consumergroup_current_offset', { consumergroup: group, topic, partition: 0 }).value, 5)
  assert.equal(one(m, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic }).value, 15)
  assert.equal(one(m, 'kafka_consumergroup_members', { consumergroup: group }).value, 0)
  assert.equal(one(m, 'kafka_topic_partition_current_offset', { topic, partition: 0 }).value, RECORDS)
  assert.equal(one(m, 'kafka_topic_partition_oldest_offset', { topic, partition: 0 }).value, 0)
  assert.equal(one(m, 'kafka_topic_partitions', { topic }).value, 1)
  assert.ok(one(m, 'kafka_brokers').value >= 1)
  assert.equal(one(m, 'flowscope_lag_exporter_up').value, 1)
  // No consumption seen: no rate, so no drain ETA (rather than a made-up one).
  assert.equal(find(m, 'flowscope_consumergroup_drain_eta_seconds', { group }).length, 0)
})

test('a caught-up group: 0 offsets, 0 seconds, ETA 0, Burrow OK; the lagging, idle one turns STOP (ERR)', async () => {
  const topic = await topicWithRecords('caught_up')
  const done = await commit('caught_up', topic, BigInt(RECORDS))
  const idle = await commit('idle', topic, 2n)
  assert.equal(await exporter.poll(), true)
  assert.equal(await exporter.poll(), true)
  const m = await exporter.scrape()
  const p = { group: done, topic, partition: 0 }
  assert.equal(one(m, 'kafka_consumergroup_group_lag', p).value, 0)
  assert.equal(one(m, 'kafka_consumergroup_group_lag_seconds', p).value, 0)
  assert.equal(one(m, 'kafka_consumergroup_group_max_lag_seconds', { group: done }).value, 0)
  assert.equal(one(m, 'flowscope_consumergroup_drain_eta_seconds', { group: done }).value, 0)
  assert.equal(one(m, 'flowscope_consumergroup_status', { group: done }).labels.status, 'OK')
  assert.equal(one(m, 'flowscope_consumergroup_status', { group: idle }).labels.status, 'ERR')
  assert.equal(one(m, 'flowscope_consumergroup_partition_status', { group: idle, topic }).labels.status, 'STOP')
  assert.ok(
    m.every((s) => !Number.isNaN(s.value)),
    'no NaN anywhere',
  )

  const list = await exporter.get('/v3/kafka/local/consumer')
  assert.equal(list.status, 200)
  const consumers = (list.body as { consumers: string[] }).consumers
  assert.ok(consumers.includes(done) && consumers.includes(idle), consumers.join(','))

  const ok = await exporter.get(`/v3/kafka/local/consumer/${done}/status`)
  assert.equal(ok.status, 200)
  const okStatus = (ok.body as { error: boolean; status: Record<string, unknown> }).status
  assert.equal(okStatus.status, 'OK')
  assert.equal(okStatus.totallag, 0)
  assert.deepEqual(okStatus.partitions, [])
  assert.equal(okStatus.partition_count, 1)

  const stopped = await exporter.get(`/v3/kafka/local/consumer/${idle}/status`)
  const body = stopped.body as {
    error: boolean
    status: { status: string; totallag: number; partitions: { status: string; topic: string; current_lag: number }[] }
  }
  assert.equal(body.error, false)
  assert.equal(body.status.status, 'ERR')
  assert.equal(body.status.totallag, RECORDS - 2)
  assert.deepEqual(
    body.status.partitions.map((x) => [x.topic, x.status, x.current_lag]),
    [[topic, 'STOP', RECORDS - 2]],
  )
  assert.equal((await exporter.get(`/v3/kafka/local/consumer/${prefix}_nobody/status`)).status, 404)
  assert.equal((await exporter.get(`/v3/kafka/elsewhere/consumer`)).status, 404)
})

test('a commit past the log end reports lag 0 flagged past_log_end; one below the log start counts lost records', async () => {
  const topic = await topicWithRecords('ends')
  const past = await commit('past', topic, 100n)
  const below = await commit('below', topic, 5n)
  await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 10n }] }] })
  assert.equal(await exporter.poll(), true)
  const m = await exporter.scrape()
  assert.equal(one(m, 'kafka_consumergroup_group_lag', { group: past, topic }).value, 0)
  assert.equal(one(m, 'flowscope_consumergroup_lag_quality', { group: past, topic }).labels.quality, 'past_log_end')
  assert.equal(one(m, 'kafka_partition_earliest_offset', { topic }).value, 10)
  assert.equal(one(m, 'kafka_consumergroup_group_lag', { group: below, topic }).value, RECORDS - 5)
  assert.equal(one(m, 'flowscope_consumergroup_lost_records', { group: below, topic }).value, 5)
  assert.equal(one(m, 'flowscope_consumergroup_lag_quality', { group: below, topic }).labels.quality, 'below_log_start')
  // Read from the oldest surviving record (offset 10, written at BASE + 10 s): a lower bound on the real lag.
  const seconds = one(m, 'kafka_consumergroup_group_lag_seconds', { group: below, topic, method: 'record_ts' }).value
  assert.ok(seconds <= (Date.now() - (BASE + 10_000)) / 1000 + 0.001 && seconds > 500, `${seconds}`)
})

test('a topic deleted under a group: no lag, no partition series, the orphan offset flagged topic_missing; no crash', async () => {
  const topic = await topicWithRecords('deleted')
  const group = await commit('orphan', topic, 3n)
  assert.equal(await exporter.poll(), true)
  assert.equal(one(await exporter.scrape(), 'kafka_consumergroup_group_lag', { group, topic }).value, RECORDS - 3)
  await admin.deleteTopics({ topics: [topic] })
  assert.equal(await exporter.poll(), true)
  const m = await exporter.scrape()
  assert.equal(find(m, 'kafka_consumergroup_group_lag', { group, topic }).length, 0)
  assert.equal(find(m, 'kafka_partition_latest_offset', { topic }).length, 0)
  assert.equal(find(m, 'kafka_topic_partitions', { topic }).length, 0)
  // The group coordinator deletes a deleted topic's offsets on its own schedule: until it has, the exporter still
  // lists the orphan offset, flagged; after, the group has no series for the topic at all. Either is the truth.
  const offsets = find(m, 'kafka_consumergroup_group_offset', { group, topic })
  if (offsets.length > 0) {
    assert.equal(offsets[0]?.value, 3)
    assert.equal(one(m, 'flowscope_consumergroup_lag_quality', { group, topic }).labels.quality, 'topic_missing')
  } else {
    assert.equal(find(m, 'flowscope_consumergroup_lag_quality', { group, topic }).length, 0)
  }
})

test('a group that disappears takes its series and its Burrow entry with it', async () => {
  const topic = await topicWithRecords('gone')
  const group = await commit('gone', topic, 1n)
  assert.equal(await exporter.poll(), true)
  assert.equal(find(await exporter.scrape(), 'kafka_consumergroup_group_lag', { group }).length, 1)
  await admin.deleteGroups({ groups: [group] })
  assert.equal(await exporter.poll(), true)
  const m = await exporter.scrape()
  assert.deepEqual(
    m.filter((s) => s.labels.group === group || s.labels.consumergroup === group),
    [],
  )
  assert.equal((await exporter.get(`/v3/kafka/local/consumer/${group}/status`)).status, 404)
})

test('a live group with no commits: its member counted, no partition series, Burrow OK with nothing to judge', async () => {
  const topic = await topicWithRecords('no_commits')
  const groupId = `${prefix}_member_only`
  const consumer = new Consumer({ clientId: 'lag-exporter-test-member', groupId, bootstrapBrokers, autocommit: false })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', autocommit: false })
    try {
      assert.equal(await exporter.poll(), true)
      const m = await exporter.scrape()
      assert.equal(one(m, 'kafka_consumergroup_members', { consumergroup: groupId }).value, 1)
      assert.equal(find(m, 'kafka_consumergroup_group_lag', { group: groupId }).length, 0)
      assert.equal(one(m, 'kafka_consumergroup_group_sum_lag', { group: groupId }).value, 0)
      const status = await exporter.get(`/v3/kafka/local/consumer/${groupId}/status`)
      assert.equal(status.status, 200)
      const body = (status.body as { status: { status: string; partition_count: number; complete: number } }).status
      assert.deepEqual([body.status, body.partition_count, body.complete], ['OK', 0, 0])
    } finally {
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
})

test('a live consumer that commits: member labels on its partition, a consume rate and a drain ETA', async () => {
  const topic = await topicWithRecords('live')
  const groupId = `${prefix}_live`
  await commit('live', topic, 0n)
  assert.equal(await exporter.poll(), true)
  const consumer = new Consumer({
    clientId: 'lag-exporter-test-live',
    groupId,
    bootstrapBrokers,
    autocommit: false,
    maxWaitTime: 100,
  })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', autocommit: false })
    try {
      // Consume and commit up to offset 10 (of 20), then stop reading but stay in the group.
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (message) => {
          if (message.offset !== 9n) return
          stream.pause()
          Promise.resolve(message.commit()).then(resolve, reject)
        })
        stream.on('error', reject)
      })
      assert.equal(await exporter.poll(), true)
      const m = await exporter.scrape()
      const lag = one(m, 'kafka_consumergroup_group_lag', { group: groupId, topic })
      assert.equal(lag.value, 10)
      assert.equal(lag.labels.client_id, 'lag-exporter-test-live')
      assert.notEqual(lag.labels.consumer_id, '')
      assert.notEqual(lag.labels.member_host, '')
      const rate = one(m, 'flowscope_consumergroup_consume_rate', { group: groupId, topic }).value
      assert.ok(rate > 0, `${rate}`)
      const eta = one(m, 'flowscope_consumergroup_drain_eta_seconds', { group: groupId }).value
      assert.ok(Math.abs(eta - 10 / rate) < 1e-6, `${eta} vs ${10 / rate}`)
    } finally {
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
})
