import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as prom from 'prom-client'
import { defineMetricComponent, registerComponentMetrics } from '../../../src/metrics/components.ts'
import { allMetrics } from '../../../src/metrics/definitions.ts'
import { renderMetricsDoc } from '../../../src/metrics/docs.ts'
import { metricComponents } from '../../../src/metrics/documented-components.ts'
import { seriesMap } from './scrape.ts'

const lag = defineMetricComponent({
  name: 'lag-exporter',
  title: 'Consumer lag exporter (test)',
  description: 'Served by the lag exporter on its own /metrics.',
  metrics: {
    lag: {
      name: 'flowscope_test_consumer_lag_records',
      type: 'gauge',
      labels: ['group', 'topic', 'partition'],
      unit: 'records',
      help: 'Records between the committed offset and the end of the partition.',
    },
    scrapes: {
      name: 'flowscope_test_lag_scrapes_total',
      type: 'counter',
      labels: [],
      unit: 'scrapes',
      help: 'Offset fetches the exporter made.',
    },
  },
})

test('a component registers its own definitions on its own registry', async () => {
  const registry = new prom.Registry()
  const m = registerComponentMetrics(lag, registry)
  m.lag.set({ group: 'g', topic: 't', partition: '0' }, 7)
  m.scrapes.inc()
  const text = await registry.metrics()
  assert.match(text, /# HELP flowscope_test_consumer_lag_records Records between the committed offset/)
  assert.match(text, /# TYPE flowscope_test_lag_scrapes_total counter/)
  const series = seriesMap(text)
  assert.equal(series.get('flowscope_test_consumer_lag_records{group="g",partition="0",topic="t"}'), 7)
  assert.equal(series.get('flowscope_test_lag_scrapes_total'), 1)
  assert.equal(lag.metrics.lag.group, 'lag-exporter')
})

test('defining a component refuses a counter without _total, or a _total gauge', () => {
  const def = { type: 'counter', labels: [], unit: 'x', help: 'A test metric.' } as const
  assert.throws(
    () => defineMetricComponent({ name: 'c', title: 'C', description: 'd', metrics: { a: { ...def, name: 'a' } } }),
    /_total/,
  )
  assert.throws(
    () =>
      defineMetricComponent({
        name: 'c',
        title: 'C',
        description: 'd',
        metrics: { a: { ...def, type: 'gauge', name: 'a_total' } },
      }),
    /_total/,
  )
})

test('docs/metrics.md renders a component in its own section, after the worker', () => {
  const doc = renderMetricsDoc([lag])
  const section = doc.indexOf('## Consumer lag exporter (test)')
  assert.ok(section > doc.indexOf('## Seed dashboard names not emitted'))
  assert.ok(doc.indexOf('Served by the lag exporter on its own /metrics.') > section)
  assert.ok(doc.indexOf('`flowscope_test_consumer_lag_records`') > section)
  assert.ok(!renderMetricsDoc([]).includes('Consumer lag exporter (test)'))
})

test('registered components do not reuse a worker metric name or each other’s', () => {
  const names = [...allMetrics, ...metricComponents.flatMap((c) => Object.values(c.metrics))].map((d) => d.name)
  assert.equal(new Set(names).size, names.length)
})
