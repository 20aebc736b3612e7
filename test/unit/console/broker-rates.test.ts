// Which broker a Prometheus scrape target is, for the Brokers page's network and request rates.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostOf, matchInstances } from '../../../src/console/server/broker-rates.ts'

const brokers = [
  { id: 1, host: 'kafka-1.internal' },
  { id: 2, host: 'kafka-2.internal' },
  { id: 3, host: 'localhost' },
]

test('hostOf drops the port and treats every loopback name as localhost', () => {
  assert.equal(hostOf('Kafka-1.internal:9404'), 'kafka-1.internal')
  assert.equal(hostOf('127.0.0.1:9404'), 'localhost')
  assert.equal(hostOf('[::1]:9404'), 'localhost')
  assert.equal(hostOf('[fe80::1]:9404'), '[fe80::1]')
})

test('a target is a broker by its broker_id label first, even when hosts would say otherwise', () => {
  const ids = new Map([
    ['kafka-2.internal:9404', 1],
    ['kafka-1.internal:9404', 2],
  ])
  assert.deepEqual(
    [...matchInstances(['kafka-1.internal:9404', 'kafka-2.internal:9404'], brokers, ids)],
    [
      ['kafka-1.internal:9404', 2],
      ['kafka-2.internal:9404', 1],
    ],
  )
  // An id this cluster does not have is another cluster's broker: not matched by host either.
  assert.deepEqual([...matchInstances(['kafka-1.internal:9404'], brokers, new Map([['kafka-1.internal:9404', 7]]))], [])
})

test('without the label, a host only one broker has; two targets on one host are not guessed', () => {
  assert.deepEqual(
    [...matchInstances(['kafka-2.internal:9404', '127.0.0.1:9404', 'elsewhere:9404'], brokers, new Map())],
    [
      ['kafka-2.internal:9404', 2],
      ['127.0.0.1:9404', 3],
    ],
  )
  assert.deepEqual([...matchInstances(['localhost:9404', 'localhost:9405'], brokers, new Map())], [])
  const twoOnOneHost = [
    { id: 1, host: 'box' },
    { id: 2, host: 'box' },
  ]
  assert.deepEqual([...matchInstances(['box:9404'], twoOnOneHost, new Map())], [])
})

test('one broker and one target with nothing else to go by: that target is that broker', () => {
  assert.deepEqual(
    [...matchInstances(['exporter:9404'], [{ id: 5, host: 'kafka' }], new Map())],
    [['exporter:9404', 5]],
  )
  assert.deepEqual([...matchInstances(['a:9404', 'b:9404'], [{ id: 5, host: 'kafka' }], new Map())], [])
})
