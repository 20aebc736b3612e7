// The message browser's pure parts: how a key, value or header is shown (text, pretty JSON, a Connect
// `{"schema","payload"}` envelope, or binary as hex and base64, truncated past a preview size), the server-side filter
// (key/value contains, header, JSON field equals or matches), and the cursors (per-partition positions) that make
// paging stable. No I/O here: topic-reader.ts fetches, this decides.
import { badRequest } from './errors.ts'

export interface Shown {
  /** text: UTF-8 text; json: pretty-printed JSON; binary: hex of the first bytes (base64 in `base64`). */
  kind: 'text' | 'json' | 'binary'
  text: string
  /** Size of the raw bytes. */
  size: number
  /** The text was cut at the preview size (ask for the record alone for all of it). */
  truncated: boolean
  /** Binary only: base64 of the (possibly truncated) bytes. */
  base64?: string
  /** A Kafka Connect envelope: `text` is the payload, this the schema (pretty JSON). */
  schema?: string
}

/** Control characters other than tab, newline and carriage return mark bytes as binary. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
const decoder = new TextDecoder('utf-8', { fatal: true })

function utf8(bytes: Buffer): string | null {
  try {
    const text = decoder.decode(bytes)
    return CONTROL.test(text) ? null : text
  } catch {
    return null
  }
}

/** A Connect JsonConverter envelope (`schemas.enable=true`): exactly `schema` (object or null) and `payload`. */
export function connectEnvelope(value: unknown): { schema: unknown; payload: unknown } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const keys = Object.keys(value)
  if (keys.length !== 2 || !keys.includes('schema') || !keys.includes('payload')) return null
  const { schema, payload } = value as { schema: unknown; payload: unknown }
  if (schema !== null && (typeof schema !== 'object' || Array.isArray(schema))) return null
  if (schema !== null && typeof (schema as { type?: unknown }).type !== 'string') return null
  return { schema, payload }
}

const cut = (text: string, max: number) => (text.length > max ? { text: text.slice(0, max), truncated: true } : null)

/** How bytes are shown, cut at `maxChars` characters (binary: `maxChars / 2` bytes). */
export function show(bytes: Buffer | null | undefined, maxChars: number): Shown | null {
  if (bytes === null || bytes === undefined) return null
  const size = bytes.length
  const text = utf8(bytes)
  if (text === null) {
    const slice = bytes.subarray(0, Math.max(1, Math.floor(maxChars / 2)))
    return {
      kind: 'binary',
      text: slice.toString('hex'),
      base64: slice.toString('base64'),
      size,
      truncated: slice.length < size,
    }
  }
  const first = text.trimStart()[0]
  if (first === '{' || first === '[') {
    try {
      const parsed: unknown = JSON.parse(text)
      const envelope = connectEnvelope(parsed)
      const pretty = JSON.stringify(envelope ? envelope.payload : parsed, null, 2) ?? 'null'
      const c = cut(pretty, maxChars)
      return {
        kind: 'json',
        text: c ? c.text : pretty,
        size,
        truncated: c !== null,
        ...(envelope ? { schema: JSON.stringify(envelope.schema, null, 2) } : {}),
      }
    } catch {
      // not JSON after all: shown as text
    }
  }
  const c = cut(text, maxChars)
  return { kind: 'text', text: c ? c.text : text, size, truncated: c !== null }
}

/** A dotted path (`a.b.0.c`) into parsed JSON; undefined when any step is missing. */
export function jsonPath(value: unknown, path: string): unknown {
  let at: unknown = value
  for (const step of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined
    if (!Object.hasOwn(at, step)) return undefined
    at = (at as Record<string, unknown>)[step]
  }
  return at
}

export interface MessageFilter {
  keyContains?: string
  valueContains?: string
  headerKey?: string
  /** With headerKey: that header's value contains this. */
  headerValue?: string
  /** A dotted path into the value's JSON (into the payload of a Connect envelope). */
  jsonPath?: string
  jsonEquals?: string
  jsonRegex?: RegExp
}

export interface RawRecord {
  key: Buffer | null
  value: Buffer | null
  headers: [Buffer | null, Buffer | null][]
}

/** Regex subjects are cut here: a budget in seconds cannot interrupt one long regex run. */
const REGEX_SUBJECT_MAX = 10_000

/** A field's value as a filter compares it: strings as they are, everything else as its JSON. */
const fieldText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

const BACKSLASH = 0x5c

/**
 * Whether a JSON value's bytes show, without parsing them, that no field of it can equal `wanted`: it has no escape
 * sequence (so every string in it is written as it is) and does not contain `wanted`. Only for a wanted text that a
 * field equal to it must be written as: not a number or a structure, whose JSON may be written differently
 * (`1e2` is 100, spaces in an object).
 */
function cannotEqual(value: Buffer, wanted: string): boolean {
  if (wanted === '' || wanted.startsWith('{') || wanted.startsWith('[') || Number.isFinite(Number(wanted))) return false
  return !value.includes(wanted) && !value.includes(BACKSLASH)
}

/** Whether a record passes every condition of the filter. Pure; cheap tests first, JSON parsing last. */
export function matches(record: RawRecord, filter: MessageFilter): boolean {
  if (filter.keyContains !== undefined && !record.key?.includes(filter.keyContains)) return false
  if (filter.valueContains !== undefined && !record.value?.includes(filter.valueContains)) return false
  if (filter.headerKey !== undefined) {
    const wanted = filter.headerKey
    const needle = filter.headerValue
    const found = record.headers.some(
      ([k, v]) => k?.toString('utf8') === wanted && (needle === undefined || (v?.includes(needle) ?? false)),
    )
    if (!found) return false
  }
  if (filter.jsonPath !== undefined) {
    if (!record.value) return false
    if (filter.jsonEquals !== undefined && cannotEqual(record.value, filter.jsonEquals)) return false
    let parsed: unknown
    try {
      parsed = JSON.parse(record.value.toString('utf8'))
    } catch {
      return false
    }
    const envelope = connectEnvelope(parsed)
    const field = jsonPath(envelope ? envelope.payload : parsed, filter.jsonPath)
    if (field === undefined) return false
    const text = fieldText(field)
    if (filter.jsonEquals !== undefined && text !== filter.jsonEquals) return false
    if (filter.jsonRegex !== undefined && !filter.jsonRegex.test(text.slice(0, REGEX_SUBJECT_MAX))) return false
  }
  return true
}

export const hasFilter = (f: MessageFilter) => Object.values(f).some((v) => v !== undefined)

/** Per-partition positions: forward, the next offset to read; backward, the offset below which to read next. */
export type Positions = Map<number, bigint>

/** A cursor is the positions, as base64url JSON: opaque to the browser, checked when it comes back. */
export function encodeCursor(positions: Positions): string {
  const o: Record<string, string> = {}
  for (const [p, offset] of positions) o[p] = offset.toString()
  return Buffer.from(JSON.stringify(o)).toString('base64url')
}

export function decodeCursor(raw: string): Positions {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw badRequest('query parameter "cursor" is not a cursor this console gave out')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('query parameter "cursor" is not a cursor this console gave out')
  const positions: Positions = new Map()
  for (const [p, offset] of Object.entries(parsed)) {
    if (!/^\d{1,6}$/.test(p) || typeof offset !== 'string' || !/^\d{1,19}$/.test(offset))
      throw badRequest('query parameter "cursor" is not a cursor this console gave out')
    positions.set(Number(p), BigInt(offset))
  }
  return positions
}

/**
 * The window a backward page reads in one partition: `size` offsets below `below`, not under the log start.
 * Null when nothing is left.
 */
export function backwardWindow(below: bigint, logStart: bigint, size: number): { from: bigint; to: bigint } | null {
  if (below <= logStart) return null
  const from = below - BigInt(size) > logStart ? below - BigInt(size) : logStart
  return { from, to: below }
}

/** The start of a forward read: a wanted offset clamped to the partition's [log start, log end]. */
export function clampOffset(wanted: bigint, logStart: bigint, logEnd: bigint): bigint {
  return wanted < logStart ? logStart : wanted > logEnd ? logEnd : wanted
}
