// Type mapping against real Postgres for every listed type (values and NULLs), and tables/columns whose names need
// quoting (spaces, mixed case, unicode, embedded quotes).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { uniqueName } from '../../../support/stack.ts'
import { baseConfig, pollRecords, sql, startTask, values } from './fakes.ts'

const created: string[] = []
after(async () => {
  for (const t of created) await sql(`DROP TABLE IF EXISTS ${t}`)
})

test('every listed PostgreSQL type maps to its Connect schema and value; NULLs become null', async () => {
  const table = uniqueName('jdbc_types')
  const mood = `${table}_mood`
  created.push(table, `${mood} CASCADE`)
  await sql(`CREATE TYPE ${mood} AS ENUM ('happy', 'sad')`)
  created.push(table)
  await sql(`CREATE TABLE ${table} (
    id serial PRIMARY KEY, c_int2 int2, c_int4 int4 NOT NULL DEFAULT 0, c_int8 int8, c_num numeric(12,3),
    c_num_free numeric, c_float4 float4, c_float8 float8, c_bool bool, c_text text, c_varchar varchar(10),
    c_char char(3), c_bytea bytea, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz, c_uuid uuid,
    c_json json, c_jsonb jsonb, c_enum ${mood}, c_interval interval, c_inet inet, c_int_arr int4[], c_text_arr text[])`)
  await sql(`INSERT INTO ${table} VALUES (DEFAULT, -2, 7, 9007199254740993, 12345.678, 0.1, 1.5, 2.25, true, 'hé',
    'vc', 'ab', '\\x00ff10', '2024-02-29', '13:14:15.123456', '2024-01-02 03:04:05.678901',
    '2024-01-02 03:04:05.5+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', 'sad',
    '1 day 02:00:00', '10.0.0.1/32', '{1,NULL,3}', '{"x y","q\\"z"}')`)
  await sql(`INSERT INTO ${table} (id) VALUES (DEFAULT)`)
  const { task } = await startTask(baseConfig({ mode: 'bulk' }), [table])
  try {
    const records = await pollRecords(task, 2)
    const schema = records[0].valueSchema!
    assert.equal(schema.name, table)
    const field = (name: string) => schema.fields!.find((f) => f.name === name)!.schema
    const expectType = (name: string, type: string, logical?: string) => {
      assert.equal(field(name).type, type, name)
      assert.equal(field(name).name, logical, name)
    }
    expectType('id', 'int32')
    assert.equal(field('id').optional, false)
    assert.equal(field('c_int4').optional, false)
    assert.equal(field('c_int2').optional, true)
    expectType('c_int2', 'int16')
    expectType('c_int8', 'int64')
    expectType('c_num', 'bytes', 'org.apache.kafka.connect.data.Decimal')
    assert.equal(field('c_num').parameters?.scale, '3')
    assert.equal(field('c_num_free').parameters?.scale, '127')
    expectType('c_float4', 'float32')
    expectType('c_float8', 'float64')
    expectType('c_bool', 'boolean')
    for (const s of [
      'c_text',
      'c_varchar',
      'c_char',
      'c_uuid',
      'c_json',
      'c_jsonb',
      'c_enum',
      'c_interval',
      'c_inet',
    ]) {
      expectType(s, 'string')
    }
    expectType('c_bytea', 'bytes')
    expectType('c_date', 'int32', 'org.apache.kafka.connect.data.Date')
    expectType('c_time', 'int32', 'org.apache.kafka.connect.data.Time')
    expectType('c_ts', 'int64', 'org.apache.kafka.connect.data.Timestamp')
    expectType('c_tstz', 'int64', 'org.apache.kafka.connect.data.Timestamp')
    assert.equal(field('c_int_arr').type, 'array')
    assert.equal(field('c_int_arr').valueSchema?.type, 'int32')
    assert.equal(field('c_text_arr').valueSchema?.type, 'string')

    const [full, empty] = values(records)
    assert.equal(full.c_int2, -2)
    assert.equal(full.c_int8, 9007199254740993n)
    assert.equal(full.c_num, '12345.678')
    assert.equal(full.c_num_free, `0.1${'0'.repeat(126)}`)
    assert.equal(full.c_float4, 1.5)
    assert.equal(full.c_float8, 2.25)
    assert.equal(full.c_bool, true)
    assert.equal(full.c_text, 'hé')
    assert.equal(full.c_char, 'ab ')
    assert.deepEqual(full.c_bytea, Buffer.from([0, 255, 16]))
    assert.deepEqual(full.c_date, new Date('2024-02-29T00:00:00Z'))
    assert.deepEqual(full.c_time, new Date('1970-01-01T13:14:15.123Z'))
    assert.deepEqual(full.c_ts, new Date('2024-01-02T03:04:05.678Z'))
    assert.deepEqual(full.c_tstz, new Date('2024-01-02T01:04:05.500Z'))
    assert.equal(full.c_uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
    assert.equal(full.c_json, '{"a": 1}')
    assert.equal(full.c_jsonb, '{"b": [1, 2]}')
    assert.equal(full.c_enum, 'sad')
    assert.equal(full.c_interval, '1 day 02:00:00')
    assert.equal(full.c_inet, '10.0.0.1')
    assert.deepEqual(full.c_int_arr, [1, null, 3])
    assert.deepEqual(full.c_text_arr, ['x y', 'q"z'])
    for (const [key, value] of Object.entries(empty)) {
      if (key === 'id' || key === 'c_int4') continue
      assert.equal(value, null, key)
    }
  } finally {
    await task.stop()
  }
})

test('db.timezone interprets timestamps without time zone; timestamptz stays exact', async () => {
  const table = uniqueName('jdbc_tz')
  created.push(table)
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, ts timestamp NOT NULL, tstz timestamptz)`)
  await sql(`INSERT INTO ${table} (ts, tstz) VALUES ('2024-07-01 12:00:00', '2024-07-01 12:00:00+00')`)
  const config = baseConfig({ mode: 'timestamp', 'timestamp.column.name': 'ts', 'db.timezone': 'Europe/Paris' })
  const { task } = await startTask(config, [table])
  try {
    const [record] = await pollRecords(task, 1)
    const value = record.value as Record<string, unknown>
    assert.deepEqual(value.ts, new Date('2024-07-01T10:00:00Z'))
    assert.deepEqual(value.tstz, new Date('2024-07-01T12:00:00Z'))
    assert.deepEqual(record.sourceOffset, { timestamp_nanos: 0, timestamp: Date.parse('2024-07-01T10:00:00Z') })
  } finally {
    await task.stop()
  }
})

test('numeric.mapping=best_fit maps numerics to integers and doubles by precision and scale', async () => {
  const table = uniqueName('jdbc_numeric')
  created.push(table)
  await sql(
    `CREATE TABLE ${table} (a numeric(2,0), b numeric(4), c numeric(9), d numeric(18), e numeric(19), f numeric(10,2))`,
  )
  await sql(`INSERT INTO ${table} VALUES (12, 1234, 123456789, 123456789012345678, 1234567890123456789, 12.5)`)
  const { task } = await startTask(baseConfig({ mode: 'bulk', 'numeric.mapping': 'best_fit' }), [table])
  try {
    const [record] = await pollRecords(task, 1)
    const types = record.valueSchema!.fields!.map((f) => f.schema.name ?? f.schema.type)
    assert.deepEqual(types, ['int8', 'int16', 'int32', 'int64', 'org.apache.kafka.connect.data.Decimal', 'float64'])
    const v = record.value as Record<string, unknown>
    assert.deepEqual(
      [v.a, v.b, v.c, v.d, v.e, v.f],
      [12, 1234, 123456789, 123456789012345678n, '1234567890123456789', 12.5],
    )
  } finally {
    await task.stop()
  }
})

test('tables and columns needing quotes (spaces, mixed case, unicode, quotes) are read', async () => {
  const name = `Odd Table ${uniqueName('ü')} "q"`
  const quoted = `"${name.replaceAll('"', '""')}"`
  created.push(quoted)
  await sql(
    `CREATE TABLE ${quoted} ("Id" serial PRIMARY KEY, "first name" text, "Größe" int, "Updated At" timestamptz NOT NULL DEFAULT now() - interval '1 minute')`,
  )
  await sql(`INSERT INTO ${quoted} ("first name", "Größe") VALUES ('Ada', 170), ('Linus', 180)`)
  const config = baseConfig({
    mode: 'timestamp+incrementing',
    'timestamp.column.name': 'Updated At',
    'topic.prefix': 'p.',
  })
  const { task } = await startTask(config, [name])
  try {
    const records = await pollRecords(task, 2)
    assert.deepEqual(
      values(records).map((v) => [v.Id, v['first name'], v.Größe]),
      [
        [1, 'Ada', 170],
        [2, 'Linus', 180],
      ],
    )
    assert.equal(records[0].topic, `p.${name}`)
    assert.equal(records[1].sourceOffset.incrementing, 2)
  } finally {
    await task.stop()
  }
})
