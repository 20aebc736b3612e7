import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ByteArrayConverter } from '../../../src/convert/byte-array-converter.ts'
import { primitive } from '../../../src/record/schema.ts'

function converter(isKey = false): ByteArrayConverter {
  const c = new ByteArrayConverter()
  c.configure({}, isKey)
  return c
}

test('bytes pass through unchanged in both directions', () => {
  const c = converter()
  const bytes = Buffer.from([1, 2, 3])
  assert.equal(c.fromConnectData('t', primitive('bytes'), bytes), bytes)
  assert.deepEqual(c.fromConnectData('t', null, new Uint8Array([9, 8])), Buffer.from([9, 8]))
  assert.equal(c.fromConnectData('t', primitive('bytes', true), null), null)
  assert.deepEqual(c.toConnectData('t', bytes), { schema: { type: 'bytes', optional: true }, value: bytes })
})

test('wrong schema types and values are refused with a clear error', () => {
  assert.throws(
    () => converter().fromConnectData('t', primitive('string'), 'x'),
    /Invalid schema type for ByteArrayConverter: string/,
  )
  assert.throws(
    () => converter(true).fromConnectData('t', null, 'x'),
    /not compatible with record key of type string "x"/,
  )
})
