// Decodes pgoutput's logical replication messages (protocol version 1), as documented in "Logical Replication
// Message Formats" of the PostgreSQL manual. Column values stay as PostgreSQL's text output (the publication sends
// text); turning them into Connect values is column-types.ts's job, so the same code serves snapshot rows.
import { type Lsn, readLsn } from './lsn.ts'

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n

export interface RelationColumn {
  /** Part of the replica identity (the primary key under REPLICA IDENTITY DEFAULT). */
  key: boolean
  name: string
  typeOid: number
  typeModifier: number
}

export interface RelationMessage {
  tag: 'relation'
  relationId: number
  schema: string
  table: string
  /** 'd' default, 'n' nothing, 'f' full, 'i' index. */
  replicaIdentity: string
  columns: RelationColumn[]
}

/** A tuple's columns: text, null, or the marker of an unchanged TOASTed value the WAL does not carry. */
export type TupleValue = string | null | typeof UNCHANGED_TOAST
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged toast')

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTimeMicros: bigint; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTimeMicros: bigint }
  | { tag: 'origin'; lsn: Lsn; name: string }
  | RelationMessage
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; after: TupleValue[] }
  | { tag: 'update'; relationId: number; before: TupleValue[] | null; beforeIsKeyOnly: boolean; after: TupleValue[] }
  | { tag: 'delete'; relationId: number; before: TupleValue[]; beforeIsKeyOnly: boolean }
  | { tag: 'truncate'; relationIds: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; prefix: string }

class Reader {
  offset = 0
  readonly buffer: Buffer
  constructor(buffer: Buffer) {
    this.buffer = buffer
  }
  byte(): number {
    return this.buffer[this.offset++]
  }
  int16(): number {
    const v = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return v
  }
  int32(): number {
    const v = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return v
  }
  uint32(): number {
    const v = this.buffer.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }
  lsn(): Lsn {
    const v = readLsn(this.buffer, this.offset)
    this.offset += 8
    return v
  }
  int64(): bigint {
    const v = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }
  /** A NUL-terminated string. */
  string(): string {
    const end = this.buffer.indexOf(0, this.offset)
    const v = this.buffer.toString('utf8', this.offset, end)
    this.offset = end + 1
    return v
  }
  tuple(): TupleValue[] {
    const count = this.int16()
    const values: TupleValue[] = new Array(count)
    for (let i = 0; i < count; i++) {
      const kind = this.byte()
      if (kind === 0x6e /* n */) values[i] = null
      else if (kind === 0x75 /* u */) values[i] = UNCHANGED_TOAST
      else if (kind === 0x74 /* t */ || kind === 0x62 /* b */) {
        const length = this.int32()
        values[i] = this.buffer.toString('utf8', this.offset, this.offset + length)
        this.offset += length
      } else throw new Error(`pgoutput: unknown tuple column kind 0x${kind.toString(16)}`)
    }
    return values
  }
}

/** Unix-epoch microseconds of a pgoutput timestamp (microseconds since 2000-01-01). */
export function pgTimestampToUnixMicros(pgMicros: bigint): bigint {
  return pgMicros + PG_EPOCH_MICROS
}

export function decodePgOutput(buffer: Buffer): PgOutputMessage {
  const r = new Reader(buffer)
  const tag = r.byte()
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.lsn(), commitTimeMicros: pgTimestampToUnixMicros(r.int64()), xid: r.uint32() }
    case 0x43 /* C */:
      {
        r.byte() // flags, unused
        return {
          tag: 'commit',
          commitLsn: r.lsn(),
          endLsn: r.lsn(),
          commitTimeMicros: pgTimestampToUnixMicros(r.int64()),
        }
      }
    case 0x4f /* O */:
      return { tag: 'origin', lsn: r.lsn(), name: r.string() }
    case 0x52 /* R */:
      {
        const relationId = r.uint32()
        const schema = r.string()
        const table = r.string()
        const replicaIdentity = String.fromCharCode(r.byte())
        const count = r.int16()
        const columns: RelationColumn[] = []
        for (let i = 0; i < count; i++) {
          const flags = r.byte()
          columns.push({ key: (flags & 1) === 1, name: r.string(), typeOid: r.uint32(), typeModifier: r.int32() })
        }
        return { tag: 'relation', relationId, schema, table, replicaIdentity, columns }
      }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: r.uint32(), schema: r.string(), name: r.string() }
    case 0x49 /* I */:
      {
        const relationId = r.uint32()
        r.byte() // 'N'
        return { tag: 'insert', relationId, after: r.tuple() }
      }
    case 0x55 /* U */:
      {
        const relationId = r.uint32()
        let kind = r.byte()
        let before: TupleValue[] | null = null
        let beforeIsKeyOnly = false
        if (kind === 0x4b /* K */ || kind === 0x4f /* O */) {
          beforeIsKeyOnly = kind === 0x4b
          before = r.tuple()
          kind = r.byte()
        }
        if (kind !== 0x4e /* N */) throw new Error('pgoutput: update without a new tuple')
        return { tag: 'update', relationId, before, beforeIsKeyOnly, after: r.tuple() }
      }
    case 0x44 /* D */:
      {
        const relationId = r.uint32()
        const kind = r.byte()
        return { tag: 'delete', relationId, beforeIsKeyOnly: kind === 0x4b, before: r.tuple() }
      }
    case 0x54 /* T */:
      {
        const count = r.uint32()
        const options = r.byte()
        const relationIds: number[] = []
        for (let i = 0; i < count; i++) relationIds.push(r.uint32())
        return { tag: 'truncate', relationIds, cascade: (options & 1) === 1, restartIdentity: (options & 2) === 2 }
      }
    case 0x4d /* M */:
      {
        r.byte() // flags
        r.lsn()
        return { tag: 'message', prefix: r.string() }
      }
    default:
      throw new Error(`pgoutput: unknown message type '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`)
  }
}
