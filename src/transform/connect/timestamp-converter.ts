// org.apache.kafka.connect.transforms.TimestampConverter$Key / $Value: converts one field (or the whole key/value)
// between Unix epoch numbers (unix.precision), text in a SimpleDateFormat pattern (UTC), and Connect's
// Date / Time / Timestamp types. The input kind comes from the schema, or without one from the value itself.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import {
  dateSchema,
  LogicalNames,
  primitive,
  type Schema,
  type Struct,
  timeSchema,
  timestampSchema,
} from '../../record/schema.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { dataError, invalidValue, javaClassOf, TransformConfigError } from '../errors.ts'
import {
  fieldValue,
  type RecordPart,
  requireMap,
  requireStructOrNull,
  SchemaCache,
  structBasics,
} from '../record-data.ts'
import { REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import { SimpleDateFormat } from '../simple-date-format.ts'
import type { Transformation } from '../transformation.ts'

export const TIMESTAMP_CONVERTER = 'org.apache.kafka.connect.transforms.TimestampConverter'

const PURPOSE = 'converting timestamp formats'
const TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const
type TimestampType = (typeof TYPES)[number]
const PRECISIONS = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'] as const
type Precision = (typeof PRECISIONS)[number]
const MS_PER_DAY = 86_400_000

const validString =
  (allowed: readonly string[]) =>
  (value: unknown, name: string): string | undefined =>
    typeof value === 'string' && !allowed.includes(value)
      ? invalidValue(name, value, `String must be one of: ${allowed.join(', ')}`)
      : undefined

const configDef = new ConfigDef()
  .define({
    name: 'field',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.HIGH,
    documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp',
  })
  .define({
    name: 'target.type',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
    validator: validString(TYPES),
    recommendedValues: [...TYPES],
  })
  .define({
    name: 'format',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision',
    type: ConfigTypes.STRING,
    default: 'milliseconds',
    importance: Importance.LOW,
    documentation:
      'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
    validator: validString(PRECISIONS),
    recommendedValues: [...PRECISIONS],
  })
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)

export class TimestampConverter implements Transformation {
  readonly configDef = configDef
  readonly #part: RecordPart
  #field = ''
  #target: TimestampType = 'Timestamp'
  #format: SimpleDateFormat | undefined
  #precision: Precision = 'milliseconds'
  #replaceNullWithDefault = true
  readonly #schemas = new SchemaCache()

  constructor(part: RecordPart) {
    this.#part = part
  }

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#field = settings.string('field') ?? ''
    this.#target = settings.string('target.type') as TimestampType
    this.#precision = (settings.string('unix.precision') ?? 'milliseconds') as Precision
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
    const pattern = settings.string('format') ?? ''
    if (this.#target === 'string' && pattern.trim() === '') {
      throw new TransformConfigError(
        'TimestampConverter requires format option to be specified when using string timestamps',
        'format',
      )
    }
    if (pattern.trim() !== '') {
      try {
        this.#format = new SimpleDateFormat(pattern)
      } catch (error) {
        throw new TransformConfigError(
          `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern} (${(error as Error).message})`,
          'format',
        )
      }
    }
  }

  apply(record: SourceRecord): SourceRecord {
    const schema = this.#part.schema(record)
    const value = this.#part.value(record)
    if (schema === null) {
      if (value === null || this.#field === '') return this.#part.with(record, null, this.#convert(value))
      const updated = { ...requireMap(value, PURPOSE) }
      updated[this.#field] = this.#convert(updated[this.#field] ?? null)
      return this.#part.with(record, null, updated)
    }
    if (this.#field === '') {
      return this.#part.with(record, this.#typeSchema(schema.optional), this.#convert(value, kindOfSchema(schema)))
    }
    const struct = requireStructOrNull(value, PURPOSE)
    const updatedSchema = this.#schemas.get(schema, (s) => this.#updatedSchema(s))
    if (struct === null) return this.#part.with(record, updatedSchema, null)
    const updated: Struct = {}
    for (const field of schema.fields ?? []) {
      const original = fieldValue(struct, field, this.#replaceNullWithDefault)
      updated[field.name] = field.name === this.#field ? this.#convert(original, kindOfSchema(field.schema)) : original
    }
    return this.#part.with(record, updatedSchema, updated)
  }

  #updatedSchema(schema: Schema): Schema {
    const out = structBasics(
      schema,
      (schema.fields ?? []).map((f) => ({
        name: f.name,
        schema: f.name === this.#field ? this.#typeSchema(f.schema.optional) : f.schema,
      })),
    )
    out.optional = schema.optional
    return out
  }

  #typeSchema(optional: boolean): Schema {
    switch (this.#target) {
      case 'string':
        return primitive('string', optional)
      case 'unix':
        return primitive('int64', optional)
      case 'Date':
        return dateSchema(optional)
      case 'Time':
        return timeSchema(optional)
      case 'Timestamp':
        return timestampSchema(optional)
    }
  }

  #convert(value: unknown, kind?: TimestampType): unknown {
    if (value === null || value === undefined) return null
    const raw = this.#toRaw(value, kind ?? inferKind(value))
    return this.#toTarget(raw)
  }

  #toRaw(value: unknown, kind: TimestampType): Date {
    switch (kind) {
      case 'string': {
        if (typeof value !== 'string') {
          throw dataError(`Expected string timestamp to be a String, but found class ${javaClassOf(value)}`)
        }
        const format = this.#format as SimpleDateFormat
        const parsed = format.parse(value)
        if (!parsed) {
          throw dataError(`Could not parse timestamp: value (${value}) does not match pattern (${format.pattern})`)
        }
        return parsed
      }
      case 'unix': {
        if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) {
          throw dataError(`Expected Unix timestamp to be a Long, but found class ${javaClassOf(value)}`)
        }
        const n = BigInt(value)
        const ms = { seconds: n * 1000n, milliseconds: n, microseconds: n / 1000n, nanoseconds: n / 1_000_000n }[
          this.#precision
        ]
        return new Date(Number(ms))
      }
      default:
        if (!(value instanceof Date)) {
          throw dataError(`Expected ${kind} to be a java.util.Date, but found class ${javaClassOf(value)}`)
        }
        return value
    }
  }

  #toTarget(raw: Date): unknown {
    const ms = raw.getTime()
    switch (this.#target) {
      case 'string':
        return (this.#format as SimpleDateFormat).format(raw)
      case 'unix': {
        const n = BigInt(ms)
        const out = { seconds: n / 1000n, milliseconds: n, microseconds: n * 1000n, nanoseconds: n * 1_000_000n }[
          this.#precision
        ]
        return out >= BigInt(Number.MIN_SAFE_INTEGER) && out <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(out) : out
      }
      case 'Date':
        return new Date(ms - (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY))
      case 'Time':
        return new Date(((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY)
      case 'Timestamp':
        return raw
    }
  }
}

function kindOfSchema(schema: Schema): TimestampType {
  if (schema.name === LogicalNames.TIMESTAMP) return 'Timestamp'
  if (schema.name === LogicalNames.DATE) return 'Date'
  if (schema.name === LogicalNames.TIME) return 'Time'
  if (schema.type === 'string') return 'string'
  if (schema.type === 'int64') return 'unix'
  throw dataError(
    `Schema Schema{${schema.name ? `${schema.name}:` : ''}${schema.type.toUpperCase()}} does not correspond to a known timestamp type format`,
  )
}

function inferKind(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp'
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'unix'
  if (typeof value === 'string') return 'string'
  throw dataError(`TimestampConverter does not support class ${javaClassOf(value)} objects as timestamps`)
}
