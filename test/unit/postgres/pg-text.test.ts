// PostgreSQL's text output in, exact values out (shared by the JDBC and CDC sources).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  parseArray,
  parseBytea,
  parseDate,
  parseTime,
  parseTimestamp,
  rescaleDecimal,
} from '../../../src/postgres/pg-text.ts'

test('text forms convert exactly', () => {
  assert.equal(rescaleDecimal('12.5', 3), '12.500')
  assert.equal(rescaleDecimal('-0.0049', 2), '0.00')
  assert.equal(rescaleDecimal('-1.005', 2), '-1.01')
  assert.equal(rescaleDecimal('123', 0), '123')
  assert.throws(() => rescaleDecimal('NaN', 2), /cannot be represented/)
  assert.deepEqual(parseBytea('\\xdeadbeef'), Buffer.from('deadbeef', 'hex'))
  assert.deepEqual(parseBytea('a\\\\b\\001'), Buffer.from([0x61, 0x5c, 0x62, 1]))
  assert.deepEqual(parseDate('2024-02-29'), new Date('2024-02-29T00:00:00Z'))
  assert.deepEqual(parseTime('23:59:59.999999', 'UTC'), new Date('1970-01-01T23:59:59.999Z'))
  assert.deepEqual(parseTime('10:00:00+02', 'UTC'), new Date('1970-01-01T08:00:00Z'))
  assert.deepEqual(parseTimestamp('2024-01-02 03:04:05.000001+05:30', 'UTC'), { epochSecond: 1704144845, nano: 1000 })
  assert.deepEqual(parseTimestamp('2024-01-15 12:00:00', 'America/New_York'), { epochSecond: 1705338000, nano: 0 })
  assert.deepEqual(parseTimestamp('2024-07-15 12:00:00', 'America/New_York'), { epochSecond: 1721059200, nano: 0 })
  assert.deepEqual(parseArray('{{1,2},{3,4}}', Number), [
    [1, 2],
    [3, 4],
  ])
  assert.deepEqual(
    parseArray('{"a,b","NULL",NULL,"c\\\\d"}', (s) => s),
    ['a,b', 'NULL', null, 'c\\d'],
  )
  assert.deepEqual(parseArray('{}', Number), [])
})

test('timestamps: the fast path for PostgreSQL ISO output agrees with an independent reading over many values', () => {
  // Deterministic pseudo-random instants from 1000 AD to 9999 AD, every fraction length and offset form Postgres
  // prints; the expected instant comes from Date arithmetic, not from the parser under test.
  let seed = 7
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed % n
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0')
  for (let i = 0; i < 3000; i++) {
    const ms = Date.UTC(1000, 0, 1) + next(2 ** 30) * 235_000 + next(1000)
    const micros = next(1_000_000)
    const fractionDigits = next(7)
    const offsetMinutes = (next(57) - 28) * 30 // -14:00 … +14:00 in half hours
    const local = new Date(ms + offsetMinutes * 60_000)
    const fraction = fractionDigits === 0 ? '' : `.${pad(micros, 6).slice(0, fractionDigits)}`
    const sign = offsetMinutes < 0 ? '-' : '+'
    const abs = Math.abs(offsetMinutes)
    const offset =
      abs % 60 === 0 ? `${sign}${pad(abs / 60, 2)}` : `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`
    const text =
      `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)} ` +
      `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}${fraction}${offset}`
    const nano = fractionDigits === 0 ? 0 : Number(pad(micros, 6).slice(0, fractionDigits).padEnd(9, '0'))
    assert.deepEqual(parseTimestamp(text, 'UTC'), { epochSecond: Math.floor(ms / 1000), nano }, text)
  }
  // Forms outside the fast path still parse (or fail) as before.
  const year99 = new Date(Date.UTC(2000, 2, 4, 5, 6, 7))
  year99.setUTCFullYear(99)
  assert.deepEqual(parseTimestamp('0099-03-04 05:06:07+00', 'UTC'), { epochSecond: year99.getTime() / 1000, nano: 0 })
  assert.deepEqual(parseTimestamp('2024-01-02 03:04:05.5 BC', 'UTC').nano, 500_000_000)
  assert.throws(() => parseTimestamp('2024-01-02 03:04:05+5', 'UTC'), /Cannot parse timestamp/)
})
