import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mock, test } from 'node:test'
import {
  loadWorkerConfig,
  notActedOnKeys,
  notActedOnReason,
  notActedOnWarning,
  workerConfigDef,
} from '../../../src/config/worker-config.ts'
import { DOC_PATH, withGeneratedSection, workerKeysMarkdown } from '../../../src/config/worker-config-docs.ts'
import { getLogger } from '../../../src/logging.ts'
import { workerSettingsFrom } from '../../../src/runtime/worker-settings.ts'

function propertiesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flowscope-keys-')), 'worker.properties')
  writeFileSync(file, text)
  return file
}

test('keys set but not acted on are listed with why, from every layer the user controls', () => {
  const c = loadWorkerConfig({
    file: propertiesFile(
      'access.control.allow.origin=*\nscheduled.rebalance.max.delay.ms=45000\nsession.timeout.ms=45000\ngroup.id=g\n',
    ),
    env: { CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT: 'enabled', CONNECT_OFFSET_FLUSH_INTERVAL_MS: '1000' },
    overrides: {
      'connect.protocol': 'eager',
      'consumer.max.poll.records': '5',
      'producer.linger.ms': '5',
      'value.converter.schemas.enable': 'false',
      'internal.key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    },
  })
  assert.deepEqual(
    c.notActedOn().map((k) => k.name),
    ['access.control.allow.origin', 'consumer.max.poll.records'],
  )
  assert.match(c.notActedOn()[0].reason, /no CORS headers/)
  // Unknown keys stay unknown keys, not "not acted on".
  assert.deepEqual(c.unknownKeys(), ['internal.key.converter'])
})

test('keys flowscope acts on, and keys left at their defaults, are not listed', () => {
  const c = loadWorkerConfig({
    env: {},
    overrides: {
      'group.id': 'g',
      'offset.flush.interval.ms': '1000',
      'producer.linger.ms': '5',
      'topic.creation.enable': 'false',
      'session.timeout.ms': '30000',
      listeners: 'http://:0',
    },
  })
  assert.deepEqual(c.notActedOn(), [])
  assert.equal(notActedOnWarning(c), undefined)
  assert.deepEqual(workerSettingsFrom(c, []).group, {
    sessionTimeoutMs: 30000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 60000,
    protocol: 'sessioned',
    scheduledRebalanceMaxDelayMs: 300000,
    workerSyncTimeoutMs: 3000,
    workerUnsyncBackoffMs: 300000,
  })
  assert.equal(notActedOnReason('offset.flush.interval.ms'), undefined)
  assert.equal(notActedOnReason('producer.linger.ms'), undefined)
  assert.equal(notActedOnReason('no.such.key'), undefined)
  // The group membership's timings and protocol are passed on, the scheduled delay to the cooperative assignor.
  assert.equal(notActedOnReason('heartbeat.interval.ms'), undefined)
  assert.equal(notActedOnReason('scheduled.rebalance.max.delay.ms'), undefined)
  assert.equal(notActedOnReason('connect.protocol'), undefined)
})

test("a launcher's local default is not the user setting a key; the same key from the file is", () => {
  const local = loadWorkerConfig({ env: {}, localDefaults: { 'plugin.path': '/opt/plugins' } })
  assert.deepEqual(local.notActedOn(), [])
  const fromFile = loadWorkerConfig({
    env: {},
    localDefaults: { 'plugin.path': '/opt/plugins' },
    file: propertiesFile('plugin.path=/usr/share/java\n'),
  })
  assert.deepEqual(
    fromFile.notActedOn().map((k) => k.name),
    ['plugin.path'],
  )
})

test('keys not acted on are still validated as Connect does', () => {
  assert.throws(
    () => loadWorkerConfig({ env: {}, overrides: { 'connect.protocol': 'gossip' } }),
    /connect\.protocol \(from override\): Invalid value gossip for configuration connect\.protocol: String must be one of: eager, compatible, sessioned/,
  )
  assert.throws(
    () => loadWorkerConfig({ env: {}, overrides: { 'heartbeat.interval.ms': '0' } }),
    /heartbeat\.interval\.ms .*Value must be at least 1/,
  )
  assert.equal(
    loadWorkerConfig({ env: {}, overrides: { 'connect.protocol': 'EAGER' } }).get('connect.protocol'),
    'EAGER',
  )
})

test('the warning is one line naming each key with its reason', () => {
  const c = loadWorkerConfig({
    env: { CONNECT_PLUGIN_PATH: '/usr/share/java', CONNECT_ACCESS_CONTROL_ALLOW_METHODS: 'GET' },
  })
  const warning = notActedOnWarning(c) ?? ''
  assert.doesNotMatch(warning, /\n/)
  assert.match(warning, /not acted on by flowscope/)
  assert.match(warning, /plugin\.path \(flowscope's connectors, converters and transforms are built in[^)]*\)/)
  assert.match(warning, /access\.control\.allow\.methods \(the REST API sends no CORS headers\)/)
})

test('the worker logs the warning once as its settings are made, and nothing when there is nothing to say', (t) => {
  const warn = t.mock.method(getLogger('flowscope.runtime.worker'), 'warn', () => {})
  workerSettingsFrom(loadWorkerConfig({ env: {}, overrides: { 'access.control.allow.origin': '*' } }), [])
  assert.equal(warn.mock.callCount(), 1)
  const [fields, message] = warn.mock.calls[0].arguments as unknown as [{ keys: string[] }, string]
  assert.deepEqual(fields.keys, ['access.control.allow.origin'])
  assert.match(message, /access\.control\.allow\.origin \(the REST API sends no CORS headers\)/)
  workerSettingsFrom(loadWorkerConfig({ env: {}, overrides: { 'group.id': 'g' } }), [])
  assert.equal(warn.mock.callCount(), 1)
  mock.restoreAll()
})

test('every key marked not acted on is listed for the docs, with the prefixes', () => {
  const names = notActedOnKeys().map((k) => k.name)
  for (const k of workerConfigDef.keys()) assert.equal(names.includes(k.name), k.notActedOn !== undefined, k.name)
  for (const required of ['access.control.allow.origin', 'consumer.*']) assert.ok(names.includes(required), required)
  assert.ok(!names.includes('offset.flush.interval.ms'))
  assert.ok(!names.includes('scheduled.rebalance.max.delay.ms'), 'acted on: the cooperative assignor')
  assert.ok(!names.includes('connect.protocol'), 'acted on: the protocols offered')
  assert.ok(!names.includes('worker.sync.timeout.ms'), 'acted on: a member that cannot catch up leaves and backs off')
  assert.ok(!names.includes('exactly.once.source.support'), 'acted on: transactional source tasks')
})

test('docs/configuration.md holds the generated key reference (npx node src/config/worker-config-docs.ts)', () => {
  const doc = readFileSync(DOC_PATH, 'utf8')
  assert.equal(withGeneratedSection(doc), doc, 'docs/configuration.md is out of date: regenerate it')
  const generated = workerKeysMarkdown()
  for (const k of notActedOnKeys()) assert.ok(generated.includes(`| \`${k.name}\` | ${k.reason} |`), k.name)
  for (const k of workerConfigDef.keys()) assert.ok(generated.includes(`| \`${k.name}\` |`), k.name)
})
