// Where a querier is in its table, as persisted in the offsets topic: table/query partitions and the
// timestamp/incrementing offset, in upstream's exact shapes (keys, protocol value, key order) so offsets written by
// Confluent's connector resume here and vice versa.

import { fullyQualifiedName, type TableId } from '../../postgres/dialect.ts'
import { type Instant, instantFromOffset, instantToMs } from '../../postgres/pg-text.ts'
import type { SourceOffset, SourcePartition } from '../../record/source-record.ts'

export const TABLE_NAME_KEY = 'table'
export const QUERY_NAME_KEY = 'query'
export const QUERY_NAME_VALUE = 'query'
export const OFFSET_PROTOCOL_VERSION_KEY = 'protocol'
export const PROTOCOL_VERSION_ONE = '1'
export const INCREMENTING_FIELD = 'incrementing'
export const TIMESTAMP_FIELD = 'timestamp'
export const TIMESTAMP_NANOS_FIELD = 'timestamp_nanos'

/** Protocol v1 (current): `{"protocol":"1","table":"db.schema.table"}` (key order as Java's HashMap writes it). */
export function tablePartition(id: TableId): SourcePartition {
  return { [OFFSET_PROTOCOL_VERSION_KEY]: PROTOCOL_VERSION_ONE, [TABLE_NAME_KEY]: fullyQualifiedName(id) }
}

/** Protocol v0 (legacy, read only): `{"table":"table"}`. */
export function tablePartitionV0(id: TableId): SourcePartition {
  return { [TABLE_NAME_KEY]: id.table }
}

export function queryPartition(): SourcePartition {
  return { [QUERY_NAME_KEY]: QUERY_NAME_VALUE }
}

/** A querier's position: the last incrementing id and/or the last timestamp emitted; null where unused or unset. */
export interface TimestampIncrementingOffset {
  incrementing: number | null
  timestamp: Instant | null
}

export const emptyOffset = (): TimestampIncrementingOffset => ({ incrementing: null, timestamp: null })

/** Serialised as upstream does: `{"timestamp_nanos":N,"incrementing":I,"timestamp":MS}`, absent parts left out. */
export function offsetToMap(offset: TimestampIncrementingOffset): SourceOffset {
  const map: SourceOffset = {}
  if (offset.timestamp) map[TIMESTAMP_NANOS_FIELD] = offset.timestamp.nano
  if (offset.incrementing !== null) map[INCREMENTING_FIELD] = offset.incrementing
  if (offset.timestamp) map[TIMESTAMP_FIELD] = instantToMs(offset.timestamp)
  return map
}

function asNumber(value: unknown, key: string): number | null {
  if (value === undefined || value === null) return null
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new Error(`Stored offset has a non-numeric ${key}: ${String(value)}`)
  return n
}

export function offsetFromMap(map: SourceOffset | null | undefined): TimestampIncrementingOffset {
  if (!map) return emptyOffset()
  const incrementing = asNumber(map[INCREMENTING_FIELD], INCREMENTING_FIELD)
  const ms = asNumber(map[TIMESTAMP_FIELD], TIMESTAMP_FIELD)
  const nanos = asNumber(map[TIMESTAMP_NANOS_FIELD], TIMESTAMP_NANOS_FIELD)
  return { incrementing, timestamp: ms === null ? null : instantFromOffset(ms, nanos) }
}
