import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveOffsetColumns } from '../../../../src/connectors/jdbc/offset-columns.ts'
import { assignTables } from '../../../../src/connectors/jdbc/source-connector.ts'

const cols = [
  { name: 'id', nullable: false, autoIncrement: true, primaryKey: true, typeName: 'integer' },
  { name: 'Updated', nullable: true, typeName: 'timestamp with time zone' },
  { name: 'created', nullable: false, typeName: 'timestamp without time zone' },
  { name: 'note', nullable: true, typeName: 'text' },
]

test('auto-detects the serial primary key and matches names ignoring case', () => {
  const r = resolveOffsetColumns('table public.t', cols, 'timestamp+incrementing', '', ['updated', 'created'], true)
  assert.deepEqual(r, { incrementing: 'id', timestamps: ['Updated', 'created'], problems: [] })
})

test('problems name the key, the table and why', () => {
  const none = resolveOffsetColumns('table public.t', cols.slice(1), 'incrementing', '', [], true)
  assert.deepEqual(
    none.problems.map((p) => p.key),
    ['mode'],
  )
  assert.match(none.problems[0].message, /table public.t has no auto-increment/)
  const nullable = resolveOffsetColumns('table public.t', cols, 'timestamp', '', ['Updated'], true)
  assert.match(nullable.problems[0].message, /\[Updated\] on table public.t because all of these columns are nullable/)
  assert.deepEqual(resolveOffsetColumns('table public.t', cols, 'timestamp', '', ['Updated'], false).problems, [])
  const wrong = resolveOffsetColumns('table public.t', cols, 'incrementing', 'note', [], true)
  assert.deepEqual(
    wrong.problems.map((p) => p.key),
    ['incrementing.column.name', 'incrementing.column.name'],
  )
  assert.match(wrong.problems[0].message, /type text; it must be an integer type/)
  const missing = resolveOffsetColumns('table public.t', cols, 'timestamp', '', ['gone'], true)
  assert.match(missing.problems[0].message, /Timestamp column gone does not exist in table public.t/)
})

test('tables are dealt round-robin over at most tasks.max tasks', () => {
  const t = (n: string) => ({ database: 'd', schema: 's', table: n })
  const grouped = assignTables([t('a'), t('b'), t('c'), t('d'), t('e')], 2).map((g) => g.map((x) => x.table))
  assert.deepEqual(grouped, [
    ['a', 'c', 'e'],
    ['b', 'd'],
  ])
  assert.equal(assignTables([t('a')], 4).length, 1)
  assert.deepEqual(assignTables([], 4), [])
})
