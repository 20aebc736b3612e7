// SimpleHeaderConverter's text for each kind of Connect value (Connect's default header converter).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { headerText, SimpleHeaderConverter } from '../../../src/convert/header-converter.ts'
import {
  arraySchema,
  dateSchema,
  decimalSchema,
  primitive,
  SchemaTypes,
  structSchema,
  timeSchema,
  timestampSchema,
} from '../../../src/record/schema.ts'

test('strings as they are, numbers and booleans in their string form, bytes as base64', () => {
  assert.equal(headerText(null, 'plain "text"'), 'plain "text"')
  assert.equal(headerText(primitive(SchemaTypes.INT32), 42), '42')
  assert.equal(headerText(primitive(SchemaTypes.INT64), 9007199254740993n), '9007199254740993')
  assert.equal(headerText(primitive(SchemaTypes.FLOAT64), 2), '2.0')
  assert.equal(headerText(primitive(SchemaTypes.FLOAT32), 0.1), '0.1')
  assert.equal(headerText(null, 1.5), '1.5')
  assert.equal(headerText(null, true), 'true')
  assert.equal(headerText(null, Buffer.from([0, 255])), 'AP8=')
  assert.equal(headerText(decimalSchema(2), '12.30'), '12.30')
})

test('dates in ISO 8601 by their logical type, UTC', () => {
  const at = new Date('2024-03-05T06:07:08.009Z')
  assert.equal(headerText(timestampSchema(), at), '2024-03-05T06:07:08.009Z')
  assert.equal(headerText(dateSchema(), new Date('2024-03-05T00:00:00Z')), '2024-03-05')
  assert.equal(headerText(timeSchema(), new Date('1970-01-01T06:07:08.009Z')), '06:07:08.009Z')
})

test('structs (fields in schema order), maps and arrays as JSON', () => {
  const schema = structSchema('S', [
    { name: 'b', schema: primitive(SchemaTypes.STRING) },
    { name: 'a', schema: arraySchema(primitive(SchemaTypes.FLOAT64)) },
    { name: 'at', schema: dateSchema() },
    { name: 'price', schema: decimalSchema(2) },
  ])
  const value = { a: [1, 2.5], b: 'x"y', at: new Date('2024-03-05T00:00:00Z'), price: '9.99' }
  assert.equal(headerText(schema, value), '{"b":"x\\"y","a":[1.0,2.5],"at":"2024-03-05","price":9.99}')
  assert.deepEqual(JSON.parse(headerText(schema, value)).a, [1, 2.5])
  assert.equal(
    headerText(
      null,
      new Map<unknown, unknown>([
        ['k', null],
        [1, true],
      ]),
    ),
    '{"k":null,"1":true}',
  )
  assert.equal(headerText(null, { n: 1, nested: ['s', Buffer.from('hi')] }), '{"n":1,"nested":["s","aGk="]}')
})

test('a null value is a null header; text is written as UTF-8', () => {
  const converter = new SimpleHeaderConverter()
  assert.equal(converter.fromConnectHeader('t', 'h', null, null), null)
  assert.equal(converter.fromConnectHeader('t', 'h', undefined, undefined), null)
  assert.deepEqual(converter.fromConnectHeader('t', 'h', null, 'é'), Buffer.from([0xc3, 0xa9]))
})
