// Debezium's value representations from PostgreSQL's text output.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  epochDay,
  hstoreJson,
  intervalIso,
  intervalMicros,
  type MappingOptions,
  mapColumnType,
  parseHstore,
  pointWkb,
  timestampMicros,
  twosComplement,
  zonedTime,
  zonedTimestamp,
} from '../../../../src/connectors/postgres-cdc/column-types.ts'

const defaults: MappingOptions = {
  decimalMode: 'precise',
  timePrecisionMode: 'adaptive',
  binaryMode: 'bytes',
  intervalMode: 'numeric',
  moneyFractionDigits: 2,
  hstoreMode: 'json',
}

test('dates and timestamps as Debezium counts them', () => {
  assert.equal(epochDay('1970-01-01'), 0)
  assert.equal(epochDay('2024-02-29'), 19782)
  assert.equal(epochDay('1969-12-31'), -1)
  assert.equal(timestampMicros('1970-01-01 00:00:01.000002'), 1_000_002)
  assert.equal(timestampMicros('2024-01-01 00:00:00+02'), Date.UTC(2023, 11, 31, 22) * 1000)
  assert.equal(timestampMicros('2024-01-01 05:30:00-05:30'), Date.UTC(2024, 0, 1, 11) * 1000)
})

test('ZonedTimestamp: UTC, fraction as wide as the column precision; ZonedTime in UTC', () => {
  assert.equal(zonedTimestamp('2024-02-29 12:34:56.5+02', 6), '2024-02-29T10:34:56.500000Z')
  assert.equal(zonedTimestamp('2024-02-29 12:34:56+00', 3), '2024-02-29T12:34:56.000Z')
  assert.equal(zonedTimestamp('2024-02-29 12:34:56.9+00', 0), '2024-02-29T12:34:56Z')
  assert.equal(zonedTimestamp('infinity', 6), 'infinity')
  assert.equal(zonedTime('10:15:30.25+02'), '08:15:30.25Z')
  assert.equal(zonedTime('00:30:00-01'), '01:30:00Z')
})

test('intervals: MicroDuration with 365.25/12 days a month, and ISO-8601', () => {
  assert.equal(intervalMicros('1 day 02:00:00'), 26 * 3600 * 1e6)
  assert.equal(intervalMicros('1 mon'), Math.trunc(30.4375 * 86400 * 1e6))
  assert.equal(intervalMicros('-00:00:01.5'), -1_500_000)
  assert.equal(intervalIso('1 year 2 mons 3 days 04:05:06.5'), 'P1Y2M3DT4H5M6.5S')
})

test("two's complement bytes as Connect's Decimal encodes the unscaled value", () => {
  assert.deepEqual([...twosComplement(0n)], [0])
  assert.deepEqual([...twosComplement(1250n)], [0x04, 0xe2])
  assert.deepEqual([...twosComplement(128n)], [0x00, 0x80])
  assert.deepEqual([...twosComplement(-1n)], [0xff])
  assert.deepEqual([...twosComplement(-128n)], [0x80])
  assert.deepEqual([...twosComplement(-129n)], [0xff, 0x7f])
})

test('numeric per decimal.handling.mode; variable scale without a declared scale', () => {
  const fixed = { oid: 1700, name: 'numeric', typmod: ((10 << 16) | 2) + 4 }
  const precise = mapColumnType(fixed, defaults)
  assert.deepEqual(precise.schema.parameters, { scale: '2', 'connect.decimal.precision': '10' })
  assert.equal(precise.convert('12.5'), '12.50')
  assert.equal(mapColumnType(fixed, { ...defaults, decimalMode: 'double' }).convert('12.5'), 12.5)
  assert.equal(mapColumnType(fixed, { ...defaults, decimalMode: 'string' }).convert('12.50'), '12.50')
  const variable = mapColumnType({ oid: 1700, name: 'numeric', typmod: -1 }, defaults)
  assert.equal(variable.schema.name, 'io.debezium.data.VariableScaleDecimal')
  assert.deepEqual(variable.convert('-3.14'), { scale: 2, value: Buffer.from([0xfe, 0xc6]) })
  // Debezium strips the fraction's trailing zeros (the differential test caught 1.000100200300 → scale 10, not 12).
  assert.deepEqual(variable.convert('1.500'), { scale: 1, value: Buffer.from([15]) })
  assert.deepEqual(variable.convert('100'), { scale: 0, value: Buffer.from([100]) })
  assert.deepEqual(variable.convert('2.000'), { scale: 0, value: Buffer.from([2]) })
})

test('timestamp and time per time.precision.mode', () => {
  const ts = (typmod: number, mode: MappingOptions['timePrecisionMode']) =>
    mapColumnType({ oid: 1114, name: 'timestamp', typmod }, { ...defaults, timePrecisionMode: mode })
  assert.equal(ts(-1, 'adaptive').schema.name, 'io.debezium.time.MicroTimestamp')
  assert.equal(ts(3, 'adaptive').schema.name, 'io.debezium.time.Timestamp')
  assert.equal(ts(3, 'adaptive').convert('1970-01-01 00:00:01.5'), 1500)
  assert.equal(ts(-1, 'connect').schema.name, 'org.apache.kafka.connect.data.Timestamp')
  const time = mapColumnType({ oid: 1083, name: 'time', typmod: -1 }, defaults)
  assert.equal(time.schema.name, 'io.debezium.time.MicroTime')
  assert.equal(time.convert('01:00:00.000001'), 3_600_000_001)
})

test('bytea per binary.handling.mode, arrays of their element, enums with allowed values, money', () => {
  const bytea = { oid: 17, name: 'bytea', typmod: -1 }
  assert.deepEqual(mapColumnType(bytea, defaults).convert('\\x01ff'), Buffer.from([1, 255]))
  assert.equal(mapColumnType(bytea, { ...defaults, binaryMode: 'hex' }).convert('\\x01ff'), '01ff')
  assert.equal(mapColumnType(bytea, { ...defaults, binaryMode: 'base64' }).convert('\\x01ff'), 'Af8=')
  const ints = mapColumnType(
    { oid: 1007, name: '_int4', typmod: -1, element: { oid: 23, name: 'int4', typmod: -1 } },
    defaults,
  )
  assert.deepEqual(ints.schema, { type: 'array', valueSchema: { type: 'int32', optional: true } })
  assert.deepEqual(ints.convert('{1,NULL,3}'), [1, null, 3])
  const mood = mapColumnType({ oid: 99999, name: 'mood', typmod: -1, enumValues: ['sad', 'happy'] }, defaults)
  assert.deepEqual(mood.schema, {
    type: 'string',
    name: 'io.debezium.data.Enum',
    version: 1,
    parameters: { allowed: 'sad,happy' },
  })
  const money = mapColumnType({ oid: 790, name: 'money', typmod: -1 }, defaults)
  assert.equal(money.convert('-$1,234.50'), '-1234.50')
})

test('network addresses and ranges as their text, tsvector and ltree named as Debezium names them, citext as text', () => {
  for (const [oid, name, text] of [
    [869, 'inet', '192.168.0.1/24'],
    [650, 'cidr', '10.0.0.0/8'],
    [829, 'macaddr', '08:00:2b:01:02:03'],
    [774, 'macaddr8', '08:00:2b:01:02:03:04:05'],
    [3904, 'int4range', '[1,10)'],
    [3926, 'int8range', '[1,10)'],
    [3906, 'numrange', '(1.5,2.5]'],
    [3908, 'tsrange', '["2024-01-01 00:00:00","2024-02-01 00:00:00")'],
    [3910, 'tstzrange', '["2024-01-01 00:00:00+00",)'],
    [3912, 'daterange', '[2024-01-01,2024-02-01)'],
  ] as const) {
    const mapping = mapColumnType({ oid, name, typmod: -1 }, defaults)
    assert.deepEqual(mapping.schema, { type: 'string' }, name)
    assert.equal(mapping.convert(text), text, name)
  }
  const tsvector = mapColumnType({ oid: 3614, name: 'tsvector', typmod: -1 }, defaults)
  assert.deepEqual(tsvector.schema, { type: 'string', name: 'io.debezium.data.Tsvector', version: 1 })
  // Extension types have no fixed OID: found by name, as Debezium's TypeRegistry does.
  const ltree = mapColumnType({ oid: 16500, name: 'ltree', typmod: -1 }, defaults)
  assert.deepEqual(ltree.schema, { type: 'string', name: 'io.debezium.data.Ltree', version: 1 })
  assert.equal(ltree.convert('Top.Science.Astronomy'), 'Top.Science.Astronomy')
  assert.deepEqual(mapColumnType({ oid: 16600, name: 'citext', typmod: -1 }, defaults).schema, { type: 'string' })
  const ltrees = mapColumnType(
    { oid: 16501, name: '_ltree', typmod: -1, element: { oid: 16500, name: 'ltree', typmod: -1 } },
    defaults,
  )
  assert.deepEqual(ltrees.schema, {
    type: 'array',
    valueSchema: { type: 'string', name: 'io.debezium.data.Ltree', version: 1, optional: true },
  })
})

test('point as io.debezium.data.geometry.Point {x, y, wkb, srid}', () => {
  const point = mapColumnType({ oid: 600, name: 'point', typmod: -1 }, defaults)
  assert.equal(point.schema.name, 'io.debezium.data.geometry.Point')
  assert.equal(point.schema.doc, 'Geometry (POINT)')
  assert.deepEqual(
    point.schema.fields?.map((f) => [f.name, f.schema.type, f.schema.optional]),
    [
      ['x', 'float64', false],
      ['y', 'float64', false],
      ['wkb', 'bytes', true],
      ['srid', 'int32', true],
    ],
  )
  const value = point.convert('(1.5,-2.25)') as { x: number; y: number; wkb: Buffer; srid: null }
  assert.equal(value.x, 1.5)
  assert.equal(value.y, -2.25)
  assert.equal(value.srid, null)
  // Byte-order mark 1, type 1 (little-endian), then x and y as little-endian doubles.
  assert.equal(value.wkb.toString('hex'), '0101000000000000000000f83f00000000000002c0')
  assert.deepEqual(pointWkb(1.5, -2.25), value.wkb)
  assert.equal((point.convert('(1e+20,NaN)') as { x: number }).x, 1e20)
  assert.throws(() => point.convert('1,2'), /Cannot parse point "1,2"/)
})

test('hstore: pgjdbc’s parse, then JSON (default) or a map, keys in java.util.HashMap order', () => {
  const text = '"2"=>"x", "a"=>"1", "b"=>NULL, "10"=>"y", "zz"=>"q\\"uote\\\\", "key 1"=>"tab\there", "é"=>""'
  assert.deepEqual(parseHstore(text), [
    ['2', 'x'],
    ['a', '1'],
    ['b', null],
    ['10', 'y'],
    ['zz', 'q"uote\\'],
    ['key 1', 'tab\there'],
    ['é', ''],
  ])
  assert.deepEqual(parseHstore(''), [])
  // The order a JDK HashMap filled in the text's order iterates these keys in ("2" and "b" share a bin).
  assert.equal(hstoreJson(text), '{"zz":"q\\"uote\\\\","a":"1","2":"x","b":null,"key 1":"tab\\there","é":"","10":"y"}')
  assert.equal(hstoreJson('"k"=>"\u0001"'), '{"k":"\\u0001"}', 'control characters as Jackson escapes them')
  const json = mapColumnType({ oid: 16700, name: 'hstore', typmod: -1 }, defaults)
  assert.deepEqual(json.schema, { type: 'string', name: 'io.debezium.data.Json', version: 1 })
  const map = mapColumnType({ oid: 16700, name: 'hstore', typmod: -1 }, { ...defaults, hstoreMode: 'map' })
  assert.deepEqual(map.schema, {
    type: 'map',
    keySchema: { type: 'string', optional: false },
    valueSchema: { type: 'string', optional: true },
  })
  const entries = [...(map.convert(text) as Map<string, string | null>)]
  assert.deepEqual(
    entries.map(([k]) => k),
    ['zz', 'a', '2', 'b', 'key 1', 'é', '10'],
  )
  assert.throws(() => json.convert('"a"=>"1'), /Cannot parse hstore/)
})
