// Debezium's ExtractNewRecordState on Postgres change events: the row state out of the envelope, each delete and
// tombstone mode, metadata into fields and headers, routing by a column, and the pre-3.2 keys still honoured.
// Checked against Debezium 3.6.1's class in test/integration/compat/transforms.test.ts.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Schema } from '../../../src/record/schema.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { int64, record, single, str, struct } from './helpers.ts'

const UNWRAP = 'io.debezium.transforms.ExtractNewRecordState'
const row = struct(
  'srv.public.items.Value',
  [
    ['id', int64()],
    ['title', str()],
    ['dest', str()],
  ],
  true,
)
const envelope: Schema = struct('srv.public.items.Envelope', [
  ['before', row],
  ['after', row],
  [
    'source',
    struct('io.debezium.connector.postgresql.Source', [
      ['db', str(false)],
      ['table', str(false)],
      ['lsn', int64(true)],
    ]),
  ],
  ['op', str(false)],
  ['ts_ms', int64(true)],
])
const source = { db: 'shop', table: 'items', lsn: 99 }
const pen = { id: 1, title: 'pen', dest: 'pens' }

function change(op: string, before: unknown, after: unknown): SourceRecord {
  return record({
    topic: 'srv.public.items',
    keySchema: struct('srv.public.items.Key', [['id', int64()]]),
    key: { id: 1 },
    valueSchema: envelope,
    value: { before, after, source, op, ts_ms: 5 },
  })
}
const tombstone = record({ topic: 'srv.public.items', key: { id: 1 }, value: null })

describe('ExtractNewRecordState', () => {
  test('creates, updates and snapshot reads become the `after` row with its schema', () => {
    const unwrap = single(UNWRAP)
    for (const op of ['c', 'u', 'r']) {
      const out = unwrap.apply(change(op, null, pen))
      assert.deepEqual(out?.value, pen)
      assert.equal(out?.valueSchema?.name, 'srv.public.items.Value')
      assert.equal(out?.valueSchema?.optional, false, "rebuilt as Debezium does (copySchemaBasics drops 'optional')")
    }
  })

  test('default mode (tombstone): a delete keeps only a null value; the original tombstone is dropped', () => {
    const unwrap = single(UNWRAP)
    const deleted = unwrap.apply(change('d', pen, null))
    assert.equal(deleted?.value, null)
    assert.equal(deleted?.valueSchema, row, "Debezium's `after` extraction keeps the row schema")
    assert.equal(unwrap.apply(tombstone), null)
    assert.equal(unwrap.apply(change('t', null, null)), null, 'truncate events are dropped')
  })

  test('each delete.tombstone.handling.mode', () => {
    const deleted = change('d', pen, null)
    const outcome = (mode: string) => {
      const unwrap = single(UNWRAP, { 'delete.tombstone.handling.mode': mode })
      return [unwrap.apply(deleted)?.value ?? null, unwrap.apply(tombstone) === null ? 'dropped' : 'kept']
    }
    assert.deepEqual(outcome('drop'), [null, 'dropped'])
    assert.deepEqual(outcome('rewrite'), [{ ...pen, __deleted: 'true' }, 'dropped'])
    assert.deepEqual(outcome('rewrite-with-tombstone'), [{ ...pen, __deleted: 'true' }, 'kept'])
    const toTombstone = single(UNWRAP, { 'delete.tombstone.handling.mode': 'delete-to-tombstone' }).apply(deleted)
    assert.deepEqual([toTombstone?.value, toTombstone?.valueSchema], [null, null])
    const rewritten = single(UNWRAP, { 'delete.tombstone.handling.mode': 'rewrite' }).apply(change('c', null, pen))
    assert.deepEqual(rewritten?.value, { ...pen, __deleted: 'false' })
  })

  test('add.fields and add.headers copy envelope metadata, with prefixes and renames', () => {
    const unwrap = single(UNWRAP, {
      'add.fields': 'op,table,source.lsn:LSN,ts_ms',
      'add.headers': 'op,db',
      'add.headers.prefix': 'dbz.',
    })
    const out = unwrap.apply(change('u', pen, pen))
    assert.deepEqual(out?.value, { ...pen, __op: 'u', __table: 'items', __LSN: 99, __ts_ms: 5 })
    assert.deepEqual(
      out?.valueSchema?.fields?.slice(3).map((f) => [f.name, f.schema.type, f.schema.optional]),
      [
        ['__op', 'string', true],
        ['__table', 'string', true],
        ['__LSN', 'int64', true],
        ['__ts_ms', 'int64', true],
      ],
    )
    assert.deepEqual(
      out?.headers?.map((h) => [h.key, h.value]),
      [
        ['dbz.op', 'u'],
        ['dbz.db', 'shop'],
      ],
    )
    const headerOnTombstone = single(UNWRAP, {
      'add.headers': 'op',
      'delete.tombstone.handling.mode': 'rewrite-with-tombstone',
    })
    assert.deepEqual(
      headerOnTombstone.apply(tombstone)?.headers?.map((h) => [h.key, h.value]),
      [['__op', 'd']],
    )
  })

  test('route.by.field takes the topic from the row (from `before` for deletes)', () => {
    const unwrap = single(UNWRAP, { 'route.by.field': 'dest', 'delete.tombstone.handling.mode': 'rewrite' })
    assert.equal(unwrap.apply(change('c', null, pen))?.topic, 'pens')
    assert.equal(unwrap.apply(change('d', { ...pen, dest: 'old' }, null))?.topic, 'old')
  })

  test('records that are not change events pass unchanged', () => {
    const plain = record({ valueSchema: str(false), value: 'hello' })
    assert.equal(single(UNWRAP).apply(plain), plain)
  })

  test('the keys removed in Debezium 3.2 are honoured as 3.1 did while the new key is unset', () => {
    const legacy = (settings: Record<string, string>) => {
      const unwrap = single(UNWRAP, settings)
      return [
        unwrap.apply(change('d', pen, null))?.value ?? null,
        unwrap.apply(tombstone) === null ? 'dropped' : 'kept',
      ]
    }
    assert.deepEqual(legacy({ 'drop.tombstones': 'false' }), [null, 'kept'], 'delete.handling.mode defaults to drop')
    assert.deepEqual(legacy({ 'delete.handling.mode': 'rewrite' }), [{ ...pen, __deleted: 'true' }, 'dropped'])
    assert.deepEqual(legacy({ 'delete.handling.mode': 'none', 'drop.tombstones': 'false' }), [null, 'kept'])
    assert.deepEqual(
      legacy({ 'delete.handling.mode': 'rewrite', 'delete.tombstone.handling.mode': 'drop' }),
      [null, 'dropped'],
      'the new key wins',
    )
  })

  test('an unknown mode is refused with the values allowed', () => {
    assert.throws(
      () => single(UNWRAP, { 'delete.tombstone.handling.mode': 'purge' }),
      /Invalid value purge for configuration delete.tombstone.handling.mode: Value must be one of drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone/,
    )
  })
})
