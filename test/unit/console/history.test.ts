import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  DEFAULT_CAPACITY,
  downsample,
  FRESHNESS_P99_PROMQL,
  parseSeriesId,
  RingBuffer,
  SampleStore,
  SERIES,
  stepFor,
} from '../../../src/console/server/history.ts'

test('a ring buffer keeps its last `capacity` points, oldest first', () => {
  const r = new RingBuffer(3)
  for (let i = 1; i <= 5; i++) r.push(i * 1000, i * 10)
  assert.equal(r.size, 3)
  assert.deepEqual(r.between(0, Number.POSITIVE_INFINITY), { t: [3000, 4000, 5000], v: [30, 40, 50] })
  assert.deepEqual(r.between(3500, 4500), { t: [4000], v: [40] })
  assert.throws(() => new RingBuffer(0), /capacity 0/)
})

test('the default store holds an hour at 5 s and its memory is bounded by series × capacity', () => {
  assert.equal(DEFAULT_CAPACITY, 720)
  const store = new SampleStore(720, 3)
  for (let i = 0; i < 2000; i++) store.record('group.lag:a', i * 5000, i)
  store.record('group.lag:b', 0, 1)
  store.record('group.lag:c', 0, 1)
  store.record('group.lag:d', 0, 1) // over maxSeries: dropped and counted
  const stats = store.stats()
  assert.equal(stats.series, 3)
  assert.equal(stats.points, 720 + 1 + 1)
  assert.equal(stats.droppedSeries, 1)
  assert.equal(stats.bytes, 3 * 720 * 16)
  const all = store.points('group.lag:a', 0, Number.POSITIVE_INFINITY, 10_000)
  assert.equal(all.t.length, 720)
  assert.equal(all.v[0], 2000 - 720)
  assert.equal(store.has('group.lag:d'), false)
})

test('no value, no point: null, undefined and NaN leave a gap instead of a zero', () => {
  const store = new SampleStore(10, 10)
  store.record('group.lag:a', 1, null)
  store.record('group.lag:a', 2, undefined)
  store.record('group.lag:a', 3, Number.NaN)
  assert.equal(store.has('group.lag:a'), false)
  store.record('group.lag:a', 4, 0)
  assert.deepEqual(store.points('group.lag:a', 0, 10, 10), { t: [4], v: [0] })
})

test('downsampling averages equal-time buckets and never returns more than asked', () => {
  const t = Array.from({ length: 720 }, (_, i) => i * 5000)
  const v = t.map((_, i) => i % 2) // 0,1,0,1…
  const d = downsample({ t, v }, 100)
  assert.ok(d.t.length <= 100 && d.t.length >= 90, `got ${d.t.length}`)
  for (const x of d.v) assert.ok(x > 0.3 && x < 0.7, `bucket mean ${x}`)
  assert.equal(d.t.at(-1), t.at(-1))
  assert.deepEqual(downsample({ t: [1, 2], v: [3, 4] }, 5), { t: [1, 2], v: [3, 4] })
})

test('series ids name a known metric and a key; PromQL quotes the name', () => {
  assert.deepEqual(parseSeriesId('connector.write_rate:connect-default/pg-orders'), {
    metric: 'connector.write_rate',
    name: 'pg-orders',
    id: 'connector.write_rate:connect-default/pg-orders',
  })
  assert.equal(parseSeriesId('group.lag:a:b').name, 'a:b')
  assert.throws(() => parseSeriesId('cpu:x'), /metric one of connector.write_rate/)
  assert.throws(() => parseSeriesId('group.lag:'), /missing/)
  assert.throws(() => parseSeriesId('group.lag'), /missing/)
  const promql = SERIES['group.lag_seconds'].promql(parseSeriesId('group.lag_seconds:we"ird'))
  assert.equal(promql, 'max(kafka_consumergroup_group_max_lag_seconds{group="we\\"ird"})')
  assert.match(FRESHNESS_P99_PROMQL('g'), /^histogram_quantile\(0\.99, .*flowscope_consumer_freshness_seconds_bucket/)
  assert.equal(stepFor(900), 5)
  assert.equal(stepFor(86_400), 360)
})
