// Debezium keeps an incremental snapshot's chunk position (incremental_snapshot_primary_key / _maximum_key) as the
// hex of a Java-serialized Object[] (ObjectOutputStream): the key column values as JDBC returned them. This writes
// and reads exactly that for the values PostgreSQL's JDBC driver gives key columns of the common types — Integer
// (int2, int4), Long (int8), String (text, varchar, char, …) and null — so an offset moves between Debezium and
// flowscope. Keys of other types are written as their text (String); such a position read back by Debezium would
// bind a string to a non-text column.

/** A key column value as Java holds it: its Java type and PostgreSQL's text of it. */
export type JavaKeyValue = { java: 'Integer' | 'Long' | 'String'; text: string } | null

const MAGIC = [0xac, 0xed, 0x00, 0x05]
const TC_NULL = 0x70
const TC_REFERENCE = 0x71
const TC_CLASSDESC = 0x72
const TC_OBJECT = 0x73
const TC_STRING = 0x74
const TC_ARRAY = 0x75
const TC_ENDBLOCKDATA = 0x78
const TC_LONGSTRING = 0x7c
const BASE_HANDLE = 0x7e0000
const SC_SERIALIZABLE = 0x02

interface ClassDesc {
  name: string
  serialVersionUid: string
  fields: { type: string; name: string }[]
  superclass: ClassDesc | null
}

const NUMBER: ClassDesc = {
  name: 'java.lang.Number',
  serialVersionUid: '86ac951d0b94e08b',
  fields: [],
  superclass: null,
}
const CLASSES: Record<'Integer' | 'Long' | 'Object[]', ClassDesc> = {
  Integer: {
    name: 'java.lang.Integer',
    serialVersionUid: '12e2a0a4f7818738',
    fields: [{ type: 'I', name: 'value' }],
    superclass: NUMBER,
  },
  Long: {
    name: 'java.lang.Long',
    serialVersionUid: '3b8be490cc8f23df',
    fields: [{ type: 'J', name: 'value' }],
    superclass: NUMBER,
  },
  'Object[]': { name: '[Ljava.lang.Object;', serialVersionUid: '90ce589f1073296c', fields: [], superclass: null },
}

/** Java's modified UTF-8 (NUL and supplementary characters differ from UTF-8). */
function modifiedUtf8(text: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x01 && c <= 0x7f) bytes.push(c)
    else if (c <= 0x7ff) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  }
  return Buffer.from(bytes)
}

function fromModifiedUtf8(bytes: Buffer): string {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    if (b < 0x80) {
      out += String.fromCharCode(b)
      i += 1
    } else if ((b & 0xe0) === 0xc0) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f))
      i += 2
    } else {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f))
      i += 3
    }
  }
  return out
}

class Writer {
  readonly #parts: Buffer[] = []
  #nextHandle = BASE_HANDLE
  readonly #classHandles = new Map<ClassDesc, number>()

  byte(b: number): void {
    this.#parts.push(Buffer.from([b]))
  }
  u16(n: number): void {
    const b = Buffer.alloc(2)
    b.writeUInt16BE(n)
    this.#parts.push(b)
  }
  i32(n: number): void {
    const b = Buffer.alloc(4)
    b.writeInt32BE(n)
    this.#parts.push(b)
  }
  raw(b: Buffer): void {
    this.#parts.push(b)
  }
  utf(text: string): void {
    const bytes = modifiedUtf8(text)
    this.u16(bytes.length)
    this.raw(bytes)
  }
  handle(): number {
    return this.#nextHandle++
  }

  classDesc(desc: ClassDesc | null): void {
    if (desc === null) {
      this.byte(TC_NULL)
      return
    }
    const known = this.#classHandles.get(desc)
    if (known !== undefined) {
      this.byte(TC_REFERENCE)
      this.i32(known)
      return
    }
    this.byte(TC_CLASSDESC)
    this.utf(desc.name)
    this.raw(Buffer.from(desc.serialVersionUid, 'hex'))
    this.#classHandles.set(desc, this.handle())
    this.byte(SC_SERIALIZABLE)
    this.u16(desc.fields.length)
    for (const f of desc.fields) {
      this.byte(f.type.charCodeAt(0))
      this.utf(f.name)
    }
    this.byte(TC_ENDBLOCKDATA)
    this.classDesc(desc.superclass)
  }

  value(v: JavaKeyValue): void {
    if (v === null) {
      this.byte(TC_NULL)
      return
    }
    if (v.java === 'String') {
      const bytes = modifiedUtf8(v.text)
      this.handle()
      if (bytes.length <= 0xffff) {
        this.byte(TC_STRING)
        this.u16(bytes.length)
      } else {
        this.byte(TC_LONGSTRING)
        const len = Buffer.alloc(8)
        len.writeBigInt64BE(BigInt(bytes.length))
        this.raw(len)
      }
      this.raw(bytes)
      return
    }
    this.byte(TC_OBJECT)
    this.classDesc(CLASSES[v.java])
    this.handle()
    if (v.java === 'Integer') this.i32(Number(v.text))
    else {
      const b = Buffer.alloc(8)
      b.writeBigInt64BE(BigInt(v.text))
      this.raw(b)
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.#parts)
  }
}

/** Hex of ObjectOutputStream.writeObject(key as Object[]) — `aced000570` for null, as Debezium writes. */
export function serializeKey(key: readonly JavaKeyValue[] | null): string {
  const w = new Writer()
  w.raw(Buffer.from(MAGIC))
  if (key === null) w.byte(TC_NULL)
  else {
    w.byte(TC_ARRAY)
    w.classDesc(CLASSES['Object[]'])
    w.handle()
    w.i32(key.length)
    for (const v of key) w.value(v)
  }
  return w.bytes().toString('hex')
}

/** Reads what serializeKey (or Debezium) wrote; throws naming what it cannot read. */
export function deserializeKey(hex: string): JavaKeyValue[] | null {
  const buf = Buffer.from(hex, 'hex')
  if (buf.length < 5 || hex.length !== buf.length * 2 || !MAGIC.every((b, i) => buf[i] === b)) {
    throw new Error(`not a Java-serialized value: "${hex.slice(0, 40)}"`)
  }
  let pos = 4
  const handles: unknown[] = []
  const need = (n: number) => {
    if (pos + n > buf.length) throw new Error('Java-serialized key ends early')
  }
  const u8 = () => {
    need(1)
    return buf[pos++]
  }
  const u16 = () => {
    need(2)
    const v = buf.readUInt16BE(pos)
    pos += 2
    return v
  }
  const i32 = () => {
    need(4)
    const v = buf.readInt32BE(pos)
    pos += 4
    return v
  }
  const i16 = () => {
    need(2)
    const v = buf.readInt16BE(pos)
    pos += 2
    return v
  }
  const i64 = () => {
    need(8)
    const v = buf.readBigInt64BE(pos)
    pos += 8
    return v
  }
  const bytes = (n: number) => {
    need(n)
    const b = buf.subarray(pos, pos + n)
    pos += n
    return b
  }
  const classDesc = (): { name: string; fields: { type: string; name: string }[]; superclass: unknown } | null => {
    const tc = u8()
    if (tc === TC_NULL) return null
    if (tc === TC_REFERENCE) return handles[i32() - BASE_HANDLE] as ReturnType<typeof classDesc>
    if (tc !== TC_CLASSDESC) throw new Error(`unexpected Java serialization tag 0x${tc.toString(16)} for a class`)
    const name = fromModifiedUtf8(bytes(u16()))
    bytes(8) // serialVersionUID
    const desc = { name, fields: [] as { type: string; name: string }[], superclass: null as unknown }
    handles.push(desc)
    u8() // flags
    const count = u16()
    for (let i = 0; i < count; i++) {
      const type = String.fromCharCode(u8())
      const fieldName = fromModifiedUtf8(bytes(u16()))
      if (type === 'L' || type === '[') readContent() // the field's class name, a string
      desc.fields.push({ type, name: fieldName })
    }
    if (u8() !== TC_ENDBLOCKDATA) throw new Error(`class ${name} has annotations flowscope cannot read`)
    desc.superclass = classDesc()
    return desc
  }
  const readContent = (): unknown => {
    const tc = u8()
    switch (tc) {
      case TC_NULL:
        return null
      case TC_REFERENCE:
        return handles[i32() - BASE_HANDLE]
      case TC_STRING: {
        const s = fromModifiedUtf8(bytes(u16()))
        handles.push(s)
        return s
      }
      case TC_LONGSTRING: {
        const s = fromModifiedUtf8(bytes(Number(i64())))
        handles.push(s)
        return s
      }
      case TC_ARRAY: {
        const desc = classDesc()
        const index = handles.push(null) - 1
        if (desc?.name !== CLASSES['Object[]'].name) throw new Error(`expected an Object[], found ${desc?.name}`)
        const out: JavaKeyValue[] = []
        handles[index] = out
        const length = i32()
        for (let i = 0; i < length; i++) out.push(asKeyValue(readContent()))
        return out
      }
      case TC_OBJECT: {
        const desc = classDesc()
        const name = desc?.name
        let value: JavaKeyValue
        const index = handles.push(null) - 1
        if (name === 'java.lang.Integer' || name === 'java.lang.Short') {
          value = {
            java: 'Integer',
            text: String(name === 'java.lang.Short' ? i16() : i32()),
          }
        } else if (name === 'java.lang.Long') value = { java: 'Long', text: String(i64()) }
        else
          throw new Error(
            `a key value of Java type ${name} (flowscope reads Integer, Short, Long and String key values)`,
          )
        handles[index] = value
        return value
      }
      default:
        throw new Error(`unexpected Java serialization tag 0x${tc.toString(16)}`)
    }
  }
  const asKeyValue = (v: unknown): JavaKeyValue => {
    if (v === null) return null
    if (typeof v === 'string') return { java: 'String', text: v }
    if (typeof v === 'object' && v !== null && 'java' in v) return v as JavaKeyValue
    throw new Error('a key value flowscope cannot read')
  }
  const top = readContent()
  if (top === null) return null
  if (!Array.isArray(top)) throw new Error('expected a serialized Object[]')
  return top as JavaKeyValue[]
}
