import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DataError } from '../../../src/convert/data-error.ts'
import { JsonConverter } from '../../../src/convert/json-converter.ts'
import {
  arraySchema,
  dateSchema,
  decimalSchema,
  primitive,
  type Schema,
  structSchema,
  timeSchema,
  timestampSchema,
} from '../../../src/record/schema.ts'

function converter(config: Record<string, string> = {}, isKey = false): JsonConverter {
  const c = new JsonConverter()
  c.configure(config, isKey)
  return c
}

const text = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString('utf8'))

const everyType: Schema = structSchema('users', [
  { name: 'i8', schema: primitive('int8') },
  { name: 'i16', schema: primitive('int16') },
  { name: 'i32', schema: primitive('int32') },
  { name: 'i64', schema: primitive('int64') },
  { name: 'f32', schema: primitive('float32') },
  { name: 'f64', schema: primitive('float64') },
  { name: 'flag', schema: primitive('boolean') },
  { name: 'name', schema: primitive('string') },
  { name: 'raw', schema: primitive('bytes') },
  { name: 'amount', schema: decimalSchema(2, false, 10) },
  { name: 'day', schema: dateSchema() },
  { name: 'at', schema: timeSchema() },
  { name: 'ts', schema: timestampSchema() },
  { name: 'tags', schema: arraySchema(primitive('string')) },
  { name: 'note', schema: primitive('string', true) },
  { name: 'level', schema: { type: 'int32', optional: true, defaultValue: 7 } },
])

const everyValue = {
  i8: 1,
  i16: -300,
  i32: 2147483647,
  i64: 9007199254740993n, // 2^53 + 1: not representable as a JS number
  f32: 12.34,
  f64: 1,
  flag: true,
  name: 'Zoë "q"',
  raw: Buffer.from([0, 1, 2, 255]),
  amount: '123.45',
  day: new Date('2024-03-01T00:00:00Z'),
  at: new Date(Date.UTC(1970, 0, 1, 13, 45, 30, 250)),
  ts: new Date('2024-03-01T12:00:00.123Z'),
  tags: ['a', 'b'],
  note: null,
  level: null,
}

// Derived from upstream's rules, not from this implementation: schema keys in JsonConverter.asJsonSchema order
// (type, items/fields, optional, name, version, doc, parameters, default; "field" last), doubles as Java writes them
// (1 → 1.0), Decimal 123.45 at scale 2 = unscaled 12345 = 0x3039 → "MDk=", 2024-03-01 = day 19783,
// 13:45:30.250 = 49530250 ms, 2024-03-01T12:00:00.123Z = 1709294400123 ms, [0,1,2,255] → "AAEC/w==",
// null with a default → the default.
const GOLDEN_SCHEMA =
  '{"type":"struct","fields":[' +
  '{"type":"int8","optional":false,"field":"i8"},' +
  '{"type":"int16","optional":false,"field":"i16"},' +
  '{"type":"int32","optional":false,"field":"i32"},' +
  '{"type":"int64","optional":false,"field":"i64"},' +
  '{"type":"float","optional":false,"field":"f32"},' +
  '{"type":"double","optional":false,"field":"f64"},' +
  '{"type":"boolean","optional":false,"field":"flag"},' +
  '{"type":"string","optional":false,"field":"name"},' +
  '{"type":"bytes","optional":false,"field":"raw"},' +
  '{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"amount"},' +
  '{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"day"},' +
  '{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1,"field":"at"},' +
  '{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"},' +
  '{"type":"array","items":{"type":"string","optional":false},"optional":false,"field":"tags"},' +
  '{"type":"string","optional":true,"field":"note"},' +
  '{"type":"int32","optional":true,"default":7,"field":"level"}' +
  '],"optional":false,"name":"users"}'
const GOLDEN_PAYLOAD =
  '{"i8":1,"i16":-300,"i32":2147483647,"i64":9007199254740993,"f32":12.34,"f64":1.0,"flag":true,' +
  '"name":"Zoë \\"q\\"","raw":"AAEC/w==","amount":"MDk=","day":19783,"at":49530250,"ts":1709294400123,' +
  '"tags":["a","b"],"note":null,"level":7}'

test('envelope of a struct with every type matches the golden JSON byte for byte', () => {
  const bytes = converter().fromConnectData('t', everyType, everyValue)
  assert.equal(text(bytes), `{"schema":${GOLDEN_SCHEMA},"payload":${GOLDEN_PAYLOAD}}`)
})

test('schemas.enable=false writes only the payload', () => {
  const bytes = converter({ 'schemas.enable': 'false' }).fromConnectData('t', everyType, everyValue)
  assert.equal(text(bytes), GOLDEN_PAYLOAD)
})

test('the golden envelope reads back to the same schema and values', () => {
  const c = converter()
  const { schema, value } = c.toConnectData('t', Buffer.from(`{"schema":${GOLDEN_SCHEMA},"payload":${GOLDEN_PAYLOAD}}`))
  assert.deepEqual(schema, { ...everyType, fields: everyType.fields })
  assert.deepEqual(value, {
    ...everyValue,
    f32: 12.34,
    level: 7,
    raw: Buffer.from([0, 1, 2, 255]),
  })
  // Writing what was read yields the same bytes again.
  assert.equal(text(c.fromConnectData('t', schema, value)), `{"schema":${GOLDEN_SCHEMA},"payload":${GOLDEN_PAYLOAD}}`)
})

test('int64 keeps values beyond 2^53 exact in both directions', () => {
  const c = converter({ 'schemas.enable': 'false' })
  const int64 = primitive('int64')
  assert.equal(text(c.fromConnectData('t', int64, 9223372036854775807n)), '9223372036854775807')
  assert.equal(text(c.fromConnectData('t', int64, -9223372036854775808n)), '-9223372036854775808')
  const back = converter().toConnectData(
    't',
    Buffer.from('{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}'),
  )
  assert.equal(back.value, 9223372036854775807n)
  assert.equal(converter({ 'schemas.enable': 'false' }).toConnectData('t', Buffer.from('123')).value, 123)
})

test('int64 outside the range or unsafe numbers are refused', () => {
  const c = converter()
  const int64 = primitive('int64')
  assert.throws(() => c.fromConnectData('t', int64, 2n ** 63n), /out of the int64 range/)
  assert.throws(() => c.fromConnectData('t', int64, 2 ** 60), /beyond 2\^53.*bigint/)
})

test('Decimal: BASE64 uses minimal two-complement bytes, NUMERIC writes the exact number', () => {
  const base64 = converter({ 'schemas.enable': 'false' })
  const numeric = converter({ 'schemas.enable': 'false', 'decimal.format': 'numeric' })
  const dec = decimalSchema(2)
  // -1.23 → unscaled -123 → 0x85
  assert.equal(text(base64.fromConnectData('t', dec, '-1.23')), '"hQ=="')
  // 1.28 → 128 → 0x00 0x80 (sign byte needed)
  assert.equal(text(base64.fromConnectData('t', dec, '1.28')), '"AIA="')
  assert.equal(text(base64.fromConnectData('t', dec, '0')), '"AA=="')
  assert.equal(text(numeric.fromConnectData('t', dec, '1')), '1.00')
  assert.equal(text(numeric.fromConnectData('t', dec, '-12345678901234567890.10')), '-12345678901234567890.10')
  assert.equal(base64.toConnectData('t', Buffer.from('"hQ=="')).value, 'hQ==') // schemaless: just a string
  const withSchema = converter()
  const envelope = (payload: string) =>
    Buffer.from(
      `{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":${payload}}`,
    )
  assert.equal(withSchema.toConnectData('t', envelope('"hQ=="')).value, '-1.23')
  assert.equal(withSchema.toConnectData('t', envelope('-12345678901234567890.10')).value, '-12345678901234567890.10')
})

test('Decimal with more fractional digits than the scale names the field', () => {
  const schema = structSchema('orders', [{ name: 'price', schema: decimalSchema(2) }])
  assert.throws(
    () => converter().fromConnectData('t', schema, { price: '1.234' }),
    (error: unknown) =>
      error instanceof DataError &&
      error.path === 'price' &&
      /field "price".*more fractional digits than the schema's scale 2/.test(error.message),
  )
  // Trailing zeros are exact, so they are fine: 1.2300 at scale 2 → unscaled 123 → 0x7b.
  assert.equal(
    text(converter({ 'schemas.enable': 'false' }).fromConnectData('t', schema, { price: '1.2300' })),
    '{"price":"ew=="}',
  )
})

test('doubles and floats are written as Java writes them', () => {
  const c = converter({ 'schemas.enable': 'false' })
  const f64 = primitive('float64')
  const f32 = primitive('float32')
  assert.equal(text(c.fromConnectData('t', f64, 1e7)), '1.0E7')
  assert.equal(text(c.fromConnectData('t', f64, 0.0001)), '1.0E-4')
  assert.equal(text(c.fromConnectData('t', f64, 123.5)), '123.5')
  assert.equal(text(c.fromConnectData('t', f64, Number.NaN)), '"NaN"')
  assert.equal(text(c.fromConnectData('t', f32, 0.1)), '0.1')
  assert.equal(text(c.fromConnectData('t', f32, 3.4028234663852886e38)), '3.4028235E38')
})

test('null handling follows upstream', () => {
  const withSchemas = converter()
  const without = converter({ 'schemas.enable': 'false' })
  const optional = primitive('string', true)
  // No schema and no value: a tombstone (null bytes) in both modes.
  assert.equal(withSchemas.fromConnectData('t', null, null), null)
  assert.equal(without.fromConnectData('t', undefined, null), null)
  // A schema and a null value: an envelope with a null payload / the JSON literal null.
  assert.equal(
    text(withSchemas.fromConnectData('t', optional, null)),
    '{"schema":{"type":"string","optional":true},"payload":null}',
  )
  assert.equal(text(without.fromConnectData('t', optional, null)), 'null')
  // Schemaless values keep a null schema in the envelope.
  assert.equal(text(withSchemas.fromConnectData('t', null, { a: 1 })), '{"schema":null,"payload":{"a":1}}')
  assert.deepEqual(withSchemas.toConnectData('t', null), { schema: null, value: null })
})

test('replace.null.with.default=false keeps nulls of optional fields that have defaults', () => {
  const schema = structSchema('s', [{ name: 'level', schema: { type: 'int32', optional: true, defaultValue: 7 } }])
  const keep = converter({ 'schemas.enable': 'false', 'replace.null.with.default': 'false' })
  assert.equal(text(keep.fromConnectData('t', schema, { level: null })), '{"level":null}')
  assert.equal(text(converter({ 'schemas.enable': 'false' }).fromConnectData('t', schema, {})), '{"level":7}')
})

test('a missing required field is reported with its path', () => {
  const schema = structSchema('users', [
    { name: 'id', schema: primitive('int32') },
    { name: 'address', schema: structSchema('address', [{ name: 'zip', schema: primitive('string') }]) },
  ])
  assert.throws(
    () => converter().fromConnectData('t', schema, { id: 1, address: {} }),
    /Invalid value for field "address\.zip": null value for a required string field with no default value/,
  )
})

test('a value of the wrong type names the field, the expected type and what was given', () => {
  const schema = structSchema('users', [
    { name: 'id', schema: primitive('int32') },
    { name: 'tags', schema: arraySchema(primitive('int16')) },
  ])
  const c = converter()
  assert.throws(
    () => c.fromConnectData('t', schema, { id: 'abc', tags: [] }),
    /field "id": expected int32 \(an integer from -2147483648 to 2147483647\) but got string "abc"/,
  )
  assert.throws(() => c.fromConnectData('t', schema, { id: 1, tags: [1, 40000] }), /field "tags\[1\]": expected int16/)
  assert.throws(
    () => c.fromConnectData('t', schema, { id: 1, tags: [], extra: 1 }),
    /field "extra": not a field of struct schema users/,
  )
  assert.throws(() => c.fromConnectData('t', primitive('int8'), 1.5), /record value: expected int8/)
  assert.throws(
    () => converter({}, true).fromConnectData('t', primitive('boolean'), 'yes'),
    /record key: expected boolean/,
  )
})

test('logical types reject values that do not fit them', () => {
  const c = converter()
  assert.throws(
    () => c.fromConnectData('t', dateSchema(), new Date('2024-03-01T10:00:00Z')),
    /should not have any time fields/,
  )
  assert.throws(
    () => c.fromConnectData('t', timeSchema(), new Date('2024-03-01T10:00:00Z')),
    /should not have any date fields/,
  )
  assert.throws(
    () => c.fromConnectData('t', timestampSchema(), 1709294400123),
    /expected a Date for Timestamp but got number/,
  )
  assert.throws(() => c.fromConnectData('t', decimalSchema(2), 'twelve'), /"twelve" is not a decimal number/)
})

test('maps: string keys as a JSON object, other keys as [key, value] pairs; both read back', () => {
  const c = converter()
  const byString: Schema = {
    type: 'map',
    optional: false,
    keySchema: primitive('string'),
    valueSchema: primitive('int32'),
  }
  const byInt: Schema = {
    type: 'map',
    optional: false,
    keySchema: primitive('int32'),
    valueSchema: primitive('string'),
  }
  const a = c.fromConnectData('t', byString, new Map([['x', 1]]))
  assert.equal(
    text(a),
    '{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"x":1}}',
  )
  const b = c.fromConnectData('t', byInt, new Map([[5, 'five']]))
  assert.match(text(b) ?? '', /"payload":\[\[5,"five"\]\]\}$/)
  assert.deepEqual(c.toConnectData('t', a).value, { x: 1 })
  assert.deepEqual(c.toConnectData('t', b).value, new Map([[5, 'five']]))
})

test('toConnectData with schemas enabled insists on the envelope, as upstream', () => {
  assert.throws(
    () => converter().toConnectData('t', Buffer.from('{"id":1}')),
    /requires "schema" and "payload" fields.*set schemas.enable=false/,
  )
  assert.throws(() => converter().toConnectData('t', Buffer.from('{nope')), /serialization error/)
  assert.deepEqual(converter({ 'schemas.enable': 'false' }).toConnectData('t', Buffer.from('{"id":1,"f":1.5}')), {
    schema: null,
    value: { id: 1, f: 1.5 },
  })
})

test('toConnectData names the field whose JSON does not match the schema', () => {
  const envelope =
    '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false},"payload":{"id":"x"}}'
  assert.throws(
    () => converter().toConnectData('t', Buffer.from(envelope)),
    /field "id": expected an integer \(int32\) but found STRING/,
  )
})

test('invalid converter settings are refused, naming the key', () => {
  assert.throws(() => converter({ 'decimal.format': 'HEX' }), /decimal\.format: .*BASE64, NUMERIC/)
  assert.throws(() => converter({ 'schemas.enable': 'maybe' }), /schemas\.enable: Invalid value maybe/)
})

test('schema doc and parameters are written and read back', () => {
  const schema: Schema = { type: 'string', optional: true, name: 'n', version: 2, doc: 'd', parameters: { a: 'b' } }
  const c = converter()
  const bytes = c.fromConnectData('t', schema, 'v')
  assert.equal(
    text(bytes),
    '{"schema":{"type":"string","optional":true,"name":"n","version":2,"doc":"d","parameters":{"a":"b"}},"payload":"v"}',
  )
  assert.deepEqual(c.toConnectData('t', bytes), { schema, value: 'v' })
})
