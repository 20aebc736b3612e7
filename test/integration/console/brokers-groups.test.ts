// The console's group and broker API against the real broker: a group with committed offsets and no members is
// reset to each target (earliest, latest, a timestamp, shift by N) and the committed offsets are exactly the
// previewed ones; a group with a live member is refused (409) and so is its deletion; an empty group is deleted;
// read-only mode refuses the reset but still previews it. Brokers: DescribeLogDirs shows the test topic's size,
// a dynamic broker config change takes effect, a read-only key is refused.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { freePort } from '../../../src/local/ports.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const admin = new Admin({ clientId: 'console-groups-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'console-groups-test', bootstrapBrokers, acks: -1 })
const prefix = uniqueName('consolegrp')
const topic = `${prefix}_events`
/** Partition p holds 10 records; record i of every partition was written at BASE + i seconds. */
const BASE = Date.now() - 600_000

interface Console {
  url: string
  app: FastifyInstance
  kafka: KafkaCluster
  gone: KafkaCluster
}
let rw: Console
let ro: Console

async function startConsole(readOnly: boolean): Promise<Console> {
  const kafka = new KafkaCluster('local', bootstrapBrokers, 0)
  // A second cluster where nothing answers: its pages fail alone, with a 502 naming it.
  const gone = new KafkaCluster('gone', [`127.0.0.1:${await freePort()}`], 0)
  const app = await createConsoleApp({
    kafka: [kafka, gone],
    connects: [],
    lag: null,
    prometheusUrl: null,
    assets: await buildAssets(),
    allowedHostnames: LOOPBACK_HOSTNAMES,
    readOnly,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, app, kafka, gone }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function call(c: Console, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${c.url}${path}`, {
    method,
    headers: {
      ...(method === 'GET' ? {} : { 'X-Flowscope-Console': '1' }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

const groupPath = (group: string) => `/api/clusters/local/groups/${encodeURIComponent(group)}`

async function committed(group: string): Promise<Map<number, number>> {
  const [g] = await admin.listConsumerGroupOffsets({ groups: [group] })
  const t = g.topics.find((x) => x.name === topic)
  return new Map((t?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.committedOffset)]))
}

async function commitAll(group: string, offsets: number[]): Promise<void> {
  await admin.alterConsumerGroupOffsets({
    groupId: group,
    topics: [{ name: topic, partitionOffsets: offsets.map((o, partition) => ({ partition, offset: BigInt(o) })) }],
  })
}

before(async () => {
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  for (const partition of [0, 1])
    await producer.send({
      messages: Array.from({ length: 10 }, (_, i) => ({
        topic,
        partition,
        value: Buffer.from(`record ${i} of partition ${partition}`),
        timestamp: BigInt(BASE + i * 1000),
      })),
    })
  rw = await startConsole(false)
  ro = await startConsole(true)
})
after(async () => {
  for (const c of [rw, ro]) {
    await c?.app.close()
    await c?.kafka.close()
    await c?.gone.close()
  }
  await producer.close()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await admin.close()
})

test('an empty group is reset to each target and the committed offsets are exactly the previewed ones', async () => {
  const group = `${prefix}_idle`
  await commitAll(group, [5, 5])
  const detail = await call(rw, 'GET', groupPath(group))
  assert.equal(detail.status, 200, JSON.stringify(detail.body))
  assert.equal(detail.body.members.length, 0)
  assert.deepEqual(
    detail.body.offsets.map((o: { partition: number; committed: number; lag: number }) => [
      o.partition,
      o.committed,
      o.lag,
    ]),
    [
      [0, 5, 5],
      [1, 5, 5],
    ],
  )
  const cases: [Record<string, unknown>, number[]][] = [
    [{ to: 'earliest' }, [0, 0]],
    [{ to: 'latest' }, [10, 10]],
    [{ to: 'timestamp', timestamp: new Date(BASE + 3000).toISOString() }, [3, 3]],
    [{ to: 'shift', shift: 3 }, [6, 6]], // from 3 (the previous reset) on by 3
    [{ to: 'shift', shift: -100, partitions: [1] }, [6, 0]], // clamped to the start; partition 0 untouched
    [{ to: 'shift', shift: 100, partitions: ['0'] }, [10, 0]], // clamped to the end
    [{ to: 'timestamp', timestamp: BASE + 3_600_000 }, [10, 10]], // no record that late: the end
  ]
  for (const [spec, expected] of cases) {
    const query = new URLSearchParams(
      Object.entries({ topic, ...spec }).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    )
    const preview = await call(rw, 'GET', `${groupPath(group)}/reset-offsets?${query}`)
    assert.equal(preview.status, 200, JSON.stringify(preview.body))
    assert.equal(preview.body.applied, false)
    const before = await committed(group)
    for (const row of preview.body.partitions) {
      assert.equal(row.current, before.get(row.partition), `preview current of partition ${row.partition}`)
      assert.equal(row.lagAfter, 10 - row.target)
    }
    const applied = await call(rw, 'POST', `${groupPath(group)}/reset-offsets`, { topic, ...spec })
    assert.equal(applied.status, 200, JSON.stringify(applied.body))
    assert.deepEqual(
      applied.body.partitions,
      preview.body.partitions,
      `applied = previewed for ${JSON.stringify(spec)}`,
    )
    const after = await committed(group)
    assert.deepEqual([after.get(0), after.get(1)], expected, JSON.stringify(spec))
    for (const row of preview.body.partitions) assert.equal(after.get(row.partition), row.target)
  }
})

test('bad reset input is a 400 naming the field', async () => {
  const group = `${prefix}_idle`
  const cases: [string, RegExp][] = [
    [`topic=${topic}&to=sideways`, /"to"/],
    ['to=shift', /"topic" is missing/],
    [`topic=${topic}&to=shift`, /"shift" is missing/],
    [`topic=${topic}&to=shift&shift=1.5`, /"shift"/],
    [`topic=${topic}&to=timestamp&timestamp=yesterday`, /"timestamp"/],
    [`topic=${topic}&to=earliest&partitions=7`, /no partition 7/],
    [`topic=${topic}&to=earliest&color=red`, /unknown field "color"/],
  ]
  for (const [query, message] of cases) {
    const r = await call(rw, 'GET', `${groupPath(group)}/reset-offsets?${query}`)
    assert.equal(r.status, 400, `${query}: ${JSON.stringify(r.body)}`)
    assert.match(r.body.message, message, query)
  }
  const missing = await call(rw, 'GET', `${groupPath(group)}/reset-offsets?topic=${prefix}_nope&to=earliest`)
  assert.equal(missing.status, 404, JSON.stringify(missing.body))
})

test('read-only mode previews a reset but refuses to apply it or delete the group', async () => {
  const group = `${prefix}_ro`
  await commitAll(group, [2, 2])
  const preview = await call(ro, 'GET', `${groupPath(group)}/reset-offsets?topic=${topic}&to=earliest`)
  assert.equal(preview.status, 200, JSON.stringify(preview.body))
  const refused = await call(ro, 'POST', `${groupPath(group)}/reset-offsets`, { topic, to: 'earliest' })
  assert.equal(refused.status, 403)
  assert.match(refused.body.message, /read-only/)
  assert.equal((await call(ro, 'DELETE', groupPath(group))).status, 403)
  assert.deepEqual([...(await committed(group)).values()], [2, 2])
})

test('a group with a live member shows it, and its reset and deletion are refused; an empty group is deleted', async () => {
  const group = `${prefix}_live`
  await commitAll(group, [1, 1])
  const consumer = new Consumer({
    clientId: 'console-groups-member',
    groupId: group,
    bootstrapBrokers,
    autocommit: false,
  })
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', autocommit: false })
  try {
    const detail = await call(rw, 'GET', groupPath(group))
    assert.equal(detail.status, 200, JSON.stringify(detail.body))
    assert.equal(detail.body.members.length, 1)
    const [member] = detail.body.members
    assert.equal(member.clientId, 'console-groups-member')
    assert.ok(member.host.length > 0)
    assert.deepEqual(member.assignments, [{ topic, partitions: [0, 1] }])
    const reset = await call(rw, 'POST', `${groupPath(group)}/reset-offsets`, { topic, to: 'earliest' })
    assert.equal(reset.status, 409, JSON.stringify(reset.body))
    assert.match(reset.body.message, /active member/)
    const removal = await call(rw, 'DELETE', groupPath(group))
    assert.equal(removal.status, 409, JSON.stringify(removal.body))
    assert.deepEqual([...(await committed(group)).values()], [1, 1])
  } finally {
    await stream.close()
    await consumer.close(true)
  }
  const empty = `${prefix}_gone`
  await commitAll(empty, [3, 3])
  const removed = await call(rw, 'DELETE', groupPath(empty))
  assert.equal(removed.status, 200, JSON.stringify(removed.body))
  assert.equal((await call(rw, 'GET', groupPath(empty))).status, 404)
})

test('brokers: the controller, partitions and leaders, and the test topic on disk', async () => {
  const list = await call(rw, 'GET', '/api/clusters/local/brokers')
  assert.equal(list.status, 200, JSON.stringify(list.body))
  // Network and request rates are JMX metrics: without Prometheus there are none, and the answer says why.
  const rates = await call(rw, 'GET', '/api/clusters/local/brokers/rates')
  assert.equal(rates.status, 200, JSON.stringify(rates.body))
  assert.equal(rates.body.configured, false)
  assert.deepEqual(rates.body.brokers, [])
  assert.match(rates.body.message, /^needs Prometheus: .*--prometheus URL/)
  assert.equal(list.body.brokers.length, 1)
  const [b] = list.body.brokers
  assert.equal(b.controller, true)
  assert.ok(b.replicas >= 2 && b.leaders >= 2, JSON.stringify(b))
  assert.ok(b.sizeBytes > 0)
  const detail = await call(rw, 'GET', `/api/clusters/local/brokers/${b.id}`)
  assert.equal(detail.status, 200, JSON.stringify(detail.body))
  const ours = detail.body.logDirs
    .flatMap((d: { topics: { name: string }[] }) => d.topics)
    .find((t: { name: string }) => t.name === topic)
  assert.ok(ours, 'the test topic is in a log dir')
  assert.equal(ours.partitions, 2)
  assert.ok(ours.sizeBytes > 0, JSON.stringify(ours))
  assert.ok(detail.body.logDirs[0].totalBytes > 0)
  assert.equal((await call(rw, 'GET', '/api/clusters/local/brokers/999')).status, 404)
  assert.equal((await call(rw, 'GET', '/api/clusters/local/brokers/x')).status, 400)
})

test('brokers: a dynamic config change takes effect, is undone, and a read-only key is refused', async () => {
  const { body } = await call(rw, 'GET', '/api/clusters/local/brokers')
  const id = body.brokers[0].id
  const path = `/api/clusters/local/brokers/${id}/configs`
  const key = 'log.cleaner.threads'
  const value = (configs: { name: string; value: string; isDefault: boolean }[]) => configs.find((c) => c.name === key)
  // The broker applies a dynamic change through its metadata log: it shows within moments, not at once.
  const shown = async (expected: string, isDefault: boolean) => {
    const deadline = Date.now() + 10_000
    for (;;) {
      const [described] = await admin.describeConfigs({ resources: [{ resourceType: 4, resourceName: String(id) }] })
      const c = described.configs.find((x) => x.name === key)
      const page = value((await call(rw, 'GET', `/api/clusters/local/brokers/${id}`)).body.configs)
      if (c?.value === expected && page?.value === expected && page.isDefault === isDefault) return
      if (Date.now() > deadline) assert.fail(`${key}: Kafka says ${c?.value}, the console ${JSON.stringify(page)}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  const set = await call(rw, 'PUT', path, { set: { [key]: '2' } })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  await shown('2', false)
  const undone = await call(rw, 'PUT', path, { delete: [key] })
  assert.equal(undone.status, 200, JSON.stringify(undone.body))
  await shown('1', true)
  const readOnly = await call(rw, 'PUT', path, { set: { 'log.dirs': '/tmp/elsewhere' } })
  assert.equal(readOnly.status, 400)
  assert.match(readOnly.body.message, /"log\.dirs" is read-only.*server\.properties/)
  const unknown = await call(rw, 'PUT', path, { set: { 'no.such.config': '1' } })
  assert.equal(unknown.status, 400)
  assert.match(unknown.body.message, /"no\.such\.config" is not a config/)
  const empty = await call(rw, 'PUT', path, {})
  assert.equal(empty.status, 400)
  assert.equal((await call(ro, 'PUT', path, { set: { [key]: '2' } })).status, 403)
})

test('a Kafka cluster that does not answer fails its own group and broker pages with 502; an unknown one is 404', async () => {
  for (const path of ['/api/clusters/gone/brokers', '/api/clusters/gone/groups/any']) {
    const r = await call(rw, 'GET', path)
    assert.equal(r.status, 502, `${path}: ${JSON.stringify(r.body)}`)
    assert.match(r.body.message, /Kafka cluster gone/)
  }
  const unknown = await call(rw, 'GET', '/api/clusters/nowhere/brokers')
  assert.equal(unknown.status, 404)
  assert.match(unknown.body.message, /known: local, gone/)
  assert.equal((await call(rw, 'GET', '/api/clusters/local/brokers')).status, 200, 'the live cluster still answers')
})
