// Network and request rates per broker from a real Prometheus (the shipped scrape config) scraping the test broker's
// JMX exporter (the shipped rules): the broker is found by the node.id the rules export, its bytes in rise with
// records produced, and Produce is among its request types; the Brokers page and the broker's page show them in
// headless Chromium. Without Prometheus the same endpoint says it is needed (brokers-groups.test.ts).
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import type { Browser } from 'playwright-core'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import type { BrokerRatesAnswer } from '../../../src/console/server/broker-rates.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { freePort } from '../../../src/local/ports.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { findBinary, type LocalPrometheus, startLocalPrometheus } from '../../../src/local/prometheus.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { eventually } from '../worker/helpers.ts'
import { launchChromium } from './chromium.ts'

const SHOTS = 'test-output/console'
const bootstrapBrokers = [testStack().bootstrapServers]
const topic = uniqueName('consolerates')
const admin = new Admin({ clientId: 'console-rates-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'console-rates-test', bootstrapBrokers, acks: -1 })
const metricsAddress = testStack().brokerMetricsAddress

let dir: string
let prometheus: LocalPrometheus | null = null
let kafka: KafkaCluster
let app: FastifyInstance
let url: string
let browser: Browser | undefined

/** 200 records of 1 KiB: enough bytes in for a rate that cannot be mistaken for idle traffic. */
async function produce(): Promise<void> {
  await producer.send({
    messages: Array.from({ length: 200 }, (_, i) => ({ topic, value: Buffer.alloc(1024, i % 26) })),
  })
}

async function rates(): Promise<BrokerRatesAnswer> {
  const response = await app.inject({ url: '/api/clusters/local/brokers/rates' })
  assert.equal(response.statusCode, 200, response.body)
  return response.json() as BrokerRatesAnswer
}

before(async () => {
  assert.ok(findBinary('prometheus'), 'prometheus is not on PATH (.ci/run installs it)')
  assert.ok(metricsAddress, 'the test stack has no broker JMX exporter (FLOWSCOPE_TEST_BOOTSTRAP set?)')
  await mkdir(SHOTS, { recursive: true })
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  dir = await mkdtemp(join(tmpdir(), 'flowscope-console-rates-'))
  prometheus = await startLocalPrometheus({
    dataDir: dir,
    port: await freePort(),
    // No worker in this test: its target is down, which changes nothing for the broker's metrics.
    workerAddress: `localhost:${await freePort()}`,
    brokerExporterAddress: metricsAddress,
    nodeExporterPort: null,
    connectClusterId: topic,
    scrapeInterval: '2s',
    progress: silentProgress,
  })
  assert.ok(prometheus, 'Prometheus did not start')
  kafka = new KafkaCluster('local', bootstrapBrokers, 0)
  app = await createConsoleApp({
    kafka: [kafka],
    connects: [],
    lag: null,
    prometheusUrl: prometheus.url,
    assets: await buildAssets(),
    allowedHostnames: LOOPBACK_HOSTNAMES,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
after(async () => {
  await browser?.close()
  await app?.close()
  await kafka?.close()
  await prometheus?.stop()
  await producer.close()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await admin.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('the broker (found by its node.id label) has bytes in from the records produced, and Produce requests', async () => {
  const answer = await eventually(
    async () => {
      await produce()
      const r = await rates()
      const b = r.brokers[0]
      const ready = b && (b.rates.bytesIn ?? 0) > 0 && b.requestsByType.some((t) => t.request === 'Produce')
      return ready ? r : undefined
    },
    async () => JSON.stringify(await rates()),
    60_000,
  )
  assert.equal(answer.configured, true)
  assert.equal(answer.message, null)
  assert.deepEqual(answer.unmatched, [])
  assert.equal(answer.brokers.length, 1)
  const [b] = answer.brokers
  const { overview } = await kafka.snapshot()
  assert.equal(b.broker, overview.brokers[0].id)
  assert.equal(b.instance, metricsAddress)
  // 200 KiB at a time: over a minute's rate window at least some KiB/s, whatever the timing.
  assert.ok((b.rates.bytesIn ?? 0) > 1024, `bytes in ${b.rates.bytesIn}`)
  assert.ok((b.rates.messagesIn ?? 0) > 0, `messages in ${b.rates.messagesIn}`)
  assert.ok((b.rates.requests ?? 0) > 0, `requests ${b.rates.requests}`)
  // Idle fractions as Kafka reports them: on this combined broker+controller node both request handler pools mark
  // one meter, which runs up to 2 (1.74 seen), so only its presence and sign are checked.
  assert.ok(b.rates.requestHandlerIdle !== null && b.rates.requestHandlerIdle >= 0, `${b.rates.requestHandlerIdle}`)
  const network = b.rates.networkProcessorIdle
  assert.ok(network !== null && network >= 0 && network <= 1, `network threads idle ${network}`)
  // The request types add up to the total (one query sums by instance, the other by instance and type).
  const sum = b.requestsByType.reduce((s, t) => s + t.perSecond, 0)
  assert.ok(Math.abs(sum - (b.rates.requests ?? 0)) <= 0.05 * sum + 0.5, `by type ${sum}, total ${b.rates.requests}`)
  const sorted = [...b.requestsByType].sort((x, y) => y.perSecond - x.perSecond)
  assert.deepEqual(
    b.requestsByType.map((t) => t.perSecond),
    sorted.map((t) => t.perSecond),
  )
})

test('browser: the Brokers page shows the rates, the broker page its requests by type', async () => {
  browser = await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
  await produce()
  await page.goto(`${url}/brokers`)
  const panel = page.getByRole('region', { name: 'Network and request rates' })
  const row = panel.getByRole('table', { name: 'Broker rates' }).locator('tbody tr').first()
  await row.waitFor({ timeout: 20_000 })
  const cells = await row.locator('td').allInnerTexts()
  assert.equal(cells[1], metricsAddress)
  assert.match(cells[2], /^[\d.]+ (B|KiB|MiB)\/s$/, `bytes in: ${cells[2]}`)
  assert.notEqual(cells[2], '0 B/s')
  assert.match(cells[5], /^[\d.,]+ req\/s$/, `requests: ${cells[5]}`)
  assert.match(cells[6], /^[\d.]+ %$/, `request handlers idle: ${cells[6]}`)
  assert.match(cells[7], /^[\d.]+ %$/, `network threads idle: ${cells[7]}`)
  await page.screenshot({ path: `${SHOTS}/broker-rates.png`, fullPage: true })
  await row.getByRole('link').click()
  const types = page.getByRole('table', { name: 'Requests by type' })
  await types.locator('tr[data-request="Produce"]').waitFor({ timeout: 20_000 })
  assert.match(await types.locator('tr[data-request="Produce"] td').nth(1).innerText(), /^[\d.,]+ req\/s$/)
})
