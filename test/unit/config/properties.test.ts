import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseProperties } from '../../../src/config/properties.ts'

test('comments, blank lines and the three separator forms', () => {
  const text = ['# comment', '  ! also a comment', '', '   ', 'a=1', 'b : 2', 'c 3', 'd:4', 'e\t=\t5', 'f'].join('\n')
  assert.deepEqual(parseProperties(text), { a: '1', b: '2', c: '3', d: '4', e: '5', f: '' })
})

test('leading whitespace is dropped, trailing whitespace in values is kept, last duplicate wins', () => {
  assert.deepEqual(parseProperties('   key = value  \nkey2=x\nkey2=y'), { key: 'value  ', key2: 'y' })
})

test('line continuations join lines and drop the next line’s leading whitespace', () => {
  const text = 'plugin.path=/a,\\\n    /b,\\\r\n\t/c\nnext=1'
  assert.deepEqual(parseProperties(text), { 'plugin.path': '/a,/b,/c', next: '1' })
  // An even number of trailing backslashes is an escaped backslash, not a continuation.
  assert.deepEqual(parseProperties('path=C:\\\\\nother=2'), { path: 'C:\\', other: '2' })
  // A comment line never continues.
  assert.deepEqual(parseProperties('# note \\\nreal=yes'), { real: 'yes' })
})

test('escapes: \\t \\n \\uXXXX, escaped separators in keys, unknown escapes drop the backslash', () => {
  const text = 'tab=a\\tb\nnl=a\\nb\nuni=\\u00e9\\u0041\nkey\\ with\\=sep\\:s = v\nother=\\q\\\\'
  assert.deepEqual(parseProperties(text), {
    tab: 'a\tb',
    nl: 'a\nb',
    uni: 'éA',
    'key with=sep:s': 'v',
    other: 'q\\',
  })
})

test('a value may itself contain separators', () => {
  assert.deepEqual(parseProperties('listeners=http://:8083\nx = a=b:c'), { listeners: 'http://:8083', x: 'a=b:c' })
})

test('a malformed \\u escape names the line', () => {
  assert.throws(() => parseProperties('ok=1\nbad=\\u12G4'), /Malformed \\uxxxx encoding on line 2/)
})

test('a "__proto__" key is stored as a plain entry', () => {
  const parsed = parseProperties('__proto__=x')
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype)
  assert.deepEqual(Object.entries(parsed), [['__proto__', 'x']])
})
