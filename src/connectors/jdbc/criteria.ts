// Mode + columns + offset in, the SQL text and bind values of one query round out (upstream's
// TimestampIncrementingCriteria): bulk reads all, incrementing `id > ?`, timestamp `ts > ? AND ts < ?`,
// timestamp+incrementing `ts < ? AND ((ts = ? AND id > ?) OR ts > ?)`, each ordered for exact resumption.
import { type QuoteMethod, qualifiedTable, quoteIdentifier, type TableId } from '../../postgres/dialect.ts'
import { type Instant, instantToIso } from '../../postgres/pg-text.ts'
import { type Mode, Modes } from './config.ts'
import type { TimestampIncrementingOffset } from './offsets.ts'

export type QuerySource = { kind: 'table'; table: TableId } | { kind: 'query'; query: string }

export interface CriteriaColumns {
  incrementing: string | null
  timestamps: string[]
}

export interface RoundQuery {
  text: string
  values: string[]
}

export function baseSelect(source: QuerySource, quote: QuoteMethod): string {
  return source.kind === 'table' ? `SELECT * FROM ${qualifiedTable(source.table, quote)}` : source.query
}

/** The timestamp expression: one column, or COALESCE of several (first non-null wins). */
export function timestampExpression(columns: string[], quote: QuoteMethod): string {
  const quoted = columns.map((c) => quoteIdentifier(c, quote))
  return quoted.length === 1 ? quoted[0] : `COALESCE(${quoted.join(',')})`
}

/** The SQL text for a mode; parameters are $1.. in the order `roundValues` returns them. */
export function buildQueryText(
  source: QuerySource,
  mode: Mode,
  columns: CriteriaColumns,
  quote: QuoteMethod,
  suffix: string,
): string {
  let sql = baseSelect(source, quote)
  const inc = columns.incrementing === null ? '' : quoteIdentifier(columns.incrementing, quote)
  const ts = timestampExpression(columns.timestamps, quote)
  switch (mode) {
    case Modes.BULK:
      break
    case Modes.INCREMENTING:
      sql += ` WHERE ${inc} > $1 ORDER BY ${inc} ASC`
      break
    case Modes.TIMESTAMP:
      sql += ` WHERE ${ts} > $1::timestamptz AND ${ts} < $2::timestamptz ORDER BY ${ts} ASC`
      break
    case Modes.TIMESTAMP_INCREMENTING:
      sql +=
        ` WHERE ${ts} < $1::timestamptz AND ((${ts} = $2::timestamptz AND ${inc} > $3) OR ${ts} > $2::timestamptz)` +
        ` ORDER BY ${ts},${inc} ASC`
      break
  }
  if (suffix !== '') sql += ` ${suffix}`
  return sql
}

const EPOCH: Instant = { epochSecond: 0, nano: 0 }

/** Bind values for one round: from the offset (unset: timestamp 0, id -1, as upstream) up to `end` (now − delay). */
export function roundValues(mode: Mode, offset: TimestampIncrementingOffset, end: Instant): string[] {
  const begin = instantToIso(offset.timestamp ?? EPOCH)
  const lastId = String(offset.incrementing ?? -1)
  switch (mode) {
    case Modes.BULK:
      return []
    case Modes.INCREMENTING:
      return [lastId]
    case Modes.TIMESTAMP:
      return [begin, instantToIso(end)]
    case Modes.TIMESTAMP_INCREMENTING:
      return [instantToIso(end), begin, lastId]
  }
}
