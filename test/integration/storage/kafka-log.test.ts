// KafkaLog against the real broker: reading an internal topic to its end must finish even when the last offsets
// hold no record the consumer hands out — as in a config topic written by a Connect cluster with exactly-once
// source support, whose transactions end in commit markers.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Admin, Producer } from '@platformatic/kafka'
import { KafkaLog } from '../../../src/storage/kafka-log.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const producer = new Producer({ clientId: 'kafka-log-test', bootstrapBrokers, idempotent: true, acks: -1 })
after(() => producer.close())

async function compactedTopic(): Promise<string> {
  const topic = uniqueName('kafka_log')
  const admin = new Admin({ clientId: 'kafka-log-test-admin', bootstrapBrokers })
  try {
    await admin.createTopics({
      topics: [topic],
      partitions: 1,
      replicas: 1,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    })
  } finally {
    await admin.close()
  }
  return topic
}

function logOf(topic: string, seen: [string | null, string | null][]): KafkaLog {
  return new KafkaLog({
    topic,
    bootstrapServers: bootstrapBrokers,
    clientId: 'kafka-log-test',
    producer,
    partitions: 1,
    onRecord: (key, value) => seen.push([key, value?.toString('utf8') ?? null]),
  })
}

test('a topic ending in a transaction marker is read to its end, every record delivered', async () => {
  const topic = await compactedTopic()
  const transactional = new Producer({
    clientId: 'kafka-log-test-tx',
    bootstrapBrokers,
    idempotent: true,
    transactionalId: `${topic}-tx`,
    acks: -1,
  })
  try {
    const transaction = await transactional.beginTransaction()
    await transaction.send({
      messages: [
        { topic, key: Buffer.from('connector-a'), value: Buffer.from('{"properties":{}}') },
        { topic, key: Buffer.from('commit-a'), value: Buffer.from('{"tasks":0}') },
      ],
    })
    await transaction.commit()
  } finally {
    await transactional.close()
  }

  const seen: [string | null, string | null][] = []
  const log = logOf(topic, seen)
  const started = Date.now()
  try {
    await log.start() // reads to the end: the commit marker sits at the last offset
    assert.ok(Date.now() - started < 10_000, `start took ${Date.now() - started} ms`)
    assert.deepEqual(seen, [
      ['connector-a', '{"properties":{}}'],
      ['commit-a', '{"tasks":0}'],
    ])
    // Later writes and reads to the end still work past the marker.
    await log.send('connector-b', Buffer.from('{}'))
    await log.readToEnd(10_000)
    assert.deepEqual(seen.at(-1), ['connector-b', '{}'])
  } finally {
    await log.stop()
  }
})

test('readToEnd resolves only after every record written before it reached onRecord', async () => {
  const topic = await compactedTopic()
  const seen: [string | null, string | null][] = []
  const log = logOf(topic, seen)
  await log.start()
  try {
    for (let round = 0; round < 5; round++) {
      await producer.send({
        messages: Array.from({ length: 200 }, (_, i) => ({
          topic,
          key: Buffer.from(`k${round}-${i}`),
          value: Buffer.from(String(i)),
        })),
      })
      await log.readToEnd(10_000)
      assert.equal(seen.length, (round + 1) * 200)
    }
  } finally {
    await log.stop()
  }
})
