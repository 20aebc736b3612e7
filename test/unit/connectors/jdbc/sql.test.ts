import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildQueryText, roundValues } from '../../../../src/connectors/jdbc/criteria.ts'
import { tablePasses, unmatchedWhitelist } from '../../../../src/connectors/jdbc/table-filter.ts'
import type { TableId } from '../../../../src/postgres/dialect.ts'

const users: TableId = { database: 'postgres', schema: 'public', table: 'users' }
const table = { kind: 'table' as const, table: users }
const cols = { incrementing: 'id', timestamps: ['updated_at'] }
const end = { epochSecond: 1704067200, nano: 123456000 }

test('query text per mode', () => {
  assert.equal(buildQueryText(table, 'bulk', cols, 'always', ''), 'SELECT * FROM "public"."users"')
  assert.equal(
    buildQueryText(table, 'incrementing', cols, 'always', ''),
    'SELECT * FROM "public"."users" WHERE "id" > $1 ORDER BY "id" ASC',
  )
  assert.equal(
    buildQueryText(table, 'timestamp', { incrementing: null, timestamps: ['a', 'b'] }, 'always', ''),
    'SELECT * FROM "public"."users" WHERE COALESCE("a","b") > $1::timestamptz AND COALESCE("a","b") < $2::timestamptz ORDER BY COALESCE("a","b") ASC',
  )
  assert.equal(
    buildQueryText(table, 'timestamp+incrementing', cols, 'never', 'FOR SHARE'),
    'SELECT * FROM public.users WHERE updated_at < $1::timestamptz AND ((updated_at = $2::timestamptz AND id > $3) OR updated_at > $2::timestamptz) ORDER BY updated_at,id ASC FOR SHARE',
  )
  assert.equal(
    buildQueryText({ kind: 'query', query: 'SELECT id FROM t' }, 'incrementing', cols, 'always', ''),
    'SELECT id FROM t WHERE "id" > $1 ORDER BY "id" ASC',
  )
})

test('bind values: unset offsets start at id -1 and timestamp 0, as upstream', () => {
  const none = { incrementing: null, timestamp: null }
  assert.deepEqual(roundValues('bulk', none, end), [])
  assert.deepEqual(roundValues('incrementing', none, end), ['-1'])
  assert.deepEqual(roundValues('timestamp', none, end), ['1970-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.123456Z'])
  const at = { incrementing: 42, timestamp: { epochSecond: 1704067199, nano: 5000 } }
  assert.deepEqual(roundValues('timestamp+incrementing', at, end), [
    '2024-01-01T00:00:00.123456Z',
    '2023-12-31T23:59:59.000005Z',
    '42',
  ])
})

test('table filters: whitelist names, blacklist, include/exclude regexes on fully-qualified names', () => {
  const orders: TableId = { database: 'postgres', schema: 'sales', table: 'orders' }
  const f = (o: Partial<Parameters<typeof tablePasses>[1]>) => ({
    whitelist: [],
    blacklist: [],
    includeList: [],
    excludeList: [],
    ...o,
  })
  assert.equal(tablePasses(users, f({})), true)
  for (const name of ['users', 'public.users', 'postgres.public.users', '"postgres"."public"."users"']) {
    assert.equal(tablePasses(users, f({ whitelist: [name] })), true, name)
  }
  assert.equal(tablePasses(orders, f({ whitelist: ['users'] })), false)
  assert.equal(tablePasses(users, f({ blacklist: ['public.users'] })), false)
  assert.equal(tablePasses(orders, f({ includeList: ['sales\\..*'] })), true)
  assert.equal(tablePasses(orders, f({ includeList: ['postgres\\.sales\\..*'], excludeList: ['.*orders'] })), false)
  assert.equal(tablePasses(users, f({ includeList: ['sales\\..*'] })), false)
  assert.deepEqual(unmatchedWhitelist([users], ['users', 'nope']), ['nope'])
})
