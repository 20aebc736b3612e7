import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mask, parseJdbcUrl } from '../../../../src/connectors/jdbc/jdbc-url.ts'

test('jdbc:postgresql URLs with host, port, database and JDBC parameters', () => {
  const s = parseJdbcUrl(
    'jdbc:postgresql://db.example:6543/shop?user=app&password=s%40cret&sslmode=require&currentSchema=sales&ApplicationName=flow&connectTimeout=5',
  )
  assert.equal(s.host, 'db.example')
  assert.equal(s.port, 6543)
  assert.equal(s.database, 'shop')
  assert.equal(s.user, 'app')
  assert.equal(s.password, 's@cret')
  assert.deepEqual(s.ssl, { rejectUnauthorized: false })
  assert.equal(s.options, '-c search_path=sales')
  assert.equal(s.applicationName, 'flow')
  assert.equal(s.connectTimeoutMs, 5000)
  assert.equal(
    s.display,
    'jdbc:postgresql://db.example:6543/shop?user=app&password=****&sslmode=require&currentSchema=sales&ApplicationName=flow&connectTimeout=5',
  )
})

test('defaults, short forms, IPv6 and fail-over host lists', () => {
  assert.deepEqual(
    { ...parseJdbcUrl('jdbc:postgresql://postgres/postgres') },
    {
      host: 'postgres',
      port: 5432,
      database: 'postgres',
      ignoredParams: [],
      display: 'jdbc:postgresql://postgres/postgres',
    },
  )
  const local = parseJdbcUrl('jdbc:postgresql:mydb')
  assert.deepEqual([local.host, local.port, local.database], ['localhost', 5432, 'mydb'])
  const v6 = parseJdbcUrl('jdbc:postgresql://[::1]:5433/db')
  assert.deepEqual([v6.host, v6.port], ['::1', 5433])
  const multi = parseJdbcUrl('jdbc:postgresql://a:1,b:2/db?targetServerType=primary')
  assert.deepEqual([multi.host, multi.port], ['a', 1])
  assert.deepEqual(multi.ignoredParams, ['hosts b:2', 'targetServerType'])
})

test('postgres:// and postgresql:// URLs with user info', () => {
  const s = parseJdbcUrl('postgres://u%20x:p%3Aw@127.0.0.1:5432/postgres?sslmode=disable')
  assert.deepEqual([s.user, s.password, s.host, s.database, s.ssl], ['u x', 'p:w', '127.0.0.1', 'postgres', false])
  assert.equal(mask('postgres://u:secret@h/db'), 'postgres://u:****@h/db')
  const t = parseJdbcUrl('postgresql://h')
  assert.deepEqual([t.host, t.port, t.database, t.user], ['h', 5432, '', undefined])
})

test('ssl=true means verify-full as in pgjdbc; bad input names what is wrong', () => {
  assert.deepEqual(parseJdbcUrl('jdbc:postgresql://h/db?ssl=true').ssl, { rejectUnauthorized: true })
  assert.throws(() => parseJdbcUrl(''), /must not be empty/)
  assert.throws(() => parseJdbcUrl('jdbc:oracle:thin:@h:1521:x'), /PostgreSQL only, not "oracle"/)
  assert.throws(() => parseJdbcUrl('http://h/db'), /expected jdbc:postgresql/)
  assert.throws(() => parseJdbcUrl('jdbc:postgresql://h:99999/db'), /Invalid port "99999"/)
  assert.throws(() => parseJdbcUrl('jdbc:postgresql://h/db?sslmode=maybe'), /Invalid sslmode "maybe"/)
})
