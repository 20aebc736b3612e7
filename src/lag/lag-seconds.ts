// Lag in seconds for one partition of one group: how long ago the first record the group has not consumed was
// written. Exact when that record's timestamp was read (method "record_ts"); otherwise interpolated from an
// offset→time table of the partition's log-end offset sampled at every poll (Kafka Lag Exporter's method, kept in
// memory). Pure: the poller supplies the offsets, the record timestamp (when it read one) and the clock.

export type LagMethod = 'record_ts' | 'interpolated'

/**
 * How trustworthy the figure is, reported beside it rather than hidden:
 * - exact: the record at the committed offset was read;
 * - compacted: that record is gone (compaction, transaction markers) and the next surviving one was read;
 * - below_log_start: the committed offset is below the log start (records deleted before being consumed); the
 *   oldest surviving record was read, so the figure is a lower bound;
 * - interpolated / extrapolated: from the offset→time table, inside / outside its sampled range;
 * - caught_up: nothing to consume (0);
 * - past_log_end: the committed offset is beyond the log end (topic truncated or recreated); lag reported as 0;
 * - unknown: no record read and too few table points; no seconds figure is reported.
 */
export type LagQuality =
  | 'exact'
  | 'compacted'
  | 'below_log_start'
  | 'interpolated'
  | 'extrapolated'
  | 'caught_up'
  | 'past_log_end'
  | 'unknown'

export interface TablePoint {
  readonly offset: bigint
  readonly timeMs: number
}

/**
 * One partition's log-end offset over time, oldest first, at most `capacity` points. Points that go back in offset
 * or time are dropped; a flat run keeps only its first and last points (the first says when the log end reached
 * that offset, the last that it stayed there).
 */
export class OffsetTimeTable {
  readonly capacity: number
  #points: TablePoint[] = []

  constructor(capacity = 60) {
    if (capacity < 2) throw new Error('an offset→time table needs room for at least 2 points')
    this.capacity = capacity
  }

  get points(): readonly TablePoint[] {
    return this.#points
  }

  add(offset: bigint, timeMs: number): void {
    const points = this.#points
    const last = points.at(-1)
    if (last) {
      if (timeMs <= last.timeMs) return
      if (offset < last.offset) {
        // The log end went back: the topic was truncated or recreated; earlier points describe another log.
        this.#points = [{ offset, timeMs }]
        return
      }
      const beforeLast = points.at(-2)
      if (offset === last.offset && beforeLast && beforeLast.offset === offset) {
        points[points.length - 1] = { offset, timeMs }
        return
      }
    }
    points.push({ offset, timeMs })
    if (points.length > this.capacity) points.shift()
  }

  /**
   * The time at which the log end first reached `offset` (i.e. record `offset − 1` had been written), or undefined
   * when the table cannot say. `extrapolated` is true when `offset` is older than the oldest point.
   */
  timeAt(offset: bigint): { timeMs: number; extrapolated: boolean } | undefined {
    const points = this.#points
    const first = points[0]
    const last = points.at(-1)
    if (!first || !last) return undefined
    if (offset > last.offset) return undefined
    if (offset <= first.offset) {
      // At or before the table's first point (the log end was there, or further, when sampling began): extend the
      // average production rate over the whole table backwards.
      if (last.offset === first.offset) return undefined
      const msPerOffset = (last.timeMs - first.timeMs) / Number(last.offset - first.offset)
      return { timeMs: first.timeMs - Number(first.offset - offset) * msPerOffset, extrapolated: true }
    }
    for (let i = 1; i < points.length; i++) {
      const right = points[i]
      if (right.offset < offset) continue
      const left = points[i - 1]
      const span = Number(right.offset - left.offset)
      const fraction = span === 0 ? 1 : Number(offset - left.offset) / span
      return { timeMs: left.timeMs + fraction * (right.timeMs - left.timeMs), extrapolated: false }
    }
    return undefined
  }
}

export interface PartitionLagInput {
  committed: bigint
  earliest: bigint
  latest: bigint
  nowMs: number
  /** The first surviving record at or after max(committed, earliest), when one was read. */
  record?: { offset: bigint; timestampMs: number }
  table: OffsetTimeTable
}

export interface PartitionLag {
  /** Offsets behind the log end, never negative. */
  offsets: bigint
  /** Undefined when it cannot be known (quality "unknown"); never NaN. */
  seconds?: number
  method?: LagMethod
  quality: LagQuality
  /** Records deleted before the group read them (committed offset below log start), else 0. */
  lostRecords: bigint
}

export function partitionLag(input: PartitionLagInput): PartitionLag {
  const { committed, earliest, latest, nowMs, record, table } = input
  const lostRecords = committed < earliest ? earliest - committed : 0n
  if (committed > latest) return { offsets: 0n, seconds: 0, method: 'record_ts', quality: 'past_log_end', lostRecords }
  const offsets = latest - committed
  if (offsets === 0n) return { offsets, seconds: 0, method: 'record_ts', quality: 'caught_up', lostRecords }
  const firstUnconsumed = committed < earliest ? earliest : committed
  if (record && record.offset >= firstUnconsumed && record.offset < latest) {
    const quality: LagQuality =
      committed < earliest ? 'below_log_start' : record.offset === committed ? 'exact' : 'compacted'
    return { offsets, seconds: clampSeconds(nowMs - record.timestampMs), method: 'record_ts', quality, lostRecords }
  }
  // Record `committed` was written when the log end moved past it, i.e. reached committed + 1.
  const at = table.timeAt(committed + 1n)
  if (!at) return { offsets, quality: 'unknown', lostRecords }
  return {
    offsets,
    seconds: clampSeconds(nowMs - at.timeMs),
    method: 'interpolated',
    quality: committed < earliest ? 'below_log_start' : at.extrapolated ? 'extrapolated' : 'interpolated',
    lostRecords,
  }
}

function clampSeconds(ms: number): number {
  return ms > 0 ? ms / 1000 : 0
}

/**
 * The group's consume rate on a partition in offsets per second, from (committed offset, time) samples oldest
 * first; undefined when fewer than two samples, no time has passed, or the offset went back (a rewind is not a rate).
 */
export function consumeRate(samples: readonly { offset: bigint; timeMs: number }[]): number | undefined {
  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last || last.timeMs <= first.timeMs || last.offset < first.offset) return undefined
  return Number(last.offset - first.offset) / ((last.timeMs - first.timeMs) / 1000)
}

/**
 * Seconds until the group has consumed its current lag, from each lagging partition's lag and consume rate: the
 * slowest partition decides. 0 when nothing lags; undefined when any lagging partition has no positive rate (it is
 * not draining, or its rate is unknown — no figure is made up).
 */
export function drainEtaSeconds(partitions: readonly { lag: bigint; rate: number | undefined }[]): number | undefined {
  let worst = 0
  for (const { lag, rate } of partitions) {
    if (lag <= 0n) continue
    if (rate === undefined || !(rate > 0)) return undefined
    worst = Math.max(worst, Number(lag) / rate)
  }
  return worst
}
