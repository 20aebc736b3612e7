import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SimpleHeaderConverter } from '../../../src/convert/header-converter.ts'
import {
  readSourceTimeHeaders,
  SOURCE_TIMESTAMP_BASIS_HEADER,
  SOURCE_TIMESTAMP_HEADER,
  sourceTimeHeaders,
} from '../../../src/record/source-time.ts'

test('the headers are the contract names, epoch milliseconds as decimal text and the basis', () => {
  const headers = sourceTimeHeaders({ table: 'public.users', timestampMs: 1_796_276_237_545.9, basis: 'change' })
  assert.deepEqual(headers, [
    { key: 'flowscope.source.timestamp', value: '1796276237545' },
    { key: 'flowscope.source.timestamp.basis', value: 'change' },
  ])
  // On the wire (Connect's SimpleHeaderConverter): plain UTF-8 text.
  const converter = new SimpleHeaderConverter()
  const bytes = headers.map((h) => converter.fromConnectHeader('t', h.key, null, h.value)?.toString('utf8'))
  assert.deepEqual(bytes, ['1796276237545', 'change'])
})

test('reading them back from Kafka header bytes', () => {
  const b = (s: string) => Buffer.from(s, 'utf8')
  assert.deepEqual(
    readSourceTimeHeaders([
      [b('other'), b('x')],
      [b(SOURCE_TIMESTAMP_HEADER), b('1700000000123')],
      [b(SOURCE_TIMESTAMP_BASIS_HEADER), b('poll')],
    ]),
    { timestampMs: 1_700_000_000_123, basis: 'poll' },
  )
  // No basis, or one not known: the time alone.
  assert.deepEqual(readSourceTimeHeaders([[b(SOURCE_TIMESTAMP_HEADER), b('5')]]), { timestampMs: 5 })
  assert.deepEqual(
    readSourceTimeHeaders([
      [SOURCE_TIMESTAMP_HEADER, '5'],
      [SOURCE_TIMESTAMP_BASIS_HEADER, 'guess'],
    ]),
    { timestampMs: 5 },
  )
  // A repeated header: the last one wins, as a consumer reading the latest value sees it.
  assert.deepEqual(
    readSourceTimeHeaders([
      [SOURCE_TIMESTAMP_HEADER, '5'],
      [SOURCE_TIMESTAMP_HEADER, '6'],
    ]),
    { timestampMs: 6 },
  )
})

test('absent or malformed timestamps read as no source time', () => {
  assert.equal(readSourceTimeHeaders([]), undefined)
  assert.equal(readSourceTimeHeaders([[Buffer.from('x'), Buffer.from('1')]]), undefined)
  for (const bad of ['', '12.5', '-3', 'soon', '1e12', '99999999999999999']) {
    assert.equal(readSourceTimeHeaders([[SOURCE_TIMESTAMP_HEADER, bad]]), undefined, bad)
  }
  assert.equal(readSourceTimeHeaders([[SOURCE_TIMESTAMP_HEADER, null]]), undefined)
})
