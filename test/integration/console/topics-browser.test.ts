// The topic page in headless Chromium against the real broker: open a topic from the list, browse newest first,
// filter by a JSON field on the server and see only the matching rows, watch a live-tailed record appear, and see a
// hostile key, value and header rendered as text; create a topic through the form, set a config, delete it with its
// name typed. Screenshots go to test-output/console/.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { launchChromium } from './chromium.ts'

const SHOTS = 'test-output/console'
const HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
const bootstrapBrokers = [testStack().bootstrapServers]
const prefix = uniqueName('ctopui')
const topic = `${prefix}_events`
const admin = new Admin({ clientId: 'console-topics-ui-test', bootstrapBrokers })
const producer = new Producer({ clientId: 'console-topics-ui-test', bootstrapBrokers, acks: -1 })

let kafka: KafkaCluster
let app: FastifyInstance
let url: string
let browser: Browser
let page: Page
const pageErrors: string[] = []

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  await producer.send({
    messages: [
      ...Array.from({ length: 30 }, (_, i) => ({
        topic,
        key: Buffer.from(`user-${i}`),
        value: Buffer.from(JSON.stringify({ n: i, kind: i % 5 === 0 ? 'refund' : 'sale', amount: i * 10 })),
      })),
      {
        topic,
        key: Buffer.from(HOSTILE),
        value: Buffer.from(HOSTILE),
        headers: new Map([[Buffer.from(HOSTILE), Buffer.from(HOSTILE)]]),
      },
    ],
  })
  kafka = new KafkaCluster('local', bootstrapBrokers, 0)
  app = await createConsoleApp({
    kafka: [kafka],
    connects: [],
    lag: null,
    prometheusUrl: null,
    assets: await buildAssets(),
    allowedHostnames: LOOPBACK_HOSTNAMES,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

after(async () => {
  await browser?.close()
  await app?.close()
  await kafka?.close()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await producer.close()
  await admin.close()
})

const rows = () => page.locator('table.messages tbody tr')

test('open a topic from the list and browse newest first', async () => {
  await page.goto(`${url}/topics?search=${prefix}`)
  await page.getByRole('link', { name: topic }).click()
  await page.getByRole('heading', { name: topic }).waitFor()
  assert.equal(new URL(page.url()).pathname, `/topics/${topic}`)
  await page.getByRole('cell', { name: '31', exact: true }).first().waitFor() // latest offset in the partitions table
  await page.locator('input[name="limit"]').fill('10')
  await page.getByRole('button', { name: 'Browse' }).click()
  await page.getByText(/reached the end|page full/).waitFor()
  assert.equal(await rows().count(), 10)
  // Newest first: offset 30 (the hostile record) on top, then 29…
  assert.equal(await rows().nth(0).locator('td').nth(1).textContent(), '30')
  assert.equal(await rows().nth(1).locator('td').nth(1).textContent(), '29')
  await page.screenshot({ path: `${SHOTS}/topic-newest.png`, fullPage: true })
})

test('a hostile key, value and header render as text, not markup', async () => {
  const hostileRow = rows().nth(0)
  assert.equal(await hostileRow.locator('td').nth(3).locator('pre').textContent(), HOSTILE)
  assert.equal(await hostileRow.locator('td').nth(4).locator('pre').textContent(), HOSTILE)
  assert.match((await hostileRow.locator('td').nth(5).textContent()) ?? '', /<img src=x/)
  assert.equal(await page.locator('table.messages img, table.messages b').count(), 0)
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined)
})

test('a JSON-field filter runs on the server: only matching rows, with the scanned count', async () => {
  await page.getByText('Filters (run on the server)').click()
  await page.locator('input[name="jsonPath"]').fill('kind')
  await page.locator('input[name="jsonEquals"]').fill('refund')
  await page.locator('select[name="seek"]').selectOption('earliest')
  await page.locator('input[name="limit"]').fill('100')
  await page.getByRole('button', { name: 'Browse' }).click()
  await page.getByText('scanned 31 of 31, matched 6').waitFor()
  assert.equal(await rows().count(), 6)
  const values = await rows().locator('td:nth-child(5) pre').allTextContents()
  assert.deepEqual(
    values.map((v) => JSON.parse(v).n),
    [0, 5, 10, 15, 20, 25],
  )
  await page.screenshot({ path: `${SHOTS}/topic-filter.png`, fullPage: true })
  await page.locator('section.browser').screenshot({ path: `${SHOTS}/topic-messages.png` })
})

test('live tail: a record written after the tail starts appears at the top', async () => {
  await page.getByRole('button', { name: 'Live tail' }).click()
  await page.getByText('live tail on').waitFor()
  await new Promise((resolve) => setTimeout(resolve, 1500)) // the tail has its cursor at the end
  await producer.send({
    messages: [{ topic, key: Buffer.from('late'), value: Buffer.from(JSON.stringify({ n: 99, kind: 'refund' })) }],
  })
  await rows().filter({ hasText: '"n": 99' }).waitFor({ timeout: 10_000 })
  assert.equal(await rows().nth(0).locator('td').nth(3).textContent(), 'late')
  await page.screenshot({ path: `${SHOTS}/topic-tail.png`, fullPage: true })
  await page.getByRole('button', { name: 'Stop live tail' }).click()
  assert.deepEqual(pageErrors, [])
})

test('create a topic through the form, set a config on it, and delete it once its name is typed', async () => {
  const name = `${prefix}_made`
  await page.goto(`${url}/topics`)
  await page.getByRole('link', { name: 'Create a topic' }).click()
  await page.locator('input[name="name"]').fill(name)
  await page.locator('input[name="partitions"]').fill('2')
  await page.locator('textarea[name="configs"]').fill('retention.ms=3600000')
  await page.getByRole('button', { name: 'Create topic' }).click()
  await page.getByRole('heading', { name }).waitFor()
  await page.getByText('set on topic').waitFor({ timeout: 10_000 })
  assert.equal(await page.locator('tr.override td').nth(1).textContent(), '3600000')
  assert.equal(await page.locator('table').first().locator('tbody tr').count(), 2)
  await page.locator('input[name="config-key"]').fill('cleanup.policy')
  await page.locator('input[name="config-value"]').fill('compact')
  await page.getByRole('button', { name: 'Set', exact: true }).click()
  await page.locator('tr.override', { hasText: 'cleanup.policy' }).waitFor({ timeout: 10_000 })
  const remove = page.getByRole('button', { name: 'Delete topic' })
  assert.equal(await remove.isDisabled(), true)
  await page.locator('input[name="confirm-delete"]').fill(name.slice(0, -1))
  assert.equal(await remove.isDisabled(), true)
  await page.locator('input[name="confirm-delete"]').fill(name)
  await remove.click()
  await page.waitForURL(`${url}/topics`)
  // The broker's metadata follows the controller's deletion a moment later.
  let names = await admin.listTopics()
  for (let i = 0; i < 25 && names.includes(name); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    names = await admin.listTopics()
  }
  assert.ok(!names.includes(name), `${name} still listed`)
})
