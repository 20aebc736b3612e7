import assert from 'node:assert/strict'
import { test } from 'node:test'
import { groupFreshness } from '../../../src/lag/freshness.ts'

const NOW = 1_000_000
const rec = (offset: bigint, sourceMs?: number, basis?: 'change' | 'poll') => ({
  offset,
  timestampMs: NOW - 1,
  ...(sourceMs === undefined ? {} : { source: { timestampMs: sourceMs, ...(basis ? { basis } : {}) } }),
})

test('lagging: now − source time of the first unconsumed record', () => {
  const f = groupFreshness({
    committed: 5n,
    earliest: 0n,
    latest: 20n,
    nowMs: NOW,
    record: rec(5n, NOW - 42_000, 'change'),
  })
  assert.deepEqual(f, { seconds: 42, basis: 'change', position: 'first_unconsumed' })
})

test('caught up: now − source time of the last consumed record (log end − 1)', () => {
  const f = groupFreshness({
    committed: 20n,
    earliest: 0n,
    latest: 20n,
    nowMs: NOW,
    record: rec(19n, NOW - 3_500, 'poll'),
  })
  assert.deepEqual(f, { seconds: 3.5, basis: 'poll', position: 'last_consumed' })
  // A commit past the log end reads the same record.
  assert.equal(
    groupFreshness({ committed: 25n, earliest: 0n, latest: 20n, nowMs: NOW, record: rec(19n, NOW - 3_500) })?.basis,
    'unknown',
  )
})

test('absent: no record read, a record without the header, an empty partition, or not the record asked for', () => {
  assert.equal(groupFreshness({ committed: 5n, earliest: 0n, latest: 20n, nowMs: NOW, record: undefined }), undefined)
  assert.equal(groupFreshness({ committed: 5n, earliest: 0n, latest: 20n, nowMs: NOW, record: rec(5n) }), undefined)
  assert.equal(groupFreshness({ committed: 0n, earliest: 0n, latest: 0n, nowMs: NOW, record: rec(0n, NOW) }), undefined)
  assert.equal(
    groupFreshness({ committed: 5n, earliest: 0n, latest: 20n, nowMs: NOW, record: rec(4n, NOW - 1000) }),
    undefined,
  )
})

test('a source clock ahead of the exporter counts as 0, never negative', () => {
  const f = groupFreshness({
    committed: 5n,
    earliest: 0n,
    latest: 20n,
    nowMs: NOW,
    record: rec(5n, NOW + 9_000, 'change'),
  })
  assert.equal(f?.seconds, 0)
})

test('below the log start: the oldest surviving record', () => {
  const f = groupFreshness({
    committed: 2n,
    earliest: 10n,
    latest: 20n,
    nowMs: NOW,
    record: rec(10n, NOW - 7_000, 'change'),
  })
  assert.equal(f?.seconds, 7)
})
