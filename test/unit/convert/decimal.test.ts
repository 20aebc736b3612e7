import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  bigDecimalToString,
  bytesToUnscaled,
  fromUnscaled,
  toUnscaled,
  unscaledToBytes,
} from '../../../src/convert/decimal.ts'

test("unscaledToBytes matches Java's BigInteger.toByteArray", () => {
  const hex = (n: bigint) => unscaledToBytes(n).toString('hex')
  assert.equal(hex(0n), '00')
  assert.equal(hex(127n), '7f')
  assert.equal(hex(128n), '0080')
  assert.equal(hex(-1n), 'ff')
  assert.equal(hex(-128n), '80')
  assert.equal(hex(-129n), 'ff7f')
  assert.equal(hex(65535n), '00ffff')
  for (const n of [0n, 1n, -1n, 255n, -256n, 2n ** 100n, -(2n ** 100n) + 7n])
    assert.equal(bytesToUnscaled(unscaledToBytes(n)), n)
  assert.throws(() => bytesToUnscaled(Buffer.alloc(0)), /Zero length/)
})

test('toUnscaled reads decimal strings, numbers and bigints exactly at the scale', () => {
  assert.equal(toUnscaled('123.45', 2), 12345n)
  assert.equal(toUnscaled('-0.5', 2), -50n)
  assert.equal(toUnscaled('.5', 1), 5n)
  assert.equal(toUnscaled('1e3', 0), 1000n)
  assert.equal(toUnscaled('1.50E-1', 3), 150n)
  assert.equal(toUnscaled(7n, 2), 700n)
  assert.equal(toUnscaled(0.25, 2), 25n)
  assert.equal(toUnscaled('12345678901234567890.12', 2), 1234567890123456789012n)
  assert.match(String(toUnscaled('1.005', 2)), /more fractional digits than the schema's scale 2/)
  assert.match(String(toUnscaled('abc', 2)), /not a decimal number/)
  assert.match(String(toUnscaled(Number.NaN, 2)), /expected a decimal string/)
})

test('fromUnscaled and bigDecimalToString print like BigDecimal', () => {
  assert.equal(fromUnscaled(-5n, 2), '-0.05')
  assert.equal(fromUnscaled(12345n, 2), '123.45')
  assert.equal(fromUnscaled(12n, -2), '1200')
  assert.equal(bigDecimalToString(100n, 2), '1.00')
  assert.equal(bigDecimalToString(1n, 7), '1E-7')
  assert.equal(bigDecimalToString(-123n, 10), '-1.23E-8')
  assert.equal(bigDecimalToString(1n, -3), '1E+3')
})
