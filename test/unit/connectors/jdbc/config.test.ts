import assert from 'node:assert/strict'
import { test } from 'node:test'
import { configInfos } from '../../../../src/config/config-def.ts'
import { jdbcSourceConfigDef, parseJdbcSourceConfig } from '../../../../src/connectors/jdbc/config.ts'

const seed = {
  'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
  'connection.url': 'jdbc:postgresql://postgres:5432/postgres',
  'connection.user': 'postgres',
  'connection.password': 'postgres',
  'topic.prefix': 'postgres-jdbc-',
  mode: 'bulk',
  'poll.interval.ms': '100',
}

test("the seed's connector config parses with upstream's defaults", () => {
  const { config, errors } = parseJdbcSourceConfig(seed)
  assert.deepEqual([...errors], [])
  assert.ok(config)
  assert.equal(config.pollIntervalMs, 100)
  assert.equal(config.batchMaxRows, 100)
  assert.equal(config.connectionAttempts, 3)
  assert.equal(config.connectionBackoffMs, 10000)
  assert.equal(config.tablePollIntervalMs, 60000)
  assert.equal(config.timestampDelayIntervalMs, 0)
  assert.equal(config.timestampInitial, null)
  assert.equal(config.dbTimezone, 'UTC')
  assert.equal(config.numericMapping, 'none')
  assert.equal(config.quoteSqlIdentifiers, 'always')
  assert.deepEqual(config.tableTypes, ['TABLE'])
  assert.equal(config.validateNonNull, true)
})

test('mode and topic.prefix are required; bad values name their key', () => {
  const { errors } = parseJdbcSourceConfig({ 'connection.url': 'jdbc:postgresql://h/db' })
  assert.match(errors.get('mode')?.[0] ?? '', /Missing required configuration "mode"/)
  assert.match(errors.get('topic.prefix')?.[0] ?? '', /Missing required/)
  const bad = parseJdbcSourceConfig({
    ...seed,
    mode: 'sometimes',
    'numeric.mapping': 'wide',
    'db.timezone': 'Mars/Olympus',
    'topic.prefix': 'bad prefix!',
    'batch.max.rows': '0',
    'connection.url': 'jdbc:mysql://h/db',
    'table.include.list': '(unclosed',
  }).errors
  assert.match(bad.get('mode')?.[0] ?? '', /one of: bulk, incrementing, timestamp, timestamp\+incrementing/)
  assert.match(bad.get('numeric.mapping')?.[0] ?? '', /none, precision_only, best_fit/)
  assert.match(bad.get('db.timezone')?.[0] ?? '', /Mars\/Olympus/)
  assert.match(bad.get('topic.prefix')?.[0] ?? '', /ASCII alphanumerics/)
  assert.match(bad.get('batch.max.rows')?.[0] ?? '', /at least 1/)
  assert.match(bad.get('connection.url')?.[0] ?? '', /PostgreSQL only, not "mysql"/)
  assert.match(bad.get('table.include.list')?.[0] ?? '', /regular expression/)
})

test('keys that exclude each other are reported on each key', () => {
  const { errors } = parseJdbcSourceConfig({
    ...seed,
    mode: 'timestamp',
    'table.whitelist': 'a',
    'table.blacklist': 'b',
    'table.exclude.list': 'x',
  })
  assert.match(errors.get('table.whitelist')?.[0] ?? '', /exclusive/)
  assert.match(errors.get('table.blacklist')?.[0] ?? '', /exclusive/)
  assert.match(errors.get('table.exclude.list')?.[0] ?? '', /requires table.include.list/)
  assert.match(errors.get('timestamp.column.name')?.[0] ?? '', /mode=timestamp requires timestamp.column.name/)
  const query = parseJdbcSourceConfig({ ...seed, mode: 'incrementing', query: 'SELECT 1', 'table.whitelist': 'a' })
  assert.match(query.errors.get('query')?.[0] ?? '', /cannot be combined/)
  assert.match(query.errors.get('incrementing.column.name')?.[0] ?? '', /cannot be auto-detected/)
})

test('numeric.precision.mapping=true (deprecated) means precision_only unless numeric.mapping is set', () => {
  assert.equal(
    parseJdbcSourceConfig({ ...seed, 'numeric.precision.mapping': 'true' }).config?.numericMapping,
    'precision_only',
  )
  const both = { ...seed, 'numeric.precision.mapping': 'true', 'numeric.mapping': 'BEST_FIT' }
  assert.equal(parseJdbcSourceConfig(both).config?.numericMapping, 'best_fit')
})

test('the validate answer lists every key once, grouped as upstream, with the password hidden', () => {
  const infos = configInfos('io.flowscope.connect.jdbc.JdbcSourceConnector', jdbcSourceConfigDef, seed)
  assert.deepEqual(infos.groups, ['Database', 'Mode', 'Connector'])
  assert.equal(infos.error_count, 0)
  const names = infos.configs.map((c) => c.definition.name)
  assert.equal(new Set(names).size, names.length)
  const password = infos.configs.find((c) => c.definition.name === 'connection.password')
  assert.equal(password?.value.value, '[hidden]')
  const mode = infos.configs.find((c) => c.definition.name === 'mode')
  assert.equal(mode?.definition.required, true)
  assert.equal(mode?.definition.group, 'Mode')
})
