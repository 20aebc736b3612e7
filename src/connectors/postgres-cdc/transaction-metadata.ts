// provide.transaction.metadata, as Debezium 3.6 does it (TransactionMonitor, TransactionContext,
// AbstractTransactionStructMaker and PostgresTransactionMonitor): a BEGIN and an END event per transaction on
// <topic.prefix>.<topic.transaction>, the envelope's `transaction` block on each change event, and the open
// transaction's counters in the streaming offsets, so a restart in the middle of a transaction goes on counting.
import type { Schema, Struct } from '../../record/schema.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../../record/source-record.ts'
import { JavaHashMap } from './java-hash-order.ts'
import type { Lsn } from './lsn.ts'

/** TransactionContext's offset keys: the open transaction's id and each table's event count so far. */
export const TransactionOffsetKeys = {
  ID: 'transaction_id',
  DATA_COLLECTION_ORDER_PREFIX: 'transaction_data_collection_order_',
} as const

const EVENT_COLLECTION_SCHEMA: Schema = {
  type: 'struct',
  optional: true,
  name: 'event.collection',
  version: 1,
  fields: [
    { name: 'data_collection', index: 0, schema: { type: 'string', optional: false } },
    { name: 'event_count', index: 1, schema: { type: 'int64', optional: false } },
  ],
}

export const TRANSACTION_KEY_SCHEMA: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataKey',
  version: 1,
  fields: [{ name: 'id', index: 0, schema: { type: 'string', optional: false } }],
}

export const TRANSACTION_VALUE_SCHEMA: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataValue',
  version: 1,
  fields: [
    { name: 'status', index: 0, schema: { type: 'string', optional: false } },
    { name: 'id', index: 1, schema: { type: 'string', optional: false } },
    { name: 'event_count', index: 2, schema: { type: 'int64', optional: true } },
    {
      name: 'data_collections',
      index: 3,
      schema: { type: 'array', optional: true, valueSchema: EVENT_COLLECTION_SCHEMA },
    },
    { name: 'ts_ms', index: 4, schema: { type: 'int64', optional: false } },
  ],
}

/** Debezium's topic for BEGIN/END events: `<topic.prefix>.<topic.transaction>` (not sanitized). */
export function transactionTopic(topicPrefix: string, topicTransaction: string): string {
  return `${topicPrefix}.${topicTransaction}`
}

/**
 * The open transaction (Debezium's TransactionContext): its id (the xid as text), how many events it produced, per
 * table ("schema.table") in java.util.HashMap order, which is the order END's data_collections lists them in.
 */
export class TransactionContext {
  id: string | null = null
  total = 0
  readonly #perTable = new JavaHashMap<number>()

  get inProgress(): boolean {
    return this.id !== null
  }

  begin(id: string): void {
    this.end()
    this.id = id
  }

  end(): void {
    this.id = null
    this.total = 0
    this.#perTable.clear()
  }

  /** Counts one event of `table`; its order among that table's events in the transaction. */
  event(table: string): number {
    this.total++
    const order = (this.#perTable.get(table) ?? 0) + 1
    this.#perTable.set(table, order)
    return order
  }

  perTable(): [string, number][] {
    return this.#perTable.entries()
  }

  /** TransactionContext.store: the id and per-table counts added to a streaming offset. */
  store(offset: SourceOffset): SourceOffset {
    if (this.id !== null) offset[TransactionOffsetKeys.ID] = this.id
    for (const [table, count] of this.#perTable.entries()) {
      offset[`${TransactionOffsetKeys.DATA_COLLECTION_ORDER_PREFIX}${table}`] = count
    }
    return offset
  }

  /** TransactionContext.load: the context a stored offset describes (none open when it has no transaction_id). */
  static load(offset: SourceOffset | null): TransactionContext {
    const context = new TransactionContext()
    if (!offset) return context
    const id = offset[TransactionOffsetKeys.ID]
    context.id = typeof id === 'string' ? id : typeof id === 'number' ? String(id) : null
    for (const [key, value] of Object.entries(offset)) {
      if (!key.startsWith(TransactionOffsetKeys.DATA_COLLECTION_ORDER_PREFIX)) continue
      const count = typeof value === 'number' ? value : Number(value)
      if (!Number.isSafeInteger(count)) continue
      context.#perTable.set(key.slice(TransactionOffsetKeys.DATA_COLLECTION_ORDER_PREFIX.length), count)
      context.total += count
    }
    return context
  }
}

/** PostgresTransactionMonitor's id in keys, BEGIN/END values and blocks: `<xid>:<LSN of the event>`. */
export function transactionEventId(context: TransactionContext, lsn: Lsn): string {
  return `${context.id}:${lsn}`
}

/** The envelope's `transaction` block of an event that the context has just counted (`order` from event()). */
export function transactionBlock(context: TransactionContext, lsn: Lsn, order: number): Struct {
  return { id: transactionEventId(context, lsn), total_order: context.total, data_collection_order: order }
}

export interface TransactionEventPosition {
  partition: SourcePartition
  /** The streaming offset at the BEGIN or COMMIT message, with the context stored in it. */
  offset: SourceOffset
  topic: string
  lsn: Lsn
  /** The transaction's commit time (both BEGIN and END carry it, as Debezium's ts_ms). */
  commitTimeMicros: bigint
}

function transactionRecord(context: TransactionContext, p: TransactionEventPosition, value: Struct): SourceRecord {
  return {
    sourcePartition: p.partition,
    sourceOffset: p.offset,
    topic: p.topic,
    keySchema: TRANSACTION_KEY_SCHEMA,
    key: { id: transactionEventId(context, p.lsn) },
    valueSchema: TRANSACTION_VALUE_SCHEMA,
    value,
  }
}

const epochMillis = (micros: bigint) => Number(micros / 1000n - (micros < 0n && micros % 1000n !== 0n ? 1n : 0n))

export function beginEvent(context: TransactionContext, p: TransactionEventPosition): SourceRecord {
  return transactionRecord(context, p, {
    status: 'BEGIN',
    id: transactionEventId(context, p.lsn),
    event_count: null,
    data_collections: null,
    ts_ms: epochMillis(p.commitTimeMicros),
  })
}

export function endEvent(context: TransactionContext, p: TransactionEventPosition): SourceRecord {
  return transactionRecord(context, p, {
    status: 'END',
    id: transactionEventId(context, p.lsn),
    event_count: context.total,
    data_collections: context.perTable().map(([table, count]) => ({ data_collection: table, event_count: count })),
    ts_ms: epochMillis(p.commitTimeMicros),
  })
}
