// provide.transaction.metadata as Debezium 3.6 writes it: the transaction context's counters and offset keys, the
// envelope's transaction block, and the BEGIN/END events of <prefix>.transaction.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  beginEvent,
  endEvent,
  TRANSACTION_KEY_SCHEMA,
  TRANSACTION_VALUE_SCHEMA,
  TransactionContext,
  transactionBlock,
  transactionTopic,
} from '../../../../src/connectors/postgres-cdc/transaction-metadata.ts'

const position = (lsn: number, offset: Record<string, unknown> = {}) => ({
  partition: { server: 'shop' },
  offset,
  topic: transactionTopic('shop', 'transaction'),
  lsn,
  commitTimeMicros: 1_700_000_000_123_456n,
})

test('events count per transaction and per table; blocks carry "<xid>:<lsn>" and both orders', () => {
  const context = new TransactionContext()
  assert.equal(context.inProgress, false)
  context.begin('744')
  assert.deepEqual(transactionBlock(context, 500, context.event('public.orders')), {
    id: '744:500',
    total_order: 1,
    data_collection_order: 1,
  })
  context.event('public.customers')
  assert.deepEqual(transactionBlock(context, 540, context.event('public.orders')), {
    id: '744:540',
    total_order: 3,
    data_collection_order: 2,
  })
  assert.deepEqual(context.perTable(), [
    ['public.orders', 2],
    ['public.customers', 1],
  ])
  context.end()
  assert.equal(context.inProgress, false)
  assert.equal(context.total, 0)
  assert.deepEqual(context.perTable(), [])
})

test('the open transaction is stored in offsets with Debezium’s keys and loaded back', () => {
  const context = new TransactionContext()
  context.begin('744')
  context.event('public.orders')
  context.event('public.orders')
  context.event('public.customers')
  const offset = context.store({ lsn: 540, messageType: 'INSERT' })
  assert.deepEqual(offset, {
    lsn: 540,
    messageType: 'INSERT',
    transaction_id: '744',
    'transaction_data_collection_order_public.orders': 2,
    'transaction_data_collection_order_public.customers': 1,
  })
  const loaded = TransactionContext.load(JSON.parse(JSON.stringify(offset)))
  assert.equal(loaded.id, '744')
  assert.equal(loaded.total, 3, 'the total is the sum of the tables’ counts')
  assert.deepEqual(transactionBlock(loaded, 560, loaded.event('public.customers')), {
    id: '744:560',
    total_order: 4,
    data_collection_order: 2,
  })
  const none = TransactionContext.load({ lsn: 1, lsn_proc: 1, messageType: 'COMMIT' })
  assert.equal(none.inProgress, false)
  assert.deepEqual(new TransactionContext().store({ lsn: 1 }), { lsn: 1 }, 'no transaction, no keys')
})

test('BEGIN and END on <prefix>.transaction: TransactionMetadataKey/Value, commit time in ms, END with counts', () => {
  const context = new TransactionContext()
  context.begin('744')
  const begin = beginEvent(context, position(480, { lsn: 480, transaction_id: '744' }))
  assert.equal(begin.topic, 'shop.transaction')
  assert.deepEqual(begin.sourcePartition, { server: 'shop' })
  assert.deepEqual(begin.sourceOffset, { lsn: 480, transaction_id: '744' })
  assert.equal(begin.keySchema, TRANSACTION_KEY_SCHEMA)
  assert.deepEqual(begin.key, { id: '744:480' })
  assert.equal(begin.valueSchema, TRANSACTION_VALUE_SCHEMA)
  assert.deepEqual(begin.value, {
    status: 'BEGIN',
    id: '744:480',
    event_count: null,
    data_collections: null,
    ts_ms: 1_700_000_000_123,
  })
  context.event('public.orders')
  context.event('public.customers')
  context.event('public.orders')
  const end = endEvent(context, position(600))
  assert.deepEqual(end.key, { id: '744:600' })
  assert.deepEqual(end.value, {
    status: 'END',
    id: '744:600',
    event_count: 3,
    data_collections: [
      { data_collection: 'public.orders', event_count: 2 },
      { data_collection: 'public.customers', event_count: 1 },
    ],
    ts_ms: 1_700_000_000_123,
  })
  assert.deepEqual(
    TRANSACTION_VALUE_SCHEMA.fields?.map((f) => [f.name, f.schema.type, f.schema.optional]),
    [
      ['status', 'string', false],
      ['id', 'string', false],
      ['event_count', 'int64', true],
      ['data_collections', 'array', true],
      ['ts_ms', 'int64', false],
    ],
  )
})
