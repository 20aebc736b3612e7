// Live fault test of the freshness SLO burn-rate alerts: records carrying the worker's source-time headers are read
// by the real `flowscope consume`, a real Prometheus scrapes its freshness histogram every second and evaluates the
// generated rules with the SLO period shrunk to 12 h (windows 1m/5s and 6m/30s, `for:` 2 s). While records are
// processed seconds after their source time, neither burn alert is active; once they arrive ten minutes after it
// (past the 300 s SLO threshold), the fast burn alert fires for the group and topic.
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import { stringify } from 'yaml'
import { type Supervised, startProcess } from '../../../src/local/child-process.ts'
import { freePort, waitForPort } from '../../../src/local/ports.ts'
import { findBinary } from '../../../src/local/prometheus.ts'
import { renderAlertRules } from '../../../src/monitoring/prometheus/alert-rules.ts'
import {
  SOURCE_TIMESTAMP_BASIS_HEADER,
  SOURCE_TIMESTAMP_HEADER,
  SourceTimeBases,
} from '../../../src/record/source-time.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const WAIT_MS = 90_000
const RULES = { consumerFreshnessSloPeriod: '12h' } as const
const BURN_ALERTS = ['ConsumerFreshnessBudgetBurnFast', 'ConsumerFreshnessBudgetBurnSlow']

const bootstrap = testStack().bootstrapServers
const prefix = uniqueName('freshness_burn')
const topic = `${prefix}_topic`
const group = `${prefix}_app`
const admin = new Admin({ clientId: 'freshness-burn-test', bootstrapBrokers: [bootstrap] })
const producer = new Producer({ clientId: 'freshness-burn-test', bootstrapBrokers: [bootstrap], acks: -1 })

let dir: string
let prometheusUrl: string
let prometheus: Supervised | undefined
let consumer: Supervised | undefined
let producing: NodeJS.Timeout | undefined
let produceError: unknown
/** How long before "now" the produced records say their row changed in Postgres. */
let sourceAgeMs = 1000

interface Alert {
  readonly labels: Readonly<Record<string, string>>
  readonly state: string
}

async function api<T>(path: string, params?: Record<string, string>): Promise<T> {
  const res = await fetch(
    `${prometheusUrl}${path}`,
    params ? { method: 'POST', body: new URLSearchParams(params) } : {},
  )
  const json = (await res.json()) as { status: string; data: T; error?: string }
  if (json.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${json.error ?? res.status}`)
  return json.data
}

const burnAlerts = async () =>
  (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.filter((a) => BURN_ALERTS.includes(a.labels.alertname))

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS
  let last: unknown
  for (;;) {
    if (produceError) throw new Error(`producing failed: ${String(produceError)}`)
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what} (${String(last)})`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

before(async () => {
  assert.ok(findBinary('prometheus'), 'prometheus is not on PATH (Debian: apt-get install prometheus)')
  dir = await mkdtemp(join(tmpdir(), 'flowscope-freshness-burn-'))
  await chmod(dir, 0o755)
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  // Rows "changed in Postgres" sourceAgeMs ago, written as the worker writes them: with the source-time headers.
  producing = setInterval(() => {
    const changedAt = Date.now() - sourceAgeMs
    producer
      .send({
        messages: [
          {
            topic,
            value: Buffer.from(`{"changed_at":${changedAt}}`),
            headers: new Map([
              [Buffer.from(SOURCE_TIMESTAMP_HEADER), Buffer.from(String(changedAt))],
              [Buffer.from(SOURCE_TIMESTAMP_BASIS_HEADER), Buffer.from(SourceTimeBases.CHANGE)],
            ]),
          },
        ],
      })
      .catch((error: unknown) => {
        produceError = error
      })
  }, 100)

  const metricsPort = await freePort()
  consumer = startProcess(
    'flowscope consume',
    process.execPath,
    [
      'src/cli/main.ts',
      'consume',
      `--bootstrap-servers=${bootstrap}`,
      `--topic=${topic}`,
      `--group=${group}`,
      `--metrics-port=${metricsPort}`,
      '--metrics-host=127.0.0.1',
      '--auto-offset-reset=latest',
    ],
    join(dir, 'consume.log'),
  )
  await waitForPort(metricsPort, '127.0.0.1', 30_000, 'flowscope consume')

  await mkdir(join(dir, 'prometheus'), { recursive: true })
  const configFile = join(dir, 'prometheus.yml')
  await writeFile(join(dir, 'alert-rules.yml'), renderAlertRules(RULES))
  await writeFile(
    configFile,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
      rule_files: ['alert-rules.yml'],
      scrape_configs: [{ job_name: 'kafka-consumer', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] }],
    }),
  )
  const port = await freePort()
  prometheusUrl = `http://127.0.0.1:${port}`
  prometheus = startProcess(
    'prometheus',
    findBinary('prometheus')!,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    join(dir, 'prometheus.log'),
  )
  await waitForPort(port, '127.0.0.1', 30_000, 'Prometheus')
})

after(async () => {
  if (producing) clearInterval(producing)
  await Promise.allSettled([consumer?.stop(), prometheus?.stop()])
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
  await producer.close()
  await admin.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('records processed seconds after their source time burn no freshness budget', async (t) => {
  const selector = `group="${group}",topic="${topic}",basis="change"`
  // The histogram has counted records for long enough that the 5 s and 1 m rate windows both have samples.
  await until('the consumer freshness histogram in Prometheus', async () => {
    const { result } = await api<{ result: { value: [number, string] }[] }>('/api/v1/query', {
      query: `sum(rate(flowscope_consumer_freshness_seconds_count{${selector}}[5s]))`,
    })
    return Number(result[0]?.value[1] ?? 0) > 0 ? true : undefined
  })
  for (let i = 0; i < 8; i++) {
    assert.deepEqual(await burnAlerts(), [], 'a burn alert is active while every record is fresh')
    await new Promise((r) => setTimeout(r, 1000))
  }
  t.diagnostic('8 s of fresh records: no burn alert')
})

test('records processed ten minutes after their source time fire the fast burn alert for the group', async (t) => {
  sourceAgeMs = 600_000
  const since = Date.now()
  const alert = await until('ConsumerFreshnessBudgetBurnFast firing', async () =>
    (await burnAlerts()).find(
      (a) =>
        a.labels.alertname === 'ConsumerFreshnessBudgetBurnFast' &&
        a.state === 'firing' &&
        a.labels.group === group &&
        a.labels.topic === topic,
    ),
  )
  assert.equal(alert.labels.severity, 'page')
  t.diagnostic(
    `ConsumerFreshnessBudgetBurnFast firing ${((Date.now() - since) / 1000).toFixed(1)} s after records went stale`,
  )
})
