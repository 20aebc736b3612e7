import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  envNameToProperty,
  envToProperties,
  loadWorkerConfig,
  WorkerConfigError,
  workerConfigDef,
} from '../../../src/config/worker-config.ts'

function propertiesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flowscope-worker-')), 'worker.properties')
  writeFileSync(file, text)
  return file
}

test("defaults are Connect's (and flowscope's where Connect has none)", () => {
  const c = loadWorkerConfig({ env: {} })
  assert.deepEqual(c.get('bootstrap.servers'), ['localhost:9092'])
  assert.equal(c.get('group.id'), 'connect-cluster')
  assert.equal(c.get('config.storage.topic'), 'connect-configs')
  assert.equal(c.get('offset.storage.topic'), 'connect-offsets')
  assert.equal(c.get('status.storage.topic'), 'connect-status')
  assert.equal(c.get('config.storage.replication.factor'), 3)
  assert.equal(c.get('offset.storage.replication.factor'), 3)
  assert.equal(c.get('status.storage.replication.factor'), 3)
  assert.equal(c.get('offset.storage.partitions'), 25)
  assert.equal(c.get('status.storage.partitions'), 5)
  assert.equal(c.get('offset.flush.interval.ms'), 60000)
  assert.equal(c.get('offset.flush.timeout.ms'), 5000)
  assert.equal(c.get('task.shutdown.graceful.timeout.ms'), 5000)
  assert.equal(c.connectorClientConfigOverridePolicy, 'All')
  assert.equal(c.get('topic.creation.enable'), true)
  assert.equal(c.get('topic.tracking.enable'), true)
  assert.equal(c.get('topic.tracking.allow.reset'), true)
  assert.equal(c.get('flowscope.rest.max.body.bytes'), 1048576)
  assert.equal(c.restHost, '')
  assert.equal(c.restPort, 8083)
  assert.equal(c.advertisedUrl, `http://${hostname()}:8083`)
  assert.deepEqual(c.converterConfig('key'), { className: 'org.apache.kafka.connect.json.JsonConverter', config: {} })
  assert.deepEqual(c.converterConfig('value'), { className: 'org.apache.kafka.connect.json.JsonConverter', config: {} })
  assert.deepEqual(c.originals(), {})
})

test('CONNECT_* names map as in Confluent images', () => {
  assert.equal(envNameToProperty('OFFSET_FLUSH_INTERVAL_MS'), 'offset.flush.interval.ms')
  assert.equal(envNameToProperty('PRODUCER_SASL___JAAS__CONFIG'), 'producer.sasl-jaas_config')
  assert.equal(envNameToProperty('CONFLUENT_TOPIC__REPLICATION___FACTOR'), 'confluent.topic_replication-factor')
  assert.deepEqual(
    envToProperties({
      CONNECT_GROUP_ID: 'g',
      CONNECT_LOG4J_LOGGERS: 'org.reflections=ERROR',
      KAFKA_HEAP_OPTS: '-Xmx1g',
      CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: 'false',
    }),
    { 'group.id': 'g', 'value.converter.schemas.enable': 'false' },
  )
})

test("the seed's compose environment loads (with a supported value converter)", () => {
  const c = loadWorkerConfig({
    env: {
      CONNECT_BOOTSTRAP_SERVERS: 'broker:29092',
      CONNECT_REST_ADVERTISED_HOST_NAME: 'connect',
      CONNECT_REST_PORT: '8083',
      CONNECT_GROUP_ID: 'compose-connect-group',
      CONNECT_CONFIG_STORAGE_TOPIC: '_docker-connect-configs',
      CONNECT_OFFSET_STORAGE_TOPIC: '_docker-connect-offsets',
      CONNECT_STATUS_STORAGE_TOPIC: '_docker-connect-status',
      CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_FLUSH_INTERVAL_MS: '10000',
      CONNECT_KEY_CONVERTER: 'org.apache.kafka.connect.storage.StringConverter',
      CONNECT_VALUE_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      CONNECT_INTERNAL_KEY_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      CONNECT_PRODUCER_INTERCEPTOR_CLASSES: 'io.confluent.monitoring.clients.interceptor.MonitoringProducerInterceptor',
      CONNECT_PLUGIN_PATH: '/usr/share/java,/usr/share/confluent-hub-components',
      CONNECT_LOG4J_LOGGERS: 'org.apache.zookeeper=ERROR',
    },
  })
  assert.deepEqual(c.get('bootstrap.servers'), ['broker:29092'])
  assert.equal(c.get('group.id'), 'compose-connect-group')
  assert.equal(c.get('offset.storage.topic'), '_docker-connect-offsets')
  assert.equal(c.get('status.storage.replication.factor'), 1)
  assert.equal(c.get('offset.flush.interval.ms'), 10000)
  assert.equal(c.workerId, 'connect:8083')
  assert.equal(c.advertisedUrl, 'http://connect:8083')
  assert.equal(c.converterConfig('key').className, 'org.apache.kafka.connect.storage.StringConverter')
  assert.deepEqual(c.producerOverrides(), {
    'interceptor.classes': 'io.confluent.monitoring.clients.interceptor.MonitoringProducerInterceptor',
  })
  // Removed in Kafka 3.0 and unknown here: kept in originals, reported as unknown.
  assert.equal(c.originals()['internal.key.converter'], 'org.apache.kafka.connect.json.JsonConverter')
  assert.deepEqual(c.unknownKeys(), ['internal.key.converter'])
  // The image's plugin path means nothing to flowscope: said at start.
  assert.deepEqual(
    c.notActedOn().map((k) => k.name),
    ['plugin.path'],
  )
})

test("get is typed by each key's declaration and refuses keys the definition does not hold", () => {
  const c = loadWorkerConfig({ env: {}, overrides: { 'rest.advertised.port': '8084' } })
  const interval: number = c.get('offset.flush.interval.ms')
  const servers: string[] = c.get('bootstrap.servers')
  const creation: boolean = c.get('topic.creation.enable')
  const advertised: number | null = c.get('rest.advertised.port')
  const host: string | null = c.get('rest.advertised.host.name')
  assert.equal(interval, 60000)
  assert.deepEqual(servers, ['localhost:9092'])
  assert.equal(creation, true)
  assert.equal(advertised, 8084)
  assert.equal(host, null)
  // @ts-expect-error offset.flush.interval.ms is a number
  const notAString: string = c.get('offset.flush.interval.ms')
  // @ts-expect-error rest.advertised.port has no default: it may be null
  const notNull: number = c.get('rest.advertised.port')
  assert.equal(typeof notAString, 'number')
  assert.equal(typeof notNull, 'number')
  assert.throws(
    // @ts-expect-error not a worker key
    () => c.get('offset.flush.intervall.ms'),
    /Unknown worker configuration key offset\.flush\.intervall\.ms/,
  )
})

test('precedence: overrides > env > file > defaults', () => {
  const file = propertiesFile(
    [
      'group.id=from-file',
      'offset.flush.interval.ms=1000',
      'offset.flush.timeout.ms=2000',
      'status.storage.partitions=7',
    ].join('\n'),
  )
  const c = loadWorkerConfig({
    file,
    env: { CONNECT_OFFSET_FLUSH_INTERVAL_MS: '3000', CONNECT_OFFSET_FLUSH_TIMEOUT_MS: '4000' },
    overrides: { 'offset.flush.timeout.ms': '6000' },
  })
  assert.equal(c.get('group.id'), 'from-file')
  assert.equal(c.get('offset.flush.interval.ms'), 3000)
  assert.equal(c.get('offset.flush.timeout.ms'), 6000)
  assert.equal(c.get('status.storage.partitions'), 7)
  assert.equal(c.get('offset.storage.partitions'), 25)
})

test('localDefaults sit above the definition defaults and below file, env and overrides', () => {
  const file = propertiesFile(['group.id=from-file', 'offset.flush.interval.ms=1000'].join('\n'))
  const c = loadWorkerConfig({
    file,
    env: { CONNECT_OFFSET_FLUSH_TIMEOUT_MS: '4000' },
    localDefaults: {
      'group.id': 'local',
      'offset.flush.interval.ms': '10000',
      'offset.flush.timeout.ms': '9000',
      'status.storage.partitions': '9',
      'offset.storage.partitions': '11',
    },
    overrides: { 'offset.storage.partitions': '13' },
  })
  assert.equal(c.get('status.storage.partitions'), 9, 'local default over definition default')
  assert.equal(c.get('group.id'), 'from-file', 'file over local default')
  assert.equal(c.get('offset.flush.interval.ms'), 1000, 'file over local default')
  assert.equal(c.get('offset.flush.timeout.ms'), 4000, 'env over local default')
  assert.equal(c.get('offset.storage.partitions'), 13, 'override over local default')
  assert.equal(c.get('status.storage.replication.factor'), 3, 'definition default where nothing else sets it')
  assert.throws(
    () => loadWorkerConfig({ env: {}, localDefaults: { 'status.storage.partitions': '0' } }),
    /status\.storage\.partitions \(from local default\): Invalid value 0/,
  )
})

test('an unreadable properties file is a clear error naming the file', () => {
  assert.throws(
    () => loadWorkerConfig({ file: '/nonexistent/worker.properties', env: {} }),
    /Cannot read worker properties file \/nonexistent\/worker\.properties/,
  )
})

test('listeners wins over rest.port; rest.port/rest.host.name apply when listeners is absent', () => {
  const both = loadWorkerConfig({ env: {}, overrides: { listeners: 'http://127.0.0.1:9000', 'rest.port': '8084' } })
  assert.equal(both.restHost, '127.0.0.1')
  assert.equal(both.restPort, 9000)
  const legacy = loadWorkerConfig({ env: {}, overrides: { 'rest.port': '8084', 'rest.host.name': 'localhost' } })
  assert.equal(legacy.restHost, 'localhost')
  assert.equal(legacy.restPort, 8084)
  assert.equal(legacy.advertisedUrl, 'http://localhost:8084')
  const many = loadWorkerConfig({ env: {}, overrides: { listeners: 'http://[::1]:8085, http://:8086' } })
  assert.deepEqual(many.listeners, [
    { protocol: 'http', host: '::1', port: 8085 },
    { protocol: 'http', host: '', port: 8086 },
  ])
  assert.equal(many.advertisedUrl, 'http://[::1]:8085')
})

test('advertised host and port override what the listener says; port 0 is resolved once bound', () => {
  const c = loadWorkerConfig({ env: {}, overrides: { listeners: 'http://:0', 'rest.advertised.host.name': 'w1' } })
  assert.equal(c.restPort, 0)
  assert.equal(c.advertisedUrlFor(41234), 'http://w1:41234')
  const fixed = loadWorkerConfig({
    env: {},
    overrides: { 'rest.advertised.host.name': 'w2', 'rest.advertised.port': '443' },
  })
  assert.equal(fixed.advertisedUrl, 'http://w2:443')
  assert.equal(fixed.workerId, 'w2:443')
})

test('converter sub-keys and client prefixes are passed on without their prefix', () => {
  const c = loadWorkerConfig({
    env: {},
    overrides: {
      'value.converter': 'JsonConverter',
      'value.converter.schemas.enable': 'false',
      'key.converter': 'StringConverter',
      'key.converter.converter.encoding': 'UTF-16',
      'producer.linger.ms': '5',
      'consumer.max.poll.records': '10',
      'admin.request.timeout.ms': '100',
    },
  })
  assert.deepEqual(c.converterConfig('value'), {
    className: 'org.apache.kafka.connect.json.JsonConverter',
    config: { 'schemas.enable': 'false' },
  })
  assert.deepEqual(c.converterConfig('key'), {
    className: 'org.apache.kafka.connect.storage.StringConverter',
    config: { 'converter.encoding': 'UTF-16' },
  })
  assert.deepEqual(c.producerOverrides(), { 'linger.ms': '5' })
  assert.deepEqual(c.consumerOverrides(), { 'max.poll.records': '10' })
  assert.deepEqual(c.adminOverrides(), { 'request.timeout.ms': '100' })
  assert.deepEqual(c.unknownKeys(), [])
})

test('replication factor -1 means broker default; 0 and below -1 are invalid', () => {
  assert.equal(
    loadWorkerConfig({ env: {}, overrides: { 'offset.storage.replication.factor': '-1' } }).get(
      'offset.storage.replication.factor',
    ),
    -1,
  )
  for (const bad of ['0', '-2']) {
    assert.throws(
      () => loadWorkerConfig({ env: {}, overrides: { 'config.storage.replication.factor': bad } }),
      new RegExp(
        `config\\.storage\\.replication\\.factor \\(from override\\): Invalid value ${bad} .*Replication factor must be positive`,
      ),
    )
  }
  assert.throws(
    () => loadWorkerConfig({ env: {}, overrides: { 'status.storage.partitions': '0' } }),
    /Number of partitions must be positive, or -1/,
  )
})

test('every problem is listed at once, each naming its key and where the value came from', () => {
  const file = propertiesFile('bootstrap.servers=broker\n')
  try {
    loadWorkerConfig({
      file,
      env: {
        CONNECT_OFFSET_FLUSH_INTERVAL_MS: 'abc',
        CONNECT_VALUE_CONVERTER: 'io.confluent.connect.avro.AvroConverter',
      },
      overrides: {
        listeners: 'https://:8443',
        'connector.client.config.override.policy': 'Some',
        'topic.creation.enable': 'yes',
      },
    })
    assert.fail('expected a WorkerConfigError')
  } catch (error) {
    assert.ok(error instanceof WorkerConfigError)
    const lines = error.message.split('\n')
    assert.equal(lines[0], 'Invalid worker configuration:')
    assert.deepEqual([...error.problems.keys()].sort(), [
      'bootstrap.servers',
      'connector.client.config.override.policy',
      'listeners',
      'offset.flush.interval.ms',
      'topic.creation.enable',
      'value.converter',
    ])
    assert.ok(
      lines.includes(
        `  bootstrap.servers (from ${file}): Invalid value broker for configuration bootstrap.servers: Expected host:port entries, got "broker"`,
      ),
    )
    assert.ok(
      lines.some((l) =>
        l.startsWith('  offset.flush.interval.ms (from env CONNECT_OFFSET_FLUSH_INTERVAL_MS): Invalid value abc'),
      ),
    )
    assert.ok(lines.some((l) => /value\.converter .*AvroConverter is not supported.*JsonConverter/.test(l)))
    assert.ok(lines.some((l) => /listeners \(from override\): .*only http listeners/.test(l)))
    assert.equal(error.status, 400)
  }
})

test('a bad legacy rest.host.name is reported, not crashed on', () => {
  assert.throws(
    () => loadWorkerConfig({ env: {}, overrides: { 'rest.host.name': 'a b' } }),
    /rest\.host\.name .*Invalid host name "a b"/,
  )
})

test('override policies accept class names and short names', () => {
  const policy = (value: string) =>
    loadWorkerConfig({ env: {}, overrides: { 'connector.client.config.override.policy': value } })
      .connectorClientConfigOverridePolicy
  assert.equal(policy('None'), 'None')
  assert.equal(
    policy('org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy'),
    'Principal',
  )
})

test('the definition documents every key it validates', () => {
  for (const k of workerConfigDef.keys()) assert.ok(k.documentation.length > 10, `${k.name} has documentation`)
  assert.equal(workerConfigDef.key('listeners')?.default?.toString(), 'http://:8083')
})

test("inter.worker.* keys: Connect's defaults, and its validation of algorithms, key size and the signing list", () => {
  const defaults = loadWorkerConfig({ env: {} })
  assert.equal(defaults.get('inter.worker.key.generation.algorithm'), 'HmacSHA256')
  assert.equal(defaults.get('inter.worker.key.size'), null)
  assert.equal(defaults.get('inter.worker.key.ttl.ms'), 3600000)
  assert.equal(defaults.get('inter.worker.signature.algorithm'), 'HmacSHA256')
  assert.deepEqual(defaults.get('inter.worker.verification.algorithms'), ['HmacSHA256'])
  const given = loadWorkerConfig({
    env: {},
    overrides: {
      'inter.worker.signature.algorithm': 'HmacSHA512',
      'inter.worker.verification.algorithms': 'HmacSHA256,HmacSHA512',
      'inter.worker.key.size': '512',
    },
  })
  assert.equal(given.get('inter.worker.key.size'), 512)
  const invalid = (overrides: Record<string, string>) => () => loadWorkerConfig({ env: {}, overrides })
  assert.throws(
    invalid({ 'inter.worker.signature.algorithm': 'HmacSHA512' }),
    /inter\.worker\.signature\.algorithm .*Signature algorithm must be present in inter\.worker\.verification\.algorithms list/,
  )
  assert.throws(
    invalid({ 'inter.worker.key.generation.algorithm': 'AES' }),
    /inter\.worker\.key\.generation\.algorithm .*AES is not supported by flowscope; the supported algorithms are: HmacMD5/,
  )
  assert.throws(
    invalid({ 'inter.worker.verification.algorithms': '' }),
    /At least one signature verification algorithm must be provided/,
  )
  assert.throws(
    invalid({ 'inter.worker.key.size': '32' }),
    /Unable to create key generator with algorithm HmacSHA256 and key size 32: Key length must be at least 40 bits/,
  )
  assert.throws(invalid({ 'inter.worker.key.ttl.ms': '-1' }), /inter\.worker\.key\.ttl\.ms .*between 0 and 2147483647/)
})
