// Record headers: a SourceRecord header's schema + value in, the header bytes written to Kafka out. Connect's default
// header converter (org.apache.kafka.connect.storage.SimpleHeaderConverter) writes every value as UTF-8 text:
// strings as they are, numbers and booleans in their string form, bytes as base64, Date/Time/Timestamp in ISO 8601,
// and structs, maps and arrays as JSON (struct fields in schema order). A null value is a null header.
import { LogicalNames, type Schema, SchemaTypes } from '../record/schema.ts'
import { integerText, javaDouble, javaFloat, jsonString } from './json-text.ts'

export const SIMPLE_HEADER_CONVERTER = 'org.apache.kafka.connect.storage.SimpleHeaderConverter'

export interface HeaderConverter {
  /** The bytes of header `key` of a record to `topic`; null for a null value. */
  fromConnectHeader(topic: string, key: string, schema: Schema | null | undefined, value: unknown): Buffer | null
}

export class SimpleHeaderConverter implements HeaderConverter {
  fromConnectHeader(_topic: string, _key: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null
    return Buffer.from(headerText(schema ?? null, value), 'utf8')
  }
}

/** The text SimpleHeaderConverter writes for a (non-null) header value. */
export function headerText(schema: Schema | null, value: unknown): string {
  return text(schema, value, false)
}

const MS_PER_DAY = 86_400_000

function text(schema: Schema | null, value: unknown, embedded: boolean): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') {
    // A Decimal is held as its exact decimal string; inside JSON it is a number, as Connect writes a BigDecimal.
    if (embedded && schema?.name === LogicalNames.DECIMAL) return value
    return embedded ? jsonString(value) : value
  }
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return numberText(schema, value)
  if (value instanceof Uint8Array) return quoted(Buffer.from(value).toString('base64'), embedded)
  if (value instanceof Date) return quoted(dateText(schema, value), embedded)
  if (Array.isArray(value)) {
    const element = schema?.valueSchema ?? null
    return `[${value.map((v) => text(element, v, true)).join(',')}]`
  }
  if (value instanceof Map) {
    const element = schema?.valueSchema ?? null
    return `{${[...value].map(([k, v]) => `${keyText(k)}:${text(element, v, true)}`).join(',')}}`
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>
    if (schema?.type === SchemaTypes.STRUCT && schema.fields !== undefined) {
      return `{${schema.fields.map((f) => `${jsonString(f.name)}:${text(f.schema, object[f.name], true)}`).join(',')}}`
    }
    const element = schema?.type === SchemaTypes.MAP ? (schema.valueSchema ?? null) : null
    return `{${Object.entries(object)
      .map(([k, v]) => `${jsonString(k)}:${text(element, v, true)}`)
      .join(',')}}`
  }
  return quoted(String(value), embedded)
}

function quoted(value: string, embedded: boolean): string {
  return embedded ? jsonString(value) : value
}

/** JSON object keys are strings: a map's non-string keys are written in their text form. */
function keyText(key: unknown): string {
  return jsonString(typeof key === 'string' ? key : text(null, key, false))
}

function numberText(schema: Schema | null, value: number): string {
  if (schema?.type === SchemaTypes.FLOAT64) return unquotedSpecial(javaDouble(value))
  if (schema?.type === SchemaTypes.FLOAT32) return unquotedSpecial(javaFloat(value))
  return Number.isInteger(value) ? integerText(value) : String(value)
}

/** javaDouble quotes NaN/Infinity for JSON documents; Java's String.valueOf does not. */
function unquotedSpecial(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1) : text
}

/** ISO 8601 as Connect's Values writes dates: Date `yyyy-MM-dd`, Time `HH:mm:ss.SSSZ`, Timestamp both, in UTC. */
function dateText(schema: Schema | null, value: Date): string {
  const iso = value.toISOString() // yyyy-MM-ddTHH:mm:ss.SSSZ
  const ms = value.getTime()
  const kind =
    schema?.name === LogicalNames.DATE
      ? 'date'
      : schema?.name === LogicalNames.TIME
        ? 'time'
        : schema?.name === LogicalNames.TIMESTAMP
          ? 'timestamp'
          : // Without a schema, as Connect's Values.dateFormatFor: a time of day on day 0, a date at midnight.
            ms >= 0 && ms < MS_PER_DAY
            ? 'time'
            : ms % MS_PER_DAY === 0
              ? 'date'
              : 'timestamp'
  if (kind === 'date') return iso.slice(0, 10)
  if (kind === 'time') return iso.slice(11)
  return iso
}
