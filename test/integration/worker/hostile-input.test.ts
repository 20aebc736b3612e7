// Hostile and careless input against a real worker: every bad request gets a clear 4xx JSON error
// ({error_code, message}), nothing half-created, and the worker with its running connector carries on.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { assertError } from '../../support/rest-contract.ts'
import {
  createConnector,
  createTable,
  insertRows,
  jdbcConfig,
  path,
  sql,
  startTestWorker,
  type TestWorker,
  waitForIds,
  waitForState,
  workerIdentity,
} from './helpers.ts'

const MAX_BODY_BYTES = 32 * 1024

let running: TestWorker
let table: string

before(async () => {
  table = await createTable('hostile')
  running = await startTestWorker(
    await workerIdentity('hostile', { 'flowscope.rest.max.body.bytes': String(MAX_BODY_BYTES) }),
  )
  await createConnector(running.request, 'steady', jdbcConfig(table))
  await waitForState(running.request, 'steady', 'RUNNING')
})

after(async () => {
  await running?.worker.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
})

async function connectorNames(): Promise<string[]> {
  const response = await running.request('GET', '/connectors')
  assert.equal(response.status, 200)
  return response.body as string[]
}

test('malformed JSON: 400 with a JSON error body, on every body-taking endpoint', async () => {
  const { request } = running
  const json = { 'content-type': 'application/json' }
  assertError(await request('POST', '/connectors', '{"name": "x", "config": {', json), 400)
  assertError(await request('PUT', path('steady', '/config'), '{"connector.class": ', json), 400)
  assertError(await request('PATCH', path('steady', '/config'), 'not json at all', json), 400)
  assertError(await request('PATCH', path('steady', '/offsets'), '{"offsets": [', json), 400)
  assertError(await request('PUT', '/connector-plugins/JdbcSourceConnector/config/validate', '{', json), 400)
  assert.deepEqual(await connectorNames(), ['steady'])
})

test('a body over flowscope.rest.max.body.bytes: 413, nothing created', async () => {
  const config = { ...jdbcConfig(table), padding: 'x'.repeat(MAX_BODY_BYTES + 1) }
  assertError(await running.request('POST', '/connectors', { name: 'huge', config }), 413)
  assertError(await running.request('PUT', path('huge', '/config'), config), 413)
  assertError(await running.request('GET', path('huge')), 404)
})

test('a wrong content type: 415 JSON', async () => {
  const body = JSON.stringify({ name: 'plain-text', config: jdbcConfig(table) })
  assertError(await running.request('POST', '/connectors', body, { 'content-type': 'text/plain' }), 415)
  assertError(await running.request('POST', '/connectors', body, { 'content-type': 'application/xml' }), 415)
  assertError(await running.request('GET', path('plain-text')), 404)
})

test('unknown fields are ignored (as Connect does); the connector is created and runs', async () => {
  const response = await running.request('POST', '/connectors', {
    name: 'extra-fields',
    config: jdbcConfig(table),
    tasks: [{ connector: 'x', task: 7 }],
    type: 'sink',
    surprise: { deeply: ['nested'] },
  })
  assert.equal(response.status, 201, response.text)
  const status = await waitForState(running.request, 'extra-fields', 'RUNNING')
  assert.equal(status.type, 'source')
  assert.equal((await running.request('DELETE', path('extra-fields'))).status, 204)
})

test('names with spaces, encoded slashes and unicode round-trip; unknown lookalikes are 404', async () => {
  const { request } = running
  for (const name of ['with spaces', 'a/b/c', 'ünïcödé-名前-🚀', 'percent%2Fsign']) {
    await createConnector(request, name, jdbcConfig(table))
    assert.ok((await connectorNames()).includes(name), name)
    const info = await request('GET', path(name))
    assert.equal(info.status, 200, `${name}: ${info.text}`)
    assert.equal((info.body as { name: string }).name, name)
    await waitForState(request, name, 'RUNNING')
    assert.equal((await request('DELETE', path(name))).status, 204, name)
  }
  assertError(await request('GET', `/connectors/${encodeURIComponent('with  spaces')}`), 404)
  assertError(await request('GET', '/connectors/a/b/c'), 404)
  assert.deepEqual(await connectorNames(), ['steady'])
})

test('an invalid config: 400 listing every error, nothing created', async () => {
  const config = {
    ...jdbcConfig(table),
    mode: 'sometimes',
    'tasks.max': 'many',
    'poll.interval.ms': 'soon',
  }
  const response = await running.request('POST', '/connectors', { name: 'invalid', config })
  assertError(response, 400, /^Connector configuration is invalid and contains the following 3 error\(s\):\n/)
  const message = (response.body as { message: string }).message
  for (const key of ['mode', 'tasks.max', 'poll.interval.ms']) assert.match(message, new RegExp(`^${key}: `, 'm'))
  assertError(await running.request('GET', path('invalid')), 404)
  assertError(await running.request('PUT', path('invalid', '/config'), config), 400)
  assertError(await running.request('GET', path('invalid')), 404)
})

test('an unknown plugin: 400 naming it, nothing created; its config endpoint: 404', async () => {
  const response = await running.request('POST', '/connectors', {
    name: 'no-plugin',
    config: { ...jdbcConfig(table), 'connector.class': 'com.example.NoSuchConnector' },
  })
  assertError(response, 400, /com\.example\.NoSuchConnector/)
  assertError(await running.request('GET', path('no-plugin')), 404)
  assertError(await running.request('GET', '/connector-plugins/com.example.NoSuchConnector/config'), 404)
})

test('afterwards: /health is 200 and the existing connector is still RUNNING and producing', async () => {
  const health = await running.request('GET', '/health')
  assert.equal(health.status, 200)
  assert.equal((health.body as { status: string }).status, 'healthy')
  assert.deepEqual(await connectorNames(), ['steady'])
  await waitForState(running.request, 'steady', 'RUNNING')
  await waitForIds(`${table}-${table}`, await insertRows(table, 3))
})
