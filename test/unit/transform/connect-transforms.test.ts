// Connect's transforms on the examples of Kafka's documentation (schemaless maps and Structs), with Java's
// conversion rules and upstream's error messages. The same behaviour is checked against the real classes in
// test/integration/compat/transforms.test.ts.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { dateSchema, decimalSchema, primitive, timestampSchema } from '../../../src/record/schema.ts'
import { chain, int64, record, single, str, struct, T } from './helpers.ts'

describe('RegexRouter', () => {
  test("the documented example: dbserver1.inventory.customers routed by '$3' is customers", () => {
    const route = single(`${T}.RegexRouter`, { regex: '([^.]+)\\.([^.]+)\\.([^.]+)', replacement: '$3' })
    assert.equal(route.apply(record({ topic: 'dbserver1.inventory.customers' }))?.topic, 'customers')
    assert.equal(route.apply(record({ topic: 'no-dots' }))?.topic, 'no-dots', 'no match: unchanged')
  })

  test('Java replacement syntax: named groups, escaped dollar, group numbers taken while they exist', () => {
    const route = single(`${T}.RegexRouter`, { regex: '(?<db>\\w+)-(\\w)', replacement: ['$', '{db}\\$$21'].join('') })
    assert.equal(route.apply(record({ topic: 'orders-x' }))?.topic, 'orders$x1')
    const missing = single(`${T}.RegexRouter`, { regex: '(a)', replacement: '$2' })
    assert.throws(() => missing.apply(record({ topic: 'a' })), /No group 2/)
  })

  test('(?i) and \\Q…\\E are read as Java reads them', () => {
    const route = single(`${T}.RegexRouter`, { regex: '(?i)\\Qdb.T\\E(.*)', replacement: 'x$1' })
    assert.equal(route.apply(record({ topic: 'DB.t1' }))?.topic, 'x1')
    assert.equal(route.apply(record({ topic: 'dbxt1' }))?.topic, 'dbxt1', 'the quoted dot is literal')
  })
})

describe('InsertField', () => {
  test('the documented example: static.field MessageSource on a schemaless value', () => {
    const insert = single(`${T}.InsertField$Value`, {
      'static.field': 'MessageSource',
      'static.value': 'Kafka Connect framework',
    })
    assert.deepEqual(insert.apply(record({ value: { foo: 'bar' } }))?.value, {
      foo: 'bar',
      MessageSource: 'Kafka Connect framework',
    })
  })

  test('with a schema: fields appended, `!` required, `?` optional, the timestamp as a Timestamp', () => {
    const insert = single(`${T}.InsertField$Value`, {
      'topic.field': 'topic!',
      'partition.field': 'partition?',
      'timestamp.field': 'ts',
    })
    const valueSchema = struct('v', [['id', int64()]], true)
    const out = insert.apply(record({ kafkaPartition: 2, timestamp: 1000, valueSchema, value: { id: 1 } }))
    assert.deepEqual(out?.value, { id: 1, topic: 'topic', partition: 2, ts: new Date(1000) })
    assert.deepEqual(
      out?.valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.optional, f.schema.name]),
      [
        ['id', 'int64', false, undefined],
        ['topic', 'string', false, undefined],
        ['partition', 'int32', true, undefined],
        ['ts', 'int64', true, 'org.apache.kafka.connect.data.Timestamp'],
      ],
    )
    assert.equal(out?.valueSchema?.optional, false, 'as upstream, the rebuilt struct schema is required')
  })

  test('a null value passes; a value that is neither Struct nor map is refused with upstream’s message', () => {
    const insert = single(`${T}.InsertField$Value`, { 'topic.field': 't' })
    assert.equal(insert.apply(record({ value: null }))?.value, null)
    assert.throws(
      () => insert.apply(record({ value: 'text' })),
      /Only Map objects supported in absence of schema for \[field insertion\], found: java\.lang\.String/,
    )
  })

  test('offset.field is for sink records only, so a source record fails as upstream', () => {
    const insert = single(`${T}.InsertField$Value`, { 'offset.field': 'o' })
    assert.throws(() => insert.apply(record({ value: {} })), /Only SinkRecord supported for \[field insertion\]/)
  })

  test('nothing to insert is a configuration error', () => {
    assert.throws(() => single(`${T}.InsertField$Value`), /No field insertion configured/)
  })
})

describe('ReplaceField', () => {
  test('the documented example: exclude and renames, schemaless and with a schema', () => {
    const replace = single(`${T}.ReplaceField$Value`, { exclude: 'c2', renames: 'foo:c1,bar:c2' })
    assert.deepEqual(replace.apply(record({ value: { foo: 1, bar: 2, c2: 3 } }))?.value, { c1: 1, c2: 2 })
    const valueSchema = struct('v', [
      ['foo', int64()],
      ['bar', str()],
      ['c2', str()],
    ])
    const out = replace.apply(record({ valueSchema, value: { foo: 1, bar: 'b', c2: 'x' } }))
    assert.deepEqual(out?.value, { c1: 1, c2: 'b' })
    assert.deepEqual(
      out?.valueSchema?.fields?.map((f) => f.name),
      ['c1', 'c2'],
    )
  })

  test('null fields take the schema default unless replace.null.with.default=false', () => {
    const valueSchema = struct('v', [['email', { type: 'string', optional: true, defaultValue: 'none' }]])
    assert.deepEqual(single(`${T}.ReplaceField$Value`).apply(record({ valueSchema, value: { email: null } }))?.value, {
      email: 'none',
    })
    const raw = single(`${T}.ReplaceField$Value`, { 'replace.null.with.default': 'false' })
    assert.deepEqual(raw.apply(record({ valueSchema, value: { email: null } }))?.value, { email: null })
  })

  test('a rename that is not one old:new pair is refused', () => {
    assert.throws(
      () => single(`${T}.ReplaceField$Value`, { renames: 'a:b,c' }),
      /Invalid value \[a:b, c\] for configuration renames: Invalid rename mapping: c/,
    )
  })
})

describe('ValueToKey and ExtractField', () => {
  test('the documented ValueToKey example: the key becomes a Struct of the listed value fields', () => {
    const valueSchema = struct('v', [
      ['userId', int64()],
      ['city', str()],
      ['state', str()],
      ['other', str()],
    ])
    const out = single(`${T}.ValueToKey`, { fields: 'userId,city,state' }).apply(
      record({ valueSchema, value: { userId: 1, city: 'Oslo', state: null, other: 'x' } }),
    )
    assert.deepEqual(out?.key, { userId: 1, city: 'Oslo', state: null })
    assert.deepEqual(
      out?.keySchema?.fields?.map((f) => f.name),
      ['userId', 'city', 'state'],
    )
    assert.throws(
      () => single(`${T}.ValueToKey`, { fields: 'nope' }).apply(record({ valueSchema, value: { userId: 1 } })),
      /Field does not exist: nope/,
    )
  })

  test('the documented ExtractField example: {id: 42, cost: 4000} becomes 42', () => {
    const extract = single(`${T}.ExtractField$Key`, { field: 'id' })
    assert.equal(extract.apply(record({ key: { id: 42, cost: 4000 } }))?.key, 42)
    const keySchema = struct('k', [['id', int64()]])
    const out = extract.apply(record({ keySchema, key: { id: 42 } }))
    assert.equal(out?.key, 42)
    assert.deepEqual(out?.keySchema, int64())
  })

  test('V2 paths reach nested fields; backticks quote names with dots', () => {
    const extract = single(`${T}.ExtractField$Value`, { field: 'a.`b.c`.d', 'field.syntax.version': 'v2' })
    assert.equal(extract.apply(record({ value: { a: { 'b.c': { d: 7 } } } }))?.value, 7)
    assert.equal(extract.apply(record({ value: { a: null } }))?.value, null)
    assert.throws(
      () => single(`${T}.ExtractField$Value`, { field: '`a.b', 'field.syntax.version': 'V2' }),
      /Incomplete backtick pair in path: \[`a\.b\]/,
    )
  })
})

describe('Cast', () => {
  const valueSchema = struct('v', [
    ['big', int64()],
    ['ratio', { type: 'float64', optional: true }],
    ['flag', { type: 'boolean', optional: true }],
    ['raw', { type: 'bytes', optional: true }],
    ['at', timestampSchema(true)],
    ['day', dateSchema(true)],
    ['amount', decimalSchema(2, true)],
  ])
  const value = {
    big: 4294967297,
    ratio: -3.99,
    flag: true,
    raw: Buffer.from('hi'),
    at: new Date(86_400_000 * 2 + 5),
    day: new Date(86_400_000 * 3),
    amount: '12.75',
  }

  test('Java conversions: integers keep their low bits, floats truncate, bytes become base64, dates numbers', () => {
    const cast = single(`${T}.Cast$Value`, {
      spec: 'big:int32,ratio:int8,flag:float64,raw:string,at:int64,day:int32,amount:int16',
    })
    const out = cast.apply(record({ valueSchema, value }))
    assert.deepEqual(out?.value, {
      big: 1,
      ratio: -3,
      flag: 1,
      raw: 'aGk=',
      at: 86_400_000 * 2 + 5,
      day: 3,
      amount: 12,
    })
    assert.deepEqual(
      out?.valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.name]),
      [
        ['big', 'int32', undefined],
        ['ratio', 'int8', undefined],
        ['flag', 'float64', undefined],
        ['raw', 'string', undefined],
        ['at', 'int64', undefined],
        ['day', 'int32', undefined],
        ['amount', 'int16', undefined],
      ],
    )
  })

  test('to string, dates print in ISO-8601 UTC as Values.dateFormatFor chooses', () => {
    const out = single(`${T}.Cast$Value`, { spec: 'at:string,day:string,ratio:string' }).apply(
      record({ valueSchema, value }),
    )
    const cast = out?.value as Record<string, unknown>
    assert.deepEqual([cast.at, cast.day, cast.ratio], ['1970-01-03T00:00:00.005Z', '1970-01-04', '-3.99'])
  })

  test('schemaless: the whole value, and text parsed as Java parses it', () => {
    assert.equal(single(`${T}.Cast$Value`, { spec: 'int16' }).apply(record({ value: '-12' }))?.value, -12)
    assert.equal(single(`${T}.Cast$Value`, { spec: 'boolean' }).apply(record({ value: 'TRUE' }))?.value, true)
    assert.throws(
      () => single(`${T}.Cast$Value`, { spec: 'int8' }).apply(record({ value: '128' })),
      /Value \(128\) was out of range for requested data type/,
    )
    assert.deepEqual(single(`${T}.Cast$Value`, { spec: 'a:string' }).apply(record({ value: { b: 1 } }))?.value, {
      b: 1,
      a: null,
    })
  })

  test('a whole-value cast keeps the schema’s optionality; arrays cannot be cast', () => {
    const out = single(`${T}.Cast$Key`, { spec: 'string' }).apply(record({ keySchema: int64(true), key: 5 }))
    assert.deepEqual([out?.key, out?.keySchema], ['5', primitive('string', true)])
    assert.throws(
      () => single(`${T}.Cast$Value`, { spec: 'string' }).apply(record({ value: [1] })),
      /Cast transformation does not support casting from ARRAY/,
    )
  })

  test('spec errors name the problem', () => {
    assert.throws(() => single(`${T}.Cast$Value`, { spec: '' }), /Must specify at least one field to cast\./)
    assert.throws(() => single(`${T}.Cast$Value`, { spec: 'a:bytes' }), /does not support casting to BYTES/)
    assert.throws(() => single(`${T}.Cast$Value`, { spec: 'int8,a:int16' }), /may only specify a single cast/)
  })
})

describe('TimestampConverter', () => {
  test('the documented example: a Timestamp field to text in a SimpleDateFormat pattern', () => {
    const convert = single(`${T}.TimestampConverter$Value`, {
      field: 'event_date',
      'target.type': 'string',
      format: 'yyyy-MM-dd',
    })
    const valueSchema = struct('v', [['event_date', timestampSchema()]])
    const out = convert.apply(record({ valueSchema, value: { event_date: new Date(Date.UTC(2017, 6, 1, 12)) } }))
    assert.deepEqual(out?.value, { event_date: '2017-07-01' })
    assert.deepEqual(out?.valueSchema?.fields?.[0]?.schema, primitive('string', false))
  })

  test('unix numbers in each precision, text parsed leniently, Date and Time truncation', () => {
    const toMicros = single(`${T}.TimestampConverter$Value`, {
      'target.type': 'unix',
      'unix.precision': 'microseconds',
      format: 'dd/MM/yyyy HH:mm',
    })
    assert.equal(toMicros.apply(record({ value: '31/12/2023 23:59' }))?.value, 1704067140000000)
    const fromSeconds = single(`${T}.TimestampConverter$Value`, { 'target.type': 'Date', 'unix.precision': 'seconds' })
    assert.deepEqual(fromSeconds.apply(record({ value: 1709214330 }))?.value, new Date(Date.UTC(2024, 1, 29)))
    const time = single(`${T}.TimestampConverter$Value`, { 'target.type': 'Time' })
    assert.deepEqual(
      time.apply(record({ value: new Date(Date.UTC(2024, 1, 29, 13, 45, 30, 5)) }))?.value,
      new Date(49530005),
    )
    assert.throws(
      () => toMicros.apply(record({ value: 'yesterday' })),
      /Could not parse timestamp: value \(yesterday\) does not match pattern \(dd\/MM\/yyyy HH:mm\)/,
    )
  })

  test('configuration errors: text without a format, an unknown target type', () => {
    assert.throws(
      () => single(`${T}.TimestampConverter$Value`, { 'target.type': 'string' }),
      /requires format option to be specified when using string timestamps/,
    )
    assert.throws(
      () => single(`${T}.TimestampConverter$Value`, { 'target.type': 'timestamp' }),
      /Invalid value timestamp for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp/,
    )
  })
})

describe('Filter and predicates', () => {
  const config = {
    transforms: 'dropFoo,dropOthersTombstones',
    'transforms.dropFoo.type': `${T}.Filter`,
    'transforms.dropFoo.predicate': 'isFoo',
    'transforms.dropOthersTombstones.type': `${T}.Filter`,
    'transforms.dropOthersTombstones.predicate': 'hasKeep',
    'transforms.dropOthersTombstones.negate': 'true',
    predicates: 'isFoo,hasKeep',
    'predicates.isFoo.type': `${T}.predicates.TopicNameMatches`,
    'predicates.isFoo.pattern': 'foo.*',
    'predicates.hasKeep.type': `${T}.predicates.HasHeaderKey`,
    'predicates.hasKeep.name': 'keep',
  }

  test('the documented example: Filter drops the records its predicate matches; negate inverts it', () => {
    const filter = chain(config)
    assert.equal(filter.apply(record({ topic: 'foo-1', headers: [{ key: 'keep', value: 'y' }] })), null)
    assert.equal(filter.apply(record({ topic: 'bar' })), null, 'no keep header: negated predicate drops it')
    const kept = record({ topic: 'bar', headers: [{ key: 'keep', value: 'y' }] })
    assert.equal(filter.apply(kept), kept)
  })

  test('RecordIsTombstone matches null values only', () => {
    const filter = chain({
      transforms: 'f',
      'transforms.f.type': `${T}.Filter`,
      'transforms.f.predicate': 't',
      predicates: 't',
      'predicates.t.type': `${T}.predicates.RecordIsTombstone`,
    })
    assert.equal(filter.apply(record({ value: null })), null)
    assert.notEqual(filter.apply(record({ value: 'x' })), null)
  })
})
