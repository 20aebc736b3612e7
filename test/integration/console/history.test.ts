// History and notifications against the real broker, worker and lag exporter: the sample store fills from what the
// console reads (a lagging group's lag, a connector's tasks), the history API serves it with `source: "console"`,
// and with a real Prometheus (scraping the worker and the exporter) `source: "prometheus"`; a webhook receiver gets
// "firing" then "resolved" when a connector's task fails (its table dropped) and recovers (table back, restart).
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { createConsoleApp } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { LagClient } from '../../../src/console/server/lag.ts'
import { freePort } from '../../../src/local/ports.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { findBinary, type LocalPrometheus, startLocalPrometheus } from '../../../src/local/prometheus.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { commitOffset } from '../lag/helpers.ts'
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

const prefix = uniqueName('consolehist')
const group = `${prefix}_reader`
let c: ConsoleUnderTest
let table: string
let topic: string
const received: { state: string; alert: string; labels: { id: string } }[] = []
const slackReceived: { text: string }[] = []
const receiver = createServer((req, res) => {
  let raw = ''
  req.on('data', (chunk) => (raw += chunk))
  req.on('end', () => {
    const body = JSON.parse(raw)
    if (req.url === '/slack') slackReceived.push(body)
    else received.push(body)
    res.writeHead(200).end()
  })
})
const admin = new Admin({ clientId: 'console-history-test', bootstrapBrokers: [testStack().bootstrapServers] })

before(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  c = await startConsole(prefix, new RegExp(`^${prefix}`), false, {
    history: { intervalMs: 500 },
    webhooks: [
      { url: `${hook}/hook`, kind: 'generic' },
      { url: `${hook}/slack`, kind: 'slack' },
      // Nothing listens here: its deliveries fail after the retries, and the Alerts page says so.
      { url: `http://127.0.0.1:${await freePort()}/secret-path`, kind: 'generic' },
    ],
  })
  table = await createTable('console_hist')
  topic = `${table}-${table}`
  await createConnector(c.worker.request, 'hist-source', jdbcConfig(table))
  await waitForState(c.worker.request, 'hist-source', 'RUNNING')
  await waitForIds(topic, await insertRows(table, 6))
  await commitOffset(admin, group, topic, 2n)
  await c.exporter.poll()
})
after(async () => {
  await c?.stop()
  receiver.closeAllConnections()
  receiver.close()
  await admin.close()
  await sql(`DROP TABLE IF EXISTS ${table}`)
})

type History = {
  source: string
  range: string
  series: { id: string; unit: string; t: number[]; v: number[] }[]
  prometheusError?: string
}

test('the history API serves points from the console sample store after a few samples', async () => {
  const h = await eventually(
    async () => {
      await c.exporter.poll()
      const { body } = await c.api(
        'GET',
        `/api/history?series=group.lag:${group}&series=connector.tasks_running:main/hist-source&range=15m`,
      )
      return (body as History).series.every((s) => s.t.length >= 3) ? (body as History) : undefined
    },
    async () => JSON.stringify((await c.api('GET', `/api/history?series=group.lag:${group}`)).body),
  )
  assert.equal(h.source, 'console')
  assert.equal(h.range, '15m')
  const [lag, tasks] = h.series
  assert.equal(lag.unit, 'offsets')
  assert.deepEqual(lag.v.slice(-3), [4, 4, 4], `the group is 4 behind: ${lag.v}`)
  // The first samples may predate the connector's task starting (the sampler runs from the console's start).
  assert.deepEqual(tasks.v.slice(-2), [1, 1], `one task running: ${tasks.v}`)
  for (let i = 1; i < lag.t.length; i++) assert.ok(lag.t[i] > lag.t[i - 1], 'times increase')
  assert.ok(Math.abs(lag.t.at(-1)! - Date.now() / 1000) < 30, 'times are epoch seconds, recent')
  const stats = (await c.api('GET', '/api/history/stats')).body
  assert.equal(stats.capacity, 720)
  assert.ok(stats.series >= 3 && stats.points >= 6, JSON.stringify(stats))
})

test('history input is validated: unknown series, missing name, bad range', async () => {
  for (const [path, message] of [
    ['/api/history', /series: give one or more/],
    ['/api/history?series=cpu:x', /metric one of/],
    ['/api/history?series=group.lag:', /missing/],
    [`/api/history?series=group.lag:${group}&range=2d`, /range "2d": expected one of 15m, 1h, 6h, 24h/],
  ] as const) {
    const { status, body } = await c.api('GET', path)
    assert.equal(status, 400, path)
    assert.equal(body.error_code, 400)
    assert.match(body.message, message)
  }
})

test('a webhook gets "firing" when a connector task fails and "resolved" when it recovers', async () => {
  const broken = await createTable('console_hist_broken')
  await createConnector(
    c.worker.request,
    'hist-breaks',
    jdbcConfig(broken, { 'table.whitelist': '', query: `SELECT * FROM ${broken}`, 'topic.prefix': `${broken}-q` }),
  )
  await waitForState(c.worker.request, 'hist-breaks', 'RUNNING')
  const id = 'task-failed:main/hist-breaks/0'
  try {
    await sql(`ALTER TABLE ${broken} RENAME TO ${broken}_away`)
    await eventually(
      async () => (received.some((n) => n.labels.id === id && n.state === 'firing') ? true : undefined),
      async () => `no firing notification; task ${(await statusOf(c.worker.request, 'hist-breaks')).tasks[0]?.state}`,
      40_000,
    )
    assert.equal(received.filter((n) => n.labels.id === id && n.state === 'resolved').length, 0)
    await sql(`ALTER TABLE ${broken}_away RENAME TO ${broken}`)
    const restart = await c.api('POST', '/api/connect/main/connectors/hist-breaks/tasks/0/restart')
    assert.equal(restart.status, 200, JSON.stringify(restart.body))
    await waitForState(c.worker.request, 'hist-breaks', 'RUNNING')
    await eventually(
      async () => (received.some((n) => n.labels.id === id && n.state === 'resolved') ? true : undefined),
      async () => `no resolved notification: ${JSON.stringify(received)}`,
      30_000,
    )
    const ours = received.filter((n) => n.labels.id === id).map((n) => n.state)
    assert.deepEqual(ours, ['firing', 'resolved'], 'once each, in order')
    assert.ok(slackReceived.some((b) => /FIRING.*Task 0 of connector hist-breaks/.test(b.text)))
    assert.ok(slackReceived.some((b) => /RESOLVED.*Task 0 of connector hist-breaks/.test(b.text)))
    // The dead receiver: given up after 4 attempts (1 + 2 + 4 s of backoff), listed without its path.
    const hooks = await eventually(
      async () => {
        const body = (await c.api('GET', '/api/alerts/webhooks')).body
        return body.failures.length > 0 ? body : undefined
      },
      async () => JSON.stringify((await c.api('GET', '/api/alerts/webhooks')).body),
      20_000,
    )
    assert.equal(hooks.failures.length, 1)
    assert.equal(hooks.failures[0].attempts, 4)
    assert.match(hooks.failures[0].error, /ECONNREFUSED/)
    assert.doesNotMatch(JSON.stringify(hooks), /secret-path/)
    assert.ok(hooks.delivered >= 4)
    assert.ok(
      hooks.targets.every((t: { url: string }) => t.url.endsWith('/…')),
      'webhook paths (secrets) hidden',
    )
  } finally {
    await c.worker.request('DELETE', '/connectors/hist-breaks')
    await sql(`DROP TABLE IF EXISTS ${broken}`)
    await sql(`DROP TABLE IF EXISTS ${broken}_away`)
  }
})

test('with Prometheus configured the same API answers from Prometheus range queries', async () => {
  assert.ok(findBinary('prometheus'), 'prometheus is not on PATH (.ci/run installs it)')
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-console-history-'))
  let prometheus: LocalPrometheus | null = null
  const kafka = new KafkaCluster('local', [testStack().bootstrapServers], 0)
  try {
    prometheus = await startLocalPrometheus({
      dataDir: dir,
      port: await freePort(),
      workerAddress: new URL(c.worker.url).host,
      lagExporterAddress: new URL(c.exporter.url).host,
      brokerExporterAddress: testStack().brokerMetricsAddress ?? null,
      nodeExporterPort: null,
      connectClusterId: prefix,
      scrapeInterval: '1s',
      progress: silentProgress,
    })
    assert.ok(prometheus, 'Prometheus did not start')
    const app = await createConsoleApp({
      kafka: [kafka],
      connects: [],
      lag: new LagClient(c.exporter.url, { maxAgeMs: 0 }),
      prometheusUrl: prometheus.url,
      assets: await buildAssets(),
    })
    try {
      const h = await eventually(
        async () => {
          await c.exporter.poll()
          const r = await app.inject({ url: `/api/history?series=group.lag:${group}&range=15m` })
          const body = r.json() as History
          return body.source === 'prometheus' && body.series[0].t.length >= 2 ? body : undefined
        },
        async () => (await app.inject({ url: `/api/history?series=group.lag:${group}&range=15m` })).body,
        40_000,
      )
      assert.ok(
        h.series[0].v.every((v) => v === 4),
        `Prometheus saw the group 4 behind: ${h.series[0].v}`,
      )
      const alerts = (await app.inject({ url: '/api/alerts/prometheus' })).json()
      assert.equal(alerts.configured, true)
      assert.ok(Array.isArray(alerts.alerts))
    } finally {
      await app.close()
    }
  } finally {
    await prometheus?.stop()
    await kafka.close()
    await rm(dir, { recursive: true, force: true })
  }
})
