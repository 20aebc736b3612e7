// The connectors `flowscope up` registers on the seed's users table: the CDC one is Debezium's config as its users
// write it, which flowscope's CDC connector parses with nothing ignored, and which the console's topology reads.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { builtinPlugins } from '../../../src/cli/plugins.ts'
import { parseUpArgs, upHelp } from '../../../src/cli/up.ts'
import { ignoredKeys, requirePostgresCdcConfig, tableCaptured } from '../../../src/connectors/postgres-cdc/config.ts'
import { topicFor } from '../../../src/connectors/postgres-cdc/tables.ts'
import { databaseOf, tablesOf } from '../../../src/console/server/topology.ts'
import {
  CDC_CONNECTOR_NAME,
  CDC_PUBLICATION,
  CDC_SLOT,
  CDC_TOPIC,
  cdcConnectorConfig,
  postgresTarget,
  seedConnectorConfig,
} from '../../../src/local/seed-connector.ts'

const target = postgresTarget('postgres://postgres:p%40ss@127.0.0.1:5433/postgres')

test('the CDC connector is Debezium-shaped config on the same database as the seed connector', () => {
  const cdc = cdcConnectorConfig(target)
  assert.equal(cdc['connector.class'], 'io.debezium.connector.postgresql.PostgresConnector')
  assert.deepEqual(
    {
      host: cdc['database.hostname'],
      port: cdc['database.port'],
      user: cdc['database.user'],
      password: cdc['database.password'],
      db: cdc['database.dbname'],
    },
    { host: '127.0.0.1', port: '5433', user: 'postgres', password: 'p@ss', db: 'postgres' },
  )
  assert.equal(
    seedConnectorConfig(target)['connection.url'],
    `jdbc:postgresql://${cdc['database.hostname']}:${cdc['database.port']}/${cdc['database.dbname']}`,
  )
  assert.equal(cdc['plugin.name'], 'pgoutput')
  assert.equal(cdc['table.include.list'], 'public.users')
  assert.equal(cdc['snapshot.mode'], 'initial')
  // The slot must outlive stops so changes made while the stack is down are not lost.
  assert.equal(cdc['slot.drop.on.stop'], 'false')
})

test("the CDC slot and publication clash neither with Debezium's defaults nor with the JDBC connector's topics", () => {
  assert.notEqual(CDC_SLOT, 'debezium')
  assert.notEqual(CDC_PUBLICATION, 'dbz_publication')
  assert.match(CDC_SLOT, /^[a-z0-9_]{1,63}$/) // PostgreSQL's rule for slot names
  const cdc = cdcConnectorConfig(target)
  assert.equal(cdc['slot.name'], CDC_SLOT)
  assert.equal(cdc['publication.name'], CDC_PUBLICATION)
  assert.notEqual(cdc['topic.prefix'], seedConnectorConfig(target)['topic.prefix'])
})

test("flowscope's CDC connector answers to the class and takes every key, capturing users into the topic named", () => {
  const cdc = cdcConnectorConfig(target)
  const plugin = builtinPlugins.find((p) => p.aliases?.includes(cdc['connector.class']))
  assert.equal(plugin?.className, 'io.flowscope.connect.postgres.PostgresCdcConnector')
  const config = requirePostgresCdcConfig(cdc)
  assert.equal(config.slotName, CDC_SLOT)
  assert.equal(config.publicationAutocreateMode, 'filtered')
  assert.equal(config.snapshotMode, 'initial')
  assert.ok(tableCaptured(config, 'public', 'users'))
  assert.ok(!tableCaptured(config, 'public', 'orders'))
  assert.equal(topicFor(config.topicPrefix, 'public', 'users'), CDC_TOPIC)
  assert.equal(CDC_TOPIC, 'postgres-cdc.public.users')
  // connector.class, tasks.max are Connect's own keys: none of the config is ignored.
  const connectLevel = new Set(['connector.class', 'tasks.max', 'name'])
  assert.deepEqual(
    ignoredKeys(cdc, (k) => connectLevel.has(k)),
    [],
  )
})

test("the console's topology reads the CDC connector's table and database from Debezium's keys", () => {
  const cdc = cdcConnectorConfig(target)
  assert.deepEqual(tablesOf(cdc), ['public.users'])
  assert.equal(databaseOf(cdc), 'postgresql 127.0.0.1:5433/postgres')
})

test('`up --help` names the CDC connector, its topic and slot, and --no-cdc, which the command line accepts', () => {
  for (const word of [CDC_CONNECTOR_NAME, CDC_TOPIC, CDC_SLOT, '--no-cdc']) assert.ok(upHelp.includes(word), word)
  assert.equal(parseUpArgs(['--no-cdc'])['no-cdc'], true)
  assert.equal(parseUpArgs([])['no-cdc'], undefined)
})
