// End-to-end in headless Chromium (the system's /usr/bin/chromium, driven by playwright-core; no browser is
// downloaded): the pipeline page shows the seed-like connector RUNNING, the Connect page pauses and resumes it, a
// connector whose source breaks shows FAILED in red with its trace one click away, a hostile connector name is
// rendered as text, and deep links and the back button work. Screenshots go to test-output/console/.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import type { Browser, Page } from 'playwright-core'
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
import { launchChromium } from './chromium.ts'
import { type ConsoleUnderTest, startConsole } from './helpers.ts'

const SHOTS = 'test-output/console'
const SEED = 'jdbc-postgres-source'
const HOSTILE = '<img src=x onerror="window.__pwned=1">&amp;<b>bold</b>'
const prefix = uniqueName('consoleui')

let c: ConsoleUnderTest
let browser: Browser
let page: Page
const tables: string[] = []

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  c = await startConsole(prefix, new RegExp(`^${prefix}`), false)
  const table = await createTable('console_ui')
  tables.push(table)
  await createConnector(c.worker.request, SEED, jdbcConfig(table))
  await waitForState(c.worker.request, SEED, 'RUNNING')
  await waitForIds(`${table}-${table}`, await insertRows(table, 10))
  // A consumer group 4 records behind on the connector's topic, as the lag exporter sees it.
  const admin = new Admin({ clientId: 'console-ui-test', bootstrapBrokers: [testStack().bootstrapServers] })
  await admin.alterConsumerGroupOffsets({
    groupId: `${prefix}_orders-sink`,
    topics: [{ name: `${table}-${table}`, partitionOffsets: [{ partition: 0, offset: 6n }] }],
  })
  await admin.close()
  await c.exporter.poll()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
})
after(async () => {
  await browser?.close()
  await c?.stop()
  for (const t of tables) await sql(`DROP TABLE IF EXISTS ${t}`)
})

const node = (id: string) => page.locator(`li[data-node="${id.replace(/["\\]/g, '\\$&')}"]`)

test('the pipeline page shows the seed-like connector RUNNING between its table and topic', async () => {
  await page.goto(`${c.url}/`)
  const connector = node(`connector:main/${SEED}`)
  await connector.getByText(/^RUNNING · 1\/1 tasks running/).waitFor({ timeout: 15_000 })
  assert.match((await connector.getAttribute('class')) ?? '', /\bok\b/)
  assert.equal(await page.locator('li[data-node^="table:"]').count(), 1)
  assert.equal(await page.locator('li[data-node^="topic:"]').count(), 1)
  await node(`group:${prefix}_orders-sink`).getByText(/lag 4/).waitFor()
  // Live: the topic's rate appears on a later refresh, without a reload.
  await page
    .locator('li[data-node^="topic:"]')
    .getByText(/rec\/s/)
    .waitFor({ timeout: 15_000 })
  await page.screenshot({ path: `${SHOTS}/pipeline.png`, fullPage: true })
})

test('the overview page shows the broker, partitions and connectors by state', async () => {
  await page.getByRole('link', { name: 'Overview' }).click()
  await page.waitForURL(`${c.url}/overview`)
  const kafka = page.getByRole('region', { name: 'Kafka cluster local' })
  await kafka.getByText('Brokers up').waitFor({ timeout: 15_000 })
  assert.equal(await kafka.locator('.stat', { hasText: 'Brokers up' }).locator('.value').innerText(), '1')
  const connect = page.getByRole('region', { name: 'Connect cluster main' })
  assert.equal(await connect.locator('.stat', { hasText: 'RUNNING' }).locator('.value').innerText(), '1')
  await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true })
  await page.goBack()
  await page.waitForURL(`${c.url}/`)
})

test('topics and consumers are searched by the server with the query in the URL; consumers list the lagging group', async () => {
  await page.goto(`${c.url}/topics`)
  await page.getByLabel('Search').fill(tables[0])
  await page.waitForURL(new RegExp(`/topics\\?.*search=${tables[0]}`))
  const rows = page.locator('main tbody tr')
  await eventually(
    async () => ((await rows.count()) === 1 ? true : undefined),
    async () => `rows: ${await rows.allInnerTexts()}`,
  )
  await rows.first().getByText(`${tables[0]}-${tables[0]}`).waitFor({ timeout: 15_000 })
  await page.reload()
  assert.equal(
    await page.getByLabel('Search').inputValue(),
    tables[0],
    'the search survives a reload (it is in the URL)',
  )

  await page.getByRole('link', { name: 'Consumers' }).click()
  // Searched by the server, the query in the URL: a reload keeps it and the group.
  await page.getByLabel('Search').fill('orders-SINK')
  await page.waitForURL(/\/consumers\?.*search=orders-SINK/)
  await page.reload()
  assert.equal(await page.getByLabel('Search').inputValue(), 'orders-SINK')
  await page.getByText('Page 1 of 1 · 1 group').waitFor({ timeout: 15_000 })
  const group = page.getByRole('row').filter({ hasText: `${prefix}_orders-sink` })
  await group.locator('td.num').first().getByText('4').waitFor({ timeout: 15_000 })
  await group.getByRole('link').click()
  await page
    .getByRole('region', { name: `Group ${prefix}_orders-sink` })
    .locator('tbody tr')
    .first()
    .waitFor()
})

test('the Connect page pauses and resumes the connector; deep link and back button work', async () => {
  await page.goto(`${c.url}/connect`)
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: SEED, exact: true }) })
  await row.getByText('RUNNING', { exact: true }).first().waitFor()
  await row.getByRole('button', { name: 'Pause' }).click()
  await row.locator('.badge', { hasText: 'PAUSED' }).waitFor({ timeout: 15_000 })
  assert.equal((await statusOf(c.worker.request, SEED)).connector.state, 'PAUSED')
  await page.screenshot({ path: `${SHOTS}/connect-paused.png`, fullPage: true })
  await row.getByRole('button', { name: 'Resume' }).click()
  await row.locator('.badge', { hasText: 'RUNNING' }).waitFor({ timeout: 15_000 })
  await waitForState(c.worker.request, SEED, 'RUNNING')

  await row.getByRole('link', { name: SEED, exact: true }).click()
  await page.waitForURL(`${c.url}/connect/main/${SEED}`)
  await page.getByRole('heading', { name: SEED }).waitFor()
  // The heading comes with the status; the config arrives in its own request.
  await page
    .locator('dl.config dt', { hasText: /^connection\.password$/ })
    .first()
    .waitFor({ timeout: 15_000 })
  assert.equal(await page.locator('dl.config dt', { hasText: /^connection\.password$/ }).count(), 1)
  assert.equal(await page.locator('dl.config dd', { hasText: /^\*{8}$/ }).count(), 1)
  // The offsets panel lists the table's offset; Reset waits for the connector to be stopped.
  const offsets = page.getByRole('region', { name: 'Offsets' })
  await offsets.locator('tbody tr').first().waitFor({ timeout: 15_000 })
  assert.equal(await offsets.getByRole('button', { name: 'Reset offsets' }).isDisabled(), true)
  await page.screenshot({ path: `${SHOTS}/connector.png`, fullPage: true })
  await page.goBack()
  await page.waitForURL(`${c.url}/connect`)
  await page.getByRole('heading', { name: 'Connect', exact: true }).waitFor()
  // Keyboard: from the page's start, Tab reaches the header's links, each visibly outlined.
  await page.getByRole('heading', { name: 'Connect', exact: true }).click()
  await page.keyboard.press('Tab')
  const focused = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement
    return { text: el.textContent, outline: getComputedStyle(el).outlineStyle }
  })
  assert.notEqual(focused.text, null)
  assert.equal(focused.outline, 'solid', `focused ${JSON.stringify(focused)}`)
})

test('a connector whose source breaks shows FAILED in red with its trace one click away', async () => {
  const broken = await createTable('console_ui_broken')
  tables.push(broken)
  await createConnector(
    c.worker.request,
    'breaks',
    jdbcConfig(broken, { 'table.whitelist': '', query: `SELECT * FROM ${broken}`, 'topic.prefix': `${broken}-q` }),
  )
  await waitForState(c.worker.request, 'breaks', 'RUNNING')
  await sql(`DROP TABLE ${broken}`)
  await eventually(
    async () => ((await statusOf(c.worker.request, 'breaks')).tasks[0]?.state === 'FAILED' ? true : undefined),
    async () => 'the task never failed',
  )
  await page.goto(`${c.url}/`)
  const failed = node('connector:main/breaks')
  await failed.getByRole('button', { name: 'Show error' }).click({ timeout: 15_000 })
  assert.match((await failed.getAttribute('class')) ?? '', /\berror\b/)
  const trace = page.getByRole('region', { name: 'Failure trace' }).locator('pre.trace').first()
  await trace.waitFor({ timeout: 15_000 })
  // The trace shown is the worker's own (how the dropped table surfaces depends on the moment of the drop).
  const reported = (await statusOf(c.worker.request, 'breaks')).tasks[0].trace ?? ''
  assert.ok(reported.length > 0)
  assert.equal((await trace.innerText()).split('\n')[0], reported.split('\n')[0])
  await page.screenshot({ path: `${SHOTS}/pipeline-failed.png`, fullPage: true })
  // The failure is an alert in the header of every page, and on the Alerts page with a link to the connector.
  await page.locator('.alerts-badge.error').click()
  await page.waitForURL(`${c.url}/alerts`)
  const alert = page.locator('tr[data-alert="task-failed:main/breaks/0"]')
  await alert.getByText('Task 0 of connector breaks (main) is FAILED').click()
  await page.waitForURL(`${c.url}/connect/main/breaks`)
})

test('a connector is created through the form generated from Connect validation, errors shown inline', async () => {
  const table = await createTable('console_ui_form')
  tables.push(table)
  const config = jdbcConfig(table, { 'topic.prefix': `${table}-form-` })
  await page.goto(`${c.url}/connect`)
  await page.getByRole('link', { name: 'Add connector' }).click()
  await page.waitForURL(`${c.url}/connect/main/new`)
  await page.getByLabel('Name').fill('made-in-form')
  // The worker lists its own class for the JDBC source (Confluent's name is an alias).
  const plugin = page.getByLabel('Plugin').locator('option', { hasText: 'JdbcSourceConnector' })
  await plugin.waitFor({ state: 'attached', timeout: 15_000 })
  await page.getByLabel('Plugin').selectOption((await plugin.getAttribute('value'))!)
  // The plugin's fields arrive from validation; connection.url is required and empty: its error shows inline.
  const url = page.locator('[data-field="connection.url"]')
  await url.locator('.field-error').first().waitFor({ timeout: 15_000 })
  for (const key of [
    'connection.url',
    'connection.user',
    'connection.password',
    'incrementing.column.name',
    'table.whitelist',
    'topic.prefix',
  ]) {
    await page.locator(`[data-field="${key}"] input`).fill(config[key])
  }
  await page.locator('[data-field="mode"] select').selectOption('incrementing')
  await page.getByRole('button', { name: 'Validate' }).click()
  await page.getByText('Connect finds no error in this configuration.').waitFor({ timeout: 15_000 })
  assert.equal(await url.locator('.field-error').count(), 0)
  await page.screenshot({ path: `${SHOTS}/connector-form.png`, fullPage: true })
  await page.getByRole('button', { name: 'Create' }).click()
  await page.waitForURL(`${c.url}/connect/main/made-in-form`)
  await waitForState(c.worker.request, 'made-in-form', 'RUNNING')
  await page.locator('.badge', { hasText: 'RUNNING' }).first().waitFor({ timeout: 15_000 })

  // The JSON editor: edit tasks.max of the connector and save; the masked password stays the stored one.
  await page.getByRole('link', { name: 'Edit config' }).click()
  await page.waitForURL(`${c.url}/connect/main/made-in-form/edit`)
  await page.locator('[data-field="connection.password"] input').waitFor({ timeout: 15_000 })
  await page.getByRole('button', { name: 'JSON' }).click()
  const text = await page.locator('#config-json').inputValue()
  const edited: Record<string, string> = { ...(JSON.parse(text) as Record<string, string>), 'poll.interval.ms': '250' }
  assert.equal(edited['connection.password'], '********')
  await page.locator('#config-json').fill(JSON.stringify(edited))
  await page.getByRole('button', { name: 'Apply JSON' }).click()
  await page.getByText('Connect finds no error in this configuration.').waitFor({ timeout: 15_000 })
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForURL(`${c.url}/connect/main/made-in-form`)
  const stored = (await c.worker.request('GET', '/connectors/made-in-form/config')).body as Record<string, string>
  assert.equal(stored['poll.interval.ms'], '250')
  assert.equal(stored['connection.password'], config['connection.password'], 'the stored secret is kept, not the mask')
})

test('bulk actions pause and resume the selected connectors together', async () => {
  await page.goto(`${c.url}/connect`)
  const names = [SEED, 'made-in-form']
  for (const name of names) await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check()
  await page.getByRole('button', { name: 'Pause selected' }).click()
  for (const name of names) await waitForState(c.worker.request, name, 'PAUSED')
  assert.equal(
    (await statusOf(c.worker.request, 'breaks')).connector.state,
    'RUNNING',
    'an unselected one is left alone',
  )
  await page.getByRole('status').getByText(`pause ${SEED}: done`).waitFor()
  for (const name of names) await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check()
  await page.getByRole('button', { name: 'Resume selected' }).click()
  for (const name of names) await waitForState(c.worker.request, name, 'RUNNING')
})

test('a hostile connector name is rendered as text, never as markup', async () => {
  const table = await createTable('console_ui_hostile')
  tables.push(table)
  await createConnector(c.worker.request, HOSTILE, jdbcConfig(table, { 'topic.prefix': `${table}-h-` }))
  await page.goto(`${c.url}/connect`)
  await page.getByRole('link', { name: HOSTILE, exact: true }).waitFor({ timeout: 15_000 })
  await page.goto(`${c.url}/`)
  await node(`connector:main/${HOSTILE}`).getByText(HOSTILE, { exact: true }).waitFor({ timeout: 15_000 })
  assert.equal(await page.locator('img').count(), 0)
  assert.equal(await page.locator('main b').count(), 0)
  assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined)
  await page.goto(`${c.url}/connect/main/${encodeURIComponent(HOSTILE)}`)
  await page.getByRole('heading', { name: HOSTILE, exact: true }).waitFor()
  assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined)
})
