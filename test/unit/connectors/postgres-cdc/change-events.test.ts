// Debezium's records for one change: envelopes, tombstones, key changes, TOAST placeholders, required-field
// fallbacks under REPLICA IDENTITY DEFAULT, truncates and heartbeats.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ChangeEventBuilder } from '../../../../src/connectors/postgres-cdc/change-events.ts'
import { mapColumnType } from '../../../../src/connectors/postgres-cdc/column-types.ts'
import { parsePostgresCdcConfig } from '../../../../src/connectors/postgres-cdc/config.ts'
import { UNCHANGED_TOAST } from '../../../../src/connectors/postgres-cdc/pgoutput.ts'
import { envelopeSchema } from '../../../../src/connectors/postgres-cdc/source-info.ts'
import type { TableModel } from '../../../../src/connectors/postgres-cdc/tables.ts'

const { config, errors } = parsePostgresCdcConfig({
  'database.hostname': 'db',
  'database.user': 'u',
  'database.dbname': 'shop',
  'topic.prefix': 'shop',
})
assert.ok(config, JSON.stringify([...errors]))

function model(replicaIdentity = 'd'): TableModel {
  const int = mapColumnType({ oid: 23, name: 'int4', typmod: -1 }, config!)
  const text = mapColumnType({ oid: 25, name: 'text', typmod: -1 }, config!)
  const valueSchema = {
    type: 'struct' as const,
    optional: true,
    name: 'shop.public.users.Value',
    fields: [
      { name: 'id', index: 0, schema: { ...int.schema, optional: false } },
      { name: 'name', index: 1, schema: { ...text.schema, optional: false } },
      { name: 'bio', index: 2, schema: { ...text.schema, optional: true } },
    ],
  }
  return {
    schema: 'public',
    table: 'users',
    topic: 'shop.public.users',
    columns: [
      { name: 'id', mapping: int, captured: true },
      { name: 'name', mapping: text, captured: true },
      { name: 'bio', mapping: text, captured: true },
    ],
    keyIndexes: [0],
    keySchema: {
      type: 'struct',
      optional: false,
      name: 'shop.public.users.Key',
      fields: [{ name: 'id', index: 0, schema: { ...int.schema, optional: false } }],
    },
    valueSchema,
    envelopeSchema: envelopeSchema('shop.public.users.Envelope', valueSchema),
    replicaIdentity,
  }
}

const source = {
  db: 'shop',
  timeMicros: 1_700_000_000_123_456n,
  snapshot: 'false' as const,
  txId: 7,
  lsn: 500,
  lastCommitLsn: 400,
}
const events = new ChangeEventBuilder(config!, { server: 'shop' })

test('a delete under REPLICA IDENTITY DEFAULT: key columns in before, required others as their zero, then a tombstone', () => {
  const [del, tombstone] = events.change(model(), 'd', ['5', null, null], null, source, { lsn: 500 }, null)
  const value = del.value as Record<string, unknown>
  assert.deepEqual(value.before, { id: 5, name: '', bio: null })
  assert.equal(value.after, null)
  assert.equal(value.op, 'd')
  assert.deepEqual(del.key, { id: 5 })
  assert.equal(del.topic, 'shop.public.users')
  assert.deepEqual(tombstone.key, { id: 5 })
  assert.equal(tombstone.value, null)
  assert.deepEqual(tombstone.sourceOffset, { lsn: 500 })
  const src = value.source as Record<string, unknown>
  assert.equal(src.ts_ms, 1_700_000_000_123)
  assert.equal(src.ts_us, 1_700_000_000_123_456)
  assert.equal(src.ts_ns, 1_700_000_000_123_456_000n)
  assert.equal(src.sequence, '["400","500"]')
})

test('tombstones.on.delete=false: no tombstone', () => {
  const quiet = new ChangeEventBuilder({ ...config!, tombstonesOnDelete: false }, { server: 'shop' })
  assert.equal(quiet.change(model(), 'd', ['5', null, null], null, source, {}, null).length, 1)
})

test('an update: before null under DEFAULT, the old row under FULL; unchanged TOAST as the placeholder', () => {
  const [update] = events.change(model(), 'u', null, ['5', 'Ann', UNCHANGED_TOAST], source, {}, null)
  assert.equal((update.value as Record<string, unknown>).before, null)
  assert.deepEqual((update.value as Record<string, unknown>).after, {
    id: 5,
    name: 'Ann',
    bio: '__debezium_unavailable_value',
  })
  const [full] = events.change(model('f'), 'u', ['5', 'Bob', 'x'], ['5', 'Ann', 'x'], source, {}, null)
  assert.deepEqual((full.value as Record<string, unknown>).before, { id: 5, name: 'Bob', bio: 'x' })
})

test('an update that changes the key: delete of the old key, its tombstone, create of the new', () => {
  const records = events.change(model(), 'u', ['5', null, null], ['6', 'Ann', null], source, {}, null)
  assert.deepEqual(
    records.map((r) => [(r.value as { op?: string } | null)?.op ?? 'tombstone', r.key]),
    [
      ['d', { id: 5 }],
      ['tombstone', { id: 5 }],
      ['c', { id: 6 }],
    ],
  )
})

test('truncate and heartbeat records', () => {
  const truncate = events.truncate(model(), source, { lsn: 1 })
  assert.equal((truncate.value as { op: string }).op, 't')
  assert.equal(truncate.key, null)
  const heartbeat = events.heartbeat({ lsn_commit: 9 })
  assert.equal(heartbeat.topic, '__debezium-heartbeat.shop')
  assert.deepEqual(heartbeat.key, { serverName: 'shop' })
  assert.deepEqual(heartbeat.sourceOffset, { lsn_commit: 9 })
})
