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
