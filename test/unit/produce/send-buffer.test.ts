import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SendBuffer } from '../../../src/produce/send-buffer.ts'

test('holds bytes until released; available = total − held', () => {
  const buffer = new SendBuffer(1000)
  assert.equal(buffer.acquire(300), undefined)
  assert.equal(buffer.acquire(700), undefined)
  assert.equal(buffer.availableBytes, 0)
  buffer.release(300)
  assert.equal(buffer.availableBytes, 300)
})

test('a request that does not fit waits, and waiters are granted in arrival order', async () => {
  const buffer = new SendBuffer(1000)
  buffer.acquire(800)
  const order: string[] = []
  const a = buffer.acquire(500)
  const b = buffer.acquire(100) // would fit, but waits behind a: order is kept
  assert.ok(a && b)
  void a.then(() => order.push('a'))
  void b.then(() => order.push('b'))
  assert.equal(buffer.waiting, 2)
  buffer.release(800)
  await Promise.all([a, b])
  assert.deepEqual(order, ['a', 'b'])
  assert.equal(buffer.availableBytes, 400)
})

test('a request larger than the whole buffer goes alone once nothing is held', async () => {
  const buffer = new SendBuffer(100)
  assert.equal(buffer.acquire(500), undefined, 'nothing held: granted at once')
  assert.equal(buffer.availableBytes, 0)
  const next = buffer.acquire(1)
  assert.ok(next)
  buffer.release(500)
  await next
  assert.equal(buffer.availableBytes, 99)
})

test('refuses a size that is not a positive whole number', () => {
  assert.throws(() => new SendBuffer(0), /positive whole number/)
  assert.throws(() => new SendBuffer(1.5), /positive whole number/)
})
