// The pipeline's per-hop sparklines: which series each hop draws, and the polylines (scaled, gaps kept as gaps).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hopSeries, sparklinePolylines, sparkValue } from '../../../src/console/ui/sparkline.ts'

test('a connector shows its write rate, a topic its append rate, a group its lag; a table nothing', () => {
  assert.deepEqual(hopSeries({ kind: 'connector', label: 'pg', connect: 'east', connector: 'pg' }), {
    id: 'connector.write_rate:east/pg',
    what: 'write rate',
    unit: 'records/s',
  })
  assert.equal(hopSeries({ kind: 'topic', label: 'orders' })?.id, 'topic.append_rate:orders')
  assert.equal(hopSeries({ kind: 'group', label: 'orders-sink' })?.id, 'group.lag:orders-sink')
  assert.equal(hopSeries({ kind: 'table', label: 'public.orders' }), null)
  assert.equal(hopSeries({ kind: 'connector', label: 'pg' }), null)
})

test('points are scaled into the box: time across, 0 at the bottom and the largest value at the top', () => {
  assert.deepEqual(sparklinePolylines([0, 5, 10], [0, 5, 10], 0, 10, 100, 22), ['0.0,21.0 50.0,11.0 100.0,1.0'])
  // All zero: a flat line on the bottom edge, not a division by zero.
  assert.deepEqual(sparklinePolylines([0, 5], [0, 0], 0, 10, 100, 22), ['0.0,21.0 50.0,21.0'])
  assert.deepEqual(sparklinePolylines([], [], 0, 10, 100, 22), [])
})

test('a stretch without points longer than three usual steps is a gap, not a line across', () => {
  const t = [0, 5, 10, 15, 60, 65]
  const lines = sparklinePolylines(t, [1, 1, 1, 1, 1, 1], 0, 100, 100, 22)
  assert.equal(lines.length, 2)
  assert.equal(lines[0].split(' ').length, 4)
  assert.equal(lines[1].split(' ').length, 2)
  // A lone point after a gap is still drawn, as a short level stroke.
  const lone = sparklinePolylines([0, 5, 10, 90], [2, 2, 2, 2], 0, 100, 100, 22)
  assert.deepEqual(lone[1], '90.0,1.0 92.0,1.0')
})

test('label values: whole numbers as they are, small fractions with one decimal', () => {
  assert.deepEqual([9, 1234, 0.25, 3.1234, 12.6].map(sparkValue), ['9', '1,234', '0.3', '3.1', '13'])
})
