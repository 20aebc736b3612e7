import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutgoingRecord } from '../../../src/produce/record-producer.ts'
import {
  checkRecordSize,
  DEFAULT_MAX_REQUEST_BYTES,
  estimateRecordBytes,
  RecordTooLargeError,
  splitIntoRequests,
} from '../../../src/produce/request-size.ts'

const record = (valueBytes: number, topic = 't'): OutgoingRecord => ({
  topic,
  key: null,
  value: Buffer.alloc(valueBytes, 'x'),
})

test('a record is estimated at its key, value and headers plus worst-case framing', () => {
  assert.equal(estimateRecordBytes(record(100)), 136)
  assert.equal(
    estimateRecordBytes({
      topic: 't',
      key: Buffer.from('k'),
      value: Buffer.from('vv'),
      headers: [
        ['h', Buffer.from('x')],
        ['h', null],
      ],
    }),
    36 + 1 + 2 + (10 + 1 + 1) + (10 + 1),
  )
  assert.equal(estimateRecordBytes({ topic: 't', key: null, value: null }), 36)
})

test('2,000 records of 558 B (the bench:jdbc poll that the broker refused whole) split into requests under 1 MB', () => {
  const records = Array.from({ length: 2000 }, () => record(558))
  const requests = splitIntoRequests(records, DEFAULT_MAX_REQUEST_BYTES)
  assert.equal(requests.length, 2)
  for (const request of requests) {
    const bytes = request.reduce((sum, r) => sum + estimateRecordBytes(r), 0)
    assert.ok(bytes + 61 + 1024 <= DEFAULT_MAX_REQUEST_BYTES, `${bytes} bytes in one request`)
  }
  // Order is kept: concatenating the requests gives back the very same records.
  assert.deepEqual(requests.flat(), records)
  assert.ok(requests.flat().every((r, i) => r === records[i]))
})

test('records that fit stay in one request; none gives no request', () => {
  assert.equal(splitIntoRequests([record(10), record(10), record(10)], DEFAULT_MAX_REQUEST_BYTES).length, 1)
  assert.deepEqual(splitIntoRequests([], DEFAULT_MAX_REQUEST_BYTES), [])
})

test('a record larger than the budget (but within max.request.size) travels alone', () => {
  const big = record(1_047_460)
  const requests = splitIntoRequests([record(10), big, record(10)], DEFAULT_MAX_REQUEST_BYTES)
  assert.deepEqual(
    requests.map((r) => r.length),
    [1, 1, 1],
  )
  assert.equal(requests[1]?.[0], big)
})

test('a record over max.request.size is refused with the topic, its size and the setting to change', () => {
  assert.equal(checkRecordSize(record(1_000_000), DEFAULT_MAX_REQUEST_BYTES), undefined)
  const error = checkRecordSize(record(2_000_000, 'orders'), DEFAULT_MAX_REQUEST_BYTES)
  assert.ok(error instanceof RecordTooLargeError)
  assert.match(error.message, /topic orders is 2000097 bytes/)
  assert.match(error.message, /producer\.max\.request\.size/)
  assert.ok(checkRecordSize(record(600), 500) instanceof RecordTooLargeError)
})
