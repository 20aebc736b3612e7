// The console API against a real worker, broker and lag exporter: the pipeline of a JDBC connector with a lagging
// group, masked secrets, connector actions proxied to Connect, input validation, CSRF refusals, and a Connect
// cluster that is down failing only its own part.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { createConsoleApp } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { ConnectClient } from '../../../src/console/server/connect.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  insertRows,
  jdbcConfig,
  sql,
  statusOf,
  waitForIds,
  waitForState,
} from '../worker/helpers.ts'
import { type ConsoleUnderTest, startConsole } from './helpers.ts'

const prefix = uniqueName('consoleapi')
let c: ConsoleUnderTest
let table: string
let topic: string
const admin = new Admin({ clientId: 'console-api-test', bootstrapBrokers: [testStack().bootstrapServers] })

before(async () => {
  c = await startConsole(prefix, new RegExp(`^${prefix}`))
  table = await createTable('console_api')
  topic = `${table}-${table}`
  await createConnector(c.worker.request, 'orders-source', jdbcConfig(table))
  await waitForState(c.worker.request, 'orders-source', 'RUNNING')
  await waitForIds(topic, await insertRows(table, 5))
})
after(async () => {
  await c?.stop()
  await admin.close()
  await sql(`DROP TABLE IF EXISTS ${table}`)
})

test('pipeline: table → RUNNING connector → topic with records → lagging group, and the dead Connect cluster named', async () => {
  await admin.alterConsumerGroupOffsets({
    groupId: `${prefix}_reader`,
    topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 2n }] }],
  })
  assert.equal(await c.exporter.poll(), true)
  const { status, body } = await c.api('GET', '/api/pipeline')
  assert.equal(status, 200, JSON.stringify(body))
  assert.deepEqual(
    body.problems.map((p: { part: string }) => p.part),
    ['Connect gone'],
    JSON.stringify(body.problems),
  )
  const byId = new Map(body.nodes.map((n: { id: string }) => [n.id, n]))
  const connector = byId.get('connector:main/orders-source') as { health: string; status: string; rate: unknown }
  assert.equal(connector.health, 'ok')
  assert.match(connector.status, /^RUNNING · 1\/1 tasks running/)
  // The flowscope worker serves its metrics: the connector's write rate is known (a number, possibly 0 when idle).
  assert.equal(typeof connector.rate, 'number')
  assert.equal((byId.get(`topic:${topic}`) as { health: string }).health, 'ok')
  const group = byId.get(`group:${prefix}_reader`) as { lag: { offsets: number; status: string } }
  assert.equal(group.lag.offsets, 3)
  assert.ok(
    body.edges.some(
      (e: { from: string; to: string }) => e.from === `topic:${topic}` && e.to === `group:${prefix}_reader`,
    ),
  )
  assert.ok(
    body.edges.some(
      (e: { from: string; to: string }) => e.from.startsWith('table:') && e.to === 'connector:main/orders-source',
    ),
  )
  assert.deepEqual(
    body.problems.map((p: { part: string; error_code: number }) => [p.part, p.error_code]),
    [['Connect gone', 502]],
  )
})

test('consumer groups from the lag exporter: searched, sorted and paged by the server', async () => {
  // Three groups on the topic of 5 records, committed at 1, 2 and 4: lag 4, 3 and 1.
  const committed = { a: 1n, b: 4n, c: 2n }
  for (const [suffix, offset] of Object.entries(committed))
    await admin.alterConsumerGroupOffsets({
      groupId: `${prefix}_paged_${suffix}`,
      topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset }] }],
    })
  assert.equal(await c.exporter.poll(), true)
  const get = async (query: string) => {
    const { status, body } = await c.api('GET', `/api/consumers?${query}`)
    assert.equal(status, 200, JSON.stringify(body))
    return body
  }
  const first = await get('search=_PAGED_&size=2')
  assert.deepEqual(
    [first.total, first.page, first.size, first.items.map((g: { group: string }) => g.group)],
    [3, 1, 2, [`${prefix}_paged_a`, `${prefix}_paged_b`]],
  )
  assert.equal(first.up, true)
  // Statuses count every group the exporter reports, not only the page or the search's.
  const counted = Object.values(first.statuses as Record<string, number>).reduce((sum, n) => sum + n, 0)
  assert.ok(counted >= 4, JSON.stringify(first.statuses))
  const second = await get('search=_paged_&size=2&page=2')
  assert.deepEqual(
    second.items.map((g: { group: string; maxLag: number }) => [g.group, g.maxLag]),
    [[`${prefix}_paged_c`, 3]],
  )
  const byLag = await get('search=_paged_&sort=lag&order=desc')
  assert.deepEqual(
    byLag.items.map((g: { maxLag: number }) => g.maxLag),
    [4, 3, 1],
  )
  // A topic's name finds the groups reading it (here all four of this test file's groups on it).
  assert.equal((await get(`search=${encodeURIComponent(topic)}`)).total, 4)
  const bad = await c.api('GET', '/api/consumers?sort=members')
  assert.equal(bad.status, 400)
  assert.match(bad.body.message, /query parameter "sort": "members" is not one of name, status, lag/)
})

test('connectors come with status and masked secrets; the dead cluster fails alone', async () => {
  const { status, body } = await c.api('GET', '/api/connect')
  assert.equal(status, 200)
  const main = body.clusters.find((x: { name: string }) => x.name === 'main')
  const gone = body.clusters.find((x: { name: string }) => x.name === 'gone')
  assert.equal(gone.connectors.ok, false)
  assert.equal(gone.connectors.error.error_code, 502)
  assert.match(gone.connectors.error.message, /Connect cluster gone .* did not answer/)
  const source = main.connectors.value.find((x: { name: string }) => x.name === 'orders-source')
  assert.equal(source.state, 'RUNNING')
  assert.equal(source.config['connection.password'], jdbcConfig(table)['connection.password'] === '' ? '' : '********')
  assert.equal(source.config['connection.user'], jdbcConfig(table)['connection.user'])
  assert.deepEqual(source.topics, [topic])
  // A distinctive secret under a key the plugin does not define (masked by its name), and one inside a URL:
  // finding either anywhere in the answer would mean it leaked.
  const secret = `hunter2-${prefix}`
  await createConnector(
    c.worker.request,
    'secretive',
    jdbcConfig(table, {
      'topic.prefix': `${prefix}-secretive-`,
      'notify.webhook.token': secret,
      'notify.webhook.url': `https://bot:${secret}-url@hooks.example/x`,
    }),
  )
  const raw = await (await fetch(`${c.url}/api/connect/main/connectors`)).text()
  assert.ok(raw.includes('"secretive"'))
  assert.ok(!raw.includes(secret), 'the stored password never leaves the console')
  assert.equal((await c.api('DELETE', '/api/connect/main/connectors/secretive')).status, 200)
})

test('pause and resume go through to Connect; restart with options; unknown connector is Connect 404', async () => {
  assert.equal((await c.api('POST', '/api/connect/main/connectors/orders-source/pause')).status, 200)
  await waitForState(c.worker.request, 'orders-source', 'PAUSED')
  assert.equal((await c.api('POST', '/api/connect/main/connectors/orders-source/resume')).status, 200)
  await waitForState(c.worker.request, 'orders-source', 'RUNNING')
  const restart = await c.api('POST', '/api/connect/main/connectors/orders-source/restart', {
    includeTasks: true,
    onlyFailed: true,
  })
  assert.equal(restart.status, 200)
  const missing = await c.api('POST', '/api/connect/main/connectors/nope/pause')
  assert.equal(missing.status, 404)
  assert.match(missing.body.message, /Connect cluster main: .*nope/)
})

test('bad input is a 4xx JSON error naming the problem', async () => {
  const cases: [string, string, unknown, number, RegExp][] = [
    ['GET', '/api/clusters/local/topics?size=9999', undefined, 400, /"size"/],
    ['GET', '/api/clusters/nowhere/topics', undefined, 404, /Kafka cluster "nowhere" is not configured/],
    ['POST', '/api/connect/main/connectors/orders-source/explode', undefined, 400, /not one of pause/],
    ['POST', '/api/connect/nowhere/connectors/x/pause', undefined, 404, /Connect cluster "nowhere"/],
    ['POST', '/api/connect/main/connectors/orders-source/restart', { force: 1 }, 400, /unknown field "force"/],
    ['POST', '/api/connect/main/connectors/orders-source/tasks/x/restart', undefined, 400, /not a task number/],
    ['PUT', '/api/connect/main/connectors/x/config', { 'tasks.max': 1 }, 400, /values must be strings/],
    ['PUT', '/api/connect/main/connectors/x/config', { 'tasks.max': '1' }, 400, /connector.class" is required/],
    ['GET', '/api/nothing', undefined, 404, /no API route/],
  ]
  for (const [method, path, body, status, message] of cases) {
    const r = await c.api(method, path, body)
    assert.equal(r.status, status, `${method} ${path}`)
    assert.equal(r.body.error_code, status)
    assert.match(r.body.message, message)
  }
  const malformed = await fetch(`${c.url}/api/connect/main/connectors/x/config`, {
    method: 'PUT',
    headers: { 'X-Flowscope-Console': '1', 'Content-Type': 'application/json' },
    body: '{not json',
  })
  assert.equal(malformed.status, 400)
  assert.equal(((await malformed.json()) as { error_code: number }).error_code, 400)
})

test('writes without the console header, cross-origin, or as a form are refused before reaching Connect', async () => {
  const noHeader = await fetch(`${c.url}/api/connect/main/connectors/orders-source/pause`, { method: 'POST' })
  assert.equal(noHeader.status, 403)
  const crossOrigin = await c.api('POST', '/api/connect/main/connectors/orders-source/pause', undefined, {
    Origin: 'http://evil.example',
  })
  assert.equal(crossOrigin.status, 403)
  const form = await fetch(`${c.url}/api/connect/main/connectors/orders-source/pause`, {
    method: 'POST',
    headers: { 'X-Flowscope-Console': '1', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'a=b',
  })
  assert.equal(form.status, 403)
  // A rebinding page reaches 127.0.0.1 with its own name as Host: refused, reads included.
  const rebound = await new Promise<number>((resolve, reject) => {
    const u = new URL(`${c.url}/api/connect`)
    http
      .get({ host: u.hostname, port: u.port, path: u.pathname, headers: { Host: 'evil.example' } }, (r) => {
        r.resume()
        resolve(r.statusCode ?? 0)
      })
      .on('error', reject)
  })
  assert.equal(rebound, 403)
  await eventually(
    async () =>
      (await c.api('GET', '/api/connect/main/connectors')).body.connectors[0].state === 'RUNNING' ? true : undefined,
    async () => 'not running',
  )
})

test('overview and topics from the real broker; security headers on pages and API', async () => {
  const overview = await c.api('GET', '/api/overview')
  const local = overview.body.clusters[0].overview.value
  assert.ok(local.brokers.length >= 1)
  assert.equal(typeof local.controller, 'number')
  assert.ok(local.partitions >= local.topics)
  assert.equal(
    overview.body.connect.find((x: { name: string }) => x.name === 'main').connectors.value.RUNNING >= 1,
    true,
  )
  const topics = await c.api('GET', `/api/clusters/local/topics?search=${encodeURIComponent(topic)}`)
  assert.deepEqual(
    topics.body.items.map((t: { name: string; partitions: number }) => [t.name, t.partitions]),
    [[topic, 1]],
  )
  const page = await fetch(`${c.url}/connect/main/orders-source`)
  assert.equal(page.status, 200)
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
  assert.equal(page.headers.get('x-frame-options'), 'DENY')
  assert.match(await page.text(), /<script type="module" src="\/assets\/app.js">/)
  assert.equal(overview.headers.get('x-content-type-options'), 'nosniff')
})

test('offsets of a stopped connector: shown, reset through Connect; refused by Connect while running', async () => {
  const running = await c.api('DELETE', '/api/connect/main/connectors/orders-source/offsets')
  assert.ok(running.status >= 400 && running.status < 500, `reset while running: ${running.status}`)
  assert.equal((await c.api('POST', '/api/connect/main/connectors/orders-source/stop')).status, 200)
  await waitForState(c.worker.request, 'orders-source', 'STOPPED')
  const before = await c.api('GET', '/api/connect/main/connectors/orders-source/offsets')
  assert.equal(before.status, 200)
  assert.ok(before.body.offsets.length >= 1, JSON.stringify(before.body))
  assert.equal((await c.api('DELETE', '/api/connect/main/connectors/orders-source/offsets')).status, 200)
  const after = await c.api('GET', '/api/connect/main/connectors/orders-source/offsets')
  assert.deepEqual(after.body.offsets, [])
  assert.equal((await c.api('POST', '/api/connect/main/connectors/orders-source/resume')).status, 200)
  await waitForState(c.worker.request, 'orders-source', 'RUNNING')
})

test('read-only mode refuses every write on the server; basic auth guards pages and API', async () => {
  const guarded = await createConsoleApp({
    kafka: [],
    connects: [new ConnectClient('main', c.worker.url)],
    lag: null,
    prometheusUrl: null,
    assets: await buildAssets(),
    readOnly: true,
    basicAuth: { user: 'ops', password: 'open sesame' },
  })
  await guarded.listen({ port: 0, host: '127.0.0.1' })
  try {
    const url = `http://127.0.0.1:${(guarded.server.address() as AddressInfo).port}`
    const auth = { Authorization: `Basic ${Buffer.from('ops:open sesame').toString('base64')}` }
    const anonymous = await fetch(`${url}/connect`)
    assert.equal(anonymous.status, 401)
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="flowscope console"/)
    const wrong = await fetch(`${url}/api/connect`, {
      headers: { Authorization: `Basic ${Buffer.from('ops:x').toString('base64')}` },
    })
    assert.equal(wrong.status, 401)
    const read = await fetch(`${url}/api/config`, { headers: auth })
    assert.equal(((await read.json()) as { readOnly: boolean }).readOnly, true)
    for (const [method, path] of [
      ['POST', '/api/connect/main/connectors/orders-source/pause'],
      ['POST', '/api/connect/main/connectors/orders-source/stop'],
      ['DELETE', '/api/connect/main/connectors/orders-source'],
    ]) {
      const r = await fetch(`${url}${path}`, { method, headers: { ...auth, 'X-Flowscope-Console': '1' } })
      assert.equal(r.status, 403, `${method} ${path}`)
      assert.match(((await r.json()) as { message: string }).message, /read-only mode/)
    }
    const put = await fetch(`${url}/api/connect/main/connectors/x/config`, {
      method: 'PUT',
      headers: { ...auth, 'X-Flowscope-Console': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ 'connector.class': 'X' }),
    })
    assert.equal(put.status, 403)
    // Nothing reached Connect: the connector still runs and exists.
    assert.equal((await statusOf(c.worker.request, 'orders-source')).connector.state, 'RUNNING')
  } finally {
    await guarded.close()
  }
})
