// The key → partition rule must be Java's: the values below were printed by Kafka 4.1.1's own
// `org.apache.kafka.common.utils.Utils.murmur2` and `toPositive(h) % n` (kafka-clients-4.1.1.jar).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { keyPartition, murmur2 } from '../../../src/produce/partitioner.ts'
import { connectPartition } from '../../../src/storage/kafka-log.ts'

const JAVA: [key: string, murmur2: number, of3: number, of7: number][] = [
  ['', 275646681, 0, 2],
  ['a', -1563381124, 1, 5],
  ['ab', 316155434, 2, 0],
  ['abc', 479470107, 0, 4],
  ['abcd', -1323649548, 2, 5],
  ['21', -973932308, 0, 3],
  ['flowscope', -1310867031, 2, 4],
  ['{"schema":{"type":"struct"},"payload":{"id":1}}', -502607883, 2, 1],
  ['{"id":42}', 486015037, 1, 4],
  ['key-12345', -952703915, 0, 0],
]

test("murmur2 equals Kafka's Utils.murmur2 for every tail length", () => {
  for (const [key, hash] of JAVA) assert.equal(murmur2(Buffer.from(key)), hash, key)
})

test("a key's partition is Java's toPositive(murmur2) % n, also for negative hashes", () => {
  for (const [key, , of3, of7] of JAVA) {
    assert.equal(keyPartition(Buffer.from(key)) % 3, of3, `${key} of 3`)
    assert.equal(keyPartition(Buffer.from(key)) % 7, of7, `${key} of 7`)
  }
  // The Kafka client's own default takes the hash unsigned: for 'a' of 3 partitions it would give 0, not 1.
  assert.notEqual((murmur2(Buffer.from('a')) >>> 0) % 3, 1)
})

test("internal-topic keys land where Connect's KafkaBasedLog puts them (offsets: 25 partitions, status: 5)", () => {
  // Also from Kafka 4.1.1: toPositive(murmur2(key)) % 25 and % 5.
  const java: [key: string, of25: number, of5: number][] = [
    ['["postgres-cdc-users",{"server":"postgres-cdc"}]', 5, 0],
    ['["jdbc-users",{"query":"query"}]', 5, 0],
    ['status-task-jdbc-users-0', 5, 0],
    ['x', 21, 1],
    ['["a",{}]', 17, 2],
  ]
  for (const [key, of25, of5] of java) {
    assert.equal(connectPartition(key, 25), of25, key)
    assert.equal(connectPartition(key, 5), of5, key)
  }
})
