// Request parsing rules: config coercion, query flags, task ids, initial_state and Connect's name checks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkAndPutName,
  checkConnectorName,
  configMap,
  initialStateOf,
  queryFlag,
  taskIdOf,
} from '../../../src/rest/request.ts'

test('configMap coerces numbers and booleans, drops nulls, refuses nesting by key', () => {
  assert.deepEqual(configMap({ a: 'x', b: 100, c: false, d: null, e: 1.5 }), { a: 'x', b: '100', c: 'false', e: '1.5' })
  assert.throws(() => configMap({ ok: '1', 'bad.key': [1] }), { status: 400, message: /'bad\.key'.*an array/ })
  assert.throws(() => configMap({ 'bad.key': { a: 1 } }), { status: 400, message: /'bad\.key'.*an object/ })
  assert.throws(() => configMap('text'), { status: 400 })
})

test('queryFlag reads booleans as JAX-RS does', () => {
  assert.equal(queryFlag(undefined, true), true)
  assert.equal(queryFlag('TRUE', false), true)
  assert.equal(queryFlag('yes', true), false)
  assert.equal(queryFlag(['true', 'false'], false), true)
})

test('taskIdOf accepts ints and answers Jersey 404 for anything else', () => {
  assert.equal(taskIdOf('0'), 0)
  assert.equal(taskIdOf('+12'), 12)
  for (const bad of ['abc', '1.5', '', '99999999999', '2147483648']) {
    assert.throws(() => taskIdOf(bad), { status: 404, message: 'HTTP 404 Not Found' }, bad)
  }
})

test('initialStateOf is case-insensitive and refuses unknown states', () => {
  assert.equal(initialStateOf('stopped'), 'STOPPED')
  assert.equal(initialStateOf(null), undefined)
  assert.throws(() => initialStateOf('STARTED'), { status: 400 })
})

test('checkAndPutName adds a missing name and refuses a different one', () => {
  const config: Record<string, string> = {}
  checkAndPutName('n', config)
  assert.equal(config.name, 'n')
  assert.throws(() => checkAndPutName('n', { name: 'm' }), {
    status: 400,
    message: "Connector name configuration (m) doesn't match connector name in the URL (n)",
  })
})

test('checkConnectorName: Connect wording for empty names and ISO control characters', () => {
  checkConnectorName('ok name/日本')
  assert.throws(() => checkConnectorName(''), {
    status: 400,
    message:
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
      'Invalid value  for configuration name: String may not be empty\n' +
      'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
  })
  assert.throws(() => checkConnectorName('a\tb\u0085'), { message: /following ASCII chars: 9, 133\n/ })
})
