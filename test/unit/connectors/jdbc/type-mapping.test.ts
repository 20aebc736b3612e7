import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mapType, numericPrecisionScale } from '../../../../src/connectors/jdbc/type-mapping.ts'
import type { PgType } from '../../../../src/postgres/catalog.ts'

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
