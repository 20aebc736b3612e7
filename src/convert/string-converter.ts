// org.apache.kafka.connect.storage.StringConverter: any value in → its string form encoded as `converter.encoding`
// (UTF-8 by default) out; bytes back → an optional string. Non-string values are written as Java's toString would
// show them (a struct key becomes `Struct{id=1}`), which is what Connect users see in such topics.
import { ConfigDef, ConfigTypes, Importance } from '../config/config-def.ts'
import { type Schema, SchemaTypes } from '../record/schema.ts'
import { type Converter, converterTypeKey, type SchemaAndValue } from './converter.ts'
import { javaDouble, javaFloat } from './json-text.ts'

const OPTIONAL_STRING: Schema = { type: SchemaTypes.STRING, optional: true }

/** Java charset names (case-insensitive) this converter can encode and decode. */
const ENCODINGS: Record<string, 'utf8' | 'ascii' | 'latin1' | 'utf16le' | 'utf16be' | 'utf16'> = {
  'UTF-8': 'utf8',
  UTF8: 'utf8',
  'US-ASCII': 'ascii',
  ASCII: 'ascii',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
  'UTF-16LE': 'utf16le',
  'UTF-16BE': 'utf16be',
  'UTF-16': 'utf16',
}
export const stringConverterEncodings = ['UTF-8', 'US-ASCII', 'ISO-8859-1', 'UTF-16', 'UTF-16BE', 'UTF-16LE']

export const stringConverterConfigDef = new ConfigDef().define(converterTypeKey).define({
  name: 'converter.encoding',
  type: ConfigTypes.STRING,
  default: 'UTF-8',
  validator: (value) =>
    typeof value === 'string' && ENCODINGS[value.toUpperCase()] === undefined
      ? `Unsupported encoding; supported: ${stringConverterEncodings.join(', ')}`
      : undefined,
  importance: Importance.HIGH,
  documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
  group: 'Converter',
  orderInGroup: 0,
  displayName: 'Encoding',
})

export class StringConverter implements Converter {
  #encoding: (typeof ENCODINGS)[string] = 'utf8'

  configure(config: Record<string, string>, _isKey: boolean): void {
    const parsed = stringConverterConfigDef.parse(config)
    if (parsed.errors.size > 0) {
      const lines = [...parsed.errors].flatMap(([key, problems]) => problems.map((p) => `  ${key}: ${p}`))
      throw new Error(`Invalid StringConverter configuration:\n${lines.join('\n')}`)
    }
    this.#encoding = ENCODINGS[String(parsed.values.get('converter.encoding')).toUpperCase()]
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null
    return this.#encode(javaToString(value, schema ?? null))
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_STRING, value: bytes === null ? null : this.#decode(bytes) }
  }

  #encode(text: string): Buffer {
    switch (this.#encoding) {
      case 'utf16be':
        return Buffer.from(text, 'utf16le').swap16()
      case 'utf16':
        // Java's UTF-16 encoder writes a big-endian byte order mark.
        return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])
      default:
        return Buffer.from(text, this.#encoding)
    }
  }

  #decode(bytes: Buffer): string {
    switch (this.#encoding) {
      case 'utf16be':
        return new TextDecoder('utf-16be').decode(bytes)
      case 'utf16':
        if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
        return new TextDecoder('utf-16be').decode(bytes)
      default:
        return bytes.toString(this.#encoding)
    }
  }
}

/** How Java's toString shows a Connect value (Struct, List, Map, Date, BigDecimal …). */
export function javaToString(value: unknown, schema: Schema | null): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return value
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (schema?.type === SchemaTypes.FLOAT32) return javaFloat(value).replaceAll('"', '')
    if (schema?.type === SchemaTypes.FLOAT64 || !Number.isInteger(value)) return javaDouble(value).replaceAll('"', '')
    return String(value)
  }
  if (value instanceof Date) return javaDate(value)
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (Array.isArray(value)) return `[${value.map((v) => javaToString(v, schema?.valueSchema ?? null)).join(', ')}]`
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${javaToString(k, schema?.keySchema ?? null)}=${javaToString(v, schema?.valueSchema ?? null)}`).join(', ')}}`
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (schema?.type === SchemaTypes.STRUCT) {
      const parts = (schema.fields ?? [])
        .filter((f) => record[f.name] !== null && record[f.name] !== undefined)
        .map((f) => `${f.name}=${javaToString(record[f.name], f.schema)}`)
      return `Struct{${parts.join(',')}}`
    }
    return `{${Object.entries(record)
      .map(([k, v]) => `${k}=${javaToString(v, schema?.valueSchema ?? null)}`)
      .join(', ')}}`
  }
  return String(value)
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** java.util.Date#toString in a UTC JVM: `Thu Jan 01 00:00:00 UTC 1970`. */
function javaDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
}
