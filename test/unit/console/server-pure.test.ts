import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  basicAuthorized,
  hostAllowed,
  LOOPBACK_HOSTNAMES,
  sortTopics,
  writeRefusal,
} from '../../../src/console/server/app.ts'
import { mapConcurrently } from '../../../src/console/server/connect.ts'
import { groupsFromMetrics } from '../../../src/console/server/lag.ts'
import { parseConsoleOptions } from '../../../src/console/server/options.ts'
import { parsePrometheusText } from '../../../src/console/server/prom-text.ts'

test('writes need the console header, a same-origin Origin when sent, and a JSON body', () => {
  const ok = { 'x-flowscope-console': '1', host: 'localhost:9021' }
  assert.equal(writeRefusal(ok, false), null)
  assert.equal(writeRefusal({ ...ok, origin: 'http://localhost:9021' }, false), null)
  assert.match(writeRefusal({ host: 'localhost:9021' }, false)!, /X-Flowscope-Console/)
  assert.match(writeRefusal({ ...ok, origin: 'http://evil.example' }, false)!, /cross-origin/)
  assert.match(writeRefusal({ ...ok, origin: 'null' }, false)!, /cross-origin/)
  assert.match(writeRefusal({ ...ok, 'content-type': 'text/plain' }, true)!, /must be JSON/)
  assert.equal(writeRefusal({ ...ok, 'content-type': 'application/json; charset=utf-8' }, true), null)
})

test('topics: search, sort, page, internal topics hidden unless asked', () => {
  const rows = Array.from({ length: 120 }, (_, i) => ({
    name: i % 10 === 0 ? `__internal-${i}` : `topic-${String(i).padStart(3, '0')}`,
    partitions: i % 7,
    replication: 1,
    underReplicated: 0,
  }))
  const base = { search: '', sort: 'name', order: 'asc', page: 1, size: 50, internal: false } as const
  const first = sortTopics(rows, base)
  assert.equal(first.total, 108)
  assert.equal(first.items[0].name, 'topic-001')
  assert.equal(sortTopics(rows, { ...base, page: 3 }).items.length, 8)
  assert.equal(sortTopics(rows, { ...base, internal: true }).total, 120)
  assert.deepEqual(
    sortTopics(rows, { ...base, search: 'TOPIC-11' }).items.map((r) => r.name),
    [
      'topic-111',
      'topic-112',
      'topic-113',
      'topic-114',
      'topic-115',
      'topic-116',
      'topic-117',
      'topic-118',
      'topic-119',
    ],
  )
  const byPartitions = sortTopics(rows, { ...base, sort: 'partitions', order: 'desc' }).items
  assert.equal(byPartitions[0].partitions, 6)
})

test('the lag exporter metrics text becomes groups with status, lag, seconds, rate and topics', () => {
  const text = `# HELP x
kafka_consumergroup_group_max_lag{cluster_name="local",group="g1",is_simple_consumer="false"} 40
kafka_consumergroup_group_max_lag_seconds{cluster_name="local",group="g1",is_simple_consumer="false"} 3.5
kafka_consumergroup_group_sum_lag{cluster_name="local",group="g1"} 55
kafka_consumergroup_group_topic_sum_lag{cluster_name="local",group="g1",topic="orders"} 55
flowscope_consumergroup_status{cluster_name="local",group="g1",status="WARN"} 2
flowscope_consumergroup_consume_rate{cluster_name="local",group="g1",topic="orders",partition="0"} 1.5
flowscope_consumergroup_consume_rate{cluster_name="local",group="g1",topic="orders",partition="1"} 2.5
kafka_consumergroup_group_max_lag_seconds{cluster_name="local",group="g2",is_simple_consumer="false"} NaN
flowscope_consumergroup_freshness_seconds{cluster_name="local",group="g1",topic="orders",partition="0",basis="commit"} 7
flowscope_consumergroup_freshness_seconds{cluster_name="local",group="g1",topic="orders",partition="1",basis="commit"} 9
flowscope_lag_exporter_up{cluster_name="local"} 1
`
  const { up, groups } = groupsFromMetrics(text)
  assert.equal(up, true)
  assert.deepEqual(groups[0], {
    group: 'g1',
    status: 'WARN',
    maxLag: 40,
    maxLagSeconds: 3.5,
    totalLag: 55,
    consumeRate: 4,
    drainEtaSeconds: null,
    freshnessSeconds: 9,
    topics: { orders: 55 },
  })
  assert.equal(groups.length, 1, 'a NaN value is not a value: g2 has nothing known')
  assert.deepEqual(parsePrometheusText('m{a="x\\"y"} 1 1700000000')[0].labels, { a: 'x"y' })
})

test('console options: defaults, named clusters, clear errors', () => {
  const d = parseConsoleOptions({})
  assert.equal(d.port, 9021)
  assert.deepEqual(d.kafka, [{ name: 'local', bootstrapServers: ['localhost:9092'] }])
  assert.deepEqual(d.connects, [{ name: 'connect-default', url: 'http://localhost:8083' }])
  assert.equal(d.lagExporter, 'http://localhost:8000')
  const o = parseConsoleOptions({
    kafka: ['prod=k1:9092,k2:9092', 'k3:9093'],
    connect: ['east=http://c:8083/', 'http://d:8083?x=1'],
    'no-lag-exporter': true,
  })
  assert.deepEqual(
    o.kafka.map((k) => k.name),
    ['prod', 'local-2'],
  )
  assert.deepEqual(o.connects, [
    { name: 'east', url: 'http://c:8083' },
    { name: 'connect-default-2', url: 'http://d:8083?x=1' },
  ])
  assert.equal(o.lagExporter, null)
  assert.throws(() => parseConsoleOptions({ port: '70000' }), /--port 70000/)
  assert.throws(() => parseConsoleOptions({ kafka: ['nohostport'] }), /--kafka nohostport: expected/)
  assert.throws(() => parseConsoleOptions({ connect: ['ftp://x'] }), /http:\/\/ or https:\/\//)
  assert.throws(() => parseConsoleOptions({ connect: ['a=http://x', 'a=http://y'] }), /"a" is given twice/)
})

test('a console on localhost answers only to loopback host names (DNS rebinding)', () => {
  assert.equal(hostAllowed('localhost:9021', LOOPBACK_HOSTNAMES), true)
  assert.equal(hostAllowed('127.0.0.1:9021', LOOPBACK_HOSTNAMES), true)
  assert.equal(hostAllowed('[::1]:9021', LOOPBACK_HOSTNAMES), true)
  assert.equal(hostAllowed('LOCALHOST', LOOPBACK_HOSTNAMES), true)
  assert.equal(hostAllowed('evil.example:9021', LOOPBACK_HOSTNAMES), false)
  assert.equal(hostAllowed('localhost.evil.example', LOOPBACK_HOSTNAMES), false)
  assert.equal(hostAllowed(undefined, LOOPBACK_HOSTNAMES), false)
  assert.equal(hostAllowed('anything', undefined), true)
})

test('basic auth: only the exact user and password pass', () => {
  const creds = { user: 'ops', password: 'pa:ss word' }
  const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`
  assert.equal(basicAuthorized(header('ops:pa:ss word'), creds), true)
  assert.equal(basicAuthorized(header('ops:pa:ss wore'), creds), false)
  assert.equal(basicAuthorized(header('ops:'), creds), false)
  assert.equal(basicAuthorized('Bearer x', creds), false)
  assert.equal(basicAuthorized(undefined, creds), false)
})

test('read-only and basic-auth options: the password comes from the environment only', () => {
  assert.equal(parseConsoleOptions({ 'read-only': true }).readOnly, true)
  assert.equal(parseConsoleOptions({}).lagSecondsThreshold, 60)
  assert.equal(parseConsoleOptions({ 'lag-seconds-threshold': '12.5' }).lagSecondsThreshold, 12.5)
  assert.throws(() => parseConsoleOptions({ 'lag-seconds-threshold': '-1' }), /--lag-seconds-threshold -1/)
  assert.equal(parseConsoleOptions({}).basicAuth, null)
  assert.deepEqual(parseConsoleOptions({ 'basic-auth-user': 'ops' }, { FLOWSCOPE_CONSOLE_PASSWORD: 's' }).basicAuth, {
    user: 'ops',
    password: 's',
  })
  assert.throws(() => parseConsoleOptions({ 'basic-auth-user': 'ops' }, {}), /FLOWSCOPE_CONSOLE_PASSWORD/)
  assert.throws(
    () => parseConsoleOptions({ 'basic-auth-user': 'a:b' }, { FLOWSCOPE_CONSOLE_PASSWORD: 's' }),
    /without ':'/,
  )
})

test('per-connector look-ups run at most `limit` at a time and answer in order', async () => {
  let running = 0
  let most = 0
  const answers = await mapConcurrently(
    Array.from({ length: 30 }, (_, i) => i),
    8,
    async (i) => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setImmediate(r))
      running--
      return i * 2
    },
  )
  assert.deepEqual(
    answers,
    Array.from({ length: 30 }, (_, i) => i * 2),
  )
  assert.equal(most, 8)
  assert.deepEqual(await mapConcurrently([], 8, async () => 1), [])
})
