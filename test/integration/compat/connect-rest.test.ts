// The same REST requests sent to a real Apache Kafka Connect 4.1.1 worker and to a flowscope worker, both on the test
// broker: status codes and JSON bodies (or, where the connectors differ, JSON shapes) must match, except for the
// deliberate differences documented in docs/rest-api.md (listed in DIFFERENCES below). Also: a flowscope worker
// given the Connect worker's group.id joins the Connect worker's group, both agreeing on Connect's sessioned protocol.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Connection, describeGroupsV5 } from '@platformatic/kafka'
import { decodeMetadata } from '../../../src/runtime/connect-protocol.ts'
import type { RestResponse } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createTable,
  jdbcConfig,
  sql,
  startTestWorker,
  type TestWorker,
  waitForState,
  workerIdentity,
} from '../worker/helpers.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

/** Requests whose answers differ on purpose (docs/rest-api.md, "Deliberate differences"): upstream → flowscope. */
const DIFFERENCES: Record<string, { upstream: number; flowscope: number }> = {
  // A malformed JSON body is bad input: Connect answers 500 (Jackson's parse error is not mapped), flowscope 400.
  'POST /connectors {malformed}': { upstream: 500, flowscope: 400 },
  'PUT /connectors/compat-missing/config {malformed}': { upstream: 500, flowscope: 400 },
  // A create request without "config": Connect fails with a NullPointerException (500), flowscope says what is missing.
  'POST /connectors {no config}': { upstream: 500, flowscope: 400 },
}

let upstream: UpstreamConnect
let flowscope: TestWorker
let table: string
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowscope-compat-'))
  table = await createTable('compat')
  const [connect, worker] = await Promise.all([
    startUpstreamConnect(),
    workerIdentity('compat').then((identity) => startTestWorker(identity)),
  ])
  upstream = connect
  flowscope = worker
})

after(async () => {
  await flowscope?.worker.stop()
  await upstream?.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
  if (dir) await rm(dir, { recursive: true, force: true })
})

interface Pair {
  upstream: RestResponse
  flowscope: RestResponse
}

async function both(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Pair> {
  const [a, b] = await Promise.all([
    upstream.request(method, path, body, headers),
    flowscope.request(method, path, body, headers),
  ])
  return { upstream: a, flowscope: b }
}

/** Same status and the same body, byte for byte as JSON. */
async function same(method: string, path: string, body?: unknown): Promise<Pair> {
  const pair = await both(method, path, body)
  const what = `${method} ${path}`
  assert.equal(pair.flowscope.status, pair.upstream.status, `${what}: ${pair.flowscope.text} vs ${pair.upstream.text}`)
  assert.deepEqual(pair.flowscope.body, pair.upstream.body, what)
  assert.equal(pair.flowscope.body === undefined, pair.upstream.body === undefined, what)
  return pair
}

/** Fields whose content is the connector's own (its config keys, its source partitions and offsets). */
const CONNECTOR_OWNED = new Set(['config', 'partition', 'offset'])

/**
 * A JSON value with every string, number and boolean replaced by its type, arrays by their distinct elements, and
 * connector-owned objects by 'object' (FileStream and JDBC have different config keys and offsets).
 */
function shapeOf(value: unknown, owned = false): unknown {
  if (owned && value !== null && typeof value === 'object' && !Array.isArray(value)) return 'object'
  if (Array.isArray(value)) {
    const shapes = new Map(value.map((item) => [JSON.stringify(shapeOf(item)), shapeOf(item)]))
    return [...shapes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, shape]) => shape)
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, item]) => [key, shapeOf(item, CONNECTOR_OWNED.has(key))]),
    )
  }
  return value === null ? 'null' : typeof value
}

/** Same JSON shape (for answers about different connectors); same status unless `anyStatus`. */
function sameShape(pair: Pair, what: string, anyStatus = false, owned = false): void {
  if (!anyStatus) {
    assert.equal(
      pair.flowscope.status,
      pair.upstream.status,
      `${what}: ${pair.flowscope.text} vs ${pair.upstream.text}`,
    )
  }
  assert.deepEqual(
    shapeOf(pair.flowscope.body, owned),
    shapeOf(pair.upstream.body, owned),
    `${what}: ${pair.flowscope.text} vs ${pair.upstream.text}`,
  )
}

describe('REST answers: Apache Kafka Connect 4.1.1 vs flowscope', () => {
  test('GET / and /health: same fields, same version and cluster id', async () => {
    const root = await both('GET', '/')
    sameShape(root, 'GET /')
    const [a, b] = [root.upstream.body, root.flowscope.body] as { version: string; kafka_cluster_id: string }[]
    assert.equal(b.version, a.version)
    assert.equal(b.kafka_cluster_id, a.kafka_cluster_id)
    await same('GET', '/health')
  })

  test('a fresh worker lists no connectors', async () => {
    await same('GET', '/connectors')
    await same('GET', '/connectors?expand=status')
  })

  test('an unknown connector: the same status code and error body on every path', async () => {
    const name = 'compat-missing'
    const path = `/connectors/${name}`
    for (const [method, rest, body] of [
      ['GET', ''],
      ['GET', '/config'],
      ['GET', '/status'],
      ['GET', '/tasks'],
      ['GET', '/tasks/0/status'],
      ['GET', '/tasks/x/status'],
      ['POST', '/tasks/0/restart'],
      ['GET', '/offsets'],
      ['GET', '/topics'],
      ['PUT', '/topics/reset'],
      ['POST', '/restart'],
      ['PUT', '/pause'],
      ['PUT', '/resume'],
      ['PUT', '/stop'],
      ['PATCH', '/config', { 'tasks.max': '2' }],
      ['DELETE', ''],
    ] as [string, string, unknown?][]) {
      await same(method, `${path}${rest}`, body)
    }
  })

  test('unknown routes and wrong methods: Jersey wording', async () => {
    await same('GET', '/no/such/route')
    await same('GET', '/connectors/x/no-such-action')
    await same('DELETE', '/connectors')
    await same('GET', '/connectors/x/restart')
  })

  test('bad requests: same statuses, except the documented ones', async () => {
    const noConfig = await both('POST', '/connectors', { name: 'compat-no-config' })
    assert.deepEqual(
      { upstream: noConfig.upstream.status, flowscope: noConfig.flowscope.status },
      DIFFERENCES['POST /connectors {no config}'],
    )
    sameShape(noConfig, 'no-config error body', true)
    const malformed = await both('POST', '/connectors', '{"name": "x", "config": {', {
      'content-type': 'application/json',
    })
    assert.deepEqual(
      { upstream: malformed.upstream.status, flowscope: malformed.flowscope.status },
      DIFFERENCES['POST /connectors {malformed}'],
    )
    sameShape(malformed, 'malformed JSON error body', true)
    const malformedPut = await both('PUT', '/connectors/compat-missing/config', '[1,', {
      'content-type': 'application/json',
    })
    assert.deepEqual(
      { upstream: malformedPut.upstream.status, flowscope: malformedPut.flowscope.status },
      DIFFERENCES['PUT /connectors/compat-missing/config {malformed}'],
    )
  })

  test('connector plugins and loggers: same shapes', async () => {
    sameShape(await both('GET', '/connector-plugins'), 'GET /connector-plugins')
    sameShape(
      await both('GET', '/connector-plugins?connectorsOnly=false'),
      'GET /connector-plugins?connectorsOnly=false',
    )
    const loggers = await both('GET', '/admin/loggers')
    assert.equal(loggers.flowscope.status, loggers.upstream.status)
    // Different logger names (log4j's vs flowscope's); every entry is {level, last_modified}.
    const entries = (response: RestResponse) => shapeOf(Object.values(response.body as Record<string, unknown>))
    assert.deepEqual(entries(loggers.flowscope), entries(loggers.upstream), loggers.upstream.text)
  })

  test('a running source connector (FileStream upstream, JDBC on flowscope): same entities, version included', async () => {
    const name = uniqueName('compat')
    const file = join(dir, `${name}.txt`)
    await writeFile(file, 'a\nb\n')
    await sql(`INSERT INTO ${table} (v) VALUES ('a'), ('b')`)
    const created = {
      upstream: await upstream.request('POST', '/connectors', {
        name,
        config: {
          'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
          file,
          topic: `${name}-topic`,
          'tasks.max': '1',
        },
      }),
      flowscope: await flowscope.request('POST', '/connectors', { name, config: jdbcConfig(table) }),
    }
    // Connect answers the create before the connector made its task configs: compare the key set only.
    assert.equal(created.flowscope.status, created.upstream.status, created.upstream.text)
    assert.deepEqual(
      Object.keys(created.flowscope.body as object).sort(),
      Object.keys(created.upstream.body as object).sort(),
    )
    const [a, b] = await Promise.all([
      waitForState(upstream.request, name, 'RUNNING', 'RUNNING', 60_000),
      waitForState(flowscope.request, name, 'RUNNING'),
    ])
    assert.deepEqual(shapeOf(b), shapeOf(a), `status: ${JSON.stringify(b)} vs ${JSON.stringify(a)}`)
    assert.equal(typeof (a.connector as { version?: string }).version, 'string', JSON.stringify(a))
    for (const rest of ['', '/status', '/tasks/0/status', '/tasks']) {
      sameShape(await both('GET', `/connectors/${name}${rest}`), `GET …${rest}`)
    }
    // FileStream may not have flushed an offset yet: compare the envelope.
    const offsets = await both('GET', `/connectors/${name}/offsets`)
    assert.equal(offsets.flowscope.status, offsets.upstream.status)
    for (const response of [offsets.upstream, offsets.flowscope]) {
      assert.deepEqual(Object.keys(response.body as object), ['offsets'])
      assert.ok(Array.isArray((response.body as { offsets: unknown }).offsets))
    }
    sameShape(await both('GET', `/connectors/${name}/config`), 'GET …/config', false, true)
    sameShape(await both('GET', '/connectors?expand=status&expand=info'), 'GET /connectors?expand=status&expand=info')
    // Topics appear once a record was written; then both list them under the connector's name.
    const topics = await waitForTopics(name)
    sameShape(topics, 'GET topics')
    const stopped = await same('PUT', `/connectors/${name}/stop`)
    assert.equal(stopped.upstream.status, 204)
    const [sa, sb] = await Promise.all([
      waitForState(upstream.request, name, 'STOPPED', 'STOPPED', 30_000),
      waitForState(flowscope.request, name, 'STOPPED'),
    ])
    assert.deepEqual(shapeOf(sb), shapeOf(sa), `stopped: ${JSON.stringify(sb)} vs ${JSON.stringify(sa)}`)
    await same('DELETE', `/connectors/${name}`)
    // (Connect may still answer the deleted connector's status for a moment: its tombstone is read asynchronously.)
    await same('GET', `/connectors/${name}`)
  })

  test("a flowscope worker given the Connect worker's group.id joins its group on Connect's sessioned protocol", async () => {
    const identity = await workerIdentity('compat-group')
    const member = await startTestWorker({ ...identity, groupId: upstream.groupId })
    try {
      const [host, port] = testStack().bootstrapServers.split(',')[0].split(':')
      const connection = new Connection('compat-group-test')
      await connection.connect(host, Number(port))
      try {
        const { groups } = await describeGroupsV5.api.async(connection, [upstream.groupId], false)
        const group = groups[0]
        assert.equal(group.groupState, 'Stable')
        assert.equal(group.protocolType, 'connect')
        // Both offer sessioned, compatible and default (Connect's default connect.protocol): they agree on sessioned.
        assert.equal(group.protocolData, 'sessioned')
        const urls = group.members.map((m) => decodeMetadata(m.memberMetadata).url).sort()
        assert.equal(urls.length, 2, `members: ${urls}`)
        assert.ok(urls.includes(`http://${member.worker.workerId}`), `flowscope's URL among ${urls}`)
      } finally {
        await connection.close()
      }
      assert.equal((await member.request('GET', '/health')).status, 200)
      assert.equal((await upstream.request('GET', '/health')).status, 200)
    } finally {
      await member.worker.stop()
    }
    // The Connect worker is undisturbed once the flowscope worker left.
    assert.equal((await upstream.request('GET', '/health')).status, 200)
  })
})

async function waitForTopics(name: string): Promise<Pair> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const pair = await both('GET', `/connectors/${name}/topics`)
    const listed = (response: RestResponse) =>
      ((response.body as Record<string, { topics: string[] }> | undefined)?.[name]?.topics.length ?? 0) > 0
    if (listed(pair.upstream) && listed(pair.flowscope)) return pair
    if (Date.now() > deadline) assert.fail(`topics never listed: ${pair.upstream.text} / ${pair.flowscope.text}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
