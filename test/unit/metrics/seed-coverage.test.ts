import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isNotApplicable, notApplicable } from '../../../src/metrics/definitions.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { seedDashboardMetrics, seedMissing } from '../../support/seed.ts'
import { parseExposition } from './scrape.ts'

/** Labels Prometheus adds at scrape time (job name, target, static labels, relabelling), not the exporter. */
const ADDED_BY_PROMETHEUS = new Set(['job', 'instance', 'env', 'hostname', 'kafka_connect_cluster_id'])

/** Every name the seed's dashboards query, with the labels the exporter itself must emit. */
function seedMetrics(): { name: string; labels: string[] }[] {
  return [...seedDashboardMetrics()].map(([name, labels]) => ({
    name,
    labels: [...labels].filter((l) => !ADDED_BY_PROMETHEUS.has(l)),
  }))
}

/** A worker with one JDBC source connector, two tasks and some traffic, as the runtime would record it. */
async function realisticScrape() {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'connect-1',
    version: '0.1.0',
    commitId: 'abc',
    startTimeMs: Date.now(),
  })
  metrics.recordRebalanceStart()
  const connector = metrics.connector('jdbc-postgres-source', {
    className: 'io.confluent.connect.jdbc.JdbcSourceConnector',
    type: 'source',
    version: '10.8.0',
  })
  connector.recordState('RUNNING')
  metrics.recordConnectorStartup(true)
  for (const id of [0, 1]) {
    const task = metrics.task('jdbc-postgres-source', id)
    metrics.recordTaskStartup(true)
    task.recordState('RUNNING')
    task.recordPoll(10, 4)
    task.recordActiveCount(10)
    metrics.producer.requestsInFlight(1)
    metrics.producer.recordSend('postgres-jdbc-users', 10, 1200, 6)
    metrics.producer.requestsInFlight(-1)
    task.recordWrite(10)
    task.recordActiveCount(0)
    task.recordOffsetCommit(3, true)
    connector.pipeline.rowsRead('users', 10, Date.now() - 500)
  }
  metrics.recordRebalance(120, 1)
  // The clients' network, as the diagnostics channel reports it: a connection, a produce request and its response,
  // a metadata response; the worker's client registered for its connect-metrics series.
  metrics.kafkaClient('connect-1').recordConnectionCreated()
  const network = metrics.producer.network
  assert.ok(network, 'the worker producer has network statistics')
  network.recordConnectionCreated()
  network.recordRequest(0, 1400)
  network.recordResponse(0, 90, { throttleTimeMs: 0 })
  network.recordResponse(3, 300, { brokers: [] })
  metrics.producer.recordQueueTime?.(2)
  metrics.producer.recordBuffer?.(33_554_432, 33_554_432)
  metrics.producer.recordCompression?.('none')
  return parseExposition((await metrics.render()).body)
}

test("every kafka_connect_* / kafka_producer_* name the seed's dashboards query is emitted with its labels, or listed as not applicable", {
  skip: seedMissing,
}, async () => {
  const seed = seedMetrics()
  assert.ok(seed.length > 100, `read ${seed.length} names from the seed's dashboards`)
  const emitted = await realisticScrape()
  const missing: string[] = []
  let checked = 0
  for (const { name, labels } of seed) {
    if (
      !name.startsWith('kafka_connect_') &&
      !name.startsWith('kafka_producer_') &&
      name !== 'process_cpu_seconds_total'
    ) {
      continue
    }
    checked += 1
    const series = emitted.filter((s) => s.name === name)
    if (isNotApplicable(name)) {
      assert.deepEqual(series, [], `${name} is listed as not applicable but emitted`)
      continue
    }
    if (series.length === 0) {
      missing.push(name)
      continue
    }
    for (const label of labels) {
      assert.ok(
        series.some((s) => label in s.labels),
        `${name} lacks label ${label}`,
      )
    }
  }
  assert.deepEqual(missing, [], 'seed names neither emitted nor listed as not applicable')
  assert.ok(checked > 60, `checked ${checked} names`)
})

test('every not-applicable entry matches a name the seed actually uses', { skip: seedMissing }, () => {
  const names = seedMetrics().map((m) => m.name)
  for (const entry of notApplicable) {
    const prefix = entry.name.endsWith('*') ? entry.name.slice(0, -1) : null
    assert.ok(
      names.some((n) => (prefix === null ? n === entry.name : n.startsWith(prefix))),
      `${entry.name} is not in the seed's list`,
    )
  }
})
