// The topic page's API against the real broker: details with offsets, sizes, configs and the groups reading the topic
// (from a real lag exporter); the message browser seeking by offset, timestamp and newest first, paging with its
// cursors, filtering with exact scanned counts, stopping at its budget; create / alter / add partitions / delete;
// bad input answered 400 and read-only mode refusing every write.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { LagClient } from '../../../src/console/server/lag.ts'
import { browseQuery } from '../../../src/console/server/topic-input.ts'
import { TopicTools } from '../../../src/console/server/topic-reader.ts'
import { freePort } from '../../../src/local/ports.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { commitOffset, type RunningExporter, startExporter } from '../lag/helpers.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const admin = new Admin({ clientId: 'console-topics-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'console-topics-test', bootstrapBrokers, acks: -1 })
const prefix = uniqueName('ctop')
/** Record i was written "at" BASE + i seconds; partition i % 2. */
const RECORDS = 200
const BASE = Date.UTC(2026, 0, 1)
const topic = `${prefix}_orders`

let exporter: RunningExporter
let app: FastifyInstance
let readOnlyApp: FastifyInstance
let url: string
let readOnlyUrl: string
const kafkas: KafkaCluster[] = []

interface ScanEnd {
  type: 'end'
  scanned: number
  total: number
  matched: number
  stoppedBy: string
  cursor: string
}
// biome-ignore lint/suspicious/noExplicitAny: records are checked field by field
type AnyRecord = any

async function scan(path: string): Promise<{ records: AnyRecord[]; end: ScanEnd; progress: number }> {
  const response = await fetch(`${url}${path}`)
  assert.equal(response.status, 200, await response.clone().text())
  const events = (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  const end = events.at(-1)
  assert.equal(end.type, 'end', JSON.stringify(end))
  return {
    records: events.filter((e) => e.type === 'record').map((e) => e.record),
    end,
    progress: events.filter((e) => e.type === 'progress').length,
  }
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(method === 'GET' ? {} : { 'X-Flowscope-Console': '1' }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** Kafka applies a topic write on every broker's metadata a moment later: read again until `ok` (at most 10 s). */
async function settled<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const messages = (query: Record<string, string>) =>
  `/api/clusters/local/topics/${topic}/messages?${new URLSearchParams(query)}`

before(async () => {
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  await producer.send({
    messages: Array.from({ length: RECORDS }, (_, i) => ({
      topic,
      partition: i % 2,
      key: Buffer.from(`order-${i}`),
      value: Buffer.from(
        i % 10 === 0
          ? JSON.stringify({ schema: { type: 'struct', fields: [] }, payload: { id: i, customer: { tier: 'gold' } } })
          : JSON.stringify({ id: i, customer: { tier: i % 3 === 0 ? 'silver' : 'bronze' } }),
      ),
      headers: new Map([[Buffer.from('source'), Buffer.from(i % 4 === 0 ? 'web' : 'app')]]),
      timestamp: BigInt(BASE + i * 1000),
    })),
  })
  await commitOffset(admin, `${prefix}_reader`, topic, 10n)
  exporter = await startExporter({ bootstrapServers: bootstrapBrokers, groupAllow: new RegExp(`^${prefix}`) })
  await exporter.poll()
  const start = async (readOnly: boolean) => {
    const kafka = new KafkaCluster('local', bootstrapBrokers, 0)
    // A second cluster where nothing answers: its topic pages fail alone.
    const gone = new KafkaCluster('gone', [`127.0.0.1:${await freePort()}`], 0)
    kafkas.push(kafka, gone)
    const a = await createConsoleApp({
      kafka: [kafka, gone],
      connects: [],
      lag: new LagClient(exporter.url, { maxAgeMs: 0 }),
      prometheusUrl: null,
      assets: new Map(),
      allowedHostnames: LOOPBACK_HOSTNAMES,
      readOnly,
    })
    await a.listen({ port: 0, host: '127.0.0.1' })
    return { a, url: `http://127.0.0.1:${(a.server.address() as AddressInfo).port}` }
  }
  ;({ a: app, url } = await start(false))
  ;({ a: readOnlyApp, url: readOnlyUrl } = await start(true))
})

after(async () => {
  await app?.close()
  await readOnlyApp?.close()
  for (const k of kafkas) await k.close()
  await exporter?.stop()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await producer.close()
  await admin.close()
})

test('details: partitions with leader, replicas, ISR, offsets and size; configs; the group reading it with its lag', async () => {
  const { status, body } = await call(url, 'GET', `/api/clusters/local/topics/${topic}`)
  assert.equal(status, 200, JSON.stringify(body))
  assert.equal(body.partitions.length, 2)
  for (const p of body.partitions) {
    assert.equal(p.earliest, '0')
    assert.equal(p.latest, String(RECORDS / 2))
    assert.deepEqual(p.replicas, [p.leader])
    assert.deepEqual(p.isr, [p.leader])
    assert.ok(p.sizeBytes === null || p.sizeBytes > 0, `size ${p.sizeBytes}`)
  }
  assert.ok(body.configs.ok)
  const retention = body.configs.value.find((c: { name: string }) => c.name === 'retention.ms')
  assert.equal(retention.override, false)
  assert.ok(body.groups.ok, JSON.stringify(body.groups))
  const reader = body.groups.value.find((g: { group: string }) => g.group === `${prefix}_reader`)
  assert.ok(reader, JSON.stringify(body.groups.value))
  // Committed 10 on partition 0 only: partition 0's lag is 90; partition 1 has no commit.
  assert.ok(reader.lag >= 90, `lag ${reader.lag}`)
})

test('seek by offset returns the records from that offset, in order, with key, value, headers and timestamp', async () => {
  const { records, end } = await scan(messages({ partition: '0', seek: 'offset', offset: '40', limit: '5' }))
  assert.deepEqual(
    records.map((r) => r.offset),
    ['40', '41', '42', '43', '44'],
  )
  // Partition 0 holds the even records: offset n is record 2n.
  assert.equal(records[0].key.text, 'order-80')
  assert.equal(records[0].timestamp, BASE + 80_000)
  assert.deepEqual(records[0].headers[0].key, 'source')
  assert.equal(records[0].headers[0].value.text, 'web')
  // Record 80 is a Connect envelope: the payload is shown, the schema aside.
  assert.equal(records[0].value.kind, 'json')
  assert.deepEqual(JSON.parse(records[0].value.text), { id: 80, customer: { tier: 'gold' } })
  assert.deepEqual(JSON.parse(records[0].value.schema), { type: 'struct', fields: [] })
  assert.equal(end.stoppedBy, 'limit')
  // The cursor reads on from 45.
  const next = await scan(messages({ partition: '0', seek: 'cursor', cursor: end.cursor, limit: '2' }))
  assert.deepEqual(
    next.records.map((r) => r.offset),
    ['45', '46'],
  )
})

test('seek by timestamp starts at the first record at or after it, on every partition', async () => {
  const { records } = await scan(messages({ seek: 'timestamp', timestamp: String(BASE + 150_000), limit: '3' }))
  const byPartition = (p: number) => records.filter((r) => r.partition === p).map((r) => r.key.text)
  assert.deepEqual(byPartition(0), ['order-150', 'order-152', 'order-154'])
  assert.deepEqual(byPartition(1), ['order-151', 'order-153', 'order-155'])
  const iso = await scan(
    messages({ partition: '1', seek: 'timestamp', timestamp: new Date(BASE + 198_500).toISOString() }),
  )
  assert.deepEqual(
    iso.records.map((r) => r.key.text),
    ['order-199'],
  )
})

test('newest first: the last N of each partition, then older pages by the cursor', async () => {
  const first = await scan(messages({ seek: 'newest', limit: '3' }))
  assert.deepEqual(
    first.records.filter((r) => r.partition === 0).map((r) => r.offset),
    ['99', '98', '97'],
  )
  assert.deepEqual(
    first.records.filter((r) => r.partition === 1).map((r) => r.offset),
    ['99', '98', '97'],
  )
  const older = await scan(messages({ seek: 'cursor', cursor: first.end.cursor, direction: 'backward', limit: '2' }))
  assert.deepEqual(
    older.records.filter((r) => r.partition === 0).map((r) => r.offset),
    ['96', '95'],
  )
  // And forward again from the same cursor: the page just read, in order.
  const newer = await scan(messages({ seek: 'cursor', cursor: older.end.cursor, direction: 'forward', limit: '2' }))
  assert.deepEqual(
    newer.records.filter((r) => r.partition === 0).map((r) => r.offset),
    ['95', '96'],
  )
})

test('filters match exactly the expected records and report what they scanned', async () => {
  const gold = await scan(messages({ seek: 'earliest', jsonPath: 'customer.tier', jsonEquals: 'gold', limit: '500' }))
  assert.deepEqual(
    gold.records.map((r) => JSON.parse(r.value.text).id).sort((a, b) => a - b),
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190],
  )
  assert.equal(gold.end.scanned, RECORDS)
  assert.equal(gold.end.total, RECORDS)
  assert.equal(gold.end.matched, 20)
  assert.equal(gold.end.stoppedBy, 'end')

  const regex = await scan(messages({ seek: 'earliest', jsonPath: 'id', jsonRegex: '^1[0-9]$', limit: '500' }))
  assert.deepEqual(
    regex.records.map((r) => JSON.parse(r.value.text).id).sort((a, b) => a - b),
    [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  )
  const key = await scan(messages({ seek: 'earliest', keyContains: 'order-17', limit: '500' }))
  assert.deepEqual(
    key.records.map((r) => r.key.text).sort(),
    ['order-17', ...Array.from({ length: 10 }, (_, i) => `order-17${i}`)].sort(),
  )
  const header = await scan(
    messages({ seek: 'earliest', headerKey: 'source', headerValue: 'web', valueContains: 'silver', limit: '500' }),
  )
  // i % 4 === 0 and i % 3 === 0 and not an envelope (i % 10 !== 0): multiples of 12 not of 10.
  const expected = Array.from({ length: RECORDS }, (_, i) => i).filter((i) => i % 12 === 0 && i % 10 !== 0)
  assert.deepEqual(
    header.records.map((r) => JSON.parse(r.value.text).id).sort((a, b) => a - b),
    expected,
  )
  // Newest first with a filter: the newest matches of each partition.
  const newestGold = await scan(messages({ seek: 'newest', jsonPath: 'customer.tier', jsonEquals: 'gold', limit: '2' }))
  assert.deepEqual(
    newestGold.records.map((r) => JSON.parse(r.value.text).id),
    [190, 180],
  )
})

test('the budget stops a scan and says so; the cursor reads on from where it stopped', async () => {
  const stopped = await scan(
    messages({ partition: '0', seek: 'earliest', valueContains: 'nothing-like-this', maxRecords: '30' }),
  )
  assert.equal(stopped.end.stoppedBy, 'max-records')
  assert.equal(stopped.end.scanned, 30)
  assert.equal(stopped.end.matched, 0)
  assert.equal(stopped.end.total, RECORDS / 2)
  const rest = await scan(
    messages({ partition: '0', seek: 'cursor', cursor: stopped.end.cursor, valueContains: 'nothing-like-this' }),
  )
  assert.equal(rest.end.scanned, RECORDS / 2 - 30)
  assert.equal(rest.end.stoppedBy, 'end')
  // Newest first too: the budget stops it, and the cursor goes on below what was scanned.
  const newest = await scan(messages({ partition: '0', seek: 'newest', valueContains: '"id":1', maxRecords: '30' }))
  assert.equal(newest.end.stoppedBy, 'max-records')
  assert.equal(newest.end.scanned, 30)
  // Partition 0 holds the even records at offset i/2: its newest 30 are records 140…198, every one an "id":1….
  assert.equal(newest.records.length, 30)
  const older = await scan(
    messages({
      partition: '0',
      seek: 'cursor',
      cursor: newest.end.cursor,
      direction: 'backward',
      valueContains: '"id":1',
    }),
  )
  assert.equal(older.end.scanned, RECORDS / 2 - 30)
  assert.equal(older.end.stoppedBy, 'end')
  // Records 100…138 (even) and 10…18 and 1 are below: 20 + 5.
  assert.equal(older.records.length, 25)
})

test('a scan stops when its client goes: cancelled, having read only what it had', async () => {
  const tools = new TopicTools('test', bootstrapBrokers)
  try {
    const abort = new AbortController()
    const events = []
    for await (const e of tools.scan(topic, browseQuery({ seek: 'earliest', partition: '0' }), abort.signal)) {
      events.push(e)
      if (e.type === 'record' && e.record.offset === '2') abort.abort()
    }
    const end = events.at(-1)
    assert.equal(end?.type, 'end')
    if (end?.type !== 'end') return
    assert.equal(end.stoppedBy, 'cancelled')
    assert.equal(end.scanned, 3)
    assert.equal(events.filter((e) => e.type === 'record').length, 3)
  } finally {
    await tools.close()
  }
  // Through HTTP: a browser that aborts mid-stream leaves the console answering.
  const controller = new AbortController()
  const response = await fetch(`${url}${messages({ seek: 'earliest' })}`, { signal: controller.signal })
  await response.body?.getReader().read()
  controller.abort()
  const after = await call(url, 'GET', `/api/clusters/local/topics/${topic}`)
  assert.equal(after.status, 200)
})

test('one record in full; live tail: a cursor at the end sees only records written after it', async () => {
  const one = await call(url, 'GET', `/api/clusters/local/topics/${topic}/messages/1/3`)
  assert.equal(one.status, 200)
  assert.equal(one.body.key.text, 'order-7')
  const tail = await scan(messages({ seek: 'latest' }))
  assert.equal(tail.records.length, 0)
  await producer.send({ messages: [{ topic, partition: 1, key: Buffer.from('tail-1'), value: Buffer.from('new') }] })
  const after = await scan(messages({ seek: 'cursor', cursor: tail.end.cursor }))
  assert.deepEqual(
    after.records.map((r) => r.key.text),
    ['tail-1'],
  )
})

test('binary and hostile payloads come back as data: hex for binary, text for markup', async () => {
  const t = `${prefix}_hostile`
  await admin.createTopics({ topics: [t], partitions: 1, replicas: 1 })
  await producer.send({
    messages: [
      { topic: t, key: Buffer.from([0, 1, 2, 255]), value: Buffer.from('<img src=x onerror=alert(1)>') },
      { topic: t, key: Buffer.from('big'), value: Buffer.from('x'.repeat(50_000)) },
    ],
  })
  const response = await fetch(`${url}/api/clusters/local/topics/${t}/messages?seek=earliest&preview=1000`)
  const records = (await response.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'record')
    .map((e) => e.record)
  assert.equal(records[0].key.kind, 'binary')
  assert.equal(records[0].key.text, '000102ff')
  assert.equal(records[0].value.text, '<img src=x onerror=alert(1)>')
  assert.equal(records[1].value.truncated, true)
  assert.equal(records[1].value.text.length, 1000)
  assert.equal(records[1].value.size, 50_000)
  const full = await call(url, 'GET', `/api/clusters/local/topics/${t}/messages/0/1`)
  assert.equal(full.body.value.text.length, 50_000)
})

test('create, alter config, add partitions and delete a topic; Kafka refusals and bad input are 4xx', async () => {
  const name = `${prefix}_made`
  const created = await call(url, 'POST', '/api/clusters/local/topics', {
    name,
    partitions: 1,
    replicationFactor: 1,
    configs: { 'retention.ms': '3600000' },
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const again = await call(url, 'POST', '/api/clusters/local/topics', { name, partitions: 1, replicationFactor: 1 })
  assert.equal(again.status, 409)
  assert.match(again.body.message, /TOPIC_ALREADY_EXISTS/)
  const detailsOf = () => call(url, 'GET', `/api/clusters/local/topics/${name}`)
  let details = await settled(detailsOf, (d) => d.status === 200 && d.body.configs.ok)
  const retention = () => details.body.configs.value.find((c: { name: string }) => c.name === 'retention.ms')
  assert.equal(retention().value, '3600000')
  assert.equal(retention().override, true)

  const altered = await call(url, 'PUT', `/api/clusters/local/topics/${name}/config`, {
    set: { 'cleanup.policy': 'compact' },
    reset: ['retention.ms'],
  })
  assert.equal(altered.status, 200, JSON.stringify(altered.body))
  details = await settled(detailsOf, (d) => d.body.configs.value.some((c: { value: string }) => c.value === 'compact'))
  assert.equal(retention().override, false)
  assert.equal(details.body.configs.value.find((c: { name: string }) => c.name === 'cleanup.policy').value, 'compact')
  const badValue = await call(url, 'PUT', `/api/clusters/local/topics/${name}/config`, {
    set: { 'cleanup.policy': 'shred' },
  })
  assert.equal(badValue.status, 400)
  assert.match(badValue.body.message, /INVALID_CONFIG|shred/)

  const grown = await call(url, 'POST', `/api/clusters/local/topics/${name}/partitions`, { count: 3 })
  assert.equal(grown.status, 200, JSON.stringify(grown.body))
  details = await settled(detailsOf, (d) => d.body.partitions?.length === 3)
  assert.equal(details.body.partitions.length, 3)
  const shrink = await call(url, 'POST', `/api/clusters/local/topics/${name}/partitions`, { count: 2 })
  assert.equal(shrink.status, 400)
  assert.match(shrink.body.message, /has 3 partitions/)

  const unconfirmed = await call(url, 'DELETE', `/api/clusters/local/topics/${name}?confirm=nope`)
  assert.equal(unconfirmed.status, 400)
  const deleted = await call(url, 'DELETE', `/api/clusters/local/topics/${name}?confirm=${name}`)
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
  const gone = await settled(detailsOf, (d) => d.status === 404)
  assert.equal(gone.status, 404)
})

test('bad input is 400 naming the field; an unknown topic or cluster 404; a cluster that is down 502', async () => {
  const cases: [string, string, unknown, RegExp][] = [
    [
      'POST',
      '/api/clusters/local/topics',
      { name: 'bad name!', partitions: 1, replicationFactor: 1 },
      /may only contain/,
    ],
    ['POST', '/api/clusters/local/topics', { name: 'x'.repeat(250), partitions: 1, replicationFactor: 1 }, /249/],
    ['POST', '/api/clusters/local/topics', { name: 'ok', partitions: 0, replicationFactor: 1 }, /"partitions"/],
    [
      'POST',
      '/api/clusters/local/topics',
      { name: 'ok', partitions: 1, replicationFactor: 1.5 },
      /"replicationFactor"/,
    ],
    [
      'POST',
      '/api/clusters/local/topics',
      { name: 'ok', partitions: 1, replicationFactor: 1, configs: { 'Bad Key': '1' } },
      /config key/,
    ],
    [
      'POST',
      '/api/clusters/local/topics',
      { name: 'ok', partitions: 1, replicationFactor: 1, extra: 1 },
      /unknown field "extra"/,
    ],
    ['PUT', `/api/clusters/local/topics/${topic}/config`, {}, /nothing to change/],
    ['POST', `/api/clusters/local/topics/${topic}/partitions`, { count: 'many' }, /"count"/],
    ['GET', messages({ seek: 'offset' }), undefined, /"offset"/],
    ['GET', messages({ seek: 'timestamp', timestamp: 'yesterday' }), undefined, /"timestamp"/],
    ['GET', messages({ seek: 'cursor', cursor: 'garbage!' }), undefined, /"cursor"/],
    ['GET', messages({ jsonPath: 'a', jsonRegex: '(' }), undefined, /"jsonRegex"/],
    ['GET', messages({ jsonEquals: 'x' }), undefined, /"jsonPath"/],
    ['GET', messages({ maxSeconds: '3600' }), undefined, /"maxSeconds"/],
    ['GET', messages({ partition: 'two' }), undefined, /"partition"/],
  ]
  for (const [method, path, body, message] of cases) {
    const answer = await call(url, method, path, body)
    assert.equal(answer.status, 400, `${method} ${path}: ${JSON.stringify(answer.body)}`)
    assert.equal(answer.body.error_code, 400)
    assert.match(answer.body.message, message)
  }
  const down = await call(url, 'GET', `/api/clusters/gone/topics/${topic}`)
  assert.equal(down.status, 502)
  assert.match(down.body.message, /Kafka cluster gone/)
  const downScan = await call(url, 'GET', `/api/clusters/gone/topics/${topic}/messages`)
  assert.equal(downScan.status, 502)
  const unknown = await call(url, 'GET', `/api/clusters/nowhere/topics/${topic}`)
  assert.equal(unknown.status, 404)
  const missing = await call(url, 'GET', `/api/clusters/local/topics/${prefix}_none/messages`)
  assert.equal(missing.status, 404)
  const noPartition = await call(url, 'GET', messages({ partition: '7' }))
  assert.equal(noPartition.status, 404)
})

test('read-only mode refuses every topic write; writes without the console header are refused', async () => {
  const name = `${prefix}_ro`
  for (const [method, path, body] of [
    ['POST', '/api/clusters/local/topics', { name, partitions: 1, replicationFactor: 1 }],
    ['PUT', `/api/clusters/local/topics/${topic}/config`, { set: { 'retention.ms': '1' } }],
    ['POST', `/api/clusters/local/topics/${topic}/partitions`, { count: 5 }],
    ['DELETE', `/api/clusters/local/topics/${topic}?confirm=${topic}`, undefined],
  ] as const) {
    const answer = await call(readOnlyUrl, method, path, body)
    assert.equal(answer.status, 403, `${method} ${path}`)
    assert.match(answer.body.message, /read-only/)
  }
  const forged = await call(url, 'DELETE', `/api/clusters/local/topics/${topic}?confirm=${topic}`, undefined, {
    'X-Flowscope-Console': '0',
  })
  assert.equal(forged.status, 403)
  const still = await call(url, 'GET', `/api/clusters/local/topics/${topic}`)
  assert.equal(still.status, 200)
  assert.equal(still.body.partitions.length, 2)
  // Reading still works in read-only mode.
  const read = await fetch(`${readOnlyUrl}${messages({ seek: 'newest', limit: '1' })}`)
  assert.equal(read.status, 200)
  assert.match(await read.text(), /"type":"end"/)
})
