// Burrow's rules as its evaluator (core/internal/evaluator/caching.go) applies them, one window per rule: commits
// every 60 s as [offset, lag at that commit].
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type CommitSample,
  evaluateGroup,
  evaluatePartition,
  PartitionWindow,
  partitionStatus,
  STATUS_CODES,
} from '../../../src/lag/burrow-status.ts'

const T0 = 1_700_000_000_000

/** Commits every 60 s from T0: [offset, lag] pairs. */
function commits(pairs: [number, number][]): CommitSample[] {
  return pairs.map(([offset, lag], i) => ({ offset: BigInt(offset), lag: BigInt(lag), timestampMs: T0 + i * 60_000 }))
}
/** Right after the last of n commits. */
const nowAfter = (n: number) => T0 + (n - 1) * 60_000 + 1000

test('OK: the lag was zero at some point in the window', () => {
  const window = commits([
    [10, 1],
    [20, 0],
    [30, 5],
    [40, 10],
    [50, 15],
  ])
  assert.equal(partitionStatus(window, [], 15n, nowAfter(5)), 'OK')
})

test('OK: the consumer lags but the lag decreased somewhere', () => {
  const window = commits([
    [10, 100],
    [20, 110],
    [30, 90],
    [40, 120],
  ])
  assert.equal(partitionStatus(window, [], 120n, nowAfter(4)), 'OK')
})

test('WARN: offsets advance but the lag never decreases', () => {
  const window = commits([
    [10, 100],
    [20, 100],
    [30, 110],
    [40, 120],
    [50, 130],
  ])
  assert.equal(partitionStatus(window, [], 130n, nowAfter(5)), 'WARN')
})

test('STALL: commits keep arriving with the same offset while there is lag', () => {
  const window = commits([
    [10, 50],
    [10, 60],
    [10, 70],
    [10, 80],
  ])
  assert.equal(partitionStatus(window, [], 80n, nowAfter(4)), 'STALL')
})

test('STOP: no commit for longer than the window spans, and the broker never showed the consumer caught up', () => {
  const window = commits([
    [10, 5],
    [20, 5],
    [30, 5],
  ]) // spans 120 s
  assert.equal(partitionStatus(window, [40n, 41n], 5n, T0 + 120_000 + 121_000), 'STOP')
  // Not stopped while the gap is still shorter than the span…
  assert.equal(partitionStatus(window, [40n, 41n], 5n, T0 + 120_000 + 119_000), 'WARN')
  // …nor when the broker's recent log end was at the last commit (a quiet topic).
  assert.equal(partitionStatus(window, [30n, 35n], 5n, T0 + 120_000 + 121_000), 'WARN')
})

test('STOP wins even when the lag was zero in the window (that may be long ago)', () => {
  const window = commits([
    [10, 0],
    [20, 5],
  ])
  assert.equal(partitionStatus(window, [40n], 5n, T0 + 60_000 + 61_000), 'STOP')
})

test('REWIND: the offset went back and has not recovered', () => {
  const window = commits([
    [100, 10],
    [110, 10],
    [50, 70],
    [60, 70],
  ])
  assert.equal(partitionStatus(window, [], 70n, nowAfter(4)), 'REWIND')
  const recovered = commits([
    [100, 10],
    [110, 10],
    [50, 70],
    [120, 80],
  ])
  assert.equal(partitionStatus(recovered, [], 80n, nowAfter(4)), 'WARN')
})

test('no current lag (or within allowed-lag) is OK whatever the window', () => {
  const stalled = commits([
    [10, 5],
    [10, 5],
  ])
  assert.equal(partitionStatus(stalled, [], 0n, nowAfter(2) + 3_600_000), 'OK')
  assert.equal(partitionStatus(stalled, [], 5n, nowAfter(2), 5n), 'OK')
  const beyondAllowed = commits([
    [10, 6],
    [10, 7],
  ])
  assert.equal(partitionStatus(beyondAllowed, [], 7n, nowAfter(2), 5n), 'STALL')
  assert.equal(partitionStatus(beyondAllowed, [], 7n, nowAfter(2), 6n), 'OK')
})

test('a window below minimum-complete is not judged; complete is the filled share', () => {
  const window = new PartitionWindow(10)
  for (const c of commits([
    [10, 50],
    [10, 60],
  ]))
    window.addCommit(c)
  assert.equal(window.complete, 0.2)
  const judged = evaluatePartition(window, 60n, nowAfter(2), { intervals: 10, minimumComplete: 0, allowedLag: 0n })
  assert.equal(judged.status, 'STALL')
  const waiting = evaluatePartition(window, 60n, nowAfter(2), { intervals: 10, minimumComplete: 0.5, allowedLag: 0n })
  assert.equal(waiting.status, 'OK')
  assert.equal(waiting.start?.offset, 10n)
})

test('the window keeps the last `intervals` commits', () => {
  const window = new PartitionWindow(3)
  for (const c of commits([
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 1],
  ]))
    window.addCommit(c)
  assert.deepEqual(
    window.commits.map((c) => c.offset),
    [2n, 3n, 4n],
  )
  assert.equal(window.complete, 1)
})

test('the group takes its worst partition, STOP/STALL/REWIND reported as ERR; maxlag and totallag', () => {
  const p = (status: 'OK' | 'WARN' | 'STOP' | 'STALL' | 'REWIND', lag: bigint) => ({
    evaluation: { status, complete: 1, currentLag: lag },
  })
  const warn = evaluateGroup([p('OK', 1n), p('WARN', 7n)])
  assert.equal(warn.status, 'WARN')
  assert.equal(warn.totalLag, 8n)
  assert.equal(warn.maxLag?.evaluation.currentLag, 7n)
  assert.equal(evaluateGroup([p('WARN', 1n), p('REWIND', 2n)]).status, 'ERR')
  assert.equal(evaluateGroup([p('STALL', 1n)]).status, 'ERR')
  const empty = evaluateGroup([])
  assert.equal(empty.status, 'OK')
  assert.equal(empty.complete, 0)
  assert.deepEqual([STATUS_CODES.NOTFOUND, STATUS_CODES.OK, STATUS_CODES.ERR, STATUS_CODES.REWIND], [0, 1, 3, 6])
})
