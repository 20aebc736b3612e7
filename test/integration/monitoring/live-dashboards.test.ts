// Live proof of the monitoring: a real stack (embedded Postgres, the worker running the seed's connector, the test
// broker with its JMX exporter, the Node Exporter, the lag exporter and the sample consumer reading the seed topic)
// scraped by a real Prometheus with the generated config and alert rules. Every panel query of flowscope's dashboards
// and of the seed's kafka-connect-cluster, kafka-cluster, kafka-topics, kafka-producer (the worker's producer) and
// kafka-consumer (the sample consumer) dashboards, with template variables set to real label values, returns data —
// except the documented
// EXCEPTIONS below (also listed in docs/monitoring.md). Every alert is inactive on the healthy stack, and the
// connector/task-failed alert turns pending or firing once the connector's database is unreachable.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, type TestContext, test } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'
import { builtinPlugins } from '../../../src/cli/plugins.ts'
import { loadWorkerConfig } from '../../../src/config/worker-config.ts'
import { SampleConsumer } from '../../../src/consume/sample-consumer.ts'
import { createConsumerServer, listenOn } from '../../../src/consume/server.ts'
import { DEFAULT_BURROW_OPTIONS } from '../../../src/lag/burrow-status.ts'
import { LagExporter } from '../../../src/lag/exporter.ts'
import { LagMetrics } from '../../../src/lag/metrics.ts'
import { ClusterPoller } from '../../../src/lag/poller.ts'
import { createLagServer, listen } from '../../../src/lag/server.ts'
import { freePort } from '../../../src/local/ports.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { findBinary, type LocalPrometheus, startLocalPrometheus } from '../../../src/local/prometheus.ts'
import { SEED_CONNECTOR_NAME, SEED_TOPIC } from '../../../src/local/seed-connector.ts'
import { defaultPorts, type RunningStack, startStack } from '../../../src/local/stack.ts'
import { getLogger } from '../../../src/logging.ts'
import { panelQueries, parseLabelValues, substituteVariables } from '../../../src/monitoring/panel-queries.ts'
import { isolatedWorkerProperties, workerSettingsFrom } from '../../../src/runtime/worker-settings.ts'
import { seedDashboard, seedMissing } from '../../support/seed.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const run = promisify(execFile)
const REPO = new URL('../../../', import.meta.url)
const FLOWSCOPE_DASHBOARDS = new URL('monitoring/grafana/dashboards/', REPO)
const SEED_DASHBOARD_FILES = [
  'kafka-connect-cluster.json',
  'kafka-cluster.json',
  'kafka-topics.json',
  'kafka-producer.json',
  'kafka-consumer.json',
]

/**
 * Panel queries allowed to be empty on the healthy local stack, each with the reason. `dashboard` is the title;
 * `panel` matches the panel title, `expr` the raw (unsubstituted) expression; an entry needs at least one of them.
 */
interface PanelException {
  readonly dashboard: string
  readonly panel?: RegExp
  readonly expr?: RegExp
  readonly why: string
}

const KCC = 'Kafka Connect cluster'
const EXCEPTIONS: readonly PanelException[] = [
  {
    dashboard: 'flowscope / Pipeline overview',
    expr: /flowscope_source_pending_rows/,
    why: 'the seed connector runs in bulk mode, which cannot know how many rows are pending: the series is absent by design (docs/metrics.md); it has data in incrementing/timestamp modes',
  },
  {
    dashboard: 'flowscope / Pipeline overview',
    expr: /flowscope_source_(freshness_seconds|newest_change_timestamp_seconds)/,
    why: 'the seed connector runs in bulk mode, which knows no change time: freshness is absent rather than made up (docs/metrics.md); timestamp modes have it (test/integration/connectors/jdbc/freshness.test.ts)',
  },
  {
    dashboard: 'flowscope / Pipeline overview',
    expr: /debezium_metrics_|flowscope_replication_slot_|flowscope_cdc_connector_info/,
    why: "the CDC row: this stack runs the seed's JDBC connector, which has no replication slot or Debezium figures; test/integration/connectors/postgres-cdc-metrics.test.ts checks those series on a worker running a CDC connector",
  },
  {
    dashboard: 'flowscope / Connect worker',
    expr: /debezium_metrics_|flowscope_replication_slot_|flowscope_cdc_connector_info/,
    why: 'the CDC connectors row: no CDC connector runs on this stack (as above)',
  },
  {
    dashboard: KCC,
    panel: /^Connector repartition per status$/,
    expr: /status="(paused|stopped)"/,
    why: 'state-dependent: the seed pie has one query per status and the healthy connector is neither paused nor stopped (the running/failed slices are checked)',
  },
  {
    dashboard: KCC,
    expr: /\bjvm_/,
    why: 'JVM panels: the worker is a Node.js process, it has no JVM heap or GC (the flowscope Connect worker dashboard shows process_*/nodejs_* instead)',
  },
  {
    dashboard: KCC,
    expr: /kafka_connect_connect_metrics_io_ratio/,
    why: "Java NIO selector statistic (share of the client's I/O thread in reads and writes): a Node client has no I/O thread of its own, libuv's event loop serves every socket (not-applicable list in src/metrics/definitions.ts)",
  },
  {
    dashboard: 'Kafka Producer',
    expr: /\bjvm_/,
    why: 'JVM panels: the worker (whose producer this dashboard shows) is a Node.js process, it has no JVM heap or GC',
  },
  {
    dashboard: 'Kafka Producer',
    expr: /kafka_producer_producer_metrics_(io_ratio|io_wait_ratio|io_time_ns_avg|io_wait_time_ns_avg|select_rate)\b/,
    why: 'Java NIO selector statistics: a Node client has no I/O thread or selector of its own (not-applicable list in src/metrics/definitions.ts)',
  },
  {
    dashboard: KCC,
    expr: /kafka_connect_sink_task_metrics_/,
    why: 'sink-only panels: flowscope runs source connectors only',
  },
  {
    dashboard: KCC,
    panel: /Time since last rebalance/,
    expr: /job="connect"/,
    why: 'seed bug: the query filters on both job="kafka-connect" and job="connect", which no series can satisfy',
  },
  {
    dashboard: 'Kafka Consumer',
    expr: /\bjvm_/,
    why: 'JVM panels: the sample consumer is a Node.js process, it has no JVM heap or GC (its /metrics has process_*/nodejs_* instead)',
  },
  {
    dashboard: 'Kafka cluster',
    panel: /^Zookeeper /,
    why: 'ZooKeeper client metrics: the broker runs KRaft and has no ZooKeeper client',
  },
]

/** Alerts allowed to be pending/firing on the healthy stack. */
const ALERT_EXCEPTIONS: Readonly<Record<string, string>> = {
  high_load:
    'host-dependent: the test machine (2 loaded cores running Kafka, Postgres, Prometheus and the tests) may well have a 1-minute load above 1 per CPU',
}

const WAIT_MS = 60_000

interface Dashboard {
  readonly file: string
  readonly json: unknown
  readonly title: string
}

function dashboard(file: string, json: unknown): Dashboard {
  const title = (json as { title?: unknown }).title
  return { file, json, title: typeof title === 'string' ? title : '(untitled)' }
}

function flowscopeDashboards(): Dashboard[] {
  return readdirSync(FLOWSCOPE_DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => new URL(f, FLOWSCOPE_DASHBOARDS))
    .map((url) => dashboard(url.pathname, JSON.parse(readFileSync(url, 'utf8'))))
}

function seedDashboards(): Dashboard[] {
  return SEED_DASHBOARD_FILES.map((f) => dashboard(`seed:${f}`, seedDashboard(f)))
}

interface TemplateVariable {
  readonly name: string
  readonly query: string
  readonly multi: boolean
  readonly includeAll: boolean
  readonly current: readonly string[]
}

function templateVariables(json: unknown): TemplateVariable[] {
  const list = (json as { templating?: { list?: unknown } }).templating?.list
  if (!Array.isArray(list)) return []
  const out: TemplateVariable[] = []
  for (const raw of list as Record<string, unknown>[]) {
    if (raw.type !== 'query' || typeof raw.name !== 'string') continue
    const q = raw.query
    const query =
      typeof q === 'string' ? q : typeof q === 'object' && q !== null ? (q as { query?: unknown }).query : undefined
    if (typeof query !== 'string') throw new Error(`variable ${raw.name}: no query`)
    const currentValue = (raw.current as { value?: unknown } | undefined)?.value
    const current = (Array.isArray(currentValue) ? currentValue : [currentValue]).filter(
      (v): v is string => typeof v === 'string' && v !== '$__all',
    )
    out.push({ name: raw.name, query, multi: raw.multi === true, includeAll: raw.includeAll === true, current })
  }
  return out
}

/** The value a variable gets when the stack has it: the seed pipeline's connector and topic. */
const PREFERRED: Readonly<Record<string, string>> = { connector: SEED_CONNECTOR_NAME, topic: SEED_TOPIC }

let stack: RunningStack
let prometheus: LocalPrometheus
let dir: string
let consumer: SampleConsumer | undefined
let lagExporter: LagExporter | undefined
const servers: Server[] = []

/**
 * The consumer end, in this process: the sample consumer on the seed topic and the lag exporter (1 s polls) watching
 * its group only — the one-off kcat reader below stops after 10 records, which the lag exporter rightly reports as a
 * stopped consumer (and its alerts would fire on an otherwise healthy stack). The seed's bulk connector writes about
 * 100 records a second without pause, so a consumer that keeps up is still a few records behind whenever the lag is
 * sampled; Burrow's allowed-lag (100 here: one second of that stream) says what "caught up" means, otherwise a short
 * window of commits can read "lag never decreased" (WARN) by chance.
 */
async function startConsumerEnd(bootstrap: string): Promise<{ consumerAddress: string; lagExporterAddress: string }> {
  const groupId = uniqueName('live_dashboards_sample')
  consumer = new SampleConsumer(
    {
      bootstrapServers: [bootstrap],
      topics: [SEED_TOPIC],
      groupId,
      clientId: 'live-dashboards-consumer',
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      offsetReset: 'earliest',
      slowMs: 0,
      pause: false,
      print: false,
      commitIntervalMs: 200,
    },
    getLogger('flowscope.consume.test'),
  )
  const consumerServer = createConsumerServer(consumer.metrics, () => ({}))
  servers.push(consumerServer)
  const consumerPort = await listenOn(consumerServer, 0, '127.0.0.1')
  await consumer.start()
  const metrics = new LagMetrics('local')
  lagExporter = new LagExporter({
    poller: new ClusterPoller({ bootstrapServers: [bootstrap], groupAllow: new RegExp(`^${groupId}$`) }),
    pollIntervalMs: 1000,
    burrow: { ...DEFAULT_BURROW_OPTIONS, allowedLag: 100n },
    describeCluster: bootstrap,
    log: getLogger('flowscope.lag.test'),
    onPoll: (view, health) => metrics.update(view, health, health.up),
  })
  const exporter = lagExporter
  const lagServer = createLagServer({
    clusterName: 'local',
    metrics,
    view: () => exporter.view,
    health: () => exporter.health,
  })
  servers.push(lagServer)
  const lagPort = await listen(lagServer, 0, '127.0.0.1')
  exporter.start()
  return { consumerAddress: `127.0.0.1:${consumerPort}`, lagExporterAddress: `127.0.0.1:${lagPort}` }
}

async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const body = new URLSearchParams(params)
  const res = await fetch(`${prometheus.url}${path}`, {
    method: Object.keys(params).length > 0 ? 'POST' : 'GET',
    body: Object.keys(params).length > 0 ? body : undefined,
  })
  const json = (await res.json()) as { status: string; data: T; error?: string }
  if (json.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${json.error ?? res.status}`)
  return json.data
}

async function instantQuery(expr: string): Promise<number> {
  const data = await api<{ result: unknown[] }>('/api/v1/query', { query: expr })
  return data.result.length
}

async function labelValues(label: string, selector: string | undefined): Promise<string[]> {
  const params = new URLSearchParams()
  if (selector !== undefined) params.set('match[]', selector)
  const res = await fetch(`${prometheus.url}/api/v1/label/${label}/values?${params}`)
  const json = (await res.json()) as { status: string; data: string[]; error?: string }
  if (json.status !== 'success') throw new Error(`label_values(${selector ?? ''}, ${label}): ${json.error}`)
  return json.data
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${String(last)}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Resolves a dashboard's variables in order, as Grafana does, from live label values. */
async function resolveVariables(d: Dashboard): Promise<Record<string, string | string[]>> {
  const values: Record<string, string | string[]> = {}
  for (const v of templateVariables(d.json)) {
    const parsed = parseLabelValues(v.query)
    if (parsed === undefined) throw new Error(`${d.title}: variable ${v.name} is not label_values(): ${v.query}`)
    const selector = parsed.selector === undefined ? undefined : substituteVariables(parsed.selector, values)
    const found = await labelValues(parsed.label, selector)
    if (found.length === 0) throw new Error(`${d.title}: variable ${v.name} has no values (${v.query})`)
    const preferred = PREFERRED[v.name]
    const current = v.current.filter((c) => found.includes(c))
    if (preferred !== undefined && found.includes(preferred)) values[v.name] = preferred
    else if (current.length > 0) values[v.name] = v.multi ? current : current[0]
    else if (v.multi || v.includeAll) values[v.name] = found
    else values[v.name] = found[0]
  }
  return values
}

function exceptionFor(dashboard: string, panel: string, expr: string): PanelException | undefined {
  return EXCEPTIONS.find(
    (e) =>
      e.dashboard === dashboard &&
      (e.panel === undefined || e.panel.test(panel)) &&
      (e.expr === undefined || e.expr.test(expr)),
  )
}

before(async () => {
  const brokerMetricsAddress = testStack().brokerMetricsAddress
  assert.ok(brokerMetricsAddress, 'the test stack has no broker JMX exporter (FLOWSCOPE_TEST_BOOTSTRAP set?)')
  assert.ok(findBinary('prometheus'), 'prometheus is not on PATH')
  dir = await mkdtemp(join(tmpdir(), 'flowscope-live-dashboards-'))
  await chmod(dir, 0o755)
  const ports = { ...defaultPorts, postgres: await freePort(), rest: await freePort() }
  const groupId = uniqueName('live_dashboards')
  stack = await startStack({
    stateDir: dir,
    ports,
    bootstrapServers: testStack().bootstrapServers,
    prometheus: false,
    plugins: builtinPlugins,
    progress: silentProgress,
    worker: (bootstrap, restPort) =>
      workerSettingsFrom(
        loadWorkerConfig({
          env: {},
          overrides: {
            ...isolatedWorkerProperties(groupId, bootstrap.join(','), restPort),
            'offset.flush.interval.ms': '1000',
          },
        }),
        builtinPlugins,
      ),
  })
  const consumerEnd = await startConsumerEnd(stack.bootstrapServers)
  const started = await startLocalPrometheus({
    dataDir: join(dir, 'prometheus'),
    port: await freePort(),
    workerAddress: `127.0.0.1:${ports.rest}`,
    ...consumerEnd,
    brokerExporterAddress: brokerMetricsAddress,
    nodeExporterPort: await freePort(),
    connectClusterId: groupId,
    scrapeInterval: '1s',
    progress: silentProgress,
  })
  assert.ok(started, 'Prometheus did not start')
  prometheus = started
  // Every target scraped at least twice (rate() needs two samples), the seed pipeline's data in Prometheus.
  const jobs = [
    'prometheus',
    'kafka-broker',
    'kafka-connect',
    'kafka-lag-exporter',
    'kafka-consumer',
    ...(started.nodeExporterAddress ? ['node-exporter'] : []),
  ]
  await until('every target up and scraped twice', async () => {
    const data = await api<{ activeTargets: { labels: { job: string }; health: string }[] }>('/api/v1/targets')
    const up = new Set(data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.job))
    if (!jobs.every((j) => up.has(j))) return undefined
    const counts = await api<{ result: { metric: { job: string } }[] }>('/api/v1/query', {
      query: 'count_over_time(up[1m]) >= 2',
    })
    const twice = new Set(counts.result.map((r) => r.metric.job))
    return jobs.every((j) => twice.has(j)) ? true : undefined
  })
  // A consumer group reads the topic, as a downstream consumer would: the topic's bytes-out/fetch series and the
  // broker's OffsetCommit request series exist only once someone consumes and commits.
  await run(
    'kcat',
    [
      '-b',
      stack.bootstrapServers,
      '-G',
      uniqueName('live_dashboards_reader'),
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'auto.commit.interval.ms=200',
      '-c',
      '10',
      '-q',
      SEED_TOPIC,
    ],
    { timeout: WAIT_MS },
  )
  await until('the seed connector’s records in Prometheus', async () =>
    (await instantQuery(
      `kafka_connect_source_task_metrics_source_record_write_total{connector="${SEED_CONNECTOR_NAME}"} > 0`,
    )) > 0 && (await instantQuery(`kafka_log_log_size{topic="${SEED_TOPIC}"}`)) > 0
      ? true
      : undefined,
  )
  await until('the topic consumed, as seen by the broker', async () =>
    (await instantQuery(`kafka_server_brokertopicmetrics_totalfetchrequestspersec{topic="${SEED_TOPIC}"}`)) > 0
      ? true
      : undefined,
  )
})

after(async () => {
  await prometheus?.stop()
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
  await lagExporter?.stop()
  await consumer?.stop()
  await stack?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Runs every panel query of `dashboards` against the live Prometheus; each must return data or be excepted. */
async function checkPanels(t: TestContext, dashboards: Dashboard[]): Promise<void> {
  interface Check {
    readonly where: string
    readonly expr: string
  }
  const checks: Check[] = []
  const excepted: string[] = []
  const problems: string[] = []
  let total = 0
  for (const d of dashboards) {
    const values = await resolveVariables(d)
    for (const q of panelQueries(d.json)) {
      total++
      const where = `${d.title} / ${q.panel}${q.refId ? ` (${q.refId})` : ''}`
      if (exceptionFor(d.title, q.panel, q.expr) !== undefined) {
        excepted.push(where)
        continue
      }
      checks.push({ where, expr: substituteVariables(q.expr, values) })
    }
  }
  // Counters that appear with the first record need a couple of scrapes before rate() has two samples: re-ask
  // the empty ones for a bounded time before reporting them.
  let pending = checks
  const deadline = Date.now() + 20_000
  for (;;) {
    const empty: Check[] = []
    for (const c of pending) {
      try {
        if ((await instantQuery(c.expr)) === 0) empty.push(c)
      } catch (error) {
        problems.push(`${c.where}: query failed: ${(error as Error).message}`)
      }
    }
    pending = empty
    if (pending.length === 0 || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 1_000))
  }
  problems.push(...pending.map((c) => `${c.where}: empty — ${c.expr}`))
  t.diagnostic(
    `${total} panel queries: ${checks.length - problems.length} non-empty, ${excepted.length} excepted, ${problems.length} failing`,
  )
  assert.deepEqual(problems, [], `${problems.length} panel queries without data:\n${problems.join('\n')}`)
}

test("every panel query of flowscope's dashboards returns data (documented exceptions aside)", (t) =>
  checkPanels(t, flowscopeDashboards()))

test(
  "every panel query of the seed's Connect, cluster, topics, producer and consumer dashboards returns data (documented exceptions aside)",
  {
    skip: seedMissing,
  },
  (t) => checkPanels(t, seedDashboards()),
)

interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>
  readonly state: string
}

async function activeAlerts(): Promise<ActiveAlert[]> {
  return (await api<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts
}

test('every alert is inactive on the healthy stack; a failed connector raises its alert', async () => {
  const rules = await api<{ groups: { rules: { name: string; type: string }[] }[] }>('/api/v1/rules')
  const alertNames = rules.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name))
  assert.ok(alertNames.includes('ConnectorFailed') && alertNames.includes('ConnectorTaskFailed'), 'rules not loaded')
  // Rules are evaluated every second: a few rounds have run since every target was scraped twice.
  const unexpected = (await activeAlerts()).filter((a) => !(a.labels.alertname in ALERT_EXCEPTIONS))
  assert.deepEqual(
    unexpected.map((a) => `${a.labels.alertname} ${a.state} ${JSON.stringify(a.labels)}`),
    [],
    'alerts active on the healthy stack',
  )

  // The connector switches to a login role without SELECT on the table (the worker validates that the database is
  // reachable, so an unreachable URL is refused up front): its task's first poll fails and the task turns FAILED.
  const role = uniqueName('live_dashboards_noread')
  const admin = new pg.Client({ connectionString: stack.postgresUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`)
  } finally {
    await admin.end()
  }
  const res = await fetch(`${stack.worker.restUrl}/connectors/${SEED_CONNECTOR_NAME}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...stack.worker.herder.connectorConfig(SEED_CONNECTOR_NAME),
      'connection.user': role,
      'connection.password': role,
    }),
  })
  assert.ok(res.ok, `PUT config: ${res.status} ${await res.text()}`)
  // The shipped rules keep `for: 1m` (AlertRuleOptions has no knob for it): pending proves the rule matched.
  const raised = await until('ConnectorFailed or ConnectorTaskFailed pending/firing', async () => {
    const alerts = await activeAlerts()
    return alerts.find(
      (a) =>
        (a.labels.alertname === 'ConnectorFailed' || a.labels.alertname === 'ConnectorTaskFailed') &&
        a.labels.connector === SEED_CONNECTOR_NAME &&
        (a.state === 'pending' || a.state === 'firing'),
    )
  })
  assert.match(raised.state, /^(pending|firing)$/)
})
