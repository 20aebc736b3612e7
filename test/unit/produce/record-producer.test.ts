// RecordProducer's retry metric: the Kafka client (@platformatic/kafka) retries failed produce requests itself and
// reports each retry with a `client:performWithRetry:retry` event naming the operation. The producer counts the
// produce retries, not the client's other operations. (No broker: the client is created but never connects.)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { RecordProducer, recordBytes } from '../../../src/produce/record-producer.ts'
import { seriesKey, seriesMap } from '../metrics/scrape.ts'

test('each produce retry the client reports counts once in record_retry_total; other operations do not', async () => {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'connect-1',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const producer = new RecordProducer({
    bootstrapServers: ['127.0.0.1:1'],
    clientId: 'connect-1',
    overrides: {},
    metrics: metrics.producer,
  })
  try {
    // The client's own event, with the arguments it passes: operation, attempt, retries, delay.
    producer.client.emit('client:performWithRetry:retry', 'produce', 0, 10, 250)
    producer.client.emit('client:performWithRetry:retry', 'produce', 1, 10, 250)
    producer.client.emit('client:performWithRetry:retry', 'metadata', 0, 10, 250)
  } finally {
    await producer.close()
  }
  const s = seriesMap((await metrics.render()).body)
  assert.equal(s.get(seriesKey(M.recordRetryTotal.name, { client_id: 'connect-1' })), 2)
})

test('record bytes count the key, the value and the headers', () => {
  assert.equal(
    recordBytes({
      topic: 't',
      key: Buffer.from('k'),
      value: Buffer.from('vv'),
      headers: [
        ['h', Buffer.from('xyz')],
        ['é', null],
      ],
    }),
    1 + 2 + (1 + 3) + 2,
  )
})
