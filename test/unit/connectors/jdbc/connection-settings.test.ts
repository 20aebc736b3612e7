// The JDBC source's config mapped to the shared Postgres connection settings.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { requireJdbcSourceConfig } from '../../../../src/connectors/jdbc/config.ts'
import { settingsFor } from '../../../../src/connectors/jdbc/connection-settings.ts'

const config = (extra: Record<string, string>) =>
  requireJdbcSourceConfig({
    'connection.url': 'jdbc:postgresql://db:6543/shop?user=url_user&password=url_pw&ApplicationName=flow&foo=1',
    'topic.prefix': 'p-',
    mode: 'bulk',
    ...extra,
  })

test('URL settings pass through; only URL-parsing notes (ignored parameters) stay behind', () => {
  assert.deepEqual(settingsFor(config({})), {
    host: 'db',
    port: 6543,
    database: 'shop',
    user: 'url_user',
    password: 'url_pw',
    applicationName: 'flow',
    display: 'jdbc:postgresql://db:6543/shop?user=url_user&password=****&ApplicationName=flow&foo=1',
  })
})

test('connection.user and connection.password win over the URL; an empty connection.user does not', () => {
  const s = settingsFor(config({ 'connection.user': 'app', 'connection.password': 'secret' }))
  assert.deepEqual([s.user, s.password], ['app', 'secret'])
  assert.equal(settingsFor(config({ 'connection.user': '' })).user, 'url_user')
})
