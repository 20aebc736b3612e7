// Altering a stopped connector's offsets (KIP-875) through the console, against a real flowscope worker and its JDBC
// source: through the API, then through the connector page in headless Chromium. Each time the resumed connector
// re-reads the table from the altered position, which the records in Kafka prove. Also: Connect's refusal while the
// connector runs is passed on, bad bodies are 400s naming the field, the CSRF and read-only rules hold.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { createConsoleApp } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { ConnectClient } from '../../../src/console/server/connect.ts'
import { uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  eventually,
  idsInTopic,
  insertRows,
  jdbcConfig,
  sql,
  statusOf,
  waitForState,
} from '../worker/helpers.ts'
import { launchChromium } from './chromium.ts'
import { type ConsoleUnderTest, startConsole } from './helpers.ts'

const SHOTS = 'test-output/console'
const prefix = uniqueName('consoleoffsets')
const name = 'offsets-source'
let c: ConsoleUnderTest
let table: string
let topic: string
let browser: Browser | undefined

type SourceOffset = { partition: Record<string, unknown>; offset: Record<string, unknown> }

const offsetsPath = `/api/connect/main/connectors/${name}/offsets`

async function offsets(): Promise<SourceOffset[]> {
  const { status, body } = await c.api('GET', offsetsPath)
  assert.equal(status, 200, JSON.stringify(body))
  return body.offsets
}

/** How many times each id is in the topic, once the topic holds exactly `expected` (id → count). */
async function waitForCounts(expected: Record<number, number>): Promise<void> {
  let last: Record<number, number> = {}
  await eventually(
    async () => {
      last = {}
      for (const id of await idsInTopic(topic)) last[id] = (last[id] ?? 0) + 1
      return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined
    },
    () => `topic ${topic}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(last)}`,
    30_000,
  )
}

async function stop(): Promise<void> {
  assert.equal((await c.api('POST', `/api/connect/main/connectors/${name}/stop`)).status, 200)
  await waitForState(c.worker.request, name, 'STOPPED')
}

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  c = await startConsole(prefix, new RegExp(`^${prefix}`), false)
  table = await createTable('console_offsets')
  topic = `${table}-${table}`
  await createConnector(c.worker.request, name, jdbcConfig(table))
  await waitForState(c.worker.request, name, 'RUNNING')
  await insertRows(table, 5)
  await waitForCounts({ 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 })
  await eventually(
    async () => ((await offsets())[0]?.offset.incrementing === 5 ? true : undefined),
    async () => `offsets never reached incrementing=5: ${JSON.stringify(await offsets())}`,
  )
})
after(async () => {
  await browser?.close()
  await c?.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
})

test('API: refused while RUNNING (Connect says why); bad bodies are 400s; CSRF and read-only refuse', async () => {
  const [current] = await offsets()
  const running = await c.api('PATCH', offsetsPath, { offsets: [{ partition: current.partition, offset: null }] })
  assert.equal(running.status, 400, JSON.stringify(running.body))
  assert.match(running.body.message, /Connect cluster main: Connectors must be in the STOPPED state/)

  for (const [body, message] of [
    [{}, /field "offsets" must be a non-empty array/],
    [{ offsets: [] }, /field "offsets" must be a non-empty array/],
    [{ offsets: [{ partition: 'x', offset: {} }] }, /offsets\[0\]\.partition must be a JSON object/],
    [{ offsets: [{ partition: {}, offset: 5 }] }, /offsets\[0\]\.offset must be a JSON object, or null/],
    [{ offsets: [{ partition: {}, offset: {}, extra: 1 }] }, /offsets\[0\]: unknown field "extra"/],
    [{ offsets: [], more: 1 }, /unknown field "more"/],
  ] as const) {
    const r = await c.api('PATCH', offsetsPath, body)
    assert.equal(r.status, 400, JSON.stringify(body))
    assert.equal(r.body.error_code, 400)
    assert.match(r.body.message, message)
  }

  const change = { offsets: [{ partition: current.partition, offset: { incrementing: 1 } }] }
  const noHeader = await fetch(`${c.url}${offsetsPath}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(change),
  })
  assert.equal(noHeader.status, 403)
  const crossSite = await c.api('PATCH', offsetsPath, change, { Origin: 'https://evil.example' })
  assert.equal(crossSite.status, 403)
  assert.match(crossSite.body.message, /cross-origin write refused/)

  const readOnly = await createConsoleApp({
    kafka: [],
    connects: [new ConnectClient('main', c.worker.url)],
    lag: null,
    prometheusUrl: null,
    assets: await buildAssets(),
    readOnly: true,
  })
  await readOnly.listen({ port: 0, host: '127.0.0.1' })
  try {
    const url = `http://127.0.0.1:${(readOnly.server.address() as AddressInfo).port}`
    const r = await fetch(`${url}${offsetsPath}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-Flowscope-Console': '1' },
      body: JSON.stringify(change),
    })
    assert.equal(r.status, 403)
    assert.match(((await r.json()) as { message: string }).message, /read-only mode/)
  } finally {
    await readOnly.close()
  }
  // None of it reached Connect: the offset is still the one the connector committed.
  assert.deepEqual(await offsets(), [current])
  assert.equal((await statusOf(c.worker.request, name)).connector.state, 'RUNNING')
})

test('API: a STOPPED connector altered to incrementing=2 re-reads rows 3..5 when resumed', async () => {
  await stop()
  const [current] = await offsets()
  assert.deepEqual(current.offset, { incrementing: 5 })
  const altered = await c.api('PATCH', offsetsPath, {
    offsets: [{ partition: current.partition, offset: { incrementing: 2 } }],
  })
  assert.equal(altered.status, 200, JSON.stringify(altered.body))
  assert.equal(altered.body.message, 'The offsets for this connector have been altered successfully')
  assert.deepEqual(await offsets(), [{ partition: current.partition, offset: { incrementing: 2 } }])
  assert.equal((await c.api('POST', `/api/connect/main/connectors/${name}/resume`)).status, 200)
  await waitForState(c.worker.request, name, 'RUNNING')
  await waitForCounts({ 1: 1, 2: 1, 3: 2, 4: 2, 5: 2 })
})

test('browser: the offset is edited on the connector page, a bad edit is named, Connect answers, the resume re-reads', async () => {
  await eventually(
    async () => ((await offsets())[0]?.offset.incrementing === 5 ? true : undefined),
    async () => `offsets never came back to incrementing=5: ${JSON.stringify(await offsets())}`,
  )
  await stop()
  browser = await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
  await page.goto(`${c.url}/connect/main/${name}`)
  const panel = page.getByRole('region', { name: 'Offsets' })
  const editor = panel.getByRole('textbox')
  await editor.waitFor({ timeout: 15_000 })
  assert.deepEqual(JSON.parse(await editor.inputValue()), { incrementing: 5 })
  const alter = panel.getByRole('button', { name: /^Alter offsets/ })
  assert.equal(await alter.isDisabled(), true, 'nothing edited yet')

  await editor.fill('[4]')
  await panel.getByText('an offset must be a JSON object (or null to remove it)').waitFor()
  assert.equal(await alter.isDisabled(), true, 'an invalid edit is not sent')
  await editor.fill('{"incrementing": 4}')
  assert.equal(await alter.isDisabled(), false)
  await alter.click()
  await panel.getByText('Connect: The offsets for this connector have been altered successfully').waitFor()
  await page.screenshot({ path: `${SHOTS}/offsets-altered.png` })
  assert.deepEqual((await offsets())[0].offset, { incrementing: 4 })
  // The editor shows the new stored offset once the page has re-read it.
  await eventually(
    async () => ((await editor.inputValue()).includes('4') ? true : undefined),
    async () => `editor shows ${await editor.inputValue()}`,
  )

  await page.getByRole('button', { name: 'Resume' }).first().click()
  await waitForState(c.worker.request, name, 'RUNNING')
  await waitForCounts({ 1: 1, 2: 1, 3: 2, 4: 2, 5: 3 })
  // Running again: the editor is gone (Connect alters a STOPPED connector's offsets only).
  await panel.getByText('Stop the connector to alter or reset its offsets.').waitFor()
  assert.equal(await panel.getByRole('textbox').count(), 0)
})
