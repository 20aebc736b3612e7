// The Prometheus configuration generator: the seed's jobs, labels and relabel, real targets, validation.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parse } from 'yaml'
import { renderPrometheusConfig } from '../../../src/monitoring/prometheus/prometheus-config.ts'

interface Job {
  job_name: string
  metrics_path?: string
  static_configs: { targets: string[]; labels?: Record<string, string> }[]
  relabel_configs?: { target_label: string }[]
}
interface Config {
  global: Record<string, string>
  rule_files: string[]
  alerting?: unknown
  scrape_configs: Job[]
}

const jobs = (c: Config) => Object.fromEntries(c.scrape_configs.map((j) => [j.job_name, j]))

test('defaults: the seed job names with local targets, labels and hostname relabel, no alertmanager', () => {
  const c = parse(renderPrometheusConfig()) as Config
  const j = jobs(c)
  assert.deepEqual(Object.keys(j).sort(), [
    'kafka-broker',
    'kafka-connect',
    'kafka-consumer',
    'kafka-lag-exporter',
    'node-exporter',
    'prometheus',
  ])
  assert.deepEqual(j['kafka-connect'].static_configs[0].targets, ['localhost:8083'])
  assert.equal(j['kafka-connect'].metrics_path, '/metrics')
  assert.deepEqual(j['kafka-connect'].static_configs[0].labels, {
    env: 'dev',
    kafka_connect_cluster_id: 'compose-connect-group',
  })
  assert.deepEqual(j['kafka-broker'].static_configs[0].targets, ['localhost:9404'])
  assert.deepEqual(j['node-exporter'].static_configs[0].targets, ['localhost:9100'])
  assert.deepEqual(j.prometheus.static_configs[0].targets, ['localhost:9090'])
  assert.deepEqual(j['kafka-lag-exporter'].static_configs[0], { targets: ['localhost:8000'], labels: { env: 'dev' } })
  assert.deepEqual(j['kafka-consumer'].static_configs[0], { targets: ['localhost:8001'], labels: { env: 'dev' } })
  for (const name of ['kafka-broker', 'kafka-connect', 'node-exporter', 'kafka-lag-exporter', 'kafka-consumer'])
    assert.equal(j[name].relabel_configs?.[0].target_label, 'hostname')
  assert.equal(c.alerting, undefined)
  assert.deepEqual(c.rule_files, ['alert-rules.yml'])
})

test('options: addresses, cluster id, env, interval, alertmanager, no node exporter', () => {
  const c = parse(
    renderPrometheusConfig({
      workerAddress: ['w1:8083', 'w2:8083'],
      brokerExporterAddress: 'b:1234',
      nodeExporterAddress: null,
      connectClusterId: 'my-group',
      env: 'prod',
      scrapeInterval: '5s',
      alertmanagerAddress: 'am:9093',
      ruleFiles: ['/etc/prometheus/rules.yml'],
    }),
  ) as Config
  const j = jobs(c)
  assert.equal(j['node-exporter'], undefined)
  assert.deepEqual(j['kafka-connect'].static_configs[0].targets, ['w1:8083', 'w2:8083'])
  assert.deepEqual(j['kafka-connect'].static_configs[0].labels, { env: 'prod', kafka_connect_cluster_id: 'my-group' })
  assert.deepEqual(j['kafka-broker'].static_configs[0].targets, ['b:1234'])
  assert.deepEqual(c.global, { scrape_interval: '5s', evaluation_interval: '5s', scrape_timeout: '5s' })
  assert.ok(JSON.stringify(c.alerting).includes('am:9093'))
})

test('the consumer end: lag exporter and consumer targets moved, or left out with null', () => {
  const moved = jobs(
    parse(
      renderPrometheusConfig({ lagExporterAddress: 'lx:18000', consumerAddress: ['c1:8001', 'c2:8001'], env: 'prod' }),
    ) as Config,
  )
  assert.deepEqual(moved['kafka-lag-exporter'].static_configs[0], { targets: ['lx:18000'], labels: { env: 'prod' } })
  assert.deepEqual(moved['kafka-consumer'].static_configs[0].targets, ['c1:8001', 'c2:8001'])
  assert.equal(moved['kafka-consumer'].relabel_configs?.[0].target_label, 'hostname')
  const none = jobs(parse(renderPrometheusConfig({ lagExporterAddress: null, consumerAddress: null })) as Config)
  assert.equal(none['kafka-lag-exporter'], undefined)
  assert.equal(none['kafka-consumer'], undefined)
  assert.throws(() => renderPrometheusConfig({ consumerAddress: 'x' }), /consumerAddress: "x" is not host:port/)
  assert.throws(() => renderPrometheusConfig({ lagExporterAddress: [] }), /lagExporterAddress: at least one/)
})

test('bad options are rejected with the field named', () => {
  assert.throws(
    () => renderPrometheusConfig({ workerAddress: 'http://x:8083' }),
    /workerAddress: "http:\/\/x:8083" is not host:port/,
  )
  assert.throws(() => renderPrometheusConfig({ scrapeInterval: '15 seconds' }), /scrapeInterval/)
  assert.throws(() => renderPrometheusConfig({ brokerExporterAddress: [] }), /brokerExporterAddress: at least one/)
})
