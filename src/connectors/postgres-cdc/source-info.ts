// Debezium's envelope and `source` block for PostgreSQL (Envelope v2, io.debezium.connector.postgresql.Source v1):
// schemas in Debezium's field order, and the values of one event.
import type { Schema, Struct } from '../../record/schema.ts'
import { FLOWSCOPE_VERSION } from '../../version.ts'

/** Debezium's SnapshotRecord values, as written in source.snapshot. */
export type SnapshotMarker =
  | 'true'
  | 'first'
  | 'first_in_data_collection'
  | 'last_in_data_collection'
  | 'last'
  | 'false'
  | 'incremental'

const SNAPSHOT_VALUES = 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental'

const str = (optional = false): Schema => ({ type: 'string', optional })
const int64 = (optional = false): Schema => ({ type: 'int64', optional })

const fields = (list: [string, Schema][]) => list.map(([name, schema], index) => ({ name, index, schema }))

export const SOURCE_SCHEMA: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.postgresql.Source',
  version: 1,
  fields: fields([
    ['version', str()],
    ['connector', str()],
    ['name', str()],
    ['ts_ms', int64()],
    [
      'snapshot',
      {
        type: 'string',
        optional: true,
        name: 'io.debezium.data.Enum',
        version: 1,
        parameters: { allowed: SNAPSHOT_VALUES },
        defaultValue: 'false',
      },
    ],
    ['db', str()],
    ['sequence', str(true)],
    ['ts_us', int64(true)],
    ['ts_ns', int64(true)],
    ['schema', str()],
    ['table', str()],
    ['txId', int64(true)],
    ['lsn', int64(true)],
    ['xmin', int64(true)],
    ['origin', str(true)],
    ['origin_lsn', int64(true)],
  ]),
}

export const TRANSACTION_SCHEMA: Schema = {
  type: 'struct',
  optional: true,
  name: 'event.block',
  version: 1,
  fields: fields([
    ['id', str()],
    ['total_order', int64()],
    ['data_collection_order', int64()],
  ]),
}

export function envelopeSchema(name: string, valueSchema: Schema): Schema {
  return {
    type: 'struct',
    optional: false,
    name,
    version: 2,
    fields: fields([
      ['before', valueSchema],
      ['after', valueSchema],
      ['source', SOURCE_SCHEMA],
      ['transaction', TRANSACTION_SCHEMA],
      ['op', str()],
      ['ts_ms', int64(true)],
      ['ts_us', int64(true)],
      ['ts_ns', int64(true)],
    ]),
  }
}

export interface SourcePosition {
  /** topic.prefix */
  name: string
  db: string
  schema: string
  table: string
  /** When the change happened in the database (commit time), or when the snapshot read the row. */
  timeMicros: bigint
  snapshot: SnapshotMarker
  txId: number | null
  lsn: number | null
  lastCommitLsn: number | null
}

export function sourceStruct(p: SourcePosition): Struct {
  return {
    version: FLOWSCOPE_VERSION,
    connector: 'postgresql',
    name: p.name,
    ts_ms: Number(p.timeMicros / 1000n),
    snapshot: p.snapshot,
    db: p.db,
    sequence: JSON.stringify([
      p.lastCommitLsn === null ? null : String(p.lastCommitLsn),
      p.lsn === null ? null : String(p.lsn),
    ]),
    ts_us: Number(p.timeMicros),
    ts_ns: p.timeMicros * 1000n,
    schema: p.schema,
    table: p.table,
    // Incremental snapshot reads leave them out (Debezium's PostgresSourceInfoStructMaker); sequence keeps the lsn.
    txId: p.snapshot === 'incremental' ? null : p.txId,
    lsn: p.snapshot === 'incremental' ? null : p.lsn,
    xmin: null,
    origin: null,
    origin_lsn: null,
  }
}

/** The envelope's own clock fields (when the connector processed the event). */
export function processingTime(): { ts_ms: number; ts_us: number; ts_ns: bigint } {
  const ms = Date.now()
  return { ts_ms: ms, ts_us: ms * 1000, ts_ns: BigInt(ms) * 1_000_000n }
}
