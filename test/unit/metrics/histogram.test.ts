import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import { FRESHNESS_BUCKETS } from '../../../src/metrics/freshness-buckets.ts'
import { HistogramCounts, histogramSamples } from '../../../src/metrics/histogram.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { parseExposition } from './scrape.ts'

test('observations land in the first bucket whose bound is ≥ the value; samples are cumulative', () => {
  const h = new HistogramCounts([1, 5])
  for (const v of [0, 1, 1.01, 5, 7, Number.NaN]) h.observe(v)
  assert.equal(h.count, 5, 'NaN is not counted')
  assert.equal(h.sum, 14.01)
  assert.deepEqual(
    histogramSamples('x', { a: '1' }, h).map((s) => [s.metricName, s.labels.le, s.value]),
    [
      ['x_bucket', '1', 2],
      ['x_bucket', '5', 4],
      ['x_bucket', '+Inf', 5],
      ['x_sum', undefined, 14.01],
      ['x_count', undefined, 5],
    ],
  )
})

test('flowscope_source_to_kafka_seconds: one series per connector, table and basis, with the shared buckets', async () => {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'c',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const task = metrics.task('jdbc', 0)
  task.recordSourceToKafka?.('public.users', 'change', 0.3)
  task.recordSourceToKafka?.('public.users', 'change', 42)
  task.recordSourceToKafka?.('public.users', 'poll', 0.01)
  // Another task of the same connector reading another table adds to the same family.
  metrics.task('jdbc', 1).recordSourceToKafka?.('public.orders', 'change', 4000)
  const samples = parseExposition((await metrics.render()).body).filter((s) => s.name.startsWith(M.sourceToKafka.name))
  const get = (suffix: string, labels: Record<string, string>) =>
    samples.find(
      (s) =>
        s.name === `${M.sourceToKafka.name}${suffix}` && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value
  const users = { connector: 'jdbc', table: 'public.users', basis: 'change' }
  assert.equal(get('_count', users), 2)
  assert.equal(get('_sum', users), 42.3)
  assert.equal(get('_bucket', { ...users, le: '0.25' }), 0)
  assert.equal(get('_bucket', { ...users, le: '0.5' }), 1)
  assert.equal(get('_bucket', { ...users, le: '60' }), 2)
  assert.equal(get('_count', { ...users, basis: 'poll' }), 1)
  assert.equal(get('_bucket', { connector: 'jdbc', table: 'public.orders', le: '3600' }), 0)
  assert.equal(get('_bucket', { connector: 'jdbc', table: 'public.orders', le: '+Inf' }), 1)
  const bounds = samples.filter((s) => s.name.endsWith('_bucket') && s.labels.basis === 'poll').map((s) => s.labels.le)
  assert.deepEqual(bounds, [...FRESHNESS_BUCKETS.map(String), '+Inf'])
  // No task label: a table is read by one task at a time.
  assert.ok(samples.every((s) => !('task' in s.labels)))
  // OpenMetrics renders the same family.
  const om = await metrics.render('application/openmetrics-text')
  assert.match(om.body, /^# TYPE flowscope_source_to_kafka_seconds histogram$/m)
  assert.match(
    om.body,
    /^flowscope_source_to_kafka_seconds_count\{connector="jdbc",table="public.users",basis="change"\} 2$/m,
  )
})
