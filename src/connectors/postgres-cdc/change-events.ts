// One change in, Debezium's records out: key and envelope (before/after/source/op/ts_*/transaction) on
// <prefix>.<schema>.<table>, the tombstone after a delete, the delete + tombstone + create of a key change,
// truncate events, and heartbeats on __debezium-heartbeat.<prefix>.
import { messageOf } from '../../errors.ts'
import type { Schema, Struct } from '../../record/schema.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../../record/source-record.ts'
import type { PostgresCdcConfig } from './config.ts'
import { type TupleValue, UNCHANGED_TOAST } from './pgoutput.ts'
import { processingTime, type SourcePosition, sourceStruct } from './source-info.ts'
import type { TableColumn, TableModel } from './tables.ts'

export type Op = 'c' | 'u' | 'd' | 'r' | 't'

/** What a required field holds when the data has no value for it (Debezium's converters' fallbacks). */
function fallback(schema: Schema): unknown {
  if (schema.defaultValue !== undefined) return schema.defaultValue
  if (schema.optional) return null
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return schema.name === 'org.apache.kafka.connect.data.Date' ||
        schema.name === 'org.apache.kafka.connect.data.Time' ||
        schema.name === 'org.apache.kafka.connect.data.Timestamp'
        ? new Date(0)
        : 0
    case 'boolean':
      return false
    case 'string':
      return ''
    case 'bytes':
      return schema.name === 'org.apache.kafka.connect.data.Decimal' ? '0' : Buffer.alloc(0)
    case 'array':
      return []
    case 'struct':
      return Object.fromEntries((schema.fields ?? []).map((f) => [f.name, fallback(f.schema)]))
    default:
      return null
  }
}

/** A column's value in its Debezium representation; a value it has none for fails naming table and column. */
function convertColumn(model: TableModel, column: TableColumn, raw: string): unknown {
  try {
    return column.mapping.convert(raw)
  } catch (error) {
    throw new Error(`Column ${model.schema}.${model.table}.${column.name}: ${messageOf(error)}`, { cause: error })
  }
}

function unavailable(schema: Schema, placeholder: string): unknown {
  if (schema.type === 'string') return placeholder
  if (schema.type === 'bytes' && schema.name === undefined) return Buffer.from(placeholder)
  if (schema.type === 'array' && schema.valueSchema?.type === 'string') return [placeholder]
  return fallback(schema)
}

export class ChangeEventBuilder {
  readonly #config: PostgresCdcConfig
  readonly #partition: SourcePartition

  constructor(config: PostgresCdcConfig, partition: SourcePartition) {
    this.#config = config
    this.#partition = partition
  }

  /** A row struct of `model`'s value schema from tuple values (all columns), or null. */
  row(model: TableModel, values: TupleValue[] | null): Struct | null {
    if (values === null) return null
    const out: Struct = {}
    const fields = model.valueSchema.fields ?? []
    let f = 0
    model.columns.forEach((column, i) => {
      if (!column.captured) return
      const field = fields[f++]
      const raw = values[i]
      if (raw === UNCHANGED_TOAST)
        out[column.name] = unavailable(field.schema, this.#config.unavailableValuePlaceholder)
      else if (raw === null || raw === undefined) out[column.name] = fallback(field.schema)
      else out[column.name] = convertColumn(model, column, raw)
    })
    return out
  }

  key(model: TableModel, values: TupleValue[] | null): Struct | null {
    if (model.keySchema === null || values === null) return null
    const out: Struct = {}
    const fields = model.keySchema.fields ?? []
    model.keyIndexes.forEach((columnIndex, k) => {
      const raw = values[columnIndex]
      out[fields[k].name] =
        raw === null || raw === undefined || raw === UNCHANGED_TOAST
          ? fallback(fields[k].schema)
          : convertColumn(model, model.columns[columnIndex], raw)
    })
    return out
  }

  /**
   * Records of one change. `before` is the old tuple as the WAL has it (key columns only under REPLICA IDENTITY
   * DEFAULT, with the others null), `after` the new one.
   */
  change(
    model: TableModel,
    op: Op,
    before: TupleValue[] | null,
    after: TupleValue[] | null,
    source: Omit<SourcePosition, 'schema' | 'table' | 'name'>,
    offset: SourceOffset,
    transaction: Struct | null,
  ): SourceRecord[] {
    const sourceValue = sourceStruct({
      ...source,
      name: this.#config.topicPrefix,
      schema: model.schema,
      table: model.table,
    })
    const base = { sourcePartition: this.#partition, sourceOffset: offset, topic: model.topic }
    const keySchema = model.keySchema
    const envelope = (o: Op, b: TupleValue[] | null, a: TupleValue[] | null): SourceRecord => ({
      ...base,
      keySchema,
      key: this.key(model, a ?? b),
      valueSchema: model.envelopeSchema,
      value: {
        before: this.row(model, b),
        after: this.row(model, a),
        source: sourceValue,
        transaction,
        op: o,
        ...processingTime(),
      },
    })
    const tombstone = (b: TupleValue[] | null): SourceRecord => ({
      ...base,
      keySchema,
      key: this.key(model, b),
      valueSchema: null,
      value: null,
    })
    if (op === 'u' && before !== null && keySchema !== null) {
      const oldKey = JSON.stringify(this.key(model, before), jsonSafe)
      const newKey = JSON.stringify(this.key(model, after), jsonSafe)
      if (oldKey !== newKey) {
        // A changed key: Debezium emits a delete of the old key (and its tombstone), then a create of the new.
        const out = [envelope('d', before, null)]
        if (this.#config.tombstonesOnDelete) out.push(tombstone(before))
        out.push(envelope('c', null, after))
        return out
      }
    }
    // Under REPLICA IDENTITY DEFAULT an update carries no old row: Debezium's `before` is null.
    const effectiveBefore = op === 'u' && model.replicaIdentity !== 'f' ? null : before
    const out = [envelope(op, effectiveBefore, after)]
    if (op === 'd' && this.#config.tombstonesOnDelete && keySchema !== null) out.push(tombstone(before))
    return out
  }

  truncate(
    model: TableModel,
    source: Omit<SourcePosition, 'schema' | 'table' | 'name'>,
    offset: SourceOffset,
  ): SourceRecord {
    return {
      sourcePartition: this.#partition,
      sourceOffset: offset,
      topic: model.topic,
      keySchema: null,
      key: null,
      valueSchema: model.envelopeSchema,
      value: {
        before: null,
        after: null,
        source: sourceStruct({ ...source, name: this.#config.topicPrefix, schema: model.schema, table: model.table }),
        transaction: null,
        op: 't',
        ...processingTime(),
      },
    }
  }

  heartbeat(offset: SourceOffset): SourceRecord {
    return {
      sourcePartition: this.#partition,
      sourceOffset: offset,
      topic: `__debezium-heartbeat.${this.#config.topicPrefix}`,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: { serverName: this.#config.topicPrefix },
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: { ts_ms: Date.now() },
    }
  }
}

const jsonSafe = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? value.toString() : Buffer.isBuffer(value) ? value.toString('hex') : value

const HEARTBEAT_KEY_SCHEMA: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.common.ServerNameKey',
  version: 1,
  fields: [{ name: 'serverName', index: 0, schema: { type: 'string', optional: false } }],
}

const HEARTBEAT_VALUE_SCHEMA: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.common.Heartbeat',
  version: 1,
  fields: [{ name: 'ts_ms', index: 0, schema: { type: 'int64', optional: false } }],
}
