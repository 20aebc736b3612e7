// org.apache.kafka.connect.transforms.Cast$Key / $Value: casts fields (`spec=a:int32,b:string`) or the whole key or
// value (`spec=int64`) to a primitive type with Java's conversions: integers narrow by keeping the low bits,
// floats truncate toward zero (saturating), strings parse as Java's parseInt/parseDouble/parseBoolean do, and bytes
// become base64 text. Date/Time/Timestamp cast to a number become days / millis of day / epoch millis.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import { javaDouble, javaFloat } from '../../convert/json-text.ts'
import { LogicalNames, primitive, type Schema, type SchemaType, type Struct } from '../../record/schema.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { dataError, invalidValue, javaClassOf, TransformConfigError } from '../errors.ts'
import { fieldValue, type RecordPart, requireMap, requireStruct, SchemaCache } from '../record-data.ts'
import { listParsedBy, REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import { SimpleDateFormat } from '../simple-date-format.ts'
import type { Transformation } from '../transformation.ts'

export const CAST = 'org.apache.kafka.connect.transforms.Cast'

const PURPOSE = 'cast types'
const ALL_TYPES = [
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FLOAT32',
  'FLOAT64',
  'BOOLEAN',
  'STRING',
  'BYTES',
  'ARRAY',
  'MAP',
  'STRUCT',
]
const INPUT_TYPES = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING', 'BYTES']
const OUTPUT_TYPES = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING']
type CastType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string'

/** The whole-value cast's entry in the spec map (Java's null key). */
const WHOLE_VALUE = ''

function splitJava(text: string): string[] {
  const parts = text.split(':')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

function outputType(text: string): CastType {
  const upper = text.trim().toUpperCase()
  if (!ALL_TYPES.includes(upper))
    throw new TransformConfigError(`Invalid type found in casting spec: ${text.trim()}`, 'spec')
  if (!OUTPUT_TYPES.includes(upper)) {
    throw new TransformConfigError(
      `Cast transformation does not support casting to ${upper}; supported types are [${OUTPUT_TYPES.join(', ')}]`,
      'spec',
    )
  }
  return upper.toLowerCase() as CastType
}

export function parseCastSpec(mappings: string[]): Map<string, CastType> {
  if (mappings.length === 0) throw new TransformConfigError('Must specify at least one field to cast.', 'spec')
  const casts = new Map<string, CastType>()
  let wholeValue = false
  for (const mapping of mappings) {
    const parts = splitJava(mapping)
    // Upstream names `renames` here (a copy from ReplaceField); kept so the message reads the same.
    if (parts.length > 2) {
      throw new TransformConfigError(invalidValue('renames', mappings, `Invalid rename mapping: ${mapping}`), 'spec')
    }
    if (parts.length <= 1) {
      casts.set(WHOLE_VALUE, outputType(parts[0] ?? ''))
      wholeValue = true
    } else {
      casts.set((parts[0] as string).trim(), outputType(parts[1] as string))
    }
  }
  if (wholeValue && mappings.length > 1) {
    throw new TransformConfigError(
      'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec',
      'spec',
    )
  }
  return casts
}

const configDef = new ConfigDef()
  .define({
    name: 'spec',
    type: ConfigTypes.LIST,
    importance: Importance.HIGH,
    documentation:
      'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
    validator: listParsedBy(parseCastSpec),
  })
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)

export class Cast implements Transformation {
  readonly configDef = configDef
  readonly #part: RecordPart
  #casts = new Map<string, CastType>()
  #whole: CastType | undefined
  #replaceNullWithDefault = true
  readonly #schemas = new SchemaCache()

  constructor(part: RecordPart) {
    this.#part = part
  }

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#casts = parseCastSpec(settings.list('spec'))
    this.#whole = this.#casts.get(WHOLE_VALUE)
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
  }

  apply(record: SourceRecord): SourceRecord {
    const value = this.#part.value(record)
    if (value === null) return record
    const schema = this.#part.schema(record)
    if (schema === null) {
      if (this.#whole) return this.#part.with(record, null, castValue(null, value, this.#whole))
      const updated = { ...requireMap(value, PURPOSE) }
      for (const [field, type] of this.#casts) updated[field] = castValue(null, updated[field] ?? null, type)
      return this.#part.with(record, null, updated)
    }
    const updatedSchema = this.#schemas.get(schema, (s) => this.#updatedSchema(s))
    if (this.#whole) return this.#part.with(record, updatedSchema, castValue(schema, value, this.#whole))
    const struct = requireStruct(value, PURPOSE)
    const updated: Struct = {}
    for (const field of schema.fields ?? []) {
      const original = fieldValue(struct, field, this.#replaceNullWithDefault)
      const type = this.#casts.get(field.name)
      updated[field.name] = type ? castValue(field.schema, original, type) : original
    }
    return this.#part.with(record, updatedSchema, updated)
  }

  #updatedSchema(schema: Schema): Schema {
    const basics = (type: SchemaType): Schema => {
      const out: Schema = { type, optional: schema.optional }
      if (schema.name !== undefined) out.name = schema.name
      if (schema.version !== undefined) out.version = schema.version
      if (schema.doc !== undefined) out.doc = schema.doc
      if (schema.parameters !== undefined) out.parameters = { ...schema.parameters }
      return out
    }
    if (this.#whole) {
      const out = basics(this.#whole)
      if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
        out.defaultValue = castValue(schema, schema.defaultValue, this.#whole)
      }
      return out
    }
    const out = basics('struct')
    out.fields = (schema.fields ?? []).map((field, index) => {
      const type = this.#casts.get(field.name)
      if (!type) return field
      const cast = primitive(type, field.schema.optional)
      if (field.schema.defaultValue !== undefined && field.schema.defaultValue !== null) {
        cast.defaultValue = castValue(field.schema, field.schema.defaultValue, type)
      }
      return { name: field.name, index, schema: cast }
    })
    return out
  }
}

/** A number as Java holds it: an integral type (exact), a float/double, or a BigDecimal (Decimal's text). */
type JavaNumber = { integral: bigint } | { float: number } | { decimal: string }

const MS_PER_DAY = 86_400_000

function inferType(value: unknown): string | undefined {
  if (typeof value === 'boolean') return 'BOOLEAN'
  if (typeof value === 'string') return 'STRING'
  if (typeof value === 'bigint') return 'INT64'
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT64' : 'FLOAT64'
  if (value instanceof Uint8Array) return 'BYTES'
  if (Array.isArray(value)) return 'ARRAY'
  if (value instanceof Map) return 'MAP'
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return 'MAP'
  return undefined
}

function castValue(schema: Schema | null, value: unknown, target: CastType): unknown {
  if (value === null || value === undefined) return null
  const inferred = schema ? schema.type.toUpperCase() : inferType(value)
  if (inferred === undefined) {
    throw dataError(
      `Cast transformation was passed a value of type class ${javaClassOf(value)} which is not supported by Connect's data API`,
    )
  }
  if (!INPUT_TYPES.includes(inferred)) {
    throw dataError(
      `Cast transformation does not support casting from ${inferred}; supported types are [${INPUT_TYPES.join(', ')}]`,
    )
  }
  let input = value
  if (schema?.name !== undefined && target !== 'string' && input instanceof Date) {
    const ms = input.getTime()
    if (schema.name === LogicalNames.DATE) input = Math.floor(ms / MS_PER_DAY)
    else if (schema.name === LogicalNames.TIME) input = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY
    else if (schema.name === LogicalNames.TIMESTAMP) input = ms
  }
  if (target === 'string') return castToString(input, schema)
  if (typeof input === 'boolean') {
    return target === 'boolean' ? input : input ? 1 : 0
  }
  if (typeof input === 'string' && schema?.name !== LogicalNames.DECIMAL) return parseJava(input, target)
  const number = javaNumber(input, schema)
  if (number === undefined) throw dataError(`Unexpected type in Cast transformation: class ${javaClassOf(input)}`)
  return convertNumber(number, target)
}

function javaNumber(value: unknown, schema: Schema | null): JavaNumber | undefined {
  if (typeof value === 'bigint') return { integral: value }
  if (typeof value === 'string') return { decimal: value }
  if (typeof value !== 'number') return undefined
  const floating = schema ? schema.type === 'float32' || schema.type === 'float64' : !Number.isInteger(value)
  return floating ? { float: value } : { integral: BigInt(value) }
}

const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/** Java's d2l / d2i: truncate toward zero, NaN → 0, saturate at the type's bounds. */
function truncateSaturating(value: number, bits: 32 | 64): bigint {
  if (Number.isNaN(value)) return 0n
  const min = bits === 64 ? LONG_MIN : -(2n ** 31n)
  const max = bits === 64 ? LONG_MAX : 2n ** 31n - 1n
  if (value === Number.POSITIVE_INFINITY) return max
  if (value === Number.NEGATIVE_INFINITY) return min
  const t = BigInt(Math.trunc(value))
  return t < min ? min : t > max ? max : t
}

function longOut(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

function convertNumber(number: JavaNumber, target: CastType): unknown {
  let asDouble: number
  let asLong: bigint
  let asInt: bigint
  if ('integral' in number) {
    asDouble = Number(number.integral)
    asLong = BigInt.asIntN(64, number.integral)
    asInt = BigInt.asIntN(32, number.integral)
  } else if ('float' in number) {
    asDouble = number.float
    asLong = truncateSaturating(number.float, 64)
    asInt = truncateSaturating(number.float, 32)
  } else {
    // BigDecimal: the value truncated to a whole number, then its low bits (intValue/longValue).
    asDouble = Number(number.decimal)
    const whole = BigInt(number.decimal.replace(/\.\d*$/, '') || '0')
    asLong = BigInt.asIntN(64, whole)
    asInt = BigInt.asIntN(32, whole)
  }
  switch (target) {
    case 'int8':
      return Number(BigInt.asIntN(8, asInt))
    case 'int16':
      return Number(BigInt.asIntN(16, asInt))
    case 'int32':
      return Number(asInt)
    case 'int64':
      return longOut(asLong)
    case 'float32':
      return Math.fround(asDouble)
    case 'float64':
      return asDouble
    case 'boolean':
      return asLong !== 0n
  }
  return undefined
}

/** Java's Byte/Short/Integer/Long.parseX, Float/Double.parseX and Boolean.parseBoolean. */
function parseJava(text: string, target: CastType): unknown {
  const outOfRange = () => dataError(`Value (${text}) was out of range for requested data type`)
  if (target === 'boolean') return text.toLowerCase() === 'true'
  if (target === 'float32' || target === 'float64') {
    const trimmed = text.trim().replace(/[fFdD]$/, '')
    const n = /^[+-]?(NaN|Infinity)$/.test(trimmed) ? Number(trimmed.replace('+', '')) : Number(trimmed)
    if (trimmed === '' || (Number.isNaN(n) && !trimmed.endsWith('NaN'))) throw outOfRange()
    return target === 'float32' ? Math.fround(n) : n
  }
  if (!/^[+-]?\d+$/.test(text)) throw outOfRange()
  const n = BigInt(text)
  const bits = { int8: 8, int16: 16, int32: 32, int64: 64 }[target as 'int8' | 'int16' | 'int32' | 'int64']
  const limit = 2n ** BigInt(bits - 1)
  if (n < -limit || n >= limit) throw outOfRange()
  return target === 'int64' ? longOut(n) : Number(n)
}

const TIME_FORMAT = new SimpleDateFormat("HH:mm:ss.SSS'Z'")
const DATE_FORMAT = new SimpleDateFormat('yyyy-MM-dd')
const TIMESTAMP_FORMAT = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")

function castToString(value: unknown, schema: Schema | null): string {
  if (value instanceof Date) {
    // Values.dateFormatFor: before one day → a time, whole days → a date, else a timestamp (here always in UTC).
    const ms = value.getTime()
    const format = ms < MS_PER_DAY ? TIME_FORMAT : ms % MS_PER_DAY === 0 ? DATE_FORMAT : TIMESTAMP_FORMAT
    return format.format(value)
  }
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (typeof value === 'number') {
    const floating = schema ? schema.type === 'float32' || schema.type === 'float64' : !Number.isInteger(value)
    if (!floating) return String(value)
    return schema?.type === 'float32' ? javaFloat(value) : javaDouble(value)
  }
  return String(value)
}
