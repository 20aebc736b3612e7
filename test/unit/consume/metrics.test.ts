// The sample consumer's metrics maths: windowed averages, maxima and rates as Kafka computes them, absent (not 0)
// over an empty window; fetch responses summarised into bytes per topic and the largest lag; histograms observed
// only for what a record carries.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { summariseFetch } from '../../../src/consume/client-events.ts'
import { ConsumerMetrics } from '../../../src/consume/metrics.ts'
import { FRESHNESS_BUCKETS } from '../../../src/metrics/freshness-buckets.ts'

const S = 1000
const FETCH = 'kafka_consumer_consumer_fetch_manager_metrics'
const COORD = 'kafka_consumer_consumer_coordinator_metrics'

function metrics(clock: { now: number }) {
  return new ConsumerMetrics({
    clientId: 'c1',
    groupId: 'g',
    paused: false,
    startTimeMs: 123,
    now: () => clock.now,
    defaultMetrics: false,
  })
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

test('fetch latency, size and throttle are windowed averages; lag max a windowed maximum; empty → absent', async () => {
  const clock = { now: 0 }
  const m = metrics(clock)
  let text = (await m.render()).body
  assert.equal(value(text, `${FETCH}_fetch_latency_avg{client_id="c1"}`), undefined)
  assert.equal(value(text, `${FETCH}_records_lag_max{client_id="c1"}`), undefined)
  assert.equal(value(text, `${FETCH}_fetch_total{client_id="c1"}`), 0)
  m.recordFetch({ latencyMs: 10, throttleTimeMs: 0, bytesByTopic: new Map([['t', 100]]), lagMax: 7 })
  clock.now = 5 * S
  m.recordFetch({ latencyMs: 30, throttleTimeMs: 4, bytesByTopic: new Map([['t', 0]]), lagMax: 3 })
  text = (await m.render()).body
  assert.equal(value(text, `${FETCH}_fetch_latency_avg{client_id="c1"}`), 20)
  assert.equal(value(text, `${FETCH}_fetch_throttle_time_avg{client_id="c1"}`), 2)
  assert.equal(value(text, `${FETCH}_fetch_size_avg{client_id="c1",topic="t"}`), 50)
  assert.equal(value(text, `${FETCH}_records_lag_max{client_id="c1"}`), 7)
  assert.equal(value(text, `${FETCH}_fetch_total{client_id="c1"}`), 2)
  assert.equal(value(text, `${FETCH}_bytes_consumed_total{client_id="c1",topic="t"}`), 100)
  // Two 30 s samples later the window is empty again: the averages disappear, the counters stay.
  clock.now = 70 * S
  text = (await m.render()).body
  assert.equal(value(text, `${FETCH}_fetch_latency_avg{client_id="c1"}`), undefined)
  assert.equal(value(text, `${FETCH}_fetch_size_avg{client_id="c1",topic="t"}`), undefined)
  assert.equal(value(text, `${FETCH}_records_lag_max{client_id="c1"}`), undefined)
  assert.equal(value(text, `${FETCH}_fetch_total{client_id="c1"}`), 2)
})

test('commit rate over the elapsed window (at least one full sample), commit latency average, rebalances per hour', async () => {
  const clock = { now: 0 }
  const m = metrics(clock)
  let text = (await m.render()).body
  assert.equal(value(text, `${COORD}_commit_rate{client_id="c1"}`), 0)
  assert.equal(value(text, `${COORD}_commit_latency_avg{client_id="c1"}`), undefined)
  for (let i = 0; i < 10; i++) {
    m.recordCommit(i % 2 === 0 ? 2 : 4)
    clock.now += S
  }
  m.recordRebalance(true)
  text = (await m.render()).body
  // Kafka's Rate: 10 commits over the elapsed 10 s plus the one full sample not yet elapsed (30 s) = 10 / 40 s.
  assert.equal(value(text, `${COORD}_commit_rate{client_id="c1"}`), 10 / 40)
  assert.equal(value(text, `${COORD}_commit_latency_avg{client_id="c1"}`), 3)
  assert.equal(value(text, `${COORD}_commit_total{client_id="c1"}`), 10)
  // One rebalance, just recorded: 1 over (0 s elapsed + one full 30 s sample), per hour.
  assert.equal(value(text, `${COORD}_rebalance_rate_per_hour{client_id="c1"}`), 3600 / 30)
  assert.equal(value(text, `${COORD}_failed_rebalance_rate_per_hour{client_id="c1"}`), 0)
  assert.equal(value(text, `${COORD}_rebalance_total{client_id="c1"}`), 1)
  assert.equal(value(text, 'kafka_consumer_app_info{client_id="c1",version="0.1.0",start_time_ms="123"}'), 1)
})

test('freshness is observed only for records with the header; age for every record; shared buckets', async () => {
  const m = metrics({ now: 0 })
  m.recordConsumed('t')
  m.recordProcessed('t', 0, 1n, { ageSeconds: 0.2 })
  m.recordConsumed('t')
  m.recordProcessed('t', 0, 2n, { ageSeconds: 3, freshness: { seconds: 4, basis: 'poll' } })
  const text = (await m.render()).body
  assert.equal(value(text, `${FETCH}_records_consumed_total{client_id="c1",topic="t"}`), 2)
  assert.equal(value(text, 'flowscope_consumer_record_age_seconds_count{client_id="c1",group="g",topic="t"}'), 2)
  assert.equal(
    value(text, 'flowscope_consumer_freshness_seconds_count{client_id="c1",group="g",topic="t",basis="poll"}'),
    1,
  )
  assert.equal(
    value(
      text,
      'flowscope_consumer_freshness_seconds_bucket{le="2.5",client_id="c1",group="g",topic="t",basis="poll"}',
    ),
    0,
  )
  assert.equal(
    value(text, 'flowscope_consumer_freshness_seconds_bucket{le="5",client_id="c1",group="g",topic="t",basis="poll"}'),
    1,
  )
  const les = [...text.matchAll(/flowscope_consumer_record_age_seconds_bucket\{le="([^"]+)"/g)].map((x) => x[1])
  assert.deepEqual(les, [...FRESHNESS_BUCKETS.map(String), '+Inf'])
  assert.equal(value(text, 'flowscope_consumer_processed_offset{client_id="c1",group="g",topic="t",partition="0"}'), 2)
})

test('a fetch response: batch bytes with log overhead per topic, lag = high watermark − position after it', () => {
  const requested = {
    topics: [
      {
        topicId: 'A',
        partitions: [
          { partition: 0, fetchOffset: 10n },
          { partition: 1, fetchOffset: 5n },
        ],
      },
    ],
  }
  const { bytesByTopicId, lagMax } = summariseFetch(requested, {
    throttleTimeMs: 0,
    responses: [
      {
        topicId: 'A',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 100n,
            records: [
              { firstOffset: 10n, lastOffsetDelta: 4, length: 88 },
              { firstOffset: 15n, lastOffsetDelta: 4, length: 100 },
            ],
          },
          { partitionIndex: 1, errorCode: 0, highWatermark: 5n, records: null },
        ],
      },
    ],
  })
  assert.equal(bytesByTopicId.get('A'), 88 + 12 + 100 + 12)
  // Partition 0: position 20 after the response, high watermark 100 → 80; partition 1 caught up.
  assert.equal(lagMax, 80)
})
