// Golden JSON: the persisted partition/offset shapes must stay byte-compatible with Confluent's connector.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  offsetFromMap,
  offsetToMap,
  queryPartition,
  tablePartition,
  tablePartitionV0,
} from '../../../../src/connectors/jdbc/offsets.ts'
import { parseTimestamp } from '../../../../src/postgres/pg-text.ts'

const users = { database: 'postgres', schema: 'public', table: 'users' }

test('partitions', () => {
  assert.equal(JSON.stringify(tablePartition(users)), '{"protocol":"1","table":"postgres.public.users"}')
  assert.equal(JSON.stringify(tablePartitionV0(users)), '{"table":"users"}')
  assert.equal(JSON.stringify(queryPartition()), '{"query":"query"}')
})

test('offsets per mode', () => {
  const ts = parseTimestamp('2024-01-02 03:04:05.678901+00', 'UTC')
  assert.equal(JSON.stringify(offsetToMap({ incrementing: 42, timestamp: null })), '{"incrementing":42}')
  assert.equal(
    JSON.stringify(offsetToMap({ incrementing: null, timestamp: ts })),
    '{"timestamp_nanos":678901000,"timestamp":1704164645678}',
  )
  assert.equal(
    JSON.stringify(offsetToMap({ incrementing: 7, timestamp: ts })),
    '{"timestamp_nanos":678901000,"incrementing":7,"timestamp":1704164645678}',
  )
})

test('offsets read back exactly, including upstream maps without nanos', () => {
  const ts = parseTimestamp('1969-12-31 23:59:59.5+00', 'UTC')
  assert.deepEqual(offsetFromMap(offsetToMap({ incrementing: 3, timestamp: ts })), { incrementing: 3, timestamp: ts })
  assert.deepEqual(offsetFromMap({ timestamp: 1704164645678 }), {
    incrementing: null,
    timestamp: { epochSecond: 1704164645, nano: 678000000 },
  })
  assert.deepEqual(offsetFromMap(null), { incrementing: null, timestamp: null })
  assert.throws(() => offsetFromMap({ incrementing: 'x' }), /non-numeric incrementing/)
})
