// How stale a consumer group's position is against the source database, from the flowscope.source.timestamp header
// the records carry (src/record/source-time.ts): the consumer end of the flow's end-to-end freshness.
//
// - lagging: now − source time of the first unconsumed record (the record lag_seconds reads): the oldest change the
//   group has not seen has waited this long since it was in the database;
// - caught up: now − source time of the last record it consumed (log end − 1): the newest change it has seen is this
//   old. Continuous with the lagging case (consuming the last record leaves the figure where it was), an upper bound
//   of the true staleness, and it grows while the source is idle, as flowscope_source_freshness_seconds does — read
//   it with the lag in offsets.
// Absent when that record was not read (fetch budget spent) or carries no such header (not a flowscope topic).
import type { SourceTimeBasis } from '../record/source-time.ts'
import type { RecordTimestamp } from './poller.ts'

export interface GroupFreshness {
  seconds: number
  /** The header's basis; `unknown` when a record has the timestamp header but no (known) basis. */
  basis: SourceTimeBasis | 'unknown'
  position: 'first_unconsumed' | 'last_consumed'
}

export function groupFreshness(input: {
  committed: bigint
  earliest: bigint
  latest: bigint
  nowMs: number
  /** The record read at max(committed, earliest) when lagging, at latest − 1 when caught up. */
  record: RecordTimestamp | undefined
}): GroupFreshness | undefined {
  const { committed, earliest, latest, nowMs, record } = input
  const caughtUp = committed >= latest
  if (caughtUp && latest <= earliest) return undefined
  const source = record?.source
  if (!record || !source) return undefined
  // The record must be the one asked for: the first surviving one at or after the position, before the log end.
  const from = caughtUp ? latest - 1n : committed < earliest ? earliest : committed
  if (record.offset < from || record.offset >= latest) return undefined
  return {
    seconds: Math.max(0, nowMs - source.timestampMs) / 1000,
    basis: source.basis ?? 'unknown',
    position: caughtUp ? 'last_consumed' : 'first_unconsumed',
  }
}
