// Debezium's PostgreSQL type mapping (PostgresValueConverter, 3.6): a column's type in, its Connect schema and a
// converter from PostgreSQL's text output to the Connect value out. Streaming (pgoutput) and snapshot (SELECT)
// both deliver text, so both use these converters. Sessions run with TimeZone=UTC, DateStyle=ISO and
// IntervalStyle=postgres (see connections.ts), which the parsers below rely on.

import { parseArray, parseBytea, rescaleDecimal } from '../../postgres/pg-text.ts'
import type { Schema } from '../../record/schema.ts'
import type { PostgresCdcConfig } from './config.ts'
import { javaHashMapOrder } from './java-hash-order.ts'

export const DebeziumNames = {
  DATE: 'io.debezium.time.Date',
  TIME: 'io.debezium.time.Time',
  MICRO_TIME: 'io.debezium.time.MicroTime',
  TIMESTAMP: 'io.debezium.time.Timestamp',
  MICRO_TIMESTAMP: 'io.debezium.time.MicroTimestamp',
  ZONED_TIMESTAMP: 'io.debezium.time.ZonedTimestamp',
  ZONED_TIME: 'io.debezium.time.ZonedTime',
  ISO_DATE: 'io.debezium.time.IsoDate',
  ISO_TIME: 'io.debezium.time.IsoTime',
  ISO_TIMESTAMP: 'io.debezium.time.IsoTimestamp',
  MICRO_DURATION: 'io.debezium.time.MicroDuration',
  INTERVAL: 'io.debezium.time.Interval',
  UUID: 'io.debezium.data.Uuid',
  JSON: 'io.debezium.data.Json',
  ENUM: 'io.debezium.data.Enum',
  XML: 'io.debezium.data.Xml',
  VARIABLE_SCALE_DECIMAL: 'io.debezium.data.VariableScaleDecimal',
  BITS: 'io.debezium.data.Bits',
  POINT: 'io.debezium.data.geometry.Point',
  LTREE: 'io.debezium.data.Ltree',
  TSVECTOR: 'io.debezium.data.Tsvector',
} as const

/** What the catalog says about a column's type (pg_type), enough to map it. */
export interface ColumnType {
  oid: number
  /** pg_type.typname (for arrays `_int4` …). */
  name: string
  /** pg_attribute.atttypmod: precision/scale/length, -1 when unconstrained. */
  typmod: number
  /** Enum labels in sort order, for enum types. */
  enumValues?: string[]
  /** The element type, for array types. */
  element?: ColumnType
}

export interface ColumnMapping {
  /** The schema without optionality (the caller sets `optional` from NOT NULL). */
  schema: Omit<Schema, 'optional'>
  convert: (text: string) => unknown
}

export type MappingOptions = Pick<
  PostgresCdcConfig,
  'decimalMode' | 'timePrecisionMode' | 'binaryMode' | 'intervalMode' | 'moneyFractionDigits' | 'hstoreMode'
>

const Oids = {
  BOOL: 16,
  BYTEA: 17,
  CHAR: 18,
  NAME: 19,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  TEXT: 25,
  OID: 26,
  JSON: 114,
  XML: 142,
  POINT: 600,
  CIDR: 650,
  MACADDR8: 774,
  FLOAT4: 700,
  FLOAT8: 701,
  MONEY: 790,
  MACADDR: 829,
  INET: 869,
  BPCHAR: 1042,
  VARCHAR: 1043,
  DATE: 1082,
  TIME: 1083,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  INTERVAL: 1186,
  TIMETZ: 1266,
  BIT: 1560,
  VARBIT: 1562,
  NUMERIC: 1700,
  UUID: 2950,
  TSVECTOR: 3614,
  JSONB: 3802,
  INT4RANGE: 3904,
  NUMRANGE: 3906,
  TSRANGE: 3908,
  TSTZRANGE: 3910,
  DATERANGE: 3912,
  INT8RANGE: 3926,
} as const

const MICROS_PER_DAY = 86_400_000_000

/** Fractional-second digits of a timestamp/time column: its typmod, 6 when unconstrained. */
export function timePrecision(typmod: number): number {
  return typmod < 0 ? 6 : typmod
}

/** numeric(p,s) from its typmod; null when unconstrained (variable scale). */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null
  const t = typmod - 4
  return { precision: (t >> 16) & 0xffff, scale: t & 0xffff }
}

/** Days since 1970-01-01 of 'YYYY-MM-DD' (ISO DateStyle; 'BC' years are negative). */
export function epochDay(text: string): number {
  const bc = text.endsWith(' BC')
  const m = /^(\d+)-(\d\d)-(\d\d)/.exec(text)
  if (!m) throw new Error(`Cannot parse date "${text}"`)
  const year = bc ? 1 - Number(m[1]) : Number(m[1])
  const date = new Date(0)
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]))
  return Math.round(date.getTime() / 86_400_000)
}

/** Microseconds of 'HH:MM:SS[.ffffff]' since midnight. */
export function timeOfDayMicros(text: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(text)
  if (!m) throw new Error(`Cannot parse time "${text}"`)
  const micros = Number((m[4] ?? '').padEnd(6, '0'))
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + micros
}

/** Microseconds since the epoch of a timestamp text; with an offset (timestamptz) it is honoured, else UTC. */
export function timestampMicros(text: string): number {
  const space = text.indexOf(' ')
  if (space < 0) throw new Error(`Cannot parse timestamp "${text}"`)
  const bc = text.endsWith(' BC')
  const body = bc ? text.slice(0, -3) : text
  const datePart = body.slice(0, space)
  let rest = body.slice(space + 1)
  let offsetSeconds = 0
  const zone = /([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?$/.exec(rest)
  if (zone) {
    offsetSeconds =
      (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 3600 + Number(zone[3] ?? 0) * 60 + Number(zone[4] ?? 0))
    rest = rest.slice(0, zone.index)
  }
  const day = epochDay(bc ? `${datePart} BC` : datePart)
  return day * MICROS_PER_DAY + timeOfDayMicros(rest) - offsetSeconds * 1_000_000
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** Debezium's ZonedTimestamp text: UTC, ISO-8601, exactly `fraction` fractional digits (none when 0). */
export function zonedTimestamp(text: string, fraction: number): string {
  if (text === 'infinity' || text === '-infinity') return text
  const micros = timestampMicros(text)
  const ms = Math.floor(micros / 1000)
  const d = new Date(ms)
  const subMicros = ((micros % 1_000_000) + 1_000_000) % 1_000_000
  const year = d.getUTCFullYear()
  const yearText = year >= 0 && year <= 9999 ? pad(year, 4) : year > 9999 ? `+${year}` : `-${pad(-year, 4)}`
  const base = `${yearText}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const digits = fraction > 0 ? `.${pad(subMicros, 6).padEnd(9, '0').slice(0, Math.min(fraction, 9))}` : ''
  return `${base}${digits}Z`
}

/** Debezium's ZonedTime text ('HH:MM:SS[.ffffff]Z' in UTC, trailing zero digits dropped as ISO_OFFSET_TIME does). */
export function zonedTime(text: string): string {
  const zone = /([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?$/.exec(text)
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 3600 + Number(zone[3] ?? 0) * 60) : 0
  const local = timeOfDayMicros(zone ? text.slice(0, zone.index) : text)
  const utc = (((local - offset * 1_000_000) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY
  const seconds = Math.floor(utc / 1_000_000)
  const micros = utc % 1_000_000
  const fraction = micros === 0 ? '' : `.${pad(micros, 6).replace(/0+$/, '')}`
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}${fraction}Z`
}

/** interval text in IntervalStyle=postgres ("1 year 2 mons 3 days 04:05:06.5") → its parts. */
export function intervalParts(text: string): {
  years: number
  months: number
  days: number
  hours: number
  minutes: number
  seconds: number
} {
  const parts = { years: 0, months: 0, days: 0, hours: 0, minutes: 0, seconds: 0 }
  const re = /(-?\d+) (year|mon|day)s?|([+-]?)(\d+):(\d\d):(\d\d(?:\.\d+)?)/g
  for (const m of text.matchAll(re)) {
    if (m[2] === 'year') parts.years = Number(m[1])
    else if (m[2] === 'mon') parts.months = Number(m[1])
    else if (m[2] === 'day') parts.days = Number(m[1])
    else {
      const sign = m[3] === '-' ? -1 : 1
      parts.hours = sign * Number(m[4])
      parts.minutes = sign * Number(m[5])
      parts.seconds = sign * Number(m[6])
    }
  }
  return parts
}

/** MicroDuration.durationMicros with Debezium's 365.25/12 days per month. */
export function intervalMicros(text: string): number {
  const p = intervalParts(text)
  const days = (p.years * 12 + p.months) * (365.25 / 12) + p.days
  const seconds = ((days * 24 + p.hours) * 60 + p.minutes) * 60 + p.seconds
  return Math.trunc(seconds * 1e6)
}

/** Debezium's Interval.toIsoString: P<y>Y<m>M<d>DT<h>H<m>M<s>S. */
export function intervalIso(text: string): string {
  const p = intervalParts(text)
  const seconds = Number(p.seconds.toFixed(6)).toString()
  return `P${p.years}Y${p.months}M${p.days}DT${p.hours}H${p.minutes}M${seconds}S`
}

/** Minimal two's-complement big-endian bytes of an integer (BigInteger.toByteArray, as Connect's Decimal encodes). */
export function twosComplement(value: bigint): Buffer {
  let width = 1
  while (value < -(1n << BigInt(8 * width - 1)) || value >= 1n << BigInt(8 * width - 1)) width++
  const unsigned = value < 0n ? (1n << BigInt(8 * width)) + value : value
  return Buffer.from(unsigned.toString(16).padStart(width * 2, '0'), 'hex')
}

/**
 * A numeric text without fixed scale → VariableScaleDecimal {scale, value}. Trailing zeros of the fraction are dropped
 * (Debezium strips them and never lets the scale go below 0): 1.500 → scale 1, 100 → scale 0.
 */
export function variableScaleDecimal(text: string): { scale: number; value: Buffer } {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`Numeric value "${text}" cannot be represented as a decimal`)
  const [whole, rawFraction = ''] = text.split('.')
  const fraction = rawFraction.replace(/0+$/, '')
  return { scale: fraction.length, value: twosComplement(BigInt(whole + fraction)) }
}

/** money text ("$1,234.56", "-$3.00") → plain decimal text. */
function moneyDecimal(text: string): string {
  const negative = text.includes('-') || text.startsWith('(')
  const digits = text.replace(/[^0-9.]/g, '')
  return negative ? `-${digits}` : digits
}

/**
 * hstore text ('"a"=>"1", "b"=>NULL') → its pairs in text order, read as pgjdbc's HStoreConverter.fromString does
 * (quoted keys and values, backslash escapes, NULL values).
 */
export function parseHstore(text: string): [string, string | null][] {
  const out: [string, string | null][] = []
  let pos = 0
  const quoted = (start: number): [string, number] => {
    if (text[start] !== '"') throw new Error(`Cannot parse hstore "${text}": expected '"' at ${start}`)
    let value = ''
    let i = start + 1
    for (; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' ? text[++i] : text[i]
    if (i >= text.length) throw new Error(`Cannot parse hstore "${text}": unterminated string`)
    return [value, i + 1]
  }
  while (pos < text.length) {
    const [key, afterKey] = quoted(text.indexOf('"', pos))
    if (text.slice(afterKey, afterKey + 2) !== '=>') throw new Error(`Cannot parse hstore "${text}": expected '=>'`)
    pos = afterKey + 2
    if (text.startsWith('NULL', pos)) {
      out.push([key, null])
      pos += 4
    } else {
      const [value, afterValue] = quoted(pos)
      out.push([key, value])
      pos = afterValue
    }
    pos = text.indexOf('"', pos)
    if (pos < 0) break
  }
  return out
}

/** A JSON string literal as Jackson writes it (short escapes for \b \t \n \f \r, else \u00XX upper-case). */
function jacksonString(value: string): string {
  let out = '"'
  for (const ch of value) {
    const code = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (code >= 0x20) out += ch
    else if (ch === '\b') out += '\\b'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\f') out += '\\f'
    else if (ch === '\r') out += '\\r'
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return `${out}"`
}

/**
 * Debezium's hstore.handling.mode=json value: the pairs as a JSON object in java.util.HashMap order (pgjdbc parses
 * hstore into a HashMap, which Debezium writes out with Jackson).
 */
export function hstoreJson(text: string): string {
  const pairs = javaHashMapOrder(parseHstore(text))
  return `{${pairs.map(([k, v]) => `${jacksonString(k)}:${v === null ? 'null' : jacksonString(v)}`).join(',')}}`
}

/** hstore.handling.mode=map: a Connect map, entries in the same HashMap order. */
export function hstoreMap(text: string): Map<string, string | null> {
  return new Map(javaHashMapOrder(parseHstore(text)))
}

function hstore(mode: MappingOptions['hstoreMode']): ColumnMapping {
  if (mode === 'map') {
    return {
      schema: {
        type: 'map',
        keySchema: { type: 'string', optional: false },
        valueSchema: { type: 'string', optional: true },
      },
      convert: hstoreMap,
    }
  }
  return { schema: { type: 'string', name: DebeziumNames.JSON, version: 1 }, convert: hstoreJson }
}

/** Well-known binary of a 2D point as Debezium's Point builds it: byte-order mark 1, then little-endian type and x, y. */
export function pointWkb(x: number, y: number): Buffer {
  const wkb = Buffer.alloc(21)
  wkb.writeUInt8(1, 0)
  wkb.writeUInt32LE(1, 1)
  wkb.writeDoubleLE(x, 5)
  wkb.writeDoubleLE(y, 13)
  return wkb
}

/** point text '(x,y)' → io.debezium.data.geometry.Point {x, y, wkb, srid} (pgjdbc's PGpoint parse). */
export function pointValue(text: string): { x: number; y: number; wkb: Buffer; srid: null } {
  const m = /^\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(text.trim())
  const x = m ? Number(m[1]) : Number.NaN
  const y = m ? Number(m[2]) : Number.NaN
  if (!m || (Number.isNaN(x) && m[1] !== 'NaN') || (Number.isNaN(y) && m[2] !== 'NaN')) {
    throw new Error(`Cannot parse point "${text}"`)
  }
  return { x, y, wkb: pointWkb(x, y), srid: null }
}

const POINT_SCHEMA: Omit<Schema, 'optional'> = {
  type: 'struct',
  name: DebeziumNames.POINT,
  version: 1,
  doc: 'Geometry (POINT)',
  fields: [
    { name: 'x', index: 0, schema: { type: 'float64', optional: false } },
    { name: 'y', index: 1, schema: { type: 'float64', optional: false } },
    { name: 'wkb', index: 2, schema: { type: 'bytes', optional: true } },
    { name: 'srid', index: 3, schema: { type: 'int32', optional: true } },
  ],
}

function binary(mode: MappingOptions['binaryMode']): ColumnMapping {
  switch (mode) {
    case 'bytes':
      return { schema: { type: 'bytes' }, convert: parseBytea }
    case 'base64':
      return { schema: { type: 'string' }, convert: (t) => parseBytea(t).toString('base64') }
    case 'base64-url-safe':
      return { schema: { type: 'string' }, convert: (t) => parseBytea(t).toString('base64url') }
    case 'hex':
      return { schema: { type: 'string' }, convert: (t) => parseBytea(t).toString('hex') }
  }
}

function decimal(options: MappingOptions, scale: number, precision: number | null): ColumnMapping {
  switch (options.decimalMode) {
    case 'double':
      return { schema: { type: 'float64' }, convert: (t) => Number(t) }
    case 'string':
      return { schema: { type: 'string' }, convert: (t) => t }
    case 'precise': {
      const parameters: Record<string, string> = { scale: String(scale) }
      if (precision !== null) parameters['connect.decimal.precision'] = String(precision)
      return {
        schema: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters },
        convert: (t) => rescaleDecimal(t, scale),
      }
    }
  }
}

const text: ColumnMapping = { schema: { type: 'string' }, convert: (t) => t }
const named = (name: string): ColumnMapping => ({ schema: { type: 'string', name, version: 1 }, convert: (t) => t })

function temporal(type: ColumnType, options: MappingOptions): ColumnMapping {
  const mode = options.timePrecisionMode
  const precision = timePrecision(type.typmod)
  switch (type.oid) {
    case Oids.DATE:
      if (mode === 'connect') {
        return {
          schema: { type: 'int32', name: 'org.apache.kafka.connect.data.Date', version: 1 },
          convert: (t) => new Date(epochDay(t) * 86_400_000),
        }
      }
      if (mode === 'isostring')
        return { schema: { type: 'string', name: DebeziumNames.ISO_DATE, version: 1 }, convert: (t) => t }
      return { schema: { type: 'int32', name: DebeziumNames.DATE, version: 1 }, convert: epochDay }
    case Oids.TIME:
      if (mode === 'connect') {
        return {
          schema: { type: 'int32', name: 'org.apache.kafka.connect.data.Time', version: 1 },
          convert: (t) => new Date(Math.floor(timeOfDayMicros(t) / 1000)),
        }
      }
      if (mode === 'isostring')
        return { schema: { type: 'string', name: DebeziumNames.ISO_TIME, version: 1 }, convert: (t) => t }
      if (mode === 'adaptive' && precision <= 3) {
        return {
          schema: { type: 'int32', name: DebeziumNames.TIME, version: 1 },
          convert: (t) => Math.floor(timeOfDayMicros(t) / 1000),
        }
      }
      return { schema: { type: 'int64', name: DebeziumNames.MICRO_TIME, version: 1 }, convert: timeOfDayMicros }
    default: // TIMESTAMP
      if (mode === 'connect') {
        return {
          schema: { type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1 },
          convert: (t) => new Date(Math.floor(timestampMicros(t) / 1000)),
        }
      }
      if (mode === 'isostring') {
        return { schema: { type: 'string', name: DebeziumNames.ISO_TIMESTAMP, version: 1 }, convert: (t) => t }
      }
      if (precision <= 3) {
        return {
          schema: { type: 'int64', name: DebeziumNames.TIMESTAMP, version: 1 },
          convert: (t) => Math.floor(timestampMicros(t) / 1000),
        }
      }
      return { schema: { type: 'int64', name: DebeziumNames.MICRO_TIMESTAMP, version: 1 }, convert: timestampMicros }
  }
}

/** The mapping of one column type; unknown types are carried as their text. */
export function mapColumnType(type: ColumnType, options: MappingOptions): ColumnMapping {
  if (type.enumValues) {
    return {
      schema: {
        type: 'string',
        name: DebeziumNames.ENUM,
        version: 1,
        parameters: { allowed: type.enumValues.join(',') },
      },
      convert: (t) => t,
    }
  }
  if (type.element) {
    const element = mapColumnType({ ...type.element, typmod: type.typmod }, options)
    const delimiter = type.element.oid === 603 /* box */ ? ';' : ','
    return {
      schema: { type: 'array', valueSchema: { ...element.schema, optional: true } },
      convert: (t) => parseArray(t, element.convert, delimiter),
    }
  }
  switch (type.oid) {
    case Oids.BOOL:
      return { schema: { type: 'boolean' }, convert: (t) => t === 't' || t === 'true' }
    case Oids.INT2:
      return { schema: { type: 'int16' }, convert: Number }
    case Oids.INT4:
      return { schema: { type: 'int32' }, convert: Number }
    case Oids.INT8:
    case Oids.OID: {
      return {
        schema: { type: 'int64' },
        convert: (t) => {
          const n = Number(t)
          return Number.isSafeInteger(n) ? n : BigInt(t)
        },
      }
    }
    case Oids.FLOAT4:
      return { schema: { type: 'float32' }, convert: Number }
    case Oids.FLOAT8:
      return { schema: { type: 'float64' }, convert: Number }
    case Oids.NUMERIC: {
      const ps = numericPrecisionScale(type.typmod)
      if (ps) return decimal(options, ps.scale, ps.precision)
      if (options.decimalMode === 'precise') {
        return {
          schema: {
            type: 'struct',
            name: DebeziumNames.VARIABLE_SCALE_DECIMAL,
            version: 1,
            doc: 'Variable scaled decimal',
            fields: [
              { name: 'scale', index: 0, schema: { type: 'int32', optional: false } },
              { name: 'value', index: 1, schema: { type: 'bytes', optional: false } },
            ],
          },
          convert: variableScaleDecimal,
        }
      }
      return decimal(options, 0, null)
    }
    case Oids.MONEY: {
      const m = decimal(options, options.moneyFractionDigits, null)
      return { schema: m.schema, convert: (t) => m.convert(moneyDecimal(t)) }
    }
    case Oids.TEXT:
    case Oids.VARCHAR:
    case Oids.BPCHAR:
    case Oids.CHAR:
    case Oids.NAME:
    // Network addresses and ranges: Debezium sends PostgreSQL's text of them as plain strings.
    case Oids.INET:
    case Oids.CIDR:
    case Oids.MACADDR:
    case Oids.MACADDR8:
    case Oids.INT4RANGE:
    case Oids.INT8RANGE:
    case Oids.NUMRANGE:
    case Oids.TSRANGE:
    case Oids.TSTZRANGE:
    case Oids.DATERANGE:
      return text
    case Oids.POINT:
      return { schema: POINT_SCHEMA, convert: pointValue }
    case Oids.TSVECTOR:
      return named(DebeziumNames.TSVECTOR)
    case Oids.UUID:
      return named(DebeziumNames.UUID)
    case Oids.JSON:
    case Oids.JSONB:
      return named(DebeziumNames.JSON)
    case Oids.XML:
      return named(DebeziumNames.XML)
    case Oids.BYTEA:
      return binary(options.binaryMode)
    case Oids.DATE:
    case Oids.TIME:
    case Oids.TIMESTAMP:
      return temporal(type, options)
    case Oids.TIMESTAMPTZ: {
      const fraction = timePrecision(type.typmod)
      return {
        schema: { type: 'string', name: DebeziumNames.ZONED_TIMESTAMP, version: 1 },
        convert: (t) => zonedTimestamp(t, fraction),
      }
    }
    case Oids.TIMETZ:
      return { schema: { type: 'string', name: DebeziumNames.ZONED_TIME, version: 1 }, convert: zonedTime }
    case Oids.INTERVAL:
      return options.intervalMode === 'string'
        ? { schema: { type: 'string', name: DebeziumNames.INTERVAL, version: 1 }, convert: intervalIso }
        : { schema: { type: 'int64', name: DebeziumNames.MICRO_DURATION, version: 1 }, convert: intervalMicros }
    case Oids.BIT:
    case Oids.VARBIT: {
      const length = type.typmod
      if (length <= 1) return { schema: { type: 'boolean' }, convert: (t) => t === '1' }
      return {
        schema: { type: 'bytes', name: DebeziumNames.BITS, version: 1, parameters: { length: String(length) } },
        convert: bitsToBytes,
      }
    }
    default:
      return extensionType(type, options) ?? text
  }
}

/** Types of contrib extensions, which have no fixed OID: Debezium's TypeRegistry finds them by name too. */
function extensionType(type: ColumnType, options: MappingOptions): ColumnMapping | null {
  switch (type.name) {
    case 'hstore':
      return hstore(options.hstoreMode)
    case 'ltree':
      return named(DebeziumNames.LTREE)
    case 'citext':
      return text
    default:
      return null
  }
}

/** A bit string ('0101…', most significant first) → little-endian bytes as Debezium's Bits. */
function bitsToBytes(bits: string): Buffer {
  const value = bits === '' ? 0n : BigInt(`0b${bits}`)
  const length = Math.ceil(bits.length / 8)
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn)
  return out
}
