import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MASK, maskConfig, maskUrlCredentials, passwordKeysOf } from '../../../src/console/server/masking.ts'

test('PASSWORD-typed keys from Connect validation are masked, whatever their name', () => {
  const validation = {
    configs: [
      { definition: { name: 'connection.password', type: 'PASSWORD' } },
      { definition: { name: 'odd.name', type: 'PASSWORD' } },
      { definition: { name: 'connection.user', type: 'STRING' } },
    ],
  }
  const keys = passwordKeysOf(validation)
  assert.deepEqual([...keys].sort(), ['connection.password', 'odd.name'])
  const masked = maskConfig({ 'odd.name': 'hunter2', 'connection.user': 'app', 'connection.password': 's3cret' }, keys)
  assert.deepEqual(masked, { 'odd.name': MASK, 'connection.user': 'app', 'connection.password': MASK })
})

test('without validation, secret-looking key names are masked; an empty secret stays empty', () => {
  const masked = maskConfig({
    'connection.password': 'x',
    'sasl.jaas.config': 'org.apache...PlainLoginModule required password="p";',
    'api.key': 'k',
    'aws.secret.access.key': 's',
    'token.file': '',
    'topic.prefix': 'pg-',
    'tasks.max': '1',
  })
  assert.equal(masked['connection.password'], MASK)
  assert.equal(masked['sasl.jaas.config'], MASK)
  assert.equal(masked['api.key'], MASK)
  assert.equal(masked['aws.secret.access.key'], MASK)
  assert.equal(masked['token.file'], '')
  assert.equal(masked['topic.prefix'], 'pg-')
  assert.equal(masked['tasks.max'], '1')
  assert.equal(passwordKeysOf({ error: 'no' }).size, 0)
})

test('credentials inside URLs are masked in any value', () => {
  assert.equal(maskUrlCredentials('jdbc:postgresql://app:s3cret@db:5432/x'), `jdbc:postgresql://app:${MASK}@db:5432/x`)
  assert.equal(maskUrlCredentials('http://host:8080/path'), 'http://host:8080/path')
  assert.equal(maskConfig({ 'connection.url': 'postgres://u:p@h/db' })['connection.url'], `postgres://u:${MASK}@h/db`)
})
