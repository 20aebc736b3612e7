// Java's text formats the transforms read: SimpleDateFormat patterns (UTC) and KIP-821 field paths.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { FieldPath } from '../../../src/transform/field-path.ts'
import { SimpleDateFormat } from '../../../src/transform/simple-date-format.ts'

describe('SimpleDateFormat', () => {
  const at = new Date(Date.UTC(2024, 1, 29, 13, 5, 9, 7))

  test('formats every supported letter in UTC', () => {
    assert.equal(
      new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX G yy M MMM MMMM d D E EEEE u a h K k Z z ''").format(at),
      "2024-02-29T13:05:09.007Z AD 24 2 Feb February 29 60 Thu Thursday 4 PM 1 1 13 +0000 UTC '",
    )
  })

  test('parses leniently: text after the pattern is ignored, zones offset the instant, fields roll over', () => {
    assert.deepEqual(
      new SimpleDateFormat('yyyy-MM-dd HH:mm').parse('2024-02-29 13:05 and more'),
      new Date(Date.UTC(2024, 1, 29, 13, 5)),
    )
    assert.deepEqual(
      new SimpleDateFormat('yyyyMMddHHmmss').parse('20240229130509'),
      new Date(Date.UTC(2024, 1, 29, 13, 5, 9)),
    )
    assert.deepEqual(
      new SimpleDateFormat('yyyy-MM-dd HH:mmXXX').parse('2024-02-29 13:05+02:00'),
      new Date(Date.UTC(2024, 1, 29, 11, 5)),
    )
    assert.deepEqual(
      new SimpleDateFormat('dd MMM yyyy hh a').parse('31 Jan 2024 12 AM'),
      new Date(Date.UTC(2024, 0, 31, 0)),
    )
    assert.deepEqual(new SimpleDateFormat('yyyy-MM-dd').parse('2024-02-30'), new Date(Date.UTC(2024, 2, 1)))
    assert.equal(new SimpleDateFormat('yyyy-MM-dd').parse('29/02/2024'), undefined)
  })

  test('refuses letters it does not know', () => {
    assert.throws(() => new SimpleDateFormat('yyyy-ww'), /Illegal pattern character 'w'/)
  })
})

describe('field paths', () => {
  test('V1 takes the text as one name; V2 splits on dots, with backticks and escapes', () => {
    assert.deepEqual(new FieldPath('a.b', 'V1').steps, ['a.b'])
    assert.deepEqual(new FieldPath('a.b', 'V2').steps, ['a', 'b'])
    assert.deepEqual(new FieldPath('`a.b`.c', 'V2').steps, ['a.b', 'c'])
    assert.deepEqual(new FieldPath('a.`b\\`.c`', 'V2').steps, ['a', 'b`.c'])
    assert.deepEqual(new FieldPath('a.', 'V2').steps, ['a', ''])
  })
})
