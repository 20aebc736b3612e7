// pgoutput messages built byte by byte as the PostgreSQL manual documents them, decoded.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatLsn, parseLsn } from '../../../../src/connectors/postgres-cdc/lsn.ts'
import { decodePgOutput, UNCHANGED_TOAST } from '../../../../src/connectors/postgres-cdc/pgoutput.ts'

const int16 = (n: number) => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}
const int32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}
const int64 = (n: bigint) => {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(n)
  return b
}
const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])])
const byte = (c: string) => Buffer.from(c, 'latin1')
const textCol = (s: string) => Buffer.concat([byte('t'), int32(Buffer.byteLength(s)), Buffer.from(s)])

test('LSNs: text form and number agree', () => {
  assert.equal(parseLsn('0/178A2D0'), 0x178a2d0)
  assert.equal(parseLsn('1/0'), 2 ** 32)
  assert.equal(formatLsn(parseLsn('16/B374D848')), '16/B374D848')
  assert.throws(() => parseLsn('nope'), /Not a PostgreSQL LSN/)
})

test('Begin and Commit: LSNs, Unix-epoch commit time, xid', () => {
  const begin = decodePgOutput(Buffer.concat([byte('B'), int64(0x100n), int64(1_000_000n), int32(742)]))
  assert.deepEqual(begin, { tag: 'begin', finalLsn: 0x100, commitTimeMicros: 946_684_801_000_000n, xid: 742 })
  const commit = decodePgOutput(Buffer.concat([byte('C'), Buffer.from([0]), int64(0x100n), int64(0x130n), int64(0n)]))
  assert.deepEqual(commit, { tag: 'commit', commitLsn: 0x100, endLsn: 0x130, commitTimeMicros: 946_684_800_000_000n })
})

test('Relation: columns with key flag, type oid and modifier', () => {
  const message = Buffer.concat([
    byte('R'),
    int32(16384),
    cstr('public'),
    cstr('users'),
    byte('d'),
    int16(2),
    Buffer.from([1]),
    cstr('id'),
    int32(23),
    int32(-1),
    Buffer.from([0]),
    cstr('price'),
    int32(1700),
    int32(((10 << 16) | 2) + 4),
  ])
  assert.deepEqual(decodePgOutput(message), {
    tag: 'relation',
    relationId: 16384,
    schema: 'public',
    table: 'users',
    replicaIdentity: 'd',
    columns: [
      { key: true, name: 'id', typeOid: 23, typeModifier: -1 },
      { key: false, name: 'price', typeOid: 1700, typeModifier: 655366 },
    ],
  })
})

test('Insert, Update (with and without old key) and Delete tuples: text, null, unchanged TOAST', () => {
  const tuple = Buffer.concat([int16(3), textCol('1'), byte('n'), byte('u')])
  assert.deepEqual(decodePgOutput(Buffer.concat([byte('I'), int32(7), byte('N'), tuple])), {
    tag: 'insert',
    relationId: 7,
    after: ['1', null, UNCHANGED_TOAST],
  })
  const plain = decodePgOutput(Buffer.concat([byte('U'), int32(7), byte('N'), tuple]))
  assert.deepEqual(plain, {
    tag: 'update',
    relationId: 7,
    before: null,
    beforeIsKeyOnly: false,
    after: ['1', null, UNCHANGED_TOAST],
  })
  const keyChange = decodePgOutput(
    Buffer.concat([byte('U'), int32(7), byte('K'), int16(1), textCol('9'), byte('N'), int16(1), textCol('10')]),
  )
  assert.deepEqual(keyChange, { tag: 'update', relationId: 7, before: ['9'], beforeIsKeyOnly: true, after: ['10'] })
  const del = decodePgOutput(Buffer.concat([byte('D'), int32(7), byte('K'), int16(2), textCol('4'), byte('n')]))
  assert.deepEqual(del, { tag: 'delete', relationId: 7, before: ['4', null], beforeIsKeyOnly: true })
})

test('Truncate: relations and options', () => {
  const message = Buffer.concat([byte('T'), int32(2), Buffer.from([3]), int32(7), int32(8)])
  assert.deepEqual(decodePgOutput(message), {
    tag: 'truncate',
    relationIds: [7, 8],
    cascade: true,
    restartIdentity: true,
  })
})

test('an unknown message type is an error naming it', () => {
  assert.throws(() => decodePgOutput(byte('Z')), /unknown message type 'Z'/)
})
