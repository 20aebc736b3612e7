// When the source saw a record's data, carried with the record: as two Kafka headers (a contract — consumers and
// the lag exporter read them by these names) and as `SourceRecord.sourceTime` for the worker's own freshness
// histogram. `change` = the row's change time (the timestamp column); `poll` = when the source read it (no change
// time known: bulk and incrementing modes), an upper bound on when the row was committed.
import type { Header } from './source-record.ts'

export const SOURCE_TIMESTAMP_HEADER = 'flowscope.source.timestamp'
export const SOURCE_TIMESTAMP_BASIS_HEADER = 'flowscope.source.timestamp.basis'

export const SourceTimeBases = { CHANGE: 'change', POLL: 'poll' } as const
export type SourceTimeBasis = (typeof SourceTimeBases)[keyof typeof SourceTimeBases]

export interface SourceTime {
  /** The source table (the label of flowscope_source_* series: `schema.table`, or `query`). */
  table: string
  /** Milliseconds since the epoch. */
  timestampMs: number
  basis: SourceTimeBasis
}

/** The two headers for `time`: epoch milliseconds as a decimal string, and the basis. */
export function sourceTimeHeaders(time: SourceTime): Header[] {
  return [
    { key: SOURCE_TIMESTAMP_HEADER, value: String(Math.trunc(time.timestampMs)) },
    { key: SOURCE_TIMESTAMP_BASIS_HEADER, value: time.basis },
  ]
}

/**
 * Reads the headers back from a Kafka record's headers (bytes or text as the client gives them; repeated keys: the
 * last wins, as a consumer sees the latest). Undefined when the timestamp header is absent or not a whole number of
 * milliseconds; an absent or unknown basis reads as undefined basis.
 */
export function readSourceTimeHeaders(
  headers: Iterable<readonly [unknown, unknown]>,
): { timestampMs: number; basis?: SourceTimeBasis } | undefined {
  let timestamp: string | undefined
  let basis: string | undefined
  for (const [rawKey, rawValue] of headers) {
    const key = asText(rawKey)
    if (key === SOURCE_TIMESTAMP_HEADER) timestamp = asText(rawValue)
    else if (key === SOURCE_TIMESTAMP_BASIS_HEADER) basis = asText(rawValue)
  }
  if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) return undefined
  const timestampMs = Number(timestamp)
  return basis === SourceTimeBases.CHANGE || basis === SourceTimeBases.POLL ? { timestampMs, basis } : { timestampMs }
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  return undefined
}
