import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as prom from 'prom-client'
import {
  ApiKeys,
  KafkaClientNetwork,
  networkMetricDefinitions,
  networkStatValue,
  registerNetworkMetrics,
} from '../../../src/metrics/kafka-client-network.ts'
import { parseExposition } from './scrape.ts'

const window = { samples: 2, windowMs: 30_000 }

function clockedNetwork() {
  let now = 1_000_000
  const network = new KafkaClientNetwork({ window, nowMs: () => now })
  return { network, at: (ms: number) => (now = ms), now: () => now }
}

test('connections: live count, creations and closes, windowed rates per second', () => {
  const { network, at } = clockedNetwork()
  network.recordConnectionCreated()
  network.recordConnectionCreated()
  at(1_010_000)
  network.recordConnectionClosed()
  assert.equal(networkStatValue('connectionCount', network, 1_010_000), 1)
  assert.equal(networkStatValue('connectionCreationTotal', network, 1_010_000), 2)
  assert.equal(networkStatValue('connectionCloseTotal', network, 1_010_000), 1)
  // Kafka's Rate: 10 s elapsed in the first sample, plus the (samples − 1) full samples not yet elapsed = 40 s.
  assert.equal(networkStatValue('connectionCreationRate', network, 1_010_000), 2 / 40)
  // The close stat's own first sample began at the close: 0 s + 30 s.
  assert.equal(networkStatValue('connectionCloseRate', network, 1_010_000), 1 / 30)
  // Every ready connection counted as authenticated, as Java's Selector does (PLAINTEXT included).
  assert.equal(networkStatValue('successfulAuthenticationTotal', network, 1_010_000), 2)
  // A close never takes the live count below 0 (a close seen twice).
  network.recordConnectionClosed()
  network.recordConnectionClosed()
  assert.equal(networkStatValue('connectionCount', network, 1_010_000), 0)
  // Two whole windows later the rates are back to 0, the totals stay.
  assert.equal(networkStatValue('connectionCreationRate', network, 1_100_000), 0)
  assert.equal(networkStatValue('connectionCreationTotal', network, 1_100_000), 2)
})

test('requests and responses: counts, bytes, sizes and network io', () => {
  const { network, at } = clockedNetwork()
  network.recordRequest(ApiKeys.produce, 1000)
  network.recordRequest(ApiKeys.metadata, 200)
  network.recordResponse(ApiKeys.produce, 80, { throttleTimeMs: 0 })
  at(1_040_000) // the second sample: the window spans 40 s
  network.recordRequest(ApiKeys.produce, 600)
  network.recordResponse(ApiKeys.produce, 0, { throttleTimeMs: 12 }) // arrived in the previous read's chunk
  network.recordIncomingBytes(20)
  const now = 1_040_000
  assert.equal(networkStatValue('requestTotal', network, now), 3)
  assert.equal(networkStatValue('responseTotal', network, now), 2)
  assert.equal(networkStatValue('outgoingByteTotal', network, now), 1800)
  assert.equal(networkStatValue('incomingByteTotal', network, now), 100)
  assert.equal(networkStatValue('requestSizeAvg', network, now), 600)
  assert.equal(networkStatValue('requestSizeMax', network, now), 1000)
  assert.equal(networkStatValue('requestRate', network, now), 3 / 40)
  assert.equal(networkStatValue('responseRate', network, now), 2 / 40)
  assert.equal(networkStatValue('networkIoTotal', network, now), 5)
  assert.equal(networkStatValue('networkIoRate', network, now), 5 / 40)
  assert.equal(networkStatValue('outgoingByteRate', network, now), 1800 / 40)
  assert.equal(networkStatValue('incomingByteRate', network, now), 100 / 40)
  // throttle_time_ms per API key, from the responses that carry it.
  assert.ok(network.hasThrottle(ApiKeys.produce))
  assert.ok(!network.hasThrottle(ApiKeys.fetch))
  assert.equal(network.throttle(ApiKeys.produce).avg(now), 6)
  assert.equal(network.throttle(ApiKeys.produce).max(now), 12)
})

test('metadata age: absent before the first Metadata response, then seconds since the last one', () => {
  const { network, at } = clockedNetwork()
  assert.equal(networkStatValue('metadataAge', network, 1_000_000), null)
  network.recordResponse(ApiKeys.produce, 10, {})
  assert.equal(networkStatValue('metadataAge', network, 1_000_000), null)
  network.recordResponse(ApiKeys.metadata, 10, undefined) // failed to parse: not fresh metadata
  assert.equal(networkStatValue('metadataAge', network, 1_000_000), null)
  at(1_002_000)
  network.recordResponse(ApiKeys.metadata, 10, { brokers: [] })
  assert.equal(networkStatValue('metadataAge', network, 1_009_500), 7.5)
})

test('failed authentications are counted apart from successful ones', () => {
  const { network } = clockedNetwork()
  network.recordFailedAuthentication()
  assert.equal(networkStatValue('failedAuthenticationTotal', network, 1_000_000), 1)
  assert.equal(networkStatValue('failedAuthenticationRate', network, 1_000_000), 1 / 30)
  assert.equal(networkStatValue('successfulAuthenticationTotal', network, 1_000_000), 0)
  assert.equal(networkStatValue('connectionCount', network, 1_000_000), 0)
})

test('onApi listeners see each request and response; unsubscribing stops them', () => {
  const { network } = clockedNetwork()
  const seen: string[] = []
  const off = network.onApi((e) => seen.push(`${e.kind}:${e.apiKey}:${e.bytes}`))
  network.recordRequest(ApiKeys.produce, 100, 'b:9092')
  network.recordResponse(ApiKeys.produce, 40, {}, 'b:9092')
  off()
  network.recordRequest(ApiKeys.produce, 100)
  assert.deepEqual(seen, ['request:0:100', 'response:0:40'])
})

test('definitions under any prefix, registered for any component: one series per client, absent when unknown', async () => {
  const defs = networkMetricDefinitions(
    'consumer',
    {
      prefix: 'kafka_consumer_consumer_metrics',
      upstream: 'kafka.consumer:type=consumer-metrics',
      group: 'consumer',
      subject: 'the consumer',
    },
    ['connectionCount', 'failedAuthenticationRate', 'responseTotal', 'metadataAge'],
  )
  assert.deepEqual(Object.keys(defs).sort(), [
    'consumerConnectionCount',
    'consumerFailedAuthenticationRate',
    'consumerMetadataAge',
    'consumerResponseTotal',
  ])
  assert.equal(defs.consumerConnectionCount.name, 'kafka_consumer_consumer_metrics_connection_count')
  assert.equal(defs.consumerResponseTotal.type, 'counter')
  assert.equal(defs.consumerConnectionCount.upstream, 'kafka.consumer:type=consumer-metrics connection-count')
  const registry = new prom.Registry()
  const { network } = clockedNetwork()
  network.recordConnectionCreated()
  network.recordResponse(ApiKeys.fetch, 10, {})
  network.recordResponse(ApiKeys.fetch, 10, {})
  registerNetworkMetrics(
    registry,
    defs,
    () => [{ labels: { client_id: 'c1' }, network }],
    () => 1_000_000,
  )
  const series = parseExposition(await registry.metrics())
  const value = (name: string) => series.find((s) => s.name === name && s.labels.client_id === 'c1')?.value
  assert.equal(value('kafka_consumer_consumer_metrics_connection_count'), 1)
  assert.equal(value('kafka_consumer_consumer_metrics_response_total'), 2)
  assert.equal(value('kafka_consumer_consumer_metrics_failed_authentication_rate'), 0)
  assert.equal(value('kafka_consumer_consumer_metrics_metadata_age'), undefined, 'no metadata yet: no series')
})
