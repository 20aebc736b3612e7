// Live fault tests of the consumer-end alerts: the real `flowscope lag-exporter` CLI polls the test broker, a real
// Prometheus scrapes it every second and evaluates the generated alert rules (short thresholds and `for:` passed as
// options), a consumer written here reads a topic that keeps receiving records. On the healthy flow no alert is
// active and every lag-exporter panel of the consumer lag dashboard has data; then each fault is caused for real and
// its alert must fire: the consumer stops committing (lag seconds, Burrow status, STALL), the consumer leaves the
// group (STOP, no members) — and every alert resolves once a consumer is back —, the lag exporter is killed
// (exporter down), an exporter points at a closed port (cannot reach Kafka).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, type TestContext, test } from 'node:test'
import { Admin, Consumer, type MessagesStream, Producer } from '@platformatic/kafka'
import { stringify } from 'yaml'
import { type Supervised, startProcess } from '../../../src/local/child-process.ts'
import { freePort, waitForPort } from '../../../src/local/ports.ts'
import { findBinary } from '../../../src/local/prometheus.ts'
import {
  panelQueries,
  parseLabelValues,
  substituteVariables,
  variableQueries,
} from '../../../src/monitoring/panel-queries.ts'
import { LAG_EXPORTER_JOB, renderAlertRules } from '../../../src/monitoring/prometheus/alert-rules.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const REPO = new URL('../../../', import.meta.url).pathname
const WAIT_MS = 90_000
/** Short thresholds so each fault shows within seconds; the rules are the shipped ones otherwise. */
const ALERTS = { consumerLagThresholdSeconds: 3, consumerAlertFor: '2s', lagExporterDownFor: '4s' } as const
const POLL_MS = 500

/** Consumer lag dashboard panels that need what this test does not run, each with the reason. */
const PANEL_EXCEPTIONS: readonly { readonly expr: RegExp; readonly why: string }[] = [
  {
    expr: /flowscope_consumer_(freshness|record_age)_seconds|kafka_consumer_consumer_/,
    why: 'sample consumer not started by this test yet (its histograms and Java-named client metrics come from `flowscope consume`)',
  },
  {
    expr: /flowscope_consumergroup_freshness_seconds/,
    why: "the lag exporter's freshness gauge reads the flowscope.source.timestamp header, which this test's records (produced by the test, not the worker) do not carry; live-dashboards.test.ts sees it on the seed topic",
  },
]

const bootstrap = testStack().bootstrapServers
const prefix = uniqueName('consumer_alerts')
const topic = `${prefix}_topic`
const group = `${prefix}_app`
const admin = new Admin({ clientId: 'consumer-alerts-test', bootstrapBrokers: [bootstrap] })
const producer = new Producer({ clientId: 'consumer-alerts-test', bootstrapBrokers: [bootstrap], acks: -1 })

let dir: string
let prometheus: Supervised
let prometheusUrl: string
let configFile: string
let producing: NodeJS.Timeout | undefined
let produceError: unknown
let consumer: Consumer | undefined
let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
let commits = 0
/** Commits asked for: counted when asked, so one still in flight at a pause is not taken for a later one. */
let commitsStarted = 0
let exporter: { process: Supervised; address: string }
let unreachable: { process: Supervised; address: string } | undefined

async function startLagExporter(name: string, bootstrapServers: string, clusterName: string) {
  const port = await freePort()
  const process_ = startProcess(
    name,
    process.execPath,
    [
      'src/cli/main.ts',
      'lag-exporter',
      `--bootstrap-servers=${bootstrapServers}`,
      `--port=${port}`,
      '--host=127.0.0.1',
      `--poll-interval-ms=${POLL_MS}`,
      `--cluster-name=${clusterName}`,
      `--group-allow=^${prefix}`,
    ],
    join(dir, `${name}.log`),
  )
  await Promise.race([
    waitForPort(port, '127.0.0.1', 30_000, name),
    process_.exited.then((code) => {
      throw new Error(`${name} exited with ${code}: ${readFileSync(join(dir, `${name}.log`), 'utf8')}`)
    }),
  ])
  return { process: process_, address: `127.0.0.1:${port}` }
}

/** Prometheus scraping the given lag exporters every second, evaluating the rules every second. */
async function writePrometheusConfig(targets: string[]): Promise<void> {
  await writeFile(
    configFile,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
      rule_files: ['alert-rules.yml'],
      scrape_configs: [{ job_name: LAG_EXPORTER_JOB, static_configs: [{ targets }] }],
    }),
  )
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

async function query(expr: string): Promise<number> {
  return (await api<{ result: unknown[] }>('/api/v1/query', { query: expr })).result.length
}

interface Alert {
  readonly labels: Readonly<Record<string, string>>
  readonly state: string
}

async function alerts(): Promise<Alert[]> {
  return (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts
}

function describe(list: readonly Alert[]): string[] {
  return list.map((a) => `${a.labels.alertname} ${a.state} ${JSON.stringify(a.labels)}`)
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    if (produceError) throw new Error(`producing failed: ${String(produceError)}`)
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      const active = describe(await alerts().catch(() => []))
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${String(last)}); active: ${active}`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Waits until `name` fires with labels including `labels`; returns it. */
async function firing(t: TestContext, since: number, name: string, labels: Record<string, string>): Promise<Alert> {
  const alert = await until(`${name} firing for ${JSON.stringify(labels)}`, async () =>
    (await alerts()).find(
      (a) =>
        a.labels.alertname === name &&
        a.state === 'firing' &&
        Object.entries(labels).every(([k, v]) => a.labels[k] === v),
    ),
  )
  t.diagnostic(`${name} ${JSON.stringify(labels)} firing ${((Date.now() - since) / 1000).toFixed(1)} s after the fault`)
  return alert
}

/** The application: commits each record's offset after processing it (never before). */
async function startConsumer(): Promise<void> {
  consumer = new Consumer({
    clientId: 'consumer-alerts-app',
    groupId: group,
    bootstrapBrokers: [bootstrap],
    autocommit: false,
    maxWaitTime: 100,
  })
  stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
  stream.on('data', (message) => {
    commitsStarted++
    Promise.resolve(message.commit()).then(
      () => commits++,
      () => undefined,
    )
  })
}

before(async () => {
  assert.ok(findBinary('prometheus'), 'prometheus is not on PATH (Debian: apt-get install prometheus)')
  dir = await mkdtemp(join(tmpdir(), 'flowscope-consumer-alerts-'))
  await chmod(dir, 0o755)
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  // Records keep arriving on both partitions for the whole test, as on a live pipeline.
  let n = 0
  producing = setInterval(() => {
    const i = n++
    producer
      .send({ messages: [{ topic, partition: i % 2, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }] })
      .catch((error: unknown) => {
        produceError = error
      })
  }, 200)

  await startConsumer()
  exporter = await startLagExporter('lag-exporter', bootstrap, 'local')
  await mkdir(join(dir, 'prometheus'), { recursive: true })
  configFile = join(dir, 'prometheus.yml')
  await writeFile(join(dir, 'alert-rules.yml'), renderAlertRules(ALERTS))
  await writePrometheusConfig([exporter.address])
  const port = await freePort()
  prometheusUrl = `http://127.0.0.1:${port}`
  prometheus = startProcess(
    'prometheus',
    findBinary('prometheus')!,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    join(dir, 'prometheus.log'),
  )
  await waitForPort(port, '127.0.0.1', 30_000, 'Prometheus')
})

after(async () => {
  if (producing) clearInterval(producing)
  await stream?.close().catch(() => undefined)
  await consumer?.close(true).catch(() => undefined)
  await Promise.allSettled([exporter?.process.stop(), unreachable?.process.stop(), prometheus?.stop()])
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
  await producer.close()
  await admin.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('healthy flow: every consumer-end alert inactive; the lag-exporter panels of the consumer lag dashboard and the pipeline overview have data', async (t) => {
  const G = `cluster_name="local",group="${group}"`
  // Burrow's window filled with commits that move, the group judged OK, rate() with samples to work on.
  await until('the group OK in Prometheus with lag in seconds on both partitions', async () =>
    (await query(`flowscope_consumergroup_status{${G},status="OK"}`)) === 1 &&
    (await query(`kafka_consumergroup_group_lag_seconds{${G}}`)) === 2 &&
    (await query(`count_over_time(flowscope_consumergroup_status{${G}}[1m]) >= 12`)) === 1
      ? true
      : undefined,
  )
  assert.ok(commits > 0, 'the consumer committed nothing')
  const rules = await api<{ groups: { rules: { name: string; type: string }[] }[] }>('/api/v1/rules')
  const loaded = rules.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name))
  for (const name of [
    'ConsumerGroupLagHigh',
    'ConsumerGroupStatusNotOk',
    'ConsumerPartitionStalled',
    'ConsumerGroupNoMembers',
    'LagExporterDown',
    'LagExporterCannotReachKafka',
    'ConsumerFreshnessBudgetBurnFast',
    'ConsumerFreshnessBudgetBurnSlow',
  ]) {
    assert.ok(loaded.includes(name), `${name} not loaded`)
  }
  // Longer than every `for:` of the rules: a matching rule would be pending or firing by now at some point.
  for (let i = 0; i < 8; i++) {
    assert.deepEqual(describe(await alerts()), [], 'alerts active on the healthy flow')
    await new Promise((r) => setTimeout(r, 1000))
  }

  const dashboard = JSON.parse(readFileSync(join(REPO, 'monitoring/grafana/dashboards/consumer-lag.json'), 'utf8'))
  const values = { cluster: 'local', group, topic }
  // The template variables offer this cluster, group and topic, as Grafana would ask for them.
  for (const v of variableQueries(dashboard)) {
    const parsed = parseLabelValues(v.query)
    assert.ok(parsed, `${v.name}: ${v.query}`)
    const params = new URLSearchParams()
    if (parsed.selector) params.set('match[]', substituteVariables(parsed.selector, values))
    const found = await api<string[]>(`/api/v1/label/${parsed.label}/values?${params}`)
    assert.ok(found.includes(values[v.name as keyof typeof values]), `${v.name}: ${found}`)
  }
  // The pipeline overview's consumers row (lag-exporter panels), for this topic.
  const overview = JSON.parse(readFileSync(join(REPO, 'monitoring/grafana/dashboards/pipeline-overview.json'), 'utf8'))
  const consumerRow = panelQueries(overview).filter((q) => /kafka_consumergroup_|flowscope_consumergroup_/.test(q.expr))
  assert.ok(consumerRow.length >= 3)
  const empty: string[] = []
  let excepted = 0
  const queries = [...panelQueries(dashboard), ...consumerRow]
  for (const q of queries) {
    if (PANEL_EXCEPTIONS.some((e) => e.expr.test(q.expr))) {
      excepted++
      continue
    }
    const expr = substituteVariables(q.expr, values)
    if ((await query(expr)) === 0) empty.push(`${q.dashboard} / ${q.panel} (${q.refId}): ${expr}`)
  }
  t.diagnostic(
    `${queries.length} panel queries: ${queries.length - excepted - empty.length} with data, ${excepted} excepted`,
  )
  assert.deepEqual(empty, [], 'consumer lag panels without data')
  assert.ok(queries.length - excepted >= 15)
})

test('the consumer stops committing while records keep coming: lag seconds, Burrow status and STALL fire', async (t) => {
  stream!.pause()
  const since = Date.now()
  const asked = commitsStarted
  const lag = await firing(t, since, 'ConsumerGroupLagHigh', { group, cluster_name: 'local' })
  assert.match(lag.labels.severity, /^page$/)
  await firing(t, since, 'ConsumerGroupStatusNotOk', { group, status: 'ERR' })
  for (const partition of ['0', '1'])
    await firing(t, since, 'ConsumerPartitionStalled', { group, partition, status: 'STALL' })
  // The consumer is still a member of the group: nobody may call it gone.
  const noMembers = (await alerts()).filter((a) => a.labels.alertname === 'ConsumerGroupNoMembers')
  assert.deepEqual(describe(noMembers), [])
  assert.equal(commitsStarted, asked, 'the paused consumer asked for a commit')
})

test('the consumer leaves the group: STOP and no members fire', async (t) => {
  await stream!.close()
  await consumer!.close(true)
  consumer = undefined
  const since = Date.now()
  for (const partition of ['0', '1'])
    await firing(t, since, 'ConsumerPartitionStalled', { group, partition, status: 'STOP' })
  await firing(t, since, 'ConsumerGroupNoMembers', { consumergroup: group })
})

test('a consumer comes back to the group and catches up: every consumer alert resolves', async (t) => {
  const since = Date.now()
  await startConsumer()
  const G = `cluster_name="local",group="${group}"`
  const about = (a: Alert) => a.labels.group === group || a.labels.consumergroup === group
  // Resolved because the group is healthy again (not because its series went missing): OK, a member, lag < 3 s.
  await until('the group healthy in Prometheus and no alert left about it', async () =>
    (await query(`flowscope_consumergroup_status{${G},status="OK"}`)) === 1 &&
    (await query(`kafka_consumergroup_members{consumergroup="${group}"} == 1`)) === 1 &&
    (await query(`kafka_consumergroup_group_max_lag_seconds{${G}} < 3`)) === 1 &&
    (await alerts()).filter(about).length === 0
      ? true
      : undefined,
  )
  t.diagnostic(
    `every consumer alert inactive ${((Date.now() - since) / 1000).toFixed(1)} s after the consumer came back`,
  )
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(describe(await alerts()), [], 'alerts active after the consumer came back')
    await new Promise((r) => setTimeout(r, 1000))
  }
})

test('the lag exporter is killed: LagExporterDown fires', async (t) => {
  const down = (await alerts()).filter((a) => a.labels.alertname === 'LagExporterDown')
  assert.deepEqual(describe(down), [], 'LagExporterDown before the exporter was killed')
  process.kill(exporter.process.pid, 'SIGKILL')
  await exporter.process.exited
  const since = Date.now()
  const alert = await firing(t, since, 'LagExporterDown', { job: LAG_EXPORTER_JOB, instance: exporter.address })
  assert.equal(alert.labels.severity, 'page')
})

test('a lag exporter pointed at a closed port: LagExporterCannotReachKafka fires, LagExporterDown does not', async (t) => {
  const closed = await freePort()
  unreachable = await startLagExporter('lag-exporter-unreachable', `127.0.0.1:${closed}`, 'unreachable')
  await writePrometheusConfig([exporter.address, unreachable.address])
  const reload = await fetch(`${prometheusUrl}/-/reload`, { method: 'POST' })
  assert.equal(reload.status, 200, await reload.text())
  const since = Date.now()
  await firing(t, since, 'LagExporterCannotReachKafka', { cluster_name: 'unreachable', instance: unreachable.address })
  const wrong = (await alerts()).filter(
    (a) => a.labels.alertname === 'LagExporterDown' && a.labels.instance === unreachable?.address,
  )
  assert.deepEqual(describe(wrong), [], 'the unreachable exporter answers its scrapes: it is not down')
})
