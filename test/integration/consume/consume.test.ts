// `flowscope consume` against the real broker, as a real process: it reads a topic and commits only what it has
// processed (SIGKILL mid-stream, restart: nothing skipped), its /metrics carry real values (records consumed equal
// records produced, freshness only for records with the source header), --slow makes lag grow as the lag exporter
// sees it, --pause keeps membership while the committed offset stays, SIGTERM commits and leaves, bad flags exit 2.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { testStack, uniqueName } from '../../support/stack.ts'
import { one, startExporter } from '../lag/helpers.ts'
import { Admin, committedOffset, Producer, produce, runConsumer, until } from './helpers.ts'

const bootstrap = testStack().bootstrapServers
const admin = new Admin({ clientId: 'consume-test', bootstrapBrokers: [bootstrap] })
const producer = new Producer({ clientId: 'consume-test', bootstrapBrokers: [bootstrap], acks: -1 })
const FETCH = 'kafka_consumer_consumer_fetch_manager_metrics'
const killed: { child: { kill(s: NodeJS.Signals): boolean; exitCode: number | null } }[] = []

after(async () => {
  for (const c of killed) if (c.child.exitCode === null) c.child.kill('SIGKILL')
  await producer.close()
  await admin.close()
})

async function newTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix)
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  return topic
}

test('reads a topic from the beginning; /metrics counts every record, freshness only those with the header', async () => {
  const topic = await newTopic('consume_metrics')
  const group = uniqueName('consume_metrics_group')
  const sourceTimeMs = Date.now() - 3000
  await produce(producer, topic, 30, { withHeader: 12, sourceTimeMs })
  const c = runConsumer(bootstrap, [
    '--topic',
    topic,
    '--group',
    group,
    '--client-id',
    'c-metrics',
    '--from-beginning',
    '--print',
  ])
  killed.push(c)
  await until('30 records processed', 30_000, () => (c.printed().length >= 30 ? true : undefined))
  assert.deepEqual(
    c.printed().map((r) => r.offset),
    Array.from({ length: 30 }, (_, i) => BigInt(i)),
  )
  const labels = { client_id: 'c-metrics', topic }
  const m = await c.scrape()
  assert.equal(one(m, `${FETCH}_records_consumed_total`, labels).value, 30)
  // 30 records of ~20-60 bytes each, in one or a few batches: more than the payload, less than 30 × 200.
  const bytes = one(m, `${FETCH}_bytes_consumed_total`, labels).value
  assert.ok(bytes > 30 * 6 && bytes < 30 * 200, `bytes consumed ${bytes}`)
  assert.ok(one(m, `${FETCH}_fetch_total`, { client_id: 'c-metrics' }).value >= 1)
  assert.ok(one(m, `${FETCH}_fetch_latency_avg`, { client_id: 'c-metrics' }).value > 0)
  assert.ok(one(m, `${FETCH}_fetch_size_avg`, labels).value > 0)
  assert.equal(one(m, `${FETCH}_fetch_throttle_time_avg`, { client_id: 'c-metrics' }).value, 0)
  assert.equal(one(m, 'kafka_consumer_app_info', { client_id: 'c-metrics' }).value, 1)
  const h = { client_id: 'c-metrics', group, topic }
  assert.equal(one(m, 'flowscope_consumer_record_age_seconds_count', h).value, 30)
  assert.equal(one(m, 'flowscope_consumer_freshness_seconds_count', { ...h, basis: 'change' }).value, 12)
  // Each freshness is at least the 3 s the source time lies in the past, and below a generous bound.
  const sum = one(m, 'flowscope_consumer_freshness_seconds_sum', { ...h, basis: 'change' }).value
  assert.ok(sum / 12 >= 3 && sum / 12 < 60, `mean freshness ${sum / 12} s`)
  assert.equal(one(m, 'flowscope_consumer_freshness_seconds_bucket', { ...h, basis: 'change', le: '2.5' }).value, 0)
  // The processed position is committed within the commit interval; commit metrics follow.
  await until('offset 30 committed', 15_000, async () =>
    (await committedOffset(admin, group, topic)) === 30n ? true : undefined,
  )
  const after = await until('a commit counted', 5_000, async () => {
    const s = await c.scrape()
    return one(s, 'kafka_consumer_consumer_coordinator_metrics_commit_total', { client_id: 'c-metrics' }).value >= 1
      ? s
      : undefined
  })
  assert.ok(one(after, 'kafka_consumer_consumer_coordinator_metrics_commit_rate', { client_id: 'c-metrics' }).value > 0)
  assert.ok(
    one(after, 'kafka_consumer_consumer_coordinator_metrics_commit_latency_avg', { client_id: 'c-metrics' }).value > 0,
  )
  assert.equal(
    one(after, 'kafka_consumer_consumer_coordinator_metrics_rebalance_total', { client_id: 'c-metrics' }).value,
    1,
  )
  assert.equal(
    one(after, 'kafka_consumer_consumer_coordinator_metrics_failed_rebalance_total', { client_id: 'c-metrics' }).value,
    0,
  )
  // SIGTERM: commits, leaves the group (no members left), exits 0.
  c.child.kill('SIGTERM')
  assert.deepEqual(await c.exited, { code: 0, signal: null })
  assert.match(c.output(), /Stopped after processing 30 records/)
  const described = (await admin.describeGroups({ groups: [group] })).get(group)
  assert.equal(described?.members.size, 0, 'the consumer left the group')
})

test('SIGKILL mid-stream, then a restart: the committed offset never passes what was processed, nothing is skipped', async (t) => {
  const topic = await newTopic('consume_kill')
  const group = uniqueName('consume_kill_group')
  const TOTAL = 120
  await produce(producer, topic, TOTAL)
  const first = runConsumer(bootstrap, [
    '--topic',
    topic,
    '--group',
    group,
    '--from-beginning',
    '--print',
    '--slow',
    '40',
    '--commit-interval-ms',
    '200',
  ])
  killed.push(first)
  await until('a commit mid-stream', 30_000, async () =>
    (await committedOffset(admin, group, topic)) > 10n ? true : undefined,
  )
  first.child.kill('SIGKILL')
  await first.exited
  const processed = first.printed().map((r) => r.offset)
  const committed = await committedOffset(admin, group, topic)
  assert.ok(processed.length < TOTAL, `killed mid-stream (${processed.length} of ${TOTAL} processed)`)
  // Printed after processing, so the last printed record bounds what may be committed.
  assert.ok(committed <= processed.at(-1)! + 1n, `committed ${committed} > last processed ${processed.at(-1)} + 1`)
  const second = runConsumer(bootstrap, ['--topic', topic, '--group', group, '--from-beginning', '--print'])
  killed.push(second)
  await until('the rest processed', 30_000, () =>
    second.printed().at(-1)?.offset === BigInt(TOTAL - 1) ? true : undefined,
  )
  const resumed = second.printed().map((r) => r.offset)
  assert.equal(resumed[0], committed, 'the restart resumes at the committed offset')
  const seen = new Set([...processed, ...resumed])
  const missing = Array.from({ length: TOTAL }, (_, i) => BigInt(i)).filter((o) => !seen.has(o))
  assert.deepEqual(missing, [], 'every record was processed at least once')
  t.diagnostic(
    `killed after ${processed.length} processed, committed ${committed}; restart re-processed ${processed.length - Number(committed)} (at-least-once)`,
  )
  second.child.kill('SIGTERM')
  assert.equal((await second.exited).code, 0)
  assert.equal(await committedOffset(admin, group, topic), BigInt(TOTAL))
})

test('--slow: lag grows while records arrive faster than they are processed, as the lag exporter sees it', async (t) => {
  const topic = await newTopic('consume_slow')
  const group = uniqueName('consume_slow_group')
  const exporter = await startExporter({ bootstrapServers: [bootstrap], groupAllow: new RegExp(`^${group}$`) })
  const c = runConsumer(bootstrap, [
    '--topic',
    topic,
    '--group',
    group,
    '--from-beginning',
    '--slow',
    '200',
    '--commit-interval-ms',
    '200',
  ])
  killed.push(c)
  try {
    await c.metricsUrl
    let produced = 0
    const lagSeen: number[] = []
    // 10 records a second against 5 processed a second, for 6 s.
    for (let s = 0; s < 6; s++) {
      await produce(producer, topic, 10, { from: produced })
      produced += 10
      await new Promise((r) => setTimeout(r, 1000))
      if (s >= 2) {
        assert.equal(await exporter.poll(), true)
        const m = await exporter.scrape()
        const lag = one(m, 'kafka_consumergroup_group_lag', { group, topic, partition: 0 }).value
        lagSeen.push(lag)
        assert.equal(one(m, 'kafka_consumergroup_members', { consumergroup: group }).value, 1)
      }
    }
    assert.ok(lagSeen[0] > 0, `lag ${lagSeen}`)
    assert.ok(lagSeen.at(-1)! > lagSeen[0], `lag grows: ${lagSeen.join(' → ')}`)
    t.diagnostic(`kafka_consumergroup_group_lag over 4 polls 1 s apart: ${lagSeen.join(' → ')}`)
    const m = await c.scrape()
    const consumed = one(m, `${FETCH}_records_consumed_total`, { topic }).value
    assert.ok(consumed < produced, `slow consumer consumed ${consumed} of ${produced}`)
  } finally {
    c.child.kill('SIGTERM')
    await c.exited
    await exporter.stop()
  }
})

test('--pause: a member of the group that fetches nothing; its committed offset stays while the topic grows', async () => {
  const topic = await newTopic('consume_pause')
  const group = uniqueName('consume_pause_group')
  await produce(producer, topic, 25)
  const exporter = await startExporter({ bootstrapServers: [bootstrap], groupAllow: new RegExp(`^${group}$`) })
  const c = runConsumer(bootstrap, [
    '--topic',
    topic,
    '--group',
    group,
    '--from-beginning',
    '--pause',
    '--commit-interval-ms',
    '200',
  ])
  killed.push(c)
  try {
    await until('the start position committed', 20_000, async () =>
      (await committedOffset(admin, group, topic)) === 0n ? true : undefined,
    )
    await produce(producer, topic, 15, { from: 25 })
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(await committedOffset(admin, group, topic), 0n)
    assert.equal(await exporter.poll(), true)
    const lag = await exporter.scrape()
    assert.equal(one(lag, 'kafka_consumergroup_group_lag', { group, topic, partition: 0 }).value, 40)
    assert.equal(one(lag, 'kafka_consumergroup_members', { consumergroup: group }).value, 1)
    const m = await c.scrape()
    assert.equal(one(m, 'flowscope_consumer_paused', { group }).value, 1)
    assert.equal(one(m, `${FETCH}_fetch_total`).value, 0)
    assert.equal(m.filter((s) => s.name === `${FETCH}_records_consumed_total`).length, 0)
    assert.equal(m.filter((s) => s.name === `${FETCH}_fetch_latency_avg`).length, 0, 'no fetch, no latency')
  } finally {
    c.child.kill('SIGTERM')
    await c.exited
    await exporter.stop()
  }
})

test('a topic that does not exist yet is waited for with one log line, then read from its first record', async () => {
  const topic = uniqueName('consume_late')
  const group = uniqueName('consume_late_group')
  const c = runConsumer(bootstrap, ['--topic', topic, '--group', group, '--from-beginning', '--print'])
  killed.push(c)
  try {
    await until('the waiting line', 20_000, () =>
      c.output().includes('Waiting for it to be created') ? true : undefined,
    )
    assert.equal(c.child.exitCode, null, 'still running')
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    await produce(producer, topic, 5)
    await until('5 records processed', 30_000, () => (c.printed().length >= 5 ? true : undefined))
    const m = await c.scrape()
    assert.equal(one(m, 'kafka_consumer_consumer_coordinator_metrics_failed_rebalance_total').value, 0)
    assert.equal(c.output().match(/Waiting for it to be created/g)?.length, 1)
  } finally {
    c.child.kill('SIGTERM')
    await c.exited
  }
})

test('bad flags: one line naming the flag, exit code 2, before any connection', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  for (const [args, message] of [
    [['--slow', 'fast'], /^flowscope consume: --slow fast: expected a whole number from 0 to 3600000\n$/],
    [['--metrics-port', '99999'], /^flowscope consume: --metrics-port 99999: expected/],
    [['--nope'], /^flowscope consume: Unknown option '--nope'/],
    [['--topic', 'bad topic'], /^flowscope consume: --topic "bad topic"/],
  ] as const) {
    const r = spawnSync(process.execPath, ['src/cli/main.ts', 'consume', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.equal(r.stdout, '')
  }
})
