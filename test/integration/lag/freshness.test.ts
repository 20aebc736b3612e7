// The consumer end of end-to-end freshness against the real broker: records carrying flowscope.source.timestamp
// headers (as the JDBC source writes them), groups lagging and caught up, a topic without the headers; and the
// offset→time tables surviving an exporter restart through the state file.
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import { SOURCE_TIMESTAMP_BASIS_HEADER, SOURCE_TIMESTAMP_HEADER } from '../../../src/record/source-time.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { commitOffset, find, one, type RunningExporter, startExporter } from './helpers.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const admin = new Admin({ clientId: 'lag-freshness-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'lag-freshness-test', bootstrapBrokers, acks: -1 })
const prefix = uniqueName('lagf')
const RECORDS = 20
/** Record i's row changed in the source at SOURCE_BASE + i s; Kafka got it later (now). */
const SOURCE_BASE = Date.now() - 300_000
let exporter: RunningExporter

async function topicOf(name: string, withHeaders: boolean, records = RECORDS): Promise<string> {
  const topic = `${prefix}_${name}`
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  await produce(topic, withHeaders, records)
  return topic
}

/** Records first … first + records − 1 of `topic`. */
async function produce(topic: string, withHeaders: boolean, records: number, first = 0): Promise<void> {
  if (records === 0) return
  await producer.send({
    messages: Array.from({ length: records }, (_, n) => {
      const i = first + n
      return {
        topic,
        partition: 0,
        value: Buffer.from(`v${i}`),
        headers: withHeaders
          ? new Map([
              [Buffer.from(SOURCE_TIMESTAMP_HEADER), Buffer.from(String(SOURCE_BASE + i * 1000))],
              [Buffer.from(SOURCE_TIMESTAMP_BASIS_HEADER), Buffer.from('change')],
            ])
          : undefined,
      }
    }),
  })
}

/** Commits `offset` on partition 0 of `topic` for group `<prefix>_<group>`, with no member; returns the group id. */
const commit = (group: string, topic: string, offset: bigint) =>
  commitOffset(admin, `${prefix}_${group}`, topic, offset)

before(async () => {
  exporter = await startExporter({ bootstrapServers: bootstrapBrokers, groupAllow: new RegExp(`^${prefix}_g`) })
})
after(async () => {
  await exporter.stop()
  await producer.close()
  await admin.close()
})

test('lagging and caught-up groups: freshness from the source-time header, and its sampled histogram', async () => {
  const topic = await topicOf('headers', true)
  const lagging = await commit('g_lagging', topic, 5n)
  const caughtUp = await commit('g_caught_up', topic, BigInt(RECORDS))
  const started = Date.now()
  assert.equal(await exporter.poll(), true)
  const ended = Date.now()
  const m = await exporter.scrape()
  const p = (group: string) => ({ cluster_name: 'local', group, topic, partition: 0, basis: 'change' })
  const within = (name: string, value: number, sourceMs: number) =>
    assert.ok(
      value >= (started - sourceMs) / 1000 - 0.001 && value <= (ended - sourceMs) / 1000 + 0.001,
      `${name} ${value} not within now − source time of the poll [${started}, ${ended}] (source ${sourceMs})`,
    )
  // Lagging: the first unconsumed record (offset 5) is the row changed at SOURCE_BASE + 5 s.
  within('lagging', one(m, 'flowscope_consumergroup_freshness_seconds', p(lagging)).value, SOURCE_BASE + 5000)
  // Caught up: the last consumed record (offset 19).
  within('caught up', one(m, 'flowscope_consumergroup_freshness_seconds', p(caughtUp)).value, SOURCE_BASE + 19_000)
  // Lag in seconds is about Kafka (the records were just written), freshness about the source (5 minutes ago).
  const lagSeconds = one(m, 'kafka_consumergroup_group_lag_seconds', { group: lagging, method: 'record_ts' }).value
  assert.ok(lagSeconds < 60, `lag seconds ${lagSeconds}`)
  const h = { cluster_name: 'local', group: lagging, topic, basis: 'change' }
  assert.equal(one(m, 'flowscope_consumergroup_freshness_sampled_seconds_count', h).value, 1)
  assert.equal(one(m, 'flowscope_consumergroup_freshness_sampled_seconds_bucket', { ...h, le: '120' }).value, 0)
  assert.equal(one(m, 'flowscope_consumergroup_freshness_sampled_seconds_bucket', { ...h, le: '600' }).value, 1)
  // Every poll adds one sample per partition; a budget-free poll reads the records from the cache.
  assert.equal(await exporter.poll(), true)
  const m2 = await exporter.scrape()
  assert.equal(one(m2, 'flowscope_consumergroup_freshness_sampled_seconds_count', h).value, 2)
  assert.equal(one(m2, 'flowscope_lag_exporter_record_reads', { cluster_name: 'local' }).value, 0)
})

test('a topic whose records carry no source-time header: no freshness series, lag as before', async () => {
  const topic = await topicOf('plain', false)
  const group = await commit('g_plain', topic, 5n)
  const done = await commit('g_plain_done', topic, BigInt(RECORDS))
  assert.equal(await exporter.poll(), true)
  const m = await exporter.scrape()
  for (const g of [group, done]) {
    assert.deepEqual(find(m, 'flowscope_consumergroup_freshness_seconds', { group: g }), [])
    assert.deepEqual(find(m, 'flowscope_consumergroup_freshness_sampled_seconds_count', { group: g }), [])
  }
  assert.equal(one(m, 'kafka_consumergroup_group_lag', { group, topic }).value, 15)
  assert.equal(find(m, 'kafka_consumergroup_group_lag_seconds', { group, method: 'record_ts' }).length, 1)
})

test('restart: the offset→time tables come back from the state file, so the first poll already interpolates', async () => {
  const stateFile = join(await mkdtemp(join(tmpdir(), 'lag-state-')), 'state.json')
  const topic = await topicOf('restart', false, 0)
  const group = await commit('g_restart', topic, 0n)
  const allow = new RegExp(`^${group}$`)
  // Budget 0: every lagging partition is interpolated. Three polls with production between them.
  const first = await startExporter({
    bootstrapServers: bootstrapBrokers,
    groupAllow: allow,
    fetchBudget: 0,
    stateFile,
    saveEveryPolls: 1,
  })
  try {
    assert.equal(await first.poll(), true)
    await produce(topic, false, 10, 0)
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(await first.poll(), true)
    await produce(topic, false, 10, 10)
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(await first.poll(), true)
    await commit('g_restart', topic, 5n)
  } finally {
    await first.stop()
  }
  const p = { group, topic, partition: 0 }
  // Without the state a new exporter knows one point: no seconds yet.
  const fresh = await startExporter({
    bootstrapServers: bootstrapBrokers,
    groupAllow: allow,
    fetchBudget: 0,
    stateFile: `${stateFile}.other`,
  })
  try {
    assert.equal(await fresh.poll(), true)
    const m = await fresh.scrape()
    assert.deepEqual(find(m, 'kafka_consumergroup_group_lag_seconds', p), [])
    assert.equal(one(m, 'flowscope_consumergroup_lag_quality', p).labels.quality, 'unknown')
  } finally {
    await fresh.stop()
  }
  const restarted = await startExporter({
    bootstrapServers: bootstrapBrokers,
    groupAllow: allow,
    fetchBudget: 0,
    stateFile,
  })
  try {
    assert.equal(await restarted.poll(), true)
    const m = await restarted.scrape()
    const seconds = one(m, 'kafka_consumergroup_group_lag_seconds', { ...p, method: 'interpolated' }).value
    assert.ok(seconds > 0 && seconds < 60, `interpolated lag seconds ${seconds}`)
    assert.equal(one(m, 'flowscope_consumergroup_lag_quality', p).labels.quality, 'interpolated')
  } finally {
    await restarted.stop()
  }
})
