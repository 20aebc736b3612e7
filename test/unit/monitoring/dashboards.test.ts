// The exported dashboards: unique panel ids, only the `prometheus` datasource uid, at least one query per panel,
// and every metric a query names is one the stack exports (worker, broker rules, node exporter, Prometheus).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { cdcMetrics } from '../../../src/connectors/postgres-cdc/metrics.ts'
import { sampleConsumerMetrics } from '../../../src/consume/metrics.ts'
import { lagMetrics } from '../../../src/lag/metrics.ts'
import { metrics as workerDefinitions } from '../../../src/metrics/definitions.ts'
import { dashboards } from '../../../src/monitoring/grafana/dashboards.ts'
import { panelQueries, variableQueries } from '../../../src/monitoring/panel-queries.ts'

const root = join(import.meta.dirname, '../../..')
const dir = join(root, 'monitoring/grafana/dashboards')
const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
const load = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, f), 'utf8'))

/** Worker series (Connect names + flowscope's + the CDC connector's + prom-client's) the dashboards may use. */
const workerMetrics = new Set([
  ...Object.values(cdcMetrics.metrics).map((m) => m.name),
  'kafka_connect_app_info',
  // The group: what each worker was assigned, its generation and rebalances (group.test.ts reads them live).
  'kafka_connect_connect_coordinator_metrics_assigned_connectors',
  'kafka_connect_connect_coordinator_metrics_assigned_tasks',
  'kafka_connect_connect_worker_rebalance_metrics_epoch',
  'kafka_connect_connect_worker_rebalance_metrics_rebalancing',
  'kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total',
  'kafka_connect_connector_info',
  'kafka_connect_connector_metrics',
  'kafka_connect_connector_task_metrics_status',
  'kafka_connect_connector_task_metrics_batch_size_avg',
  'kafka_connect_connector_task_metrics_batch_size_max',
  'kafka_connect_connector_task_metrics_offset_commit_avg_time_ms',
  'kafka_connect_connector_task_metrics_offset_commit_success_percentage',
  'kafka_connect_connector_task_metrics_running_ratio',
  'kafka_connect_source_task_metrics_poll_batch_avg_time_ms',
  'kafka_connect_source_task_metrics_poll_batch_max_time_ms',
  'kafka_connect_source_task_metrics_source_record_active_count_avg',
  'kafka_connect_source_task_metrics_source_record_active_count_max',
  'kafka_connect_source_task_metrics_source_record_poll_rate',
  'kafka_connect_source_task_metrics_source_record_poll_total',
  'kafka_connect_source_task_metrics_source_record_write_rate',
  'kafka_connect_source_task_metrics_source_record_write_total',
  'kafka_connect_task_error_metrics_deadletterqueue_produce_requests',
  'kafka_connect_task_error_metrics_total_errors_logged',
  'kafka_connect_task_error_metrics_total_record_errors',
  'kafka_connect_task_error_metrics_total_record_failures',
  'kafka_connect_task_error_metrics_total_records_skipped',
  'kafka_connect_task_error_metrics_total_retries',
  'kafka_connect_connect_worker_rebalance_metrics_rebalance_avg_time_ms',
  'kafka_connect_connect_worker_rebalance_metrics_time_since_last_rebalance_ms',
  ...['connector_count', 'task_count', 'connector_startup_success_total', 'connector_startup_failure_total'].map(
    (m) => `kafka_connect_connect_worker_metrics_${m}`,
  ),
  ...['task_startup_success_total', 'task_startup_failure_total'].map(
    (m) => `kafka_connect_connect_worker_metrics_${m}`,
  ),
  ...['total', 'running', 'paused', 'failed', 'unassigned', 'destroyed'].map(
    (s) => `kafka_connect_connect_worker_metrics_connector_${s}_task_count`,
  ),
  'flowscope_source_rows_read_total',
  'flowscope_source_last_poll_timestamp_seconds',
  'flowscope_source_newest_change_timestamp_seconds',
  'flowscope_source_freshness_seconds',
  'flowscope_source_pending_rows',
  'flowscope_source_poll_errors_total',
  'flowscope_offset_commit_failures_total',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
])

/** The consumer end's series: the lag exporter's, the sample consumer's, the worker's source → Kafka histogram. */
const consumerEndMetrics = new Set([
  ...Object.values(lagMetrics).map((m) => m.name),
  ...[
    ...Object.values(sampleConsumerMetrics.metrics),
    workerDefinitions.sourceToKafka,
    lagMetrics.freshnessSampled,
  ].flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]),
])

/** Broker names produced by monitoring/jmx/kafka-broker.yml on Kafka 4.1.1 (checked live) and the agent's JVM names. */
const brokerPrefixes = [
  'kafka_server_',
  'kafka_controller_',
  'kafka_network_',
  'kafka_log_log_',
  'kafka_cluster_partition_',
  'kafka_coordinator_group_',
  'jvm_',
]
const nodeExporterPrefix = 'node_'

function metricNames(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\b(?:by|on|without|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/,\s*\w+\s*\)\s*$/, ')')
  const names =
    withoutStrings.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[)]|\s*$|\s+(?:or|and|unless|[<>=!+\-*/]))/g) ?? []
  const keywords = new Set([
    'sum',
    'max',
    'min',
    'avg',
    'count',
    'rate',
    'increase',
    'by',
    'on',
    'without',
    'time',
    'or',
  ])
  return names.filter((n) => !keywords.has(n) && /_/.test(n) && !n.startsWith('__') && n !== 'group_left')
}

function datasourceUids(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) datasourceUids(v, out)
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'datasource')
        out.push(typeof v === 'object' && v !== null ? String((v as { uid?: unknown }).uid) : String(v))
      else datasourceUids(v, out)
    }
  }
  return out
}

test('every dashboard spec is exported and nothing else is in the folder', () => {
  assert.deepEqual(files.sort(), dashboards.map((d) => d.file).sort())
})

for (const file of files) {
  test(`${file}: unique panel ids, only datasource uid "prometheus", a query on every panel`, () => {
    const json = load(file)
    const panels = (json.panels as { id: number; type: string; targets?: unknown[] }[]) ?? []
    const ids = panels.map((p) => p.id)
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids}`)
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0))
    const uids = datasourceUids(json)
    assert.ok(uids.length > 0)
    assert.deepEqual([...new Set(uids)], ['prometheus'])
    for (const p of panels.filter((x) => x.type !== 'row'))
      assert.ok((p.targets ?? []).length > 0, `panel ${p.id} has no query`)
  })

  test(`${file}: every metric a query uses is exported by the stack`, () => {
    const json = load(file)
    const exprs = [...panelQueries(json).map((p) => p.expr), ...variableQueries(json).map((v) => v.query)]
    const unknown = new Set<string>()
    for (const e of exprs) {
      for (const n of metricNames(e)) {
        const known =
          workerMetrics.has(n) ||
          consumerEndMetrics.has(n) ||
          brokerPrefixes.some((p) => n.startsWith(p)) ||
          n.startsWith(nodeExporterPrefix) ||
          n === 'up'
        if (!known) unknown.add(n)
      }
    }
    assert.deepEqual([...unknown], [])
  })
}

test('the pipeline overview has the connector variable and the source, connector, topic, consumer and broker rows', () => {
  const json = load('pipeline-overview.json') as {
    templating: { list: { name: string }[] }
    panels: { type: string; title: string }[]
  }
  assert.deepEqual(
    json.templating.list.map((v) => v.name),
    ['connector', 'table', 'topic'],
  )
  const rows = json.panels.filter((p) => p.type === 'row').map((p) => p.title)
  assert.deepEqual(rows, [
    'Status: $connector',
    'Source: Postgres table(s)',
    'CDC: WAL → replication slot → $connector',
    'Connector → Kafka',
    'Topic: $topic',
    'Consumers of $topic',
    'Kafka broker health',
  ])
  const exprs = panelQueries(json)
    .map((p) => p.expr)
    .join('\n')
  for (const m of [
    'flowscope_source_freshness_seconds',
    'flowscope_source_pending_rows',
    'kafka_connect_connector_metrics',
    'kafka_server_brokertopicmetrics_messagesinpersec',
    'kafka_controller_kafkacontroller_activecontrollercount',
    'flowscope_source_to_kafka_seconds_bucket',
    'kafka_consumergroup_group_lag_seconds',
    'flowscope_consumergroup_partition_status',
    'flowscope_consumer_freshness_seconds_bucket',
    'debezium_metrics_MilliSecondsBehindSource',
    'flowscope_replication_slot_retained_wal_bytes',
  ]) {
    assert.ok(exprs.includes(m), m)
  }
})

test('the consumer lag dashboard: cluster/group/topic variables; lag, ETA, status, quality and freshness percentiles', () => {
  const json = load('consumer-lag.json') as {
    templating: { list: { name: string }[] }
    panels: { type: string; title: string; fieldConfig?: { defaults?: { mappings?: unknown[] } } }[]
  }
  assert.deepEqual(
    json.templating.list.map((v) => v.name),
    ['cluster', 'group', 'topic'],
  )
  const exprs = panelQueries(json).map((p) => p.expr)
  const all = exprs.join('\n')
  for (const m of [
    'kafka_consumergroup_group_lag',
    'kafka_consumergroup_group_lag_seconds',
    'kafka_consumergroup_group_max_lag_seconds',
    'kafka_consumergroup_group_sum_lag',
    'flowscope_consumergroup_drain_eta_seconds',
    'flowscope_consumergroup_status',
    'flowscope_consumergroup_partition_status',
    'flowscope_consumergroup_lag_quality',
    'flowscope_consumergroup_consume_rate',
    'flowscope_consumergroup_freshness_seconds',
    'flowscope_consumer_record_age_seconds_bucket',
    'kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total',
  ]) {
    assert.ok(all.includes(m), m)
  }
  // The lag in seconds keeps its method; freshness is charted as p50 and p99 of the histogram.
  assert.ok(exprs.some((e) => /by \(group, topic, partition, method\)/.test(e)))
  for (const quantile of ['0.5', '0.99'])
    assert.ok(
      exprs.some((e) =>
        e.startsWith(
          `histogram_quantile(${quantile}, sum by (group, topic, le) (rate(flowscope_consumer_freshness_seconds_bucket`,
        ),
      ),
      quantile,
    )
  // Burrow's status codes are shown by name.
  const timeline = json.panels.find((p) => p.type === 'state-timeline')
  assert.ok(timeline)
  assert.match(JSON.stringify(timeline.fieldConfig?.defaults?.mappings), /"4":\{"text":"STOP","color":"red"/)
})

test('flowscope dashboards have no ZooKeeper or old-JVM-name panels', () => {
  for (const file of files) {
    const exprs = panelQueries(load(file))
      .map((p) => p.expr)
      .join('\n')
    assert.doesNotMatch(exprs, /zookeeper|jvm_memory_bytes_/i, file)
  }
})
