import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '../../../src/console/server/errors.ts'
import {
  backwardWindow,
  clampOffset,
  connectEnvelope,
  decodeCursor,
  encodeCursor,
  jsonPath,
  matches,
  type RawRecord,
  show,
} from '../../../src/console/server/messages.ts'
import {
  browseQuery,
  configChange,
  newTopic,
  partitionCount,
  topicName,
} from '../../../src/console/server/topic-input.ts'

const rejects = (work: () => unknown, pattern: RegExp) =>
  assert.throws(work, (e: unknown) => e instanceof ApiError && e.status === 400 && pattern.test(e.message))

const record = (key: string | null, value: string | Buffer | null, headers: [string, string][] = []): RawRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
  headers: headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
})

test('show: text, pretty JSON, binary as hex and base64, truncation with the full size', () => {
  assert.deepEqual(show(Buffer.from('hello'), 100), { kind: 'text', text: 'hello', size: 5, truncated: false })
  const json = show(Buffer.from('{"a":1}'), 100)!
  assert.equal(json.kind, 'json')
  assert.equal(json.text, '{\n  "a": 1\n}')
  const bin = show(Buffer.from([0, 1, 0xff, 0xfe]), 100)!
  assert.equal(bin.kind, 'binary')
  assert.equal(bin.text, '0001fffe')
  assert.equal(bin.base64, Buffer.from([0, 1, 0xff, 0xfe]).toString('base64'))
  // Invalid UTF-8 is binary too.
  assert.equal(show(Buffer.from([0xc3, 0x28]), 100)!.kind, 'binary')
  const long = show(Buffer.from('x'.repeat(500)), 100)!
  assert.equal(long.text.length, 100)
  assert.equal(long.truncated, true)
  assert.equal(long.size, 500)
  const longBin = show(Buffer.alloc(500), 100)!
  assert.equal(longBin.text.length, 100) // 50 bytes as hex
  assert.equal(longBin.truncated, true)
  assert.equal(show(null, 100), null)
  // Not JSON after all: text.
  assert.equal(show(Buffer.from('{not json'), 100)!.kind, 'text')
  // Markup stays text (the UI renders it as a text node).
  assert.equal(show(Buffer.from('<script>x</script>'), 100)!.text, '<script>x</script>')
})

test('Connect envelopes: the payload is shown, the schema aside; look-alikes are not envelopes', () => {
  const shown = show(Buffer.from(JSON.stringify({ schema: { type: 'struct', fields: [] }, payload: { id: 1 } })), 1000)!
  assert.deepEqual(JSON.parse(shown.text), { id: 1 })
  assert.deepEqual(JSON.parse(shown.schema!), { type: 'struct', fields: [] })
  assert.ok(connectEnvelope({ schema: null, payload: 5 }))
  assert.equal(connectEnvelope({ schema: { type: 'int32' }, payload: 1, extra: 1 }), null)
  assert.equal(connectEnvelope({ schema: 'text', payload: 1 }), null)
  assert.equal(connectEnvelope({ schema: { no: 'type' }, payload: 1 }), null)
  assert.equal(connectEnvelope([1, 2]), null)
})

test('jsonPath follows dotted steps into objects and arrays, own properties only', () => {
  const v = { a: { b: [{ c: 7 }] } }
  assert.equal(jsonPath(v, 'a.b.0.c'), 7)
  assert.equal(jsonPath(v, 'a.x'), undefined)
  assert.equal(jsonPath(v, 'a.b.0.c.d'), undefined)
  assert.equal(jsonPath({}, 'constructor'), undefined)
})

test('filters: every condition must hold; JSON fields reach into Connect payloads', () => {
  const r = record('user-1', '{"kind":"refund","n":12,"nested":{"ok":true}}', [['source', 'web-eu']])
  assert.ok(matches(r, {}))
  assert.ok(matches(r, { keyContains: 'user' }))
  assert.ok(!matches(r, { keyContains: 'admin' }))
  assert.ok(matches(r, { valueContains: 'refund' }))
  assert.ok(matches(r, { headerKey: 'source' }))
  assert.ok(matches(r, { headerKey: 'source', headerValue: 'eu' }))
  assert.ok(!matches(r, { headerKey: 'source', headerValue: 'us' }))
  assert.ok(!matches(r, { headerKey: 'origin' }))
  assert.ok(matches(r, { jsonPath: 'kind', jsonEquals: 'refund' }))
  assert.ok(matches(r, { jsonPath: 'n', jsonEquals: '12' }))
  assert.ok(matches(r, { jsonPath: 'nested.ok', jsonEquals: 'true' }))
  assert.ok(matches(r, { jsonPath: 'nested', jsonEquals: '{"ok":true}' }))
  assert.ok(matches(r, { jsonPath: 'kind', jsonRegex: /^ref/ }))
  assert.ok(!matches(r, { jsonPath: 'kind', jsonRegex: /^sale/ }))
  assert.ok(!matches(r, { jsonPath: 'missing' }))
  assert.ok(!matches(r, { keyContains: 'user', jsonPath: 'kind', jsonEquals: 'sale' }))
  const envelope = record('k', JSON.stringify({ schema: { type: 'struct' }, payload: { kind: 'refund' } }))
  assert.ok(matches(envelope, { jsonPath: 'kind', jsonEquals: 'refund' }))
  assert.ok(!matches(record('k', 'not json'), { jsonPath: 'kind' }))
  assert.ok(!matches(record(null, null), { keyContains: 'x' }))
  assert.ok(!matches(record('k', null), { jsonPath: 'x' }))
})

test('JSON field equals: the bytes are only skipped unparsed where the field would have to be written as the text', () => {
  // Escaped characters, numbers written otherwise and spaced structures still match, as parsed.
  assert.ok(matches(record('k', '{"kind":"\\u0072efund"}'), { jsonPath: 'kind', jsonEquals: 'refund' }))
  assert.ok(matches(record('k', '{"kind":"say \\"hi\\""}'), { jsonPath: 'kind', jsonEquals: 'say "hi"' }))
  assert.ok(matches(record('k', '{"n":1e2}'), { jsonPath: 'n', jsonEquals: '100' }))
  assert.ok(matches(record('k', '{"nested": {"ok": true}}'), { jsonPath: 'nested', jsonEquals: '{"ok":true}' }))
  assert.ok(matches(record('k', '{"city":"Zürich"}'), { jsonPath: 'city', jsonEquals: 'Zürich' }))
  // Text found elsewhere in the value is no match either: the field decides.
  assert.ok(!matches(record('k', '{"kind":"sale","note":"refund"}'), { jsonPath: 'kind', jsonEquals: 'refund' }))
  assert.ok(!matches(record('k', '{"kind":"sale"}'), { jsonPath: 'kind', jsonEquals: 'refund' }))
})

test('cursors round-trip and refuse anything this console did not give out', () => {
  const positions = new Map([
    [0, 12n],
    [3, 9007199254740993n],
  ])
  assert.deepEqual(decodeCursor(encodeCursor(positions)), positions)
  rejects(() => decodeCursor('garbage!'), /"cursor"/)
  rejects(() => decodeCursor(Buffer.from('{"0":-1}').toString('base64url')), /"cursor"/)
  rejects(() => decodeCursor(Buffer.from('{"x":"1"}').toString('base64url')), /"cursor"/)
  rejects(() => decodeCursor(Buffer.from('[1]').toString('base64url')), /"cursor"/)
})

test('cursor maths: backward windows stop at the log start; forward positions are clamped to the log', () => {
  assert.deepEqual(backwardWindow(100n, 0n, 20), { from: 80n, to: 100n })
  assert.deepEqual(backwardWindow(15n, 10n, 20), { from: 10n, to: 15n })
  assert.equal(backwardWindow(10n, 10n, 20), null)
  assert.equal(clampOffset(5n, 10n, 50n), 10n)
  assert.equal(clampOffset(60n, 10n, 50n), 50n)
  assert.equal(clampOffset(20n, 10n, 50n), 20n)
})

test('topic names: Kafka legal characters, at most 249, not . or ..', () => {
  assert.equal(topicName('orders.v1_x-y'), 'orders.v1_x-y')
  rejects(() => topicName(''), /missing/)
  rejects(() => topicName('a b'), /may only contain/)
  rejects(() => topicName('ünïcode'), /may only contain/)
  rejects(() => topicName('..'), /cannot be/)
  rejects(() => topicName('x'.repeat(250)), /249/)
  assert.equal(topicName('x'.repeat(249)).length, 249)
})

test('topic writes: create, config change and partition count bodies', () => {
  assert.deepEqual(newTopic({ name: 't', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '1' } }), {
    name: 't',
    partitions: 3,
    replicationFactor: 1,
    configs: { 'retention.ms': '1' },
  })
  rejects(() => newTopic({ name: 't', partitions: -1, replicationFactor: 1 }), /"partitions"/)
  rejects(() => newTopic({ name: 't', partitions: 1, replicationFactor: '1' }), /"replicationFactor"/)
  rejects(() => newTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: { 'retention.ms': 1 } }), /strings/)
  rejects(() => newTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: { 'a b': '1' } }), /config key/)
  rejects(() => newTopic([]), /JSON object/)
  assert.deepEqual(configChange({ set: { 'cleanup.policy': 'compact' }, reset: ['retention.ms'] }), {
    set: { 'cleanup.policy': 'compact' },
    reset: ['retention.ms'],
  })
  rejects(() => configChange({}), /nothing to change/)
  rejects(() => configChange({ set: { a: '1' }, reset: ['a'] }), /both set and reset/)
  rejects(() => configChange({ reset: 'a' }), /"reset"/)
  assert.equal(partitionCount({ count: 4 }), 4)
  rejects(() => partitionCount({ count: 0 }), /"count"/)
  rejects(() => partitionCount({ count: 2, more: 1 }), /unknown field/)
})

test('browse query: seeks, bounded budget, filters that need their companions', () => {
  const q = browseQuery({})
  assert.equal(q.seek, 'newest')
  assert.equal(q.direction, 'backward')
  assert.equal(q.partition, null)
  assert.equal(q.limit, 50)
  assert.deepEqual(q.filter, {})
  assert.equal(browseQuery({ seek: 'offset', offset: '42', partition: '1' }).offset, 42n)
  assert.equal(browseQuery({ seek: 'timestamp', timestamp: '2026-01-01T00:00:00Z' }).timestampMs, Date.UTC(2026, 0, 1))
  assert.equal(browseQuery({ seek: 'earliest', direction: 'backward' }).direction, 'forward')
  const cursor = encodeCursor(new Map([[0, 5n]]))
  assert.equal(browseQuery({ seek: 'cursor', cursor, direction: 'backward' }).direction, 'backward')
  const f = browseQuery({ jsonPath: 'a.b', jsonRegex: '^x', keyContains: 'k' }).filter
  assert.equal(f.jsonPath, 'a.b')
  assert.ok(f.jsonRegex?.test('xy'))
  assert.equal(f.keyContains, 'k')
  assert.equal(browseQuery({ maxSeconds: '60' }).budget.maxMs, 60_000)
  rejects(() => browseQuery({ maxSeconds: '61' }), /"maxSeconds"/)
  rejects(() => browseQuery({ maxRecords: '0' }), /"maxRecords"/)
  rejects(() => browseQuery({ limit: '501' }), /"limit"/)
  rejects(() => browseQuery({ seek: 'middle' }), /"seek"/)
  rejects(() => browseQuery({ seek: 'cursor' }), /"cursor" is required/)
  rejects(() => browseQuery({ headerValue: 'x' }), /"headerKey"/)
  rejects(() => browseQuery({ jsonPath: 'a', jsonRegex: '[' }), /"jsonRegex"/)
  rejects(() => browseQuery({ seek: 'timestamp', timestamp: '' }), /"timestamp"/)
})
