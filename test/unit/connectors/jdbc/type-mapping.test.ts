import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  parseArray,
  parseBytea,
  parseDate,
  parseTime,
  parseTimestamp,
  rescaleDecimal,
} from '../../../../src/connectors/jdbc/pg-text.ts'
import { mapType, numericPrecisionScale, type PgType } from '../../../../src/connectors/jdbc/type-mapping.ts'

const base = (oid: number, name: string, extra: Partial<PgType> = {}): PgType => ({
  oid,
  name,
  kind: 'b',
  category: 'N',
  elementOid: 0,
  baseOid: 0,
  baseTypmod: -1,
  delimiter: ',',
  ...extra,
})
const types = new Map<number, PgType>(
  [
    base(16, 'bool'),
    base(21, 'int2'),
    base(23, 'int4'),
    base(20, 'int8'),
    base(700, 'float4'),
    base(701, 'float8'),
    base(1700, 'numeric'),
    base(25, 'text', { category: 'S' }),
    base(17, 'bytea'),
    base(1082, 'date'),
    base(1083, 'time'),
    base(1114, 'timestamp'),
    base(1184, 'timestamptz'),
    base(2950, 'uuid'),
    base(3802, 'jsonb'),
    base(1007, '_int4', { category: 'A', elementOid: 23 }),
    base(1009, '_text', { category: 'A', elementOid: 25 }),
    base(90000, 'mood', { kind: 'e', category: 'E' }),
    base(90001, 'positive_int', { kind: 'd', baseOid: 23 }),
  ].map((t) => [t.oid, t]),
)
const lookup = (oid: number) => types.get(oid)
const opts = { numericMapping: 'none' as const, zone: 'UTC' }
const numericTypmod = (p: number, s: number) => ((p << 16) | (s & 0x7ff)) + 4

test('scalar types map to Connect schemas', () => {
  const t = (oid: number, typmod = -1) => {
    const s = mapType(oid, typmod, true, lookup, opts).schema
    return s.name ?? s.type
  }
  assert.deepEqual(
    [16, 21, 23, 20, 700, 701, 25, 17, 1082, 1083, 1114, 1184, 2950, 3802, 90000, 90001, 424242].map((o) => t(o)),
    [
      'boolean',
      'int16',
      'int32',
      'int64',
      'float32',
      'float64',
      'string',
      'bytes',
      'org.apache.kafka.connect.data.Date',
      'org.apache.kafka.connect.data.Time',
      'org.apache.kafka.connect.data.Timestamp',
      'org.apache.kafka.connect.data.Timestamp',
      'string',
      'string',
      'string',
      'int32',
      'string',
    ],
  )
  assert.equal(mapType(23, -1, false, lookup, opts).schema.optional, false)
  const arr = mapType(1007, -1, false, lookup, opts)
  assert.deepEqual(arr.schema, { type: 'array', optional: false, valueSchema: { type: 'int32', optional: true } })
  assert.deepEqual(arr.convert('{1,NULL,-3}'), [1, null, -3])
})

test('numeric mappings follow upstream by precision and scale', () => {
  assert.deepEqual(numericPrecisionScale(numericTypmod(10, 2)), { precision: 10, scale: 2 })
  assert.deepEqual(numericPrecisionScale(numericTypmod(5, -2)), { precision: 5, scale: -2 })
  assert.equal(numericPrecisionScale(-1), null)
  const schema = (mapping: 'none' | 'best_fit' | 'precision_only' | 'best_fit_eager_double', p: number, s: number) => {
    const m = mapType(1700, p < 0 ? -1 : numericTypmod(p, s), true, lookup, { ...opts, numericMapping: mapping })
    return m.schema.name === 'org.apache.kafka.connect.data.Decimal'
      ? `decimal(${m.schema.parameters?.scale})`
      : m.schema.type
  }
  assert.equal(schema('none', 5, 0), 'decimal(0)')
  assert.equal(schema('none', -1, 0), 'decimal(127)')
  assert.deepEqual(
    [2, 4, 9, 18, 19].map((p) => schema('best_fit', p, 0)),
    ['int8', 'int16', 'int32', 'int64', 'decimal(0)'],
  )
  assert.equal(schema('best_fit', 10, 2), 'float64')
  assert.equal(schema('best_fit', 20, 2), 'decimal(2)')
  assert.equal(schema('best_fit_eager_double', 20, 2), 'float64')
  assert.equal(schema('precision_only', 10, 2), 'decimal(2)')
  assert.equal(schema('precision_only', 10, 0), 'int64')
})

test('text forms convert exactly', () => {
  assert.equal(rescaleDecimal('12.5', 3), '12.500')
  assert.equal(rescaleDecimal('-0.0049', 2), '0.00')
  assert.equal(rescaleDecimal('-1.005', 2), '-1.01')
  assert.equal(rescaleDecimal('123', 0), '123')
  assert.throws(() => rescaleDecimal('NaN', 2), /cannot be represented/)
  assert.deepEqual(parseBytea('\\xdeadbeef'), Buffer.from('deadbeef', 'hex'))
  assert.deepEqual(parseBytea('a\\\\b\\001'), Buffer.from([0x61, 0x5c, 0x62, 1]))
  assert.deepEqual(parseDate('2024-02-29'), new Date('2024-02-29T00:00:00Z'))
  assert.deepEqual(parseTime('23:59:59.999999', 'UTC'), new Date('1970-01-01T23:59:59.999Z'))
  assert.deepEqual(parseTime('10:00:00+02', 'UTC'), new Date('1970-01-01T08:00:00Z'))
  assert.deepEqual(parseTimestamp('2024-01-02 03:04:05.000001+05:30', 'UTC'), { epochSecond: 1704144845, nano: 1000 })
  assert.deepEqual(parseTimestamp('2024-01-15 12:00:00', 'America/New_York'), { epochSecond: 1705338000, nano: 0 })
  assert.deepEqual(parseTimestamp('2024-07-15 12:00:00', 'America/New_York'), { epochSecond: 1721059200, nano: 0 })
  assert.deepEqual(parseArray('{{1,2},{3,4}}', Number), [
    [1, 2],
    [3, 4],
  ])
  assert.deepEqual(
    parseArray('{"a,b","NULL",NULL,"c\\\\d"}', (s) => s),
    ['a,b', 'NULL', null, 'c\\d'],
  )
  assert.deepEqual(parseArray('{}', Number), [])
})

test('timestamps: the fast path for PostgreSQL ISO output agrees with an independent reading over many values', () => {
  // Deterministic pseudo-random instants from 1000 AD to 9999 AD, every fraction length and offset form Postgres
  // prints; the expected instant comes from Date arithmetic, not from the parser under test.
  let seed = 7
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed % n
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0')
  for (let i = 0; i < 3000; i++) {
    const ms = Date.UTC(1000, 0, 1) + next(2 ** 30) * 235_000 + next(1000)
    const micros = next(1_000_000)
    const fractionDigits = next(7)
    const offsetMinutes = (next(57) - 28) * 30 // -14:00 … +14:00 in half hours
    const local = new Date(ms + offsetMinutes * 60_000)
    const fraction = fractionDigits === 0 ? '' : `.${pad(micros, 6).slice(0, fractionDigits)}`
    const sign = offsetMinutes < 0 ? '-' : '+'
    const abs = Math.abs(offsetMinutes)
    const offset =
      abs % 60 === 0 ? `${sign}${pad(abs / 60, 2)}` : `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`
    const text =
      `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)} ` +
      `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}${fraction}${offset}`
    const nano = fractionDigits === 0 ? 0 : Number(pad(micros, 6).slice(0, fractionDigits).padEnd(9, '0'))
    assert.deepEqual(parseTimestamp(text, 'UTC'), { epochSecond: Math.floor(ms / 1000), nano }, text)
  }
  // Forms outside the fast path still parse (or fail) as before.
  const year99 = new Date(Date.UTC(2000, 2, 4, 5, 6, 7))
  year99.setUTCFullYear(99)
  assert.deepEqual(parseTimestamp('0099-03-04 05:06:07+00', 'UTC'), { epochSecond: year99.getTime() / 1000, nano: 0 })
  assert.deepEqual(parseTimestamp('2024-01-02 03:04:05.5 BC', 'UTC').nano, 500_000_000)
  assert.throws(() => parseTimestamp('2024-01-02 03:04:05+5', 'UTC'), /Cannot parse timestamp/)
})
