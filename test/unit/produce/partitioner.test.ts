// The key → partition rule must be Java's: the values below were printed by Kafka 4.1.1's own
// `org.apache.kafka.common.utils.Utils.murmur2` and `toPositive(h) % n` (kafka-clients-4.1.1.jar).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { keyPartition, murmur2 } from '../../../src/produce/partitioner.ts'

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
