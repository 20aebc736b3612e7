import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StringConverter } from '../../../src/convert/string-converter.ts'
import { decimalSchema, primitive, structSchema, timestampSchema } from '../../../src/record/schema.ts'

function converter(config: Record<string, string> = {}): StringConverter {
  const c = new StringConverter()
  c.configure(config, true)
  return c
}

test('strings are written as UTF-8 by default and read back with an optional string schema', () => {
  const c = converter()
  const bytes = c.fromConnectData('t', primitive('string'), 'héllo')
  assert.deepEqual(bytes, Buffer.from([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]))
  assert.deepEqual(c.toConnectData('t', bytes), { schema: { type: 'string', optional: true }, value: 'héllo' })
  assert.deepEqual(c.toConnectData('t', null), { schema: { type: 'string', optional: true }, value: null })
  assert.equal(c.fromConnectData('t', primitive('string', true), null), null)
})

test('converter.encoding selects the charset (Java names, case-insensitive)', () => {
  assert.deepEqual(
    converter({ 'converter.encoding': 'iso-8859-1' }).fromConnectData('t', null, 'é'),
    Buffer.from([0xe9]),
  )
  assert.deepEqual(
    converter({ 'converter.encoding': 'UTF-16BE' }).fromConnectData('t', null, 'A'),
    Buffer.from([0, 0x41]),
  )
  assert.deepEqual(
    converter({ 'converter.encoding': 'UTF-16' }).fromConnectData('t', null, 'A'),
    Buffer.from([0xfe, 0xff, 0, 0x41]),
  )
  assert.equal(converter({ 'converter.encoding': 'UTF-16BE' }).toConnectData('t', Buffer.from([0, 0x41])).value, 'A')
  assert.throws(
    () => converter({ 'converter.encoding': 'EBCDIC' }),
    /converter\.encoding: .*Unsupported encoding.*UTF-8/,
  )
})

test('non-string values are written as Java toString shows them', () => {
  const c = converter()
  const str = (schema: Parameters<StringConverter['fromConnectData']>[1], value: unknown) =>
    c.fromConnectData('t', schema, value)?.toString('utf8')
  assert.equal(str(primitive('int32'), 42), '42')
  assert.equal(str(primitive('int64'), 9007199254740993n), '9007199254740993')
  assert.equal(str(primitive('float64'), 1), '1.0')
  assert.equal(str(primitive('boolean'), false), 'false')
  assert.equal(str(decimalSchema(2), '12.30'), '12.30')
  assert.equal(str(timestampSchema(), new Date(0)), 'Thu Jan 01 00:00:00 UTC 1970')
  const key = structSchema('key', [
    { name: 'id', schema: primitive('int32') },
    { name: 'note', schema: primitive('string', true) },
    { name: 'region', schema: primitive('string') },
  ])
  // Struct.toString skips null fields and separates with a bare comma.
  assert.equal(str(key, { id: 1, note: null, region: 'eu' }), 'Struct{id=1,region=eu}')
  assert.equal(str(null, [1, 2]), '[1, 2]')
})
