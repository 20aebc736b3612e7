// The Connect pages' API against a real Apache Kafka Connect worker (connect-runtime and its FileStream connectors
// from Maven Central, the version of src/local/connect/pom.xml), not flowscope's: the console lists its connectors,
// validates and creates a FileStreamSourceConnector through the form's API path, sees it and its task RUNNING and
// the topic it writes, alters its offsets once STOPPED (KIP-875: the file position, which the resumed task reads on
// from), pauses and resumes it, masks a secret in its config, and deletes it.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { ConnectClient } from '../../../src/console/server/connect.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { passwordKeysOf } from '../../../src/console/server/masking.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { startUpstreamConnect, type UpstreamConnect } from '../compat/upstream-connect.ts'
import { readTopic } from '../worker/helpers.ts'

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector'
const prefix = uniqueName('consoleupstream')
const topic = `${prefix}_lines`
const NAME = `${prefix}-file-source`
const SECRET = 'not-for-the-browser'

let upstream: UpstreamConnect
let kafka: KafkaCluster
let app: FastifyInstance
let url: string
let dir: string
let file: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowscope-console-upstream-'))
  file = join(dir, 'input.txt')
  await writeFile(file, 'first line\nsecond line\nthird line\n')
  upstream = await startUpstreamConnect()
  kafka = new KafkaCluster('local', [testStack().bootstrapServers], 0)
  app = await createConsoleApp({
    kafka: [kafka],
    connects: [new ConnectClient('apache', upstream.url)],
    lag: null,
    prometheusUrl: null,
    assets: await buildAssets(),
    allowedHostnames: LOOPBACK_HOSTNAMES,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
after(async () => {
  await app?.close()
  await kafka?.close()
  await upstream?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
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

interface View {
  name: string
  state: string
  type: string
  className: string
  config: Record<string, string>
  tasks: { id: number; state: string }[]
  topics: string[] | null
}

async function connector(until: (c: View | undefined) => boolean, what: string): Promise<View | undefined> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const { status, body } = await call('GET', '/api/connect')
    assert.equal(status, 200, JSON.stringify(body))
    const [cluster] = body.clusters
    assert.equal(cluster.connectors.ok, true, JSON.stringify(cluster))
    const found = (cluster.connectors.value as View[]).find((c) => c.name === NAME)
    if (until(found)) return found
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(found)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

test('the real Connect worker is listed, with no connectors yet, and its FileStream plugins', async () => {
  const { status, body } = await call('GET', '/api/connect')
  assert.equal(status, 200)
  assert.deepEqual(
    body.clusters.map((c: { name: string; url: string }) => [c.name, c.url]),
    [['apache', upstream.url]],
  )
  assert.deepEqual(body.clusters[0].connectors, { ok: true, value: [] })
  const plugins = await call('GET', '/api/connect/apache/plugins')
  assert.equal(plugins.status, 200)
  assert.ok(
    plugins.body.some((p: { class: string; type: string }) => p.class === FILE_SOURCE && p.type === 'source'),
    JSON.stringify(plugins.body),
  )
})

test('the form path: validation names the missing field, then the connector is created and RUNNING', async () => {
  const base = { 'connector.class': FILE_SOURCE, name: NAME, file }
  const invalid = await call('PUT', `/api/connect/apache/plugins/${FILE_SOURCE}/validate`, base)
  assert.equal(invalid.status, 200, JSON.stringify(invalid.body))
  const byName = new Map(
    invalid.body.configs.map((c: { definition: { name: string }; value: { errors: string[] } }) => [
      c.definition.name,
      c,
    ]),
  ) as Map<string, { definition: { name: string; type: string; group: string }; value: { errors: string[] } }>
  assert.ok(byName.has('file') && byName.has('topic'), [...byName.keys()].join(', '))
  assert.ok(invalid.body.error_count >= 1)
  assert.ok(byName.get('topic')!.value.errors.length > 0, 'the empty topic is an error on the topic field')
  assert.deepEqual(byName.get('file')!.value.errors, [])
  // The FileStream source has no PASSWORD-typed key: what would be masked by type is nothing here.
  assert.deepEqual([...passwordKeysOf(invalid.body)], [])

  const config = { ...base, topic, 'notify.password': SECRET }
  const valid = await call('PUT', `/api/connect/apache/plugins/${FILE_SOURCE}/validate`, config)
  assert.equal(
    valid.body.error_count,
    0,
    JSON.stringify(valid.body.configs.filter((c: { value: { errors: string[] } }) => c.value.errors.length)),
  )
  const created = await call('PUT', `/api/connect/apache/connectors/${NAME}/config`, config)
  assert.equal(created.status, 201, JSON.stringify(created.body))
  assert.deepEqual(created.body, { name: NAME, created: true })

  const running = await connector(
    (c) =>
      c?.state === 'RUNNING' &&
      c.tasks.length === 1 &&
      c.tasks[0].state === 'RUNNING' &&
      (c.topics ?? []).includes(topic),
    'RUNNING with one RUNNING task and its topic',
  )
  assert.equal(running?.type, 'source')
  assert.equal(running?.className, FILE_SOURCE)
  assert.equal(running?.config.file, file)
  // A secret-named key is masked even though Connect does not type it, and never reaches the browser.
  assert.equal(running?.config['notify.password'], '********')
  const raw = JSON.stringify((await call('GET', '/api/connect')).body)
  assert.ok(!raw.includes(SECRET), 'the secret is not in any answer')
  // Saving the masked config back (the edit form) keeps the stored secret.
  const saved = await call('PUT', `/api/connect/apache/connectors/${NAME}/config`, running?.config)
  assert.equal(saved.status, 200, JSON.stringify(saved.body))
  const stored = await upstream.request('GET', `/connectors/${NAME}/config`)
  assert.equal((stored.body as Record<string, string>)['notify.password'], SECRET)
})

/** The lines in the topic, in order (the worker's JsonConverter wraps each in a schema envelope). */
async function linesInTopic(): Promise<string[]> {
  return (await readTopic(topic)).map((v) => (v as { payload: string }).payload)
}

async function waitForLines(expected: string[]): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const lines = await linesInTopic()
    if (JSON.stringify(lines) === JSON.stringify(expected)) return
    if (Date.now() > deadline) {
      assert.fail(`topic ${topic}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(lines)}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

test('offsets: the real worker alters a STOPPED FileStream source’s file position; resumed, it reads on from there', async () => {
  const lines = ['first line', 'second line', 'third line']
  await waitForLines(lines)
  const path = `/api/connect/apache/connectors/${NAME}/offsets`
  const end = Buffer.byteLength(lines.map((l) => `${l}\n`).join(''))
  const read = async () => (await call('GET', path)).body.offsets
  const deadline = Date.now() + 30_000
  while ((await read())[0]?.offset.position !== end) {
    if (Date.now() > deadline) assert.fail(`offsets never reached position ${end}: ${JSON.stringify(await read())}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const partition = { filename: file }
  assert.deepEqual(await read(), [{ partition, offset: { position: end } }])
  // Connect refuses while the connector runs, with its own reason.
  const running = await call('PATCH', path, { offsets: [{ partition, offset: { position: 0 } }] })
  assert.equal(running.status, 400, JSON.stringify(running.body))
  assert.match(running.body.message, /STOPPED/)

  assert.equal((await call('POST', `/api/connect/apache/connectors/${NAME}/stop`)).status, 200)
  await connector((c) => c?.state === 'STOPPED', 'STOPPED')
  // The FileStream source checks the offsets it is given; Connect answers its refusal as a 500 (the console's 502),
  // and its reason comes through.
  const bad = await call('PATCH', path, { offsets: [{ partition, offset: { position: 'second' } }] })
  assert.equal(bad.status, 502, JSON.stringify(bad.body))
  assert.equal(
    bad.body.message,
    "Connect cluster apache: The value for the 'position' key in the offset is expected to be a Long value",
  )
  // Back to the start of the second line.
  const second = Buffer.byteLength('first line\n')
  const altered = await call('PATCH', path, { offsets: [{ partition, offset: { position: second } }] })
  assert.equal(altered.status, 200, JSON.stringify(altered.body))
  assert.equal(altered.body.message, 'The offsets for this connector have been altered successfully')
  assert.deepEqual(await read(), [{ partition, offset: { position: second } }])
  assert.equal((await call('POST', `/api/connect/apache/connectors/${NAME}/resume`)).status, 200)
  await connector((c) => c?.state === 'RUNNING' && c.tasks[0]?.state === 'RUNNING', 'RUNNING after the alteration')
  await waitForLines([...lines, 'second line', 'third line'])
})

test('pause and resume through the console reach the real worker; delete removes it', async () => {
  const paused = await call('POST', `/api/connect/apache/connectors/${NAME}/pause`)
  assert.equal(paused.status, 200, JSON.stringify(paused.body))
  assert.equal(paused.body.connect_status, 202)
  await connector((c) => c?.state === 'PAUSED' && c.tasks.every((t) => t.state === 'PAUSED'), 'PAUSED')
  const status = await upstream.request('GET', `/connectors/${NAME}/status`)
  assert.equal((status.body as { connector: { state: string } }).connector.state, 'PAUSED')
  const resumed = await call('POST', `/api/connect/apache/connectors/${NAME}/resume`)
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body))
  await connector((c) => c?.state === 'RUNNING' && c.tasks.every((t) => t.state === 'RUNNING'), 'RUNNING again')
  const restarted = await call('POST', `/api/connect/apache/connectors/${NAME}/restart`, {
    includeTasks: true,
    onlyFailed: false,
  })
  assert.equal(restarted.status, 200, JSON.stringify(restarted.body))
  await connector((c) => c?.state === 'RUNNING' && c.tasks.every((t) => t.state === 'RUNNING'), 'RUNNING after restart')
  const missing = await call('POST', '/api/connect/apache/connectors/no-such-connector/pause')
  assert.equal(missing.status, 404, JSON.stringify(missing.body))
  const removed = await call('DELETE', `/api/connect/apache/connectors/${NAME}`)
  assert.equal(removed.status, 200, JSON.stringify(removed.body))
  await connector((c) => c === undefined, 'deleted')
})
