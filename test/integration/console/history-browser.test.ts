// History charts in headless Chromium: a lagging group's lag chart draws its points (uPlot, from the console's own
// samples) and rises as the group falls behind, the range picker changes the range (kept in the URL), and the
// connector and pipeline pages show their charts. Screenshots go to test-output/console/.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import type { Browser, Page } from 'playwright-core'
import { testStack, uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  insertRows,
  jdbcConfig,
  sql,
  waitForIds,
  waitForState,
} from '../worker/helpers.ts'
import { launchChromium } from './chromium.ts'
import { type ConsoleUnderTest, startConsole } from './helpers.ts'

const SHOTS = 'test-output/console'
const prefix = uniqueName('consolehistui')
const group = `${prefix}_orders-sink`

let c: ConsoleUnderTest
let browser: Browser
let page: Page
let table: string
let topic: string
let firstIds: number[]
const admin = new Admin({ clientId: 'console-history-ui-test', bootstrapBrokers: [testStack().bootstrapServers] })

before(async () => {
  await mkdir(SHOTS, { recursive: true })
  c = await startConsole(prefix, new RegExp(`^${prefix}`), false, { history: { intervalMs: 500 } })
  table = await createTable('console_histui')
  topic = `${table}-${table}`
  await createConnector(c.worker.request, 'orders', jdbcConfig(table))
  await waitForState(c.worker.request, 'orders', 'RUNNING')
  firstIds = await waitForIds(topic, await insertRows(table, 5))
  await admin.alterConsumerGroupOffsets({
    groupId: group,
    topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 1n }] }],
  })
  await c.exporter.poll()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
  page.on('pageerror', (error) => console.error('page error:', error.message))
})
after(async () => {
  await browser?.close()
  await c?.stop()
  await admin.close()
  await sql(`DROP TABLE IF EXISTS ${table}`)
})

const lagChart = () => page.locator('figure[data-chart="Lag (offsets)"]')
const pointsOf = async () => Number(await lagChart().getAttribute('data-points'))

test('a lagging group’s lag chart draws its points and rises as the group falls behind', async () => {
  await page.goto(`${c.url}/consumers?group=${encodeURIComponent(group)}`)
  await lagChart().locator('canvas').waitFor({ timeout: 15_000 })
  await page.waitForFunction(
    () => document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-last') === '4',
    undefined,
    { timeout: 15_000 },
  )
  // The group falls further behind: more rows, the exporter polls again.
  await waitForIds(topic, [...firstIds, ...(await insertRows(table, 5))])
  await c.exporter.poll()
  await page.waitForFunction(
    () => Number(document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-points')) >= 4,
    undefined,
    { timeout: 20_000 },
  )
  assert.ok((await pointsOf()) >= 4)
  // The chart rose: its latest point is the new lag (9 = 10 records − offset 1).
  await page.waitForFunction(
    () => document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-last') === '9',
    undefined,
    { timeout: 15_000 },
  )
  // uPlot's legend names the series.
  assert.equal(await lagChart().locator('.u-legend .u-series').nth(1).locator('.u-label').textContent(), 'max lag')
  assert.equal(await lagChart().getAttribute('data-range'), '1h')
  assert.match((await lagChart().locator('figcaption').textContent()) ?? '', /from the console’s samples · offsets/)
  // The chart's line was drawn: the canvas has non-background pixels of the series colour.
  const drawn = await lagChart()
    .locator('canvas')
    .evaluate((canvas: HTMLCanvasElement) => {
      const ctx = canvas.getContext('2d')!
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
      let blue = 0
      for (let i = 0; i < data.length; i += 4) if (data[i + 2] > 200 && data[i] < 80 && data[i + 3] > 0) blue++
      return blue
    })
  assert.ok(drawn > 0, `series pixels drawn: ${drawn}`)
  await page.screenshot({ path: `${SHOTS}/history-consumer.png`, fullPage: true })
})

test('the range picker changes the range, keeps it in the URL and says what the samples cover', async () => {
  await page.getByRole('button', { name: '6h' }).first().click()
  await page.waitForFunction(
    () => document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-range') === '6h',
  )
  assert.match(page.url(), /[?&]range=6h/)
  assert.equal(await page.getByRole('button', { name: '6h' }).first().getAttribute('aria-pressed'), 'true')
  await lagChart()
    .getByText(/keeps the last 60 min; configure --prometheus for more/)
    .waitFor()
  await page.reload()
  await page.waitForFunction(
    () => document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-range') === '6h',
  )
  await page.getByRole('button', { name: '15m' }).first().click()
  await page.waitForFunction(
    () => document.querySelector('figure[data-chart="Lag (offsets)"]')?.getAttribute('data-range') === '15m',
  )
  await page.screenshot({ path: `${SHOTS}/history-consumer-15m.png`, fullPage: true })
})

test('the connector page charts tasks and the pipeline page charts its hops under the graph', async () => {
  await page.goto(`${c.url}/connect/main/orders`)
  const tasks = page.locator('figure[data-chart="Tasks"]')
  await page.waitForFunction(
    () => Number(document.querySelector('figure[data-chart="Tasks"]')?.getAttribute('data-points')) >= 2,
    undefined,
    { timeout: 15_000 },
  )
  assert.equal(await tasks.locator('.u-legend .u-series').nth(1).locator('.u-label').textContent(), 'running')
  await page.screenshot({ path: `${SHOTS}/history-connector.png`, fullPage: true })
  await page.goto(`${c.url}/`)
  await page.locator('figure[data-chart="Consumer lag (seconds)"]').waitFor({ timeout: 15_000 })
  await page.locator('figure[data-chart="Topic append rate (records/s)"] canvas').waitFor()
  await page.screenshot({ path: `${SHOTS}/history-pipeline.png`, fullPage: true })
  await page.goto(`${c.url}/alerts`)
  await page.getByText(/No webhooks: start the console with --webhook URL/).waitFor()
  await page.screenshot({ path: `${SHOTS}/alerts-notifications.png`, fullPage: true })
})

test('each hop of the pipeline graph draws a sparkline of its last 15 minutes from the console’s samples', async () => {
  await page.goto(`${c.url}/`)
  const hop = (id: string) => page.locator(`li[data-node="${id}"]`)
  const spark = (series: string) => page.locator(`svg.sparkline[data-series="${series}"]`)
  const groupSeries = `group.lag:${group}`
  const hops = [`connector.write_rate:main/orders`, `topic.append_rate:${topic}`, groupSeries]
  for (const series of hops) {
    await page.waitForFunction(
      (s) => Number(document.querySelector(`svg.sparkline[data-series="${s}"]`)?.getAttribute('data-points')) >= 2,
      series,
      { timeout: 20_000 },
    )
    const points = (await spark(series).locator('polyline').first().getAttribute('points')) ?? ''
    assert.ok(points.split(' ').length >= 2, `${series}: polyline ${points}`)
  }
  // Each sparkline sits in its own hop; the table has none (no series of its own).
  assert.equal(await hop(`connector:main/orders`).locator('svg.sparkline').count(), 1)
  assert.equal(await hop(`topic:${topic}`).locator('svg.sparkline').count(), 1)
  assert.equal(await hop(`group:${group}`).locator('svg.sparkline').count(), 1)
  assert.equal(await page.locator('li[data-node^="table:"] svg.sparkline').count(), 0)
  // The group's line follows its lag: 4 behind, then 9 (the first test) — two heights, the latest named.
  assert.match(
    (await spark(groupSeries).getAttribute('aria-label')) ?? '',
    /^lag, last 15 min: now 9 offsets, at most 9$/,
  )
  const heights = new Set(
    ((await spark(groupSeries).locator('polyline').first().getAttribute('points')) ?? '')
      .split(' ')
      .map((p) => p.split(',')[1]),
  )
  assert.ok(heights.size >= 2, `the lag line has one height only: ${[...heights]}`)
  await hop(`group:${group}`).screenshot({ path: `${SHOTS}/pipeline-sparkline.png` })
  await page.screenshot({ path: `${SHOTS}/pipeline-sparklines.png`, fullPage: true })
})
