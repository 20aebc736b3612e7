// PostgreSQL's text output in, exact JS values out: timestamps to the microsecond (kept for offsets), dates, times,
// array literals, bytea and numerics rescaled to a fixed scale. Pure functions, no connection needed.
import { wallClockToEpochMs } from './time-zone.ts'

/** An instant with nanosecond resolution, like java.sql.Timestamp: whole seconds since the epoch + nanos (0..1e9). */
export interface Instant {
  epochSecond: number
  nano: number
}

export const instantToMs = (i: Instant): number => i.epochSecond * 1000 + Math.floor(i.nano / 1_000_000)

export function compareInstants(a: Instant, b: Instant): number {
  return a.epochSecond !== b.epochSecond ? a.epochSecond - b.epochSecond : a.nano - b.nano
}

/** From upstream's offset pair: `timestamp` (ms) and optional `timestamp_nanos` (nanos within the second). */
export function instantFromOffset(ms: number, nanos?: number | null): Instant {
  const epochSecond = Math.floor(ms / 1000)
  const nano = nanos ?? (((ms % 1000) + 1000) % 1000) * 1_000_000
  return { epochSecond, nano }
}

/** ISO-8601 in UTC with microseconds (PostgreSQL's precision), for binding as timestamptz. */
export function instantToIso(i: Instant): string {
  const base = new Date(i.epochSecond * 1000).toISOString().slice(0, 19)
  const micros = String(Math.floor(i.nano / 1000)).padStart(6, '0')
  return `${base}.${micros}Z`
}

const TIMESTAMP =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/

/**
 * Parses `timestamp` / `timestamptz` text. Values without an offset are wall-clock times in `zone`.
 * `infinity` / `-infinity` map to the largest / smallest instant JS dates can hold.
 */
export function parseTimestamp(text: string, zone: string): Instant {
  const fast = parseCommonTimestamp(text, zone)
  if (fast !== null) return fast
  if (text === 'infinity') return { epochSecond: 8_640_000_000_000, nano: 0 }
  if (text === '-infinity') return { epochSecond: -8_640_000_000_000, nano: 0 }
  const m = TIMESTAMP.exec(text)
  if (!m) throw new Error(`Cannot parse timestamp "${text}"`)
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1])
  const wall = utcMs(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  const nano = Number((m[7] ?? '').padEnd(9, '0'))
  let epochMs: number
  if (m[8]) {
    const sign = m[8] === '-' ? -1 : 1
    const offset = sign * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000
    epochMs = wall - offset
  } else {
    epochMs = wallClockToEpochMs(zone, wall)
  }
  return { epochSecond: Math.floor(epochMs / 1000), nano }
}

const ZERO = 48

/** The digits at text[from, to) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/**
 * What PostgreSQL prints with DateStyle ISO for years 1000..9999 AD, `YYYY-MM-DD HH:MM:SS[.f…][±HH[:MM[:SS]]]`,
 * parsed without a regular expression or a Date: it is read once per timestamp column of every row, so it is the
 * hot path. Anything else (BC, 5-digit years, infinity) returns null and takes the general path.
 */
function parseCommonTimestamp(text: string, zone: string): Instant | null {
  const length = text.length
  if (length < 19 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return null
  if (text[10] !== ' ' && text[10] !== 'T') return null
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 7)
  const day = digits(text, 8, 10)
  const hour = digits(text, 11, 13)
  const minute = digits(text, 14, 16)
  const second = digits(text, 17, 19)
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null
  let i = 19
  let nano = 0
  if (text[i] === '.') {
    const start = ++i
    while (i < length && i - start < 9 && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= ZERO + 9) i++
    if (i === start) return null
    nano = digits(text, start, i) * 10 ** (9 - (i - start))
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second)
  let epochMs: number
  if (i === length) {
    epochMs = wallClockToEpochMs(zone, wall)
  } else {
    const sign = text[i] === '-' ? -1 : text[i] === '+' ? 1 : 0
    if (sign === 0) return null
    // ±HH, then optional [:]MM and [:]SS, as the general pattern accepts.
    let offsetSeconds = 0
    let j = i + 1
    for (let unit = 3600; unit >= 1 && j < length; unit /= 60) {
      if (unit < 3600 && text[j] === ':') j++
      const n = j + 2 <= length ? digits(text, j, j + 2) : -1
      if (n < 0) return null
      offsetSeconds += n * unit
      j += 2
    }
    if (j !== length) return null
    epochMs = wall - sign * offsetSeconds * 1000
  }
  return { epochSecond: Math.floor(epochMs / 1000), nano }
}

function utcMs(year: number, month: number, day: number, h: number, min: number, s: number): number {
  const d = new Date(Date.UTC(2000, month, day, h, min, s))
  d.setUTCFullYear(year)
  return d.getTime()
}

const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/

/** `date` text → midnight UTC of that day (Connect's Date). */
export function parseDate(text: string): Date {
  if (text === 'infinity') return new Date(8_640_000_000_000_000)
  if (text === '-infinity') return new Date(-8_640_000_000_000_000)
  const m = DATE.exec(text)
  if (!m) throw new Error(`Cannot parse date "${text}"`)
  const year = m[4] ? 1 - Number(m[1]) : Number(m[1])
  return new Date(utcMs(year, Number(m[2]) - 1, Number(m[3]), 0, 0, 0))
}

const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/

/** `time` / `timetz` text → 1970-01-01 plus the time of day in UTC (Connect's Time), millisecond precision. */
export function parseTime(text: string, zone: string): Date {
  const m = TIME.exec(text)
  if (!m) throw new Error(`Cannot parse time "${text}"`)
  const wall =
    (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + Number((m[4] ?? '').padEnd(3, '0').slice(0, 3))
  let ms: number
  if (m[5]) {
    const sign = m[5] === '-' ? -1 : 1
    ms = wall - sign * (Number(m[6]) * 3600 + Number(m[7] ?? 0) * 60 + Number(m[8] ?? 0)) * 1000
  } else {
    ms = wallClockToEpochMs(zone, wall)
  }
  const day = 86_400_000
  return new Date(((ms % day) + day) % day)
}

/** `bytea` text (hex `\x…` or the legacy escape format) → bytes. */
export function parseBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex')
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (text[i] === '\\') {
      if (text[i + 1] === '\\') {
        out.push(0x5c)
        i++
      } else {
        out.push(Number.parseInt(text.slice(i + 1, i + 4), 8))
        i += 3
      }
    } else out.push(c)
  }
  return Buffer.from(out)
}

/** A whole number as number when exact, as bigint beyond 2^53. */
export function parseInt64(text: string): number | bigint {
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : BigInt(text)
}

/**
 * A `numeric` text rescaled to exactly `scale` fraction digits (half-up, as BigDecimal.setScale does for pgjdbc's
 * getBigDecimal(col, scale)). NaN and ±Infinity have no Decimal form and throw.
 */
export function rescaleDecimal(text: string, scale: number): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`Numeric value "${text}" cannot be represented as a Decimal`)
  const negative = text.startsWith('-')
  const body = negative ? text.slice(1) : text
  const [intPart, fracPart = ''] = body.split('.')
  let digits: bigint
  if (fracPart.length <= scale) {
    digits = BigInt(intPart + fracPart.padEnd(scale, '0'))
  } else {
    const kept = BigInt(intPart + fracPart.slice(0, scale))
    digits = Number(fracPart[scale]) >= 5 ? kept + 1n : kept
  }
  let s = digits.toString().padStart(scale + 1, '0')
  if (scale > 0) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`
  return negative && digits !== 0n ? `-${s}` : s
}

/**
 * Parses an array literal (`{1,2,NULL}`, `{"a b","c\"d"}`, nested `{{1,2},{3,4}}`) and converts each element
 * with `element`; NULL elements become null.
 */
export function parseArray<T>(text: string, element: (text: string) => T, delimiter = ','): unknown[] {
  let pos = 0
  // An optional dimension prefix such as `[0:1]=` precedes non-default bounds.
  if (text.startsWith('[')) pos = text.indexOf('=') + 1
  const parseLevel = (): unknown[] => {
    if (text[pos] !== '{') throw new Error(`Cannot parse array literal "${text}"`)
    pos++
    const out: unknown[] = []
    if (text[pos] === '}') {
      pos++
      return out
    }
    for (;;) {
      if (text[pos] === '{') {
        out.push(parseLevel())
      } else if (text[pos] === '"') {
        pos++
        let value = ''
        while (pos < text.length && text[pos] !== '"') {
          if (text[pos] === '\\') pos++
          value += text[pos]
          pos++
        }
        pos++
        out.push(element(value))
      } else {
        const start = pos
        while (pos < text.length && text[pos] !== delimiter && text[pos] !== '}') pos++
        const raw = text.slice(start, pos).trim()
        out.push(raw === 'NULL' ? null : element(raw))
      }
      if (text[pos] === delimiter) {
        pos++
        continue
      }
      if (text[pos] === '}') {
        pos++
        return out
      }
      throw new Error(`Cannot parse array literal "${text}"`)
    }
  }
  return parseLevel()
}
