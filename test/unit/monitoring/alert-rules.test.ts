// Alert-rule options of the consumer end: the freshness SLO's threshold must be a histogram bucket bound and its
// target leave a burn of 14.4× measurable; a shorter SLO period scales the burn windows; the `for:` knobs apply.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type AlertRule, alertGroups } from '../../../src/monitoring/prometheus/alert-rules.ts'

function find(name: string, options: Parameters<typeof alertGroups>[0] = {}): AlertRule {
  const r = alertGroups(options)
    .flatMap((g) => g.rules)
    .find((x) => x.alert === name)
  assert.ok(r, name)
  return r
}

test('the freshness SLO threshold is a bucket bound of the histograms, matched as written or normalised', () => {
  const fast = find('ConsumerFreshnessBudgetBurnFast', { consumerFreshnessSloSeconds: 60 })
  assert.match(fast.expr, /flowscope_consumer_freshness_seconds_bucket\{le=~"60\(\[\.\]0\)\?"\}\[1h\]/)
  assert.throws(
    () => alertGroups({ consumerFreshnessSloSeconds: 45 }),
    /consumerFreshnessSloSeconds: 45 is not a bucket bound .* choose one of 0\.05, 0\.1, .*, 3600/,
  )
})

test('the SLO target sets the burn thresholds; a target whose budget a 14.4× burn exceeds is refused', () => {
  const fast = find('ConsumerFreshnessBudgetBurnFast', { consumerFreshnessSloTarget: 0.999 })
  assert.match(fast.expr, /> 0\.0144 and .*> 0\.0144\) or \(.*> 0\.006 and .*> 0\.006\)$/)
  assert.match(fast.annotations.description, /SLO \(99\.9% of records processed within 300 s/)
  for (const bad of [0.9, 1, 1.5, Number.NaN]) {
    assert.throws(
      () => alertGroups({ consumerFreshnessSloTarget: bad }),
      /consumerFreshnessSloTarget: .* must be above 0\.930/,
    )
  }
})

test('a shorter SLO period scales the windows and for: of the burn alerts in proportion', () => {
  const fast = find('ConsumerFreshnessBudgetBurnFast', { consumerFreshnessSloPeriod: '12h' })
  const windows = [...fast.expr.matchAll(/_count\[(\w+)\]/g)].map((m) => m[1])
  assert.deepEqual(windows, ['1m', '5s', '6m', '30s'])
  assert.equal(fast.for, '2s')
  const slow = find('ConsumerFreshnessBudgetBurnSlow', { consumerFreshnessSloPeriod: '12h' })
  assert.deepEqual(
    [...slow.expr.matchAll(/_count\[(\w+)\]/g)].map((m) => m[1]),
    ['24m', '2m', '72m', '6m'],
  )
  assert.equal(slow.for, '15s')
})

test('consumerAlertFor and lagExporterDownFor set the for: of the consumer-end alerts', () => {
  const o = { consumerAlertFor: '10s', lagExporterDownFor: '20s' }
  for (const a of [
    'ConsumerGroupLagHigh',
    'ConsumerGroupStatusNotOk',
    'ConsumerPartitionStalled',
    'ConsumerGroupNoMembers',
  ]) {
    assert.equal(find(a, o).for, '10s', a)
    assert.match(find(a, o).annotations.description, /10 seconds/, a)
  }
  assert.equal(find('LagExporterCannotReachKafka', o).for, '20s')
  // A window shorter than the default minute: the whole down time is the window.
  const down = find('LagExporterDown', o)
  assert.equal(down.expr, 'max_over_time(up{job="kafka-lag-exporter"}[20s]) == 0')
  assert.equal(down.for, '0s')
  assert.equal(find('LagExporterDown').for, '1m')
  assert.match(find('service_down').expr, /up\{job!="kafka-lag-exporter"\}/)
})

test('a duration option that is not a Prometheus duration, or is 0, is refused naming the option', () => {
  assert.throws(
    () => alertGroups({ consumerAlertFor: '5 minutes' }),
    /^Error: consumerAlertFor: "5 minutes" is not a Prometheus duration/,
  )
  assert.throws(
    () => alertGroups({ lagExporterDownFor: '0s' }),
    /^Error: lagExporterDownFor: 0s must be longer than 0s/,
  )
  assert.throws(
    () => alertGroups({ consumerFreshnessSloPeriod: '30 days' }),
    /^Error: consumerFreshnessSloPeriod: "30 days"/,
  )
})
