// In headless Chromium against a real Apache Kafka Connect worker: a FileStreamSourceConnector is created through
// the form generated from that worker's /config/validate (the empty required topic shown inline first), seen
// RUNNING with its task on its page and on the Connect page, paused and resumed there.
// Screenshots go to test-output/console/.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { ConnectClient } from '../../../src/console/server/connect.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { startUpstreamConnect, type UpstreamConnect } from '../compat/upstream-connect.ts'
import { launchChromium } from './chromium.ts'

const SHOTS = 'test-output/console'
const prefix = uniqueName('consoleupui')
const NAME = `${prefix}-file`
const topic = `${prefix}_lines`

let upstream: UpstreamConnect
let kafka: KafkaCluster
let app: FastifyInstance
let url: string
let dir: string
let file: string
let browser: Browser
let page: Page

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  dir = await mkdtemp(join(tmpdir(), 'flowscope-console-upstream-ui-'))
  file = join(dir, 'input.txt')
  await writeFile(file, 'one\ntwo\n')
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
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
})
after(async () => {
  await browser?.close()
  await app?.close()
  await kafka?.close()
  await upstream?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const state = async () =>
  ((await upstream.request('GET', `/connectors/${NAME}/status`)).body as { connector?: { state: string } }).connector
    ?.state

test('a FileStream source is created through the form from the real worker, then paused and resumed', async () => {
  await page.goto(`${url}/connect`)
  await page.getByRole('link', { name: 'Add connector' }).click()
  await page.waitForURL(`${url}/connect/apache/new`)
  await page.getByLabel('Name').fill(NAME)
  const plugin = page.getByLabel('Plugin').locator('option', { hasText: 'FileStreamSourceConnector' })
  await plugin.waitFor({ state: 'attached', timeout: 15_000 })
  await page.getByLabel('Plugin').selectOption((await plugin.getAttribute('value'))!)
  const topicField = page.locator('[data-field="topic"]')
  await topicField.locator('.field-error').first().waitFor({ timeout: 15_000 })
  await page.locator('[data-field="file"] input').fill(file)
  await topicField.locator('input').fill(topic)
  await page.getByRole('button', { name: 'Validate' }).click()
  await page.getByText('Connect finds no error in this configuration.').waitFor({ timeout: 15_000 })
  await page.screenshot({ path: `${SHOTS}/upstream-connector-form.png`, fullPage: true })
  await page.getByRole('button', { name: 'Create' }).click()
  await page.waitForURL(`${url}/connect/apache/${NAME}`)
  await page.locator('.badge', { hasText: 'RUNNING' }).first().waitFor({ timeout: 20_000 })
  assert.equal(await state(), 'RUNNING')
  await page.screenshot({ path: `${SHOTS}/upstream-connector.png`, fullPage: true })

  await page.goto(`${url}/connect`)
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) })
  await row.getByText('RUNNING', { exact: true }).first().waitFor({ timeout: 15_000 })
  await row.getByRole('button', { name: 'Pause' }).click()
  await row.locator('.badge', { hasText: 'PAUSED' }).first().waitFor({ timeout: 15_000 })
  assert.equal(await state(), 'PAUSED')
  await page.screenshot({ path: `${SHOTS}/upstream-connect-paused.png`, fullPage: true })
  await row.getByRole('button', { name: 'Resume' }).click()
  await row.locator('.badge', { hasText: 'RUNNING' }).first().waitFor({ timeout: 15_000 })
  assert.equal(await state(), 'RUNNING')
})
