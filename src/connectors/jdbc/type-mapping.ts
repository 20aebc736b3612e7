// PostgreSQL column types in, Connect schemas and text→value converters out (upstream's GenericDatabaseDialect and
// PostgreSqlDatabaseDialect mappings, plus arrays). Pure: type facts come from the caller (see src/postgres/catalog.ts).

import type { PgType } from '../../postgres/catalog.ts'
import {
  type Instant,
  instantToMs,
  parseArray,
  parseBytea,
  parseDate,
  parseInt64,
  parseTime,
  parseTimestamp,
  rescaleDecimal,
} from '../../postgres/pg-text.ts'
import { wallClockToEpochMs } from '../../postgres/time-zone.ts'
import {
  arraySchema,
  dateSchema,
  decimalSchema,
  primitive,
  type Schema,
  SchemaTypes,
  timeSchema,
  timestampSchema,
} from '../../record/schema.ts'
import { type NumericMapping, NumericMappings } from './config.ts'

/** pg_type facts by oid (a TypeCache's get). */
export type TypeLookup = (oid: number) => PgType | undefined

export interface MappingOptions {
  numericMapping: NumericMapping
  /** db.timezone: the zone of `timestamp` and `time` values without an offset. */
  zone: string
}

export interface ColumnMapping {
  schema: Schema
  /** Converts the column's text output (never null: nulls are handled by the caller). */
  convert: (text: string) => unknown
  /** For timestamp-like columns: the exact instant (microseconds kept) for offsets. */
  instant?: (text: string) => Instant
}

const MAX_INTEGER_TYPE_PRECISION = 18
const NUMERIC_TYPE_SCALE_LOW = -84
/** Upstream's scale for numeric columns declared without precision and scale. */
export const UNCONSTRAINED_NUMERIC_SCALE = 127

/** numeric(p, s) typmod → precision and scale (scale may be negative on PostgreSQL 15+); null when unconstrained. */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null
  const t = typmod - 4
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 1024) - 1024 }
}

function integerSchema(precision: number, optional: boolean): Schema {
  if (precision > 9) return primitive(SchemaTypes.INT64, optional)
  if (precision > 4) return primitive(SchemaTypes.INT32, optional)
  if (precision > 2) return primitive(SchemaTypes.INT16, optional)
  return primitive(SchemaTypes.INT8, optional)
}

function numericMapping(typmod: number, optional: boolean, mapping: NumericMapping): ColumnMapping {
  const ps = numericPrecisionScale(typmod)
  if (ps === null) {
    const schema = decimalSchema(UNCONSTRAINED_NUMERIC_SCALE, optional)
    return { schema, convert: (t) => rescaleDecimal(t, UNCONSTRAINED_NUMERIC_SCALE) }
  }
  const { precision, scale } = ps
  const asInteger = (): ColumnMapping => {
    const schema = integerSchema(precision, optional)
    return { schema, convert: schema.type === SchemaTypes.INT64 ? parseInt64 : Number }
  }
  const asDouble = (): ColumnMapping => ({ schema: primitive(SchemaTypes.FLOAT64, optional), convert: Number })
  const fitsInteger = scale < 1 && scale >= NUMERIC_TYPE_SCALE_LOW
  switch (mapping) {
    case NumericMappings.PRECISION_ONLY:
      if (scale === 0 && precision <= MAX_INTEGER_TYPE_PRECISION) return asInteger()
      break
    case NumericMappings.BEST_FIT:
      if (precision <= MAX_INTEGER_TYPE_PRECISION) {
        if (fitsInteger) return asInteger()
        if (scale > 0) return asDouble()
      }
      break
    case NumericMappings.BEST_FIT_EAGER_DOUBLE:
      if (fitsInteger && precision <= MAX_INTEGER_TYPE_PRECISION) return asInteger()
      if (scale > 0) return asDouble()
      break
  }
  const decimalScale = Math.max(scale, 0)
  return {
    schema: decimalSchema(decimalScale, optional, precision),
    convert: (t) => rescaleDecimal(t, decimalScale),
  }
}

const str = (optional: boolean): ColumnMapping => ({
  schema: primitive(SchemaTypes.STRING, optional),
  convert: (t) => t,
})

/** The Connect schema and converter for one column (or array element when `optional` is forced). */
export function mapType(
  oid: number,
  typmod: number,
  optional: boolean,
  types: TypeLookup,
  options: MappingOptions,
  depth = 0,
): ColumnMapping {
  const type = types(oid)
  if (!type) return str(optional)
  if (type.kind === 'd' && type.baseOid !== 0 && depth < 10) {
    return mapType(type.baseOid, typmod >= 0 ? typmod : type.baseTypmod, optional, types, options, depth + 1)
  }
  if (type.category === 'A' && type.elementOid !== 0 && depth < 10) {
    // Array typmods describe the element (e.g. numeric(10,2)[] has the numeric typmod).
    const element = mapType(type.elementOid, typmod, true, types, options, depth + 1)
    return {
      schema: arraySchema(element.schema, optional),
      convert: (t) => parseArray(t, element.convert, type.delimiter || ','),
    }
  }
  const zone = options.zone
  switch (type.name) {
    case 'bool':
      return { schema: primitive(SchemaTypes.BOOLEAN, optional), convert: (t) => t === 't' }
    case 'int2':
      return { schema: primitive(SchemaTypes.INT16, optional), convert: Number }
    case 'int4':
      return { schema: primitive(SchemaTypes.INT32, optional), convert: Number }
    case 'int8':
    case 'oid':
      return { schema: primitive(SchemaTypes.INT64, optional), convert: parseInt64 }
    case 'float4':
      return { schema: primitive(SchemaTypes.FLOAT32, optional), convert: Number }
    case 'float8':
      return { schema: primitive(SchemaTypes.FLOAT64, optional), convert: Number }
    case 'numeric':
      return numericMapping(typmod, optional, options.numericMapping)
    case 'bytea':
      return { schema: primitive(SchemaTypes.BYTES, optional), convert: parseBytea }
    case 'date':
      return {
        schema: dateSchema(optional),
        convert: parseDate,
        instant: (t) => {
          const ms = wallClockToEpochMs(zone, parseDate(t).getTime())
          return { epochSecond: Math.floor(ms / 1000), nano: 0 }
        },
      }
    case 'time':
    case 'timetz':
      return { schema: timeSchema(optional), convert: (t) => parseTime(t, zone) }
    case 'timestamp':
    case 'timestamptz':
      return {
        schema: timestampSchema(optional),
        convert: (t) => new Date(instantToMs(parseTimestamp(t, zone))),
        instant: (t) => parseTimestamp(t, zone),
      }
    case 'bit':
      // bit(1) reads as a boolean (as pgjdbc does); longer bit strings stay '0'/'1' text.
      if (typmod === 1) return { schema: primitive(SchemaTypes.BOOLEAN, optional), convert: (t) => t === '1' }
      return str(optional)
    default:
      // text, varchar, bpchar, name, "char", uuid, json, jsonb, xml, interval, inet, cidr, macaddr, money, enums,
      // ranges, composites, geometric and every other type: their text form.
      return str(optional)
  }
}
