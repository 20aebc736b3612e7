import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { StateTimer, WindowedStat } from '../../../src/metrics/windowed-stat.ts'

const S = 1000
const window = { samples: 2, windowMs: 30 * S }

describe('WindowedStat', () => {
  test('an empty window reads 0 for sum, count, avg, max and rates', () => {
    const stat = new WindowedStat(window)
    assert.equal(stat.sum(0), 0)
    assert.equal(stat.count(0), 0)
    assert.equal(stat.avg(0), 0)
    assert.equal(stat.max(0), 0)
    assert.equal(stat.rate(0), 0)
  })

  test('avg and max over the values in the window', () => {
    const stat = new WindowedStat(window)
    stat.record(10, 0)
    stat.record(30, 5 * S)
    stat.record(20, 40 * S) // second sample
    assert.equal(stat.count(40 * S), 3)
    assert.equal(stat.avg(40 * S), 20)
    assert.equal(stat.max(40 * S), 30)
  })

  test('a rate divides by at least (samples − 1) full windows plus the elapsed time, as Kafka', () => {
    const stat = new WindowedStat(window)
    stat.record(10, 0)
    stat.record(20, 10 * S)
    // 20 s elapsed since the oldest sample began, fewer than 1 full window: 20 s + 30 s.
    assert.equal(stat.rate(20 * S), 30 / 50)
    // 45 s elapsed: one full window, no padding.
    assert.equal(stat.rate(45 * S), 30 / 45)
    assert.equal(stat.countRate(45 * S), 2 / 45)
  })

  test('values leave the window once their sample is samples × window old', () => {
    const stat = new WindowedStat(window)
    stat.record(100, 0)
    stat.record(1, 35 * S) // opens the second sample at 35 s
    assert.equal(stat.sum(59 * S), 101)
    assert.equal(stat.max(59 * S), 100)
    // At 60 s the first sample (begun at 0) expires; the second remains.
    assert.equal(stat.sum(60 * S), 1)
    assert.equal(stat.max(60 * S), 1)
    assert.equal(stat.avg(60 * S), 1)
    // At 95 s the second sample (begun at 35 s) expires too.
    assert.equal(stat.sum(95 * S), 0)
    assert.equal(stat.avg(95 * S), 0)
  })

  test('recording reuses the oldest sample after the ring wraps', () => {
    const stat = new WindowedStat(window)
    stat.record(1, 0)
    stat.record(2, 30 * S) // sample 2
    stat.record(4, 61 * S) // sample 1 again: both earlier values gone from it, 2 still counted
    assert.equal(stat.sum(61 * S), 6)
    stat.record(8, 89 * S) // still the sample begun at 61 s
    assert.equal(stat.sum(89 * S), 14)
    assert.equal(stat.sum(90 * S), 12) // the sample begun at 30 s expired
  })

  test('recordMany adds a batch to sum and count without touching max', () => {
    const stat = new WindowedStat(window)
    stat.recordMany(1000, 10, 0)
    assert.equal(stat.sum(0), 1000)
    assert.equal(stat.count(0), 10)
    assert.equal(stat.avg(0), 100)
    assert.equal(stat.max(0), 0)
  })

  test('a bad window is refused', () => {
    assert.throws(() => new WindowedStat({ samples: 0, windowMs: 1 }), RangeError)
    assert.throws(() => new WindowedStat({ samples: 2, windowMs: 0 }), RangeError)
  })
})

describe('StateTimer', () => {
  test('ratios are the fractions of time spent in each state since the timer began', () => {
    const timer = new StateTimer<'A' | 'B' | 'C'>('A', 0)
    assert.equal(timer.ratio('A', 0), 0)
    timer.change('B', 10)
    timer.change('A', 40)
    assert.equal(timer.ratio('A', 100), 70 / 100)
    assert.equal(timer.ratio('B', 100), 30 / 100)
    assert.equal(timer.ratio('C', 100), 0)
    assert.equal(timer.state, 'A')
  })

  test('changing to the current state changes nothing', () => {
    const timer = new StateTimer<'A' | 'B'>('A', 0)
    timer.change('A', 50)
    assert.equal(timer.ratio('A', 100), 1)
  })
})
