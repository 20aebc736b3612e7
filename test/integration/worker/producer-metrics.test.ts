// The worker producer's error metrics against the real broker: a topic whose max.message.bytes is smaller than the
// records refuses them (MESSAGE_TOO_LARGE, not retriable). The failed records count under that topic, the other
// topic keeps 0 errors, and nothing is counted as a retry because nothing was retried.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { type OutgoingRecord, RecordProducer } from '../../../src/produce/record-producer.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { seriesKey, seriesMap } from '../../unit/metrics/scrape.ts'

const bootstrapServers = [testStack().bootstrapServers]

async function createTopic(topic: string, configs: { name: string; value: string }[] = []): Promise<void> {
  const admin = new Admin({ clientId: 'producer-metrics-admin', bootstrapBrokers: bootstrapServers })
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs })
  } finally {
    await admin.close()
  }
}

const records = (topic: string, n: number, bytes: number): OutgoingRecord[] =>
  Array.from({ length: n }, () => ({ topic, key: null, value: Buffer.alloc(bytes, 'v') }))

test('a refused send counts its records as errors under their topic, and as no retry', async () => {
  const good = uniqueName('producer_ok')
  const refused = uniqueName('producer_refused')
  await createTopic(good)
  await createTopic(refused, [{ name: 'max.message.bytes', value: '200' }])
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'producer-metrics',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const producer = new RecordProducer({
    bootstrapServers,
    clientId: 'producer-metrics',
    overrides: { 'retry.backoff.ms': '20' },
    metrics: metrics.producer,
  })
  try {
    await producer.send(records(good, 2, 500))
    await assert.rejects(producer.send(records(refused, 3, 500)))
  } finally {
    await producer.close()
  }
  const s = seriesMap((await metrics.render()).body)
  const client = { client_id: 'producer-metrics' }
  const topic = (name: string) => ({ ...client, topic: name })
  assert.equal(s.get(seriesKey(M.topicRecordErrorTotal.name, topic(refused))), 3)
  assert.equal(s.get(seriesKey(M.topicRecordSendTotal.name, topic(good))), 2)
  assert.equal(s.get(seriesKey(M.topicRecordErrorTotal.name, topic(good))), 0)
  assert.equal(s.get(seriesKey(M.recordErrorTotal.name, client)), 3)
  assert.equal(s.get(seriesKey(M.recordRetryTotal.name, client)), 0)
})
