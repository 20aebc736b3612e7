// Connect's group protocol bytes, checked against byte strings built by hand from upstream's schemas
// (ConnectProtocol: CONFIG_STATE_V0, ASSIGNMENT_V0; IncrementalCooperativeConnectProtocol: ALLOCATION_V1,
// ASSIGNMENT_V1): int16/int32/int64 big-endian, STRING = int16 length + UTF-8, ARRAY = int32 count,
// NULLABLE_BYTES = int32 length (-1 null); a connector's own instance is task id -1.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CONFIG_MISMATCH,
  type ConnectAssignment,
  decodeAssignment,
  decodeMemberUrl,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  NO_ERROR,
} from '../../../src/runtime/connect-protocol.ts'

const i16 = (v: number) => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(v)
  return b
}
const i32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}
const i64 = (v: bigint) => {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(v)
  return b
}
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)])
const bytes = (...parts: Buffer[]) => Buffer.concat(parts)

const URL_A = 'http://worker-a:8083'

test('member metadata v0 (eager `default`): version 0, url, config offset', () => {
  const expected = bytes(i16(0), str(URL_A), i64(41n))
  assert.deepEqual(encodeMetadata(0, { url: URL_A, configOffset: 41n }), expected)
  assert.equal(expected.toString('hex').slice(0, 8), '00000014', 'version 0, then a 20-byte url')
  assert.deepEqual(decodeMetadata(expected), { version: 0, url: URL_A, configOffset: 41n, allocation: null })
  assert.equal(decodeMemberUrl(expected), URL_A)
})

test('a worker that has read nothing sends config offset -1', () => {
  const encoded = encodeMetadata(0, { url: URL_A, configOffset: -1n })
  assert.deepEqual(encoded.subarray(-8), Buffer.from('ffffffffffffffff', 'hex'))
})

const assignment: ConnectAssignment = {
  error: NO_ERROR,
  leader: 'connect-1-abc',
  leaderUrl: URL_A,
  configOffset: 7n,
  connectors: ['orders'],
  tasks: [
    { connector: 'users', task: 1 },
    { connector: 'orders', task: 0 },
  ],
}

test('assignment v0: entries per connector, the connector itself as task -1 before its tasks', () => {
  const expected = bytes(
    i16(0), // version
    i16(0), // error
    str('connect-1-abc'),
    str(URL_A),
    i64(7n),
    i32(2), // two connector entries
    str('orders'),
    i32(2),
    i32(-1),
    i32(0),
    str('users'),
    i32(1),
    i32(1),
  )
  assert.deepEqual(encodeAssignment(0, assignment), expected)
  const decoded = decodeAssignment(expected)
  assert.equal(decoded.version, 0)
  assert.equal(decoded.leader, 'connect-1-abc')
  assert.equal(decoded.leaderUrl, URL_A)
  assert.equal(decoded.configOffset, 7n)
  assert.deepEqual(decoded.connectors, ['orders'])
  assert.deepEqual(decoded.tasks, [
    { connector: 'orders', task: 0 },
    { connector: 'users', task: 1 },
  ])
  assert.equal(decoded.revokedConnectors, undefined, 'v0 has no revocations')
})

test('an empty v0 assignment with CONFIG_MISMATCH: error 1 and a zero-length array', () => {
  const empty = { ...assignment, error: CONFIG_MISMATCH, connectors: [], tasks: [] }
  const expected = bytes(i16(0), i16(1), str('connect-1-abc'), str(URL_A), i64(7n), i32(0))
  assert.deepEqual(encodeAssignment(0, empty), expected)
  assert.equal(decodeAssignment(expected).error, CONFIG_MISMATCH)
})

test('assignment v1 (`compatible`) adds revoked entries and the scheduled delay', () => {
  const a: ConnectAssignment = {
    ...assignment,
    connectors: [],
    tasks: [{ connector: 'users', task: 0 }],
    revokedConnectors: ['orders'],
    revokedTasks: [],
    delayMs: 300_000,
  }
  const expected = bytes(
    i16(1),
    i16(0),
    str('connect-1-abc'),
    str(URL_A),
    i64(7n),
    i32(1),
    str('users'),
    i32(1),
    i32(0),
    i32(1), // revoked
    str('orders'),
    i32(1),
    i32(-1),
    i32(300_000),
  )
  assert.deepEqual(encodeAssignment(1, a), expected)
  const decoded = decodeAssignment(expected)
  assert.deepEqual(decoded.revokedConnectors, ['orders'])
  assert.deepEqual(decoded.revokedTasks, [])
  assert.equal(decoded.delayMs, 300_000)
})

test('metadata v2 (`sessioned`) carries the current assignment as nullable bytes; null when it has none', () => {
  const none = bytes(i16(2), str(URL_A), i64(3n), i32(-1))
  assert.deepEqual(encodeMetadata(2, { url: URL_A, configOffset: 3n, allocation: null }), none)
  assert.deepEqual(decodeMetadata(none), { version: 2, url: URL_A, configOffset: 3n, allocation: null })

  const allocation = encodeAssignment(1, { ...assignment, revokedConnectors: [], revokedTasks: [], delayMs: 0 })
  const withAllocation = bytes(i16(2), str(URL_A), i64(3n), i32(allocation.length), allocation)
  assert.deepEqual(encodeMetadata(2, { url: URL_A, configOffset: 3n, allocation: assignment }), withAllocation)
  const decoded = decodeMetadata(withAllocation)
  assert.deepEqual(decoded.allocation?.connectors, ['orders'])
  assert.equal(decoded.allocation?.leader, 'connect-1-abc')
})

test('a v1 assignment written without its optional trailing fields still reads (upstream tolerates missing ones)', () => {
  const short = bytes(i16(1), i16(0), str('l'), str(URL_A), i64(0n), i32(0))
  const decoded = decodeAssignment(short)
  assert.deepEqual(decoded.revokedConnectors, [])
  assert.equal(decoded.delayMs, 0)
})

test('truncated or foreign bytes: a clear error, and no URL', () => {
  assert.throws(() => decodeAssignment(Buffer.from([0, 0, 0])), /Connect assignment is truncated/)
  assert.throws(() => decodeMetadata(bytes(i16(0), i16(30), Buffer.from('short'))), /metadata is truncated/)
  assert.equal(decodeMemberUrl(Buffer.from([1])), null)
})
