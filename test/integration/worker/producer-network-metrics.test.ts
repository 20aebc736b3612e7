// The Kafka clients' network metrics against the real broker, read from the client library's diagnostics channels:
// the worker producer's connections, request sizes, throttle time (0 unthrottled, > 0 under a produce quota set with
// the admin API), queue time, buffer, compression and metadata age; and a started worker's
// kafka_connect_connect_metrics_* for each of its Kafka clients; failed authentications of a client the broker refuses.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { metrics as M, type MetricDefinition } from '../../../src/metrics/definitions.ts'
import { KafkaClientNetwork, networkStatValue } from '../../../src/metrics/kafka-client-network.ts'
import { createWorkerMetrics, type WorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { type OutgoingRecord, RecordProducer, recordBytes } from '../../../src/produce/record-producer.ts'
import { estimateRecordBytes } from '../../../src/produce/request-size.ts'
import { DEFAULT_BUFFER_MEMORY_BYTES } from '../../../src/produce/send-buffer.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { parseExposition, type Series } from '../../unit/metrics/scrape.ts'
import { startTestWorker, workerIdentity } from './helpers.ts'

const bootstrapServers = [testStack().bootstrapServers]

async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: uniqueName('network-metrics-admin'), bootstrapBrokers: bootstrapServers })
  try {
    return await use(admin)
  } finally {
    await admin.close()
  }
}

const records = (topic: string, n: number, bytes: number): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic, key: Buffer.from(`k${i}`), value: Buffer.alloc(bytes, 'v') }))

function workerMetrics(clientId: string): WorkerMetrics {
  return createWorkerMetrics({
    workerId: 'w',
    clientId,
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
}

async function scrape(metrics: WorkerMetrics): Promise<Series[]> {
  return parseExposition((await metrics.render()).body)
}

/** The value of `def` for `clientId`, or undefined when the series is absent. */
function clientValue(series: Series[], def: MetricDefinition, clientId: string): number | undefined {
  return series.find((s) => s.name === def.name && s.labels.client_id === clientId)?.value
}

test("the producer's connections, request sizes, throttle (0), queue time, buffer, compression and metadata age", async () => {
  const topic = uniqueName('network_metrics')
  await withAdmin((admin) => admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 }))
  const clientId = uniqueName('network-metrics-producer')
  const metrics = workerMetrics(clientId)
  const producer = new RecordProducer({ bootstrapServers, clientId, overrides: {}, metrics: metrics.producer })
  // The same client also under connect-metrics, as the worker registers each of its clients.
  metrics.kafkaClient(clientId).watch(producer.client)
  const batch = records(topic, 20, 1000)
  const recordsBytes = batch.reduce((sum, r) => sum + recordBytes(r), 0)
  const estimated = batch.reduce((sum, r) => sum + estimateRecordBytes(r), 0)
  let connected: Series[]
  let elapsedMs: number
  let bothSendsMs: number
  try {
    const started = performance.now()
    await producer.send(batch)
    elapsedMs = performance.now() - started
    // In flight: the next request's bytes are held against buffer.memory until acknowledged.
    const inFlight = producer.send(records(topic, 5, 1000))
    const during = await scrape(metrics)
    await inFlight
    bothSendsMs = performance.now() - started
    const heldBytes = records(topic, 5, 1000).reduce((sum, r) => sum + estimateRecordBytes(r), 0)
    const availableDuring = clientValue(during, M.bufferAvailableBytes, clientId)
    assert.equal(availableDuring, DEFAULT_BUFFER_MEMORY_BYTES - heldBytes, 'buffer available while in flight')
    connected = await scrape(metrics)
  } finally {
    await producer.close()
  }
  const closed = await scrape(metrics)
  const p = (def: MetricDefinition, s: Series[] = connected) => clientValue(s, def, clientId)

  assert.ok((p(M.producerConnectionCount) ?? 0) >= 1, 'connection_count >= 1 while connected')
  assert.ok((p(M.producerConnectionCreationTotal) ?? 0) >= 1)
  assert.ok((p(M.producerConnectionCreationRate) ?? 0) > 0)
  assert.equal(p(M.producerFailedAuthenticationTotal), 0)
  // Two produce requests: the first 20 records in one request, then 5. Each request's wire size covers its records
  // and stays within request-size.ts's upper bound (records + batch header + request reserve).
  assert.equal(p(M.requestTotal), 2)
  const sizeMax = p(M.requestSizeMax) ?? 0
  assert.ok(sizeMax >= recordsBytes && sizeMax <= estimated + 61 + 1024, `request_size_max ${sizeMax}`)
  const sizeAvg = p(M.requestSizeAvg) ?? 0
  assert.ok(sizeAvg > 5000 && sizeAvg < sizeMax, `request_size_avg ${sizeAvg}`)
  // Unthrottled broker: every produce response says throttle_time_ms = 0.
  assert.equal(p(M.produceThrottleTimeAvg), 0)
  assert.equal(p(M.produceThrottleTimeMax), 0)
  // Queue time: at least 0 and never longer than the two sends it covers (metadata and producer id included; the
  // second request may wait longer than the whole first send took, on a loaded machine).
  const queueMax = p(M.recordQueueTimeMax) ?? -1
  assert.ok(
    queueMax >= 0 && queueMax <= bothSendsMs,
    `record_queue_time_max ${queueMax} of sends lasting ${bothSendsMs} ms (the first ${elapsedMs} ms)`,
  )
  assert.equal(p(M.bufferTotalBytes), DEFAULT_BUFFER_MEMORY_BYTES)
  assert.equal(p(M.bufferAvailableBytes), DEFAULT_BUFFER_MEMORY_BYTES, 'everything acknowledged: the buffer is free')
  assert.equal(p(M.compressionRateAvg), 1)
  const age = p(M.producerMetadataAge)
  assert.ok(age !== undefined && age >= 0 && age < 60, `metadata_age ${age}`)
  assert.ok((p(M.producerIncomingByteTotal) ?? 0) > 0)

  // connect-metrics of the same client count every request (metadata, producer id, produce) on the wire.
  const c = (def: MetricDefinition, s: Series[] = connected) => clientValue(s, def, clientId)
  assert.ok((c(M.connectOutgoingByteTotal) ?? 0) >= recordsBytes + 5000, 'outgoing bytes >= the record bytes sent')
  assert.ok((c(M.connectRequestTotal) ?? 0) > 2, 'produce plus metadata/api-versions/init-producer-id requests')
  assert.ok((c(M.connectResponseTotal) ?? 0) >= 3)
  assert.ok((c(M.connectOutgoingByteRate) ?? 0) > 0)
  assert.ok((c(M.connectIncomingByteRate) ?? 0) > 0)
  assert.equal(c(M.connectNetworkIoTotal), (c(M.connectRequestTotal) ?? 0) + (c(M.connectResponseTotal) ?? 0))
  assert.ok((c(M.connectConnectionCount) ?? 0) >= 1)

  // Closed: no connection left, each one created was closed.
  assert.equal(p(M.producerConnectionCount, closed), 0)
  assert.equal(p(M.producerConnectionCloseTotal, closed), p(M.producerConnectionCreationTotal, closed))
  assert.equal(c(M.connectConnectionCount, closed), 0)
})

test('a produce quota set with the admin API shows as a non-zero produce throttle time', async (t) => {
  const topic = uniqueName('network_metrics_quota')
  const clientId = uniqueName('network-metrics-throttled')
  const entity = [{ entityType: 'client-id' as const, entityName: clientId }]
  await withAdmin(async (admin) => {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    await admin.alterClientQuotas({
      entries: [{ entities: entity, ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] }],
    })
  })
  const metrics = workerMetrics(clientId)
  const producer = new RecordProducer({ bootstrapServers, clientId, overrides: {}, metrics: metrics.producer })
  try {
    // 50 KB against 1 KB/s: far over the quota. The quota reaches the broker through the metadata log, so a first
    // request may still pass unthrottled: send until a response carries a throttle time (bounded).
    let throttleMax = 0
    for (let attempt = 0; attempt < 5 && throttleMax === 0; attempt++) {
      await producer.send(records(topic, 5, 10_000))
      throttleMax = clientValue(await scrape(metrics), M.produceThrottleTimeMax, clientId) ?? 0
      if (throttleMax === 0) await new Promise((r) => setTimeout(r, 500))
    }
    assert.ok(throttleMax > 0, `produce_throttle_time_max ${throttleMax} under a 1 KB/s quota`)
    t.diagnostic(`produce_throttle_time_max under a 1 KB/s quota: ${throttleMax} ms`)
    assert.ok((clientValue(await scrape(metrics), M.produceThrottleTimeAvg, clientId) ?? 0) > 0)
  } finally {
    await producer.close()
    await withAdmin((admin) =>
      admin.alterClientQuotas({ entries: [{ entities: entity, ops: [{ key: 'producer_byte_rate', remove: true }] }] }),
    )
  }
})

test('a running worker reports connect-metrics for each of its Kafka clients', async () => {
  const { worker } = await startTestWorker(await workerIdentity('network_metrics_worker'))
  try {
    const series = await scrape(worker.metrics)
    const clients = new Map<string, number>()
    for (const s of series) {
      if (s.name === M.connectConnectionCount.name) clients.set(s.labels.client_id, s.value)
    }
    const ids = [...clients.keys()]
    const one = (suffix: string) => ids.filter((id) => id.endsWith(suffix))
    assert.equal(one('-admin').length, 1, `clients: ${ids.join(', ')}`)
    assert.equal(one('-producer').length, 1, `clients: ${ids.join(', ')}`)
    assert.equal(one('-internal').length, 1, `clients: ${ids.join(', ')}`)
    assert.equal(one('-reader').length, 3, 'one reader per internal topic')
    // The group membership's connection, under the worker's own client id (the prefix of all the others).
    const member = ids.find((id) => ids.every((other) => other === id || other.startsWith(`${id}-`)))
    assert.ok(member, `no group-membership client among ${ids.join(', ')}`)
    // Clients that have talked to the broker hold connections: the membership (heartbeats), the readers (fetches) and
    // the admin (internal topics); the internal-topic writer connects at its first write.
    for (const id of [member, ...one('-reader'), ...one('-admin')]) {
      assert.ok((clients.get(id) ?? 0) >= 1, `${id}: connection_count ${clients.get(id)}`)
    }
    for (const id of [member, ...one('-reader')]) {
      const requests = series.find((s) => s.name === M.connectRequestTotal.name && s.labels.client_id === id)
      assert.ok((requests?.value ?? 0) > 0, `${id} sent requests`)
      const rate = series.find((s) => s.name === M.connectResponseRate.name && s.labels.client_id === id)
      assert.ok((rate?.value ?? 0) > 0, `${id} response_rate`)
    }
  } finally {
    await worker.stop()
  }
})

test('a client that cannot authenticate counts failed authentications and holds no connection', async () => {
  const network = new KafkaClientNetwork()
  // The test broker's listener is PLAINTEXT: a SASL handshake there is refused (ILLEGAL_SASL_STATE), as a wrong
  // mechanism or credentials would be on a SASL listener.
  const admin = new Admin({
    clientId: uniqueName('network-metrics-sasl'),
    bootstrapBrokers: bootstrapServers,
    sasl: { mechanism: 'PLAIN', username: 'nobody', password: 'wrong' },
    retries: 0,
  })
  network.watch(admin)
  try {
    await assert.rejects(admin.listTopics())
  } finally {
    await admin.close()
  }
  const now = Date.now()
  assert.ok((networkStatValue('failedAuthenticationTotal', network, now) ?? 0) >= 1, 'failed_authentication_total')
  assert.ok((networkStatValue('failedAuthenticationRate', network, now) ?? 0) > 0, 'failed_authentication_rate')
  assert.equal(networkStatValue('successfulAuthenticationTotal', network, now), 0)
  assert.equal(networkStatValue('connectionCount', network, now), 0)
})
