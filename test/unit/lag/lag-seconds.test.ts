import assert from 'node:assert/strict'
import { test } from 'node:test'
import { consumeRate, drainEtaSeconds, OffsetTimeTable, partitionLag } from '../../../src/lag/lag-seconds.ts'

const T0 = 1_700_000_000_000

function table(points: [number, number][]): OffsetTimeTable {
  const t = new OffsetTimeTable(60)
  for (const [offset, seconds] of points) t.add(BigInt(offset), T0 + seconds * 1000)
  return t
}

test('the table drops points that go back in time, collapses flat runs to their ends and keeps its capacity', () => {
  const t = new OffsetTimeTable(3)
  t.add(10n, T0)
  t.add(12n, T0 - 1) // earlier in time: dropped
  t.add(20n, T0 + 1000)
  t.add(20n, T0 + 2000)
  t.add(20n, T0 + 3000) // flat run: only its first and last points stay
  assert.deepEqual(
    t.points.map((p) => [p.offset, p.timeMs - T0]),
    [
      [10n, 0],
      [20n, 1000],
      [20n, 3000],
    ],
  )
  t.add(30n, T0 + 4000)
  assert.equal(t.points.length, 3)
  assert.equal(t.points[0].offset, 20n)
})

test('a log end that goes back (topic recreated) starts the table afresh', () => {
  const t = table([
    [100, 0],
    [200, 10],
  ])
  t.add(5n, T0 + 20_000)
  assert.deepEqual(
    t.points.map((p) => p.offset),
    [5n],
  )
})

test('timeAt interpolates between the two bracketing points, and reports the first time of a flat run', () => {
  const t = table([
    [0, 0],
    [100, 10],
    [100, 20],
    [300, 30],
  ])
  assert.deepEqual(t.timeAt(50n), { timeMs: T0 + 5000, extrapolated: false })
  assert.deepEqual(t.timeAt(100n), { timeMs: T0 + 10_000, extrapolated: false })
  assert.deepEqual(t.timeAt(200n), { timeMs: T0 + 25_000, extrapolated: false })
  assert.equal(t.timeAt(301n), undefined)
})

test('timeAt extrapolates backwards from the average rate, and says it cannot with no production seen', () => {
  const t = table([
    [1000, 0],
    [2000, 10],
  ])
  assert.deepEqual(t.timeAt(500n), { timeMs: T0 - 5000, extrapolated: true })
  assert.equal(
    table([
      [1000, 0],
      [1000, 10],
    ]).timeAt(500n),
    undefined,
  )
  assert.equal(new OffsetTimeTable().timeAt(1n), undefined)
})

test('lag from the record at the committed offset is exact: now − its timestamp', () => {
  const lag = partitionLag({
    committed: 40n,
    earliest: 0n,
    latest: 100n,
    nowMs: T0 + 90_000,
    record: { offset: 40n, timestampMs: T0 + 30_000 },
    table: new OffsetTimeTable(),
  })
  assert.deepEqual(lag, { offsets: 60n, seconds: 60, method: 'record_ts', quality: 'exact', lostRecords: 0n })
})

test('a later surviving record (compaction) is still read by timestamp, and says so', () => {
  const lag = partitionLag({
    committed: 40n,
    earliest: 0n,
    latest: 100n,
    nowMs: T0 + 10_000,
    record: { offset: 47n, timestampMs: T0 },
    table: new OffsetTimeTable(),
  })
  assert.equal(lag.quality, 'compacted')
  assert.equal(lag.method, 'record_ts')
  assert.equal(lag.seconds, 10)
})

test('caught up is 0 seconds, never NaN; past the log end is 0 and flagged', () => {
  const empty = new OffsetTimeTable()
  const caughtUp = partitionLag({ committed: 100n, earliest: 0n, latest: 100n, nowMs: T0, table: empty })
  assert.deepEqual(caughtUp, { offsets: 0n, seconds: 0, method: 'record_ts', quality: 'caught_up', lostRecords: 0n })
  const past = partitionLag({ committed: 150n, earliest: 0n, latest: 100n, nowMs: T0, table: empty })
  assert.equal(past.offsets, 0n)
  assert.equal(past.quality, 'past_log_end')
  assert.equal(past.seconds, 0)
})

test('below the log start: lost records counted, the oldest surviving record read, flagged as a lower bound', () => {
  const lag = partitionLag({
    committed: 10n,
    earliest: 50n,
    latest: 100n,
    nowMs: T0 + 5000,
    record: { offset: 50n, timestampMs: T0 },
    table: new OffsetTimeTable(),
  })
  assert.deepEqual(lag, { offsets: 90n, seconds: 5, method: 'record_ts', quality: 'below_log_start', lostRecords: 40n })
})

test('without a record the lag is interpolated at the time the log end passed the committed record', () => {
  const lag = partitionLag({
    committed: 49n,
    earliest: 0n,
    latest: 100n,
    nowMs: T0 + 60_000,
    table: table([
      [0, 0],
      [100, 10],
    ]),
  })
  // The log end reached 50 (record 49 written) at T0 + 5 s.
  assert.deepEqual(lag, { offsets: 51n, seconds: 55, method: 'interpolated', quality: 'interpolated', lostRecords: 0n })
})

test('with too few points and no record the seconds are absent (quality unknown), not NaN', () => {
  const lag = partitionLag({
    committed: 10n,
    earliest: 0n,
    latest: 100n,
    nowMs: T0,
    table: table([[100, 0]]),
  })
  assert.equal(lag.seconds, undefined)
  assert.equal(lag.method, undefined)
  assert.equal(lag.quality, 'unknown')
  assert.equal(lag.offsets, 90n)
})

test('consume rate from committed-offset samples; none after a rewind or with one sample', () => {
  assert.equal(
    consumeRate([
      { offset: 0n, timeMs: T0 },
      { offset: 50n, timeMs: T0 + 5000 },
      { offset: 100n, timeMs: T0 + 10_000 },
    ]),
    10,
  )
  assert.equal(consumeRate([{ offset: 0n, timeMs: T0 }]), undefined)
  assert.equal(
    consumeRate([
      { offset: 100n, timeMs: T0 },
      { offset: 50n, timeMs: T0 + 5000 },
    ]),
    undefined,
  )
})

test('drain ETA: the slowest partition decides; 0 when caught up; absent when a lagging partition is not draining', () => {
  assert.equal(
    drainEtaSeconds([
      { lag: 100n, rate: 10 },
      { lag: 100n, rate: 1 },
      { lag: 0n, rate: undefined },
    ]),
    100,
  )
  assert.equal(drainEtaSeconds([{ lag: 0n, rate: 0 }]), 0)
  assert.equal(
    drainEtaSeconds([
      { lag: 100n, rate: 10 },
      { lag: 5n, rate: 0 },
    ]),
    undefined,
  )
  assert.equal(drainEtaSeconds([{ lag: 5n, rate: undefined }]), undefined)
})
