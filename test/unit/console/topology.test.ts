import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type ConnectorView, connectorMetricsFrom } from '../../../src/console/server/connect.ts'
import type { GroupLag } from '../../../src/console/server/lag.ts'
import {
  buildPipeline,
  configuredTopics,
  connectorHealth,
  databaseOf,
  RateTracker,
  sourceTables,
} from '../../../src/console/server/topology.ts'

const jdbc = (name: string, extra: Partial<ConnectorView> = {}): ConnectorView => ({
  name,
  type: 'source',
  className: 'io.confluent.connect.jdbc.JdbcSourceConnector',
  config: {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': 'jdbc:postgresql://127.0.0.1:5433/postgres',
    'table.whitelist': 'customers',
    'topic.prefix': 'postgres-',
  },
  state: 'RUNNING',
  workerId: 'w:8083',
  tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w:8083' }],
  topics: null,
  ...extra,
})

const group = (name: string, topics: Record<string, number>, status = 'OK'): GroupLag => ({
  group: name,
  status,
  maxLag: 4,
  maxLagSeconds: 1.5,
  totalLag: 4,
  consumeRate: 10,
  drainEtaSeconds: 0.4,
  topics,
})

test('table → connector → topic → group, healthy, with lag on the group hop', () => {
  const p = buildPipeline({
    connects: [{ name: 'c1', connectors: [jdbc('jdbc-postgres-source')] }],
    topics: new Set(['postgres-customers']),
    topicRates: new Map([['postgres-customers', 12.5]]),
    groups: [group('sink', { 'postgres-customers': 4 }), group('unrelated', { other: 1 })],
  })
  assert.deepEqual(
    p.nodes.map((n) => [n.id, n.health]),
    [
      ['connector:c1/jdbc-postgres-source', 'ok'],
      ['table:postgresql 127.0.0.1:5433/postgres/customers', 'neutral'],
      ['topic:postgres-customers', 'ok'],
      ['group:sink', 'ok'],
    ],
  )
  assert.deepEqual(p.edges, [
    { from: 'table:postgresql 127.0.0.1:5433/postgres/customers', to: 'connector:c1/jdbc-postgres-source' },
    { from: 'connector:c1/jdbc-postgres-source', to: 'topic:postgres-customers' },
    { from: 'topic:postgres-customers', to: 'group:sink' },
  ])
  assert.match(p.nodes[2].status, /12\.5 rec\/s/)
  assert.match(p.nodes[3].status, /OK · lag 4 · 1\.5 s · 10\.0 rec\/s/)
})

test('a failed task makes its connector red and carries the trace; active topics win over config', () => {
  const failed = jdbc('bad', {
    trace: 'org.postgresql.util.PSQLException: Connection refused',
    tasks: [{ id: 0, state: 'FAILED', worker_id: 'w', trace: 'boom' }],
    topics: ['actual-topic'],
  })
  const p = buildPipeline({
    connects: [{ name: 'c', connectors: [failed] }],
    topics: new Set(),
    topicRates: new Map(),
    groups: null,
  })
  const node = p.nodes.find((n) => n.kind === 'connector')!
  assert.equal(node.health, 'error')
  assert.equal(node.trace, 'org.postgresql.util.PSQLException: Connection refused')
  assert.deepEqual(node.tasks, [{ id: 0, state: 'FAILED', hasTrace: true }])
  const topic = p.nodes.find((n) => n.kind === 'topic')!
  assert.equal(topic.label, 'actual-topic')
  assert.equal(topic.health, 'warn')
  assert.equal(topic.status, 'not created yet')
})

test('Kafka down leaves topics unknown, never healthy; a Connect cluster down gives no connectors', () => {
  const p = buildPipeline({
    connects: [
      { name: 'c', connectors: [jdbc('a')] },
      { name: 'down', connectors: null },
    ],
    topics: null,
    topicRates: new Map(),
    groups: null,
  })
  const topic = p.nodes.find((n) => n.kind === 'topic')!
  assert.equal(topic.health, 'unknown')
  assert.equal(topic.status, 'Kafka not reachable')
  assert.equal(p.nodes.filter((n) => n.kind === 'connector').length, 1)
})

test('a JDBC source over every table (no list) names its tables from the topics it wrote', () => {
  const all = jdbc('jdbc-postgres-source', { topics: ['postgres-jdbc-users', 'postgres-jdbc-orders'] })
  delete all.config['table.whitelist']
  all.config['topic.prefix'] = 'postgres-jdbc-'
  const p = buildPipeline({
    connects: [{ name: 'c', connectors: [all] }],
    topics: null,
    topicRates: new Map(),
    groups: null,
  })
  assert.deepEqual(
    p.nodes.filter((n) => n.kind === 'table').map((n) => n.label),
    ['users', 'orders'],
  )
  assert.deepEqual(sourceTables({ config: { query: 'SELECT 1' }, className: 'x.Jdbc' }, []), ['query'])
  assert.deepEqual(sourceTables({ config: {}, className: 'org.acme.FileSource' }, []), ['FileSource'])
})

test('states to health; config topics for sinks and single-topic sources; database names', () => {
  assert.equal(connectorHealth({ state: 'PAUSED', tasks: [{ id: 0, state: 'PAUSED', worker_id: '' }] }), 'warn')
  assert.equal(connectorHealth({ state: 'RUNNING', tasks: [] }), 'warn')
  assert.equal(connectorHealth({ state: 'FAILED', tasks: [] }), 'error')
  assert.deepEqual(configuredTopics('sink', { topics: 'a, b' }), ['a', 'b'])
  assert.deepEqual(configuredTopics('source', { topic: 'file-lines' }), ['file-lines'])
  assert.equal(
    databaseOf({ 'connection.url': 'jdbc:postgresql://u:p@db.example:5432/shop?ssl=true' }),
    'postgresql db.example:5432/shop',
  )
  assert.equal(databaseOf({}), null)
})

test('rates from successive readings: none from one reading, none from readings under a second apart', () => {
  const r = new RateTracker()
  assert.equal(r.update('t', 100, 0), undefined)
  assert.equal(r.update('t', 150, 500), undefined)
  assert.equal(r.update('t', 300, 2000), 100)
  assert.equal(r.update('t', 10, 3000), undefined, 'a recreated topic (offsets went down) has no rate')
})

test("a flowscope worker's metrics add the connector's write rate and the table's freshness", () => {
  const metrics = connectorMetricsFrom(`
kafka_connect_source_task_metrics_source_record_write_rate{connector="jdbc-postgres-source",task="0"} 60.5
kafka_connect_source_task_metrics_source_record_write_rate{connector="jdbc-postgres-source",task="1"} 39.5
flowscope_source_freshness_seconds{connector="jdbc-postgres-source",table="public.customers"} 2.25
`)
  const p = buildPipeline({
    connects: [{ name: 'c1', connectors: [jdbc('jdbc-postgres-source')], metrics }],
    topics: new Set(['postgres-customers']),
    topicRates: new Map(),
    groups: null,
  })
  const connector = p.nodes.find((n) => n.kind === 'connector')!
  assert.equal(connector.rate, 100)
  assert.match(connector.status, /RUNNING · 1\/1 tasks running · 100 rec\/s/)
  const table = p.nodes.find((n) => n.kind === 'table')!
  assert.equal(table.freshnessSeconds, 2.25)
  assert.match(table.status, /freshness 2\.3 s$/)
  // Without metrics (an Apache Connect worker), nothing is made up.
  const bare = buildPipeline({
    connects: [{ name: 'c1', connectors: [jdbc('x')] }],
    topics: null,
    topicRates: new Map(),
    groups: null,
  })
  assert.equal(bare.nodes.find((n) => n.kind === 'connector')!.rate, null)
  assert.equal(bare.nodes.find((n) => n.kind === 'table')!.freshnessSeconds, undefined)
})

test("a JDBC source and a CDC source on one Postgres table share the table's node", () => {
  const cdc = jdbc('postgres-cdc-users', {
    className: 'io.debezium.connector.postgresql.PostgresConnector',
    config: {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': '127.0.0.1',
      'database.port': '5433',
      'database.dbname': 'postgres',
      'table.include.list': 'public.customers',
      'topic.prefix': 'cdc',
    },
    topics: ['cdc.public.customers'],
  })
  const p = buildPipeline({
    connects: [{ name: 'c1', connectors: [jdbc('jdbc-postgres-source'), cdc] }],
    topics: new Set(['postgres-customers', 'cdc.public.customers']),
    topicRates: new Map(),
    groups: [],
  })
  const tables = p.nodes.filter((n) => n.kind === 'table')
  assert.deepEqual(
    tables.map((n) => [n.id, n.label]),
    [['table:postgresql 127.0.0.1:5433/postgres/customers', 'customers']],
  )
  assert.deepEqual(
    p.edges.filter((e) => e.from === tables[0].id).map((e) => e.to),
    ['connector:c1/jdbc-postgres-source', 'connector:c1/postgres-cdc-users'],
  )
})
