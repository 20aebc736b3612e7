import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SubmittedRecords } from '../../../src/runtime/submitted-records.ts'

const p1 = { protocol: '1', table: 'db.public.users' }
const p2 = { table: 'db.public.orders', protocol: '1' }

test('nothing is committable before any ack', () => {
  const s = new SubmittedRecords()
  s.submit(p1, { incrementing: 1 })
  const c = s.takeCommittable()
  assert.deepEqual(c.offsets, [])
  assert.equal(c.pendingCount, 1)
})

test('an unacked record blocks the offsets of every later record of its partition', () => {
  const s = new SubmittedRecords()
  const r1 = s.submit(p1, { incrementing: 1 })
  const r2 = s.submit(p1, { incrementing: 2 })
  const r3 = s.submit(p1, { incrementing: 3 })
  s.ack(r2)
  s.ack(r3)
  assert.deepEqual(s.takeCommittable().offsets, [], 'record 1 is still in flight: nothing may be committed')
  s.ack(r1)
  assert.deepEqual(s.takeCommittable().offsets, [{ partition: p1, offset: { incrementing: 3 } }])
})

test('partitions are independent, and equal partitions match whatever their key order', () => {
  const s = new SubmittedRecords()
  const a = s.submit(p1, { incrementing: 10 })
  s.submit(p2, { incrementing: 5 })
  const c = s.submit({ table: 'db.public.users', protocol: '1' }, { incrementing: 11 })
  s.ack(a)
  s.ack(c)
  const taken = s.takeCommittable()
  assert.deepEqual(taken.offsets, [{ partition: p1, offset: { incrementing: 11 } }])
  assert.equal(taken.committedCount, 2)
  assert.equal(taken.pendingCount, 1)
})

test('taken offsets are not offered twice; later acks continue from there', () => {
  const s = new SubmittedRecords()
  const r1 = s.submit(p1, { incrementing: 1 })
  const r2 = s.submit(p1, { incrementing: 2 })
  s.ack(r1)
  assert.deepEqual(s.takeCommittable().offsets, [{ partition: p1, offset: { incrementing: 1 } }])
  assert.deepEqual(s.takeCommittable().offsets, [])
  s.ack(r2)
  assert.deepEqual(s.takeCommittable().offsets, [{ partition: p1, offset: { incrementing: 2 } }])
})

test('awaitAllAcked resolves true when the last ack arrives, false on timeout', async () => {
  const s = new SubmittedRecords()
  const r = s.submit(p1, { incrementing: 1 })
  assert.equal(await s.awaitAllAcked(20), false)
  const waiting = s.awaitAllAcked(1000)
  s.ack(r)
  assert.equal(await waiting, true)
  assert.equal(s.pending, 0)
})

test('acknowledged records are let go at once: memory holds what is in flight, not everything since the last commit', () => {
  const s = new SubmittedRecords()
  for (let i = 1; i <= 100_000; i++) s.ack(s.submit(p1, { incrementing: i }))
  assert.equal(s.held, 0)
  const blocker = s.submit(p1, { incrementing: 100_001 })
  for (let i = 100_002; i <= 100_010; i++) s.ack(s.submit(p1, { incrementing: i }))
  assert.equal(s.held, 10, 'nine acked records wait behind the one in flight')
  s.ack(blocker)
  assert.equal(s.held, 0)
  const taken = s.takeCommittable()
  assert.deepEqual(taken.offsets, [{ partition: p1, offset: { incrementing: 100_010 } }])
  assert.equal(taken.committedCount, 100_010)
})

test('acks in any order: the committable offset is always the end of the longest acknowledged prefix', () => {
  // A seeded shuffle keeps the test repeatable while exercising out-of-order acks in long queues.
  let seed = 42
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const s = new SubmittedRecords()
  const records = Array.from({ length: 5000 }, (_, i) => s.submit(p1, { incrementing: i + 1 }))
  const order = records.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const acked = new Set<number>()
  let prefix = 0
  let lastTaken = 0
  for (const [step, index] of order.entries()) {
    s.ack(records[index])
    acked.add(index)
    while (acked.has(prefix)) prefix++
    if (step % 97 === 0 || step === order.length - 1) {
      const offsets = s.takeCommittable().offsets
      if (prefix > lastTaken) assert.deepEqual(offsets, [{ partition: p1, offset: { incrementing: prefix } }])
      else assert.deepEqual(offsets, [])
      lastTaken = prefix
    }
  }
  assert.equal(lastTaken, 5000)
  assert.equal(s.held, 0)
})
