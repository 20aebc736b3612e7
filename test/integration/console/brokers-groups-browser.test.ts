// In headless Chromium: a consumer group's page previews a reset to earliest, applies it, and Kafka then holds
// exactly the previewed offsets; the Brokers page shows the broker as controller with disk in use, and the
// broker's page shows the test topic's size in its log dir and marks non-default configs.
// Screenshots go to test-output/console/.
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
const bootstrapBrokers = [testStack().bootstrapServers]
const admin = new Admin({ clientId: 'console-groups-ui-test', bootstrapBrokers })
const prefix = uniqueName('consolegrpui')
const topic = `${prefix}_events`
const group = `${prefix}_idle`

let kafka: KafkaCluster
let app: FastifyInstance
let url: string
let browser: Browser
let page: Page

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  const producer = new Producer({ clientId: 'console-groups-ui-test', bootstrapBrokers, acks: -1 })
  for (const partition of [0, 1])
    await producer.send({
      messages: Array.from({ length: 8 }, (_, i) => ({ topic, partition, value: Buffer.from(`v${i}`.repeat(50)) })),
    })
  await producer.close()
  await admin.alterConsumerGroupOffsets({
    groupId: group,
    topics: [{ name: topic, partitionOffsets: [0, 1].map((partition) => ({ partition, offset: 6n })) }],
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
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
})
after(async () => {
  await browser?.close()
  await app?.close()
  await kafka?.close()
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await admin.close()
})

test("a group's reset is previewed, then applied, and Kafka holds the previewed offsets", async () => {
  await page.goto(`${url}/consumers/local/${group}`)
  await page.getByText('No members: the group is empty').waitFor({ timeout: 15_000 })
  const offsets = page.getByRole('region', { name: 'Committed offsets' })
  await offsets.getByRole('row').filter({ hasText: topic }).first().waitFor()
  const reset = page.getByRole('region', { name: 'Reset offsets' })
  assert.equal(await reset.getByLabel('Topic').inputValue(), topic)
  await reset.getByLabel('Reset to').selectOption('shift')
  await reset.getByLabel('Shift by').fill('-4')
  await reset.getByLabel('Partitions').fill('1')
  assert.equal(await reset.getByRole('button', { name: 'Apply reset' }).isDisabled(), true, 'apply needs a preview')
  await reset.getByRole('button', { name: 'Preview' }).click()
  const preview = reset.getByRole('table', { name: 'Reset preview' })
  await preview.waitFor()
  assert.deepEqual(await preview.locator('tbody tr').first().locator('td').allInnerTexts(), [
    '1',
    '6',
    '2',
    '2',
    '6',
    '+4',
  ])
  await page.screenshot({ path: `${SHOTS}/group-reset-preview.png`, fullPage: true })
  await reset.getByRole('button', { name: 'Apply reset' }).click()
  await reset.getByText(/^Applied:/).waitFor()
  const [g] = await admin.listConsumerGroupOffsets({ groups: [group] })
  const committed = g.topics
    .find((t) => t.name === topic)
    ?.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)])
    .sort((a, b) => a[0] - b[0])
  assert.deepEqual(committed, [
    [0, 6],
    [1, 2],
  ])
  // The offsets table catches up on its own (live refresh).
  await offsets.getByRole('row').filter({ hasText: topic }).nth(1).locator('td').nth(2).getByText('2').waitFor()
  await page.screenshot({ path: `${SHOTS}/group-reset-applied.png`, fullPage: true })
})

test('the Brokers page shows disk use; the broker page shows the topic in its log dir and its configs', async () => {
  await page.getByRole('link', { name: 'Brokers' }).click()
  await page.waitForURL(`${url}/brokers`)
  const row = page.getByRole('table', { name: 'Brokers' }).locator('tbody tr').first()
  await row.getByText('controller').waitFor({ timeout: 15_000 })
  const cells = await row.locator('td').allInnerTexts()
  assert.match(cells[6], /\d (B|KiB|MiB|GiB)$/, `disk used: ${cells[6]}`)
  assert.equal(cells.length, 7)
  const rates = page.getByRole('region', { name: 'Network and request rates' })
  await rates.getByText(/^needs Prometheus: network and request rates are the brokers' JMX metrics/).waitFor()
  assert.equal(await rates.getByRole('table').count(), 0, 'no rate without Prometheus')
  await page.screenshot({ path: `${SHOTS}/brokers.png`, fullPage: true })
  await row.getByRole('link').first().click()
  const ours = page.locator(`tr[data-topic="${topic}"]`)
  await ours.waitFor({ timeout: 15_000 })
  const [, partitions, size] = await ours.locator('td').allInnerTexts()
  assert.equal(partitions, '2')
  assert.match(size, /^[\d.]+ (B|KiB)$/)
  assert.notEqual(size, '0 B')
  const logDirs = page.locator('tr[data-config="log.dirs"]')
  assert.match(await logDirs.innerText(), /read-only/)
  await page.screenshot({ path: `${SHOTS}/broker.png`, fullPage: true })
})
