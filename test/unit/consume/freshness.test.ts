// Record age and freshness from headers: only a well-formed source timestamp with a known basis counts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { recordTiming, sourceTimestamp } from '../../../src/consume/freshness.ts'

const h = (entries: [string, string][]) => entries.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Buffer, Buffer])

test('age is processing time − record timestamp; freshness processing time − the source header', () => {
  const t = recordTiming(
    h([
      ['flowscope.source.timestamp', '1000'],
      ['flowscope.source.timestamp.basis', 'change'],
    ]),
    4000,
    6500,
  )
  assert.equal(t.ageSeconds, 2.5)
  assert.deepEqual(t.freshness, { seconds: 5.5, basis: 'change' })
  assert.deepEqual(
    recordTiming(
      h([
        ['flowscope.source.timestamp.basis', 'poll'],
        ['flowscope.source.timestamp', '6000'],
      ]),
      6000,
      6100,
    ).freshness,
    { seconds: 0.1, basis: 'poll' },
  )
})

test('no header, a malformed time or an unknown/missing basis: no freshness, nothing made up', () => {
  assert.equal(recordTiming([], 0, 1000).freshness, undefined)
  assert.equal(recordTiming([], 0, 1000).ageSeconds, 1)
  assert.equal(sourceTimestamp(h([['flowscope.source.timestamp', '12x']])), undefined)
  assert.equal(sourceTimestamp(h([['flowscope.source.timestamp', '1000']])), undefined)
  assert.equal(
    sourceTimestamp(
      h([
        ['flowscope.source.timestamp', '1000'],
        ['flowscope.source.timestamp.basis', 'guess'],
      ]),
    ),
    undefined,
  )
  assert.equal(
    sourceTimestamp(
      h([
        ['flowscope.source.timestamp', ''],
        ['flowscope.source.timestamp.basis', 'change'],
      ]),
    ),
    undefined,
  )
})
