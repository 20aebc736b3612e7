// Kafka Connect's data model: schemas as plain data. Connectors describe their records with these; converters
// turn schema + value into bytes (JsonConverter writes exactly this shape as the "schema" part of its envelope).

export const SchemaTypes = {
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float32',
  FLOAT64: 'float64',
  BOOLEAN: 'boolean',
  STRING: 'string',
  BYTES: 'bytes',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
} as const
export type SchemaType = (typeof SchemaTypes)[keyof typeof SchemaTypes]

/** Names of Connect's logical types (org.apache.kafka.connect.data.*). */
export const LogicalNames = {
  DECIMAL: 'org.apache.kafka.connect.data.Decimal',
  DATE: 'org.apache.kafka.connect.data.Date',
  TIME: 'org.apache.kafka.connect.data.Time',
  TIMESTAMP: 'org.apache.kafka.connect.data.Timestamp',
} as const

export interface Field {
  name: string
  index: number
  schema: Schema
}

export interface Schema {
  type: SchemaType
  optional: boolean
  name?: string
  version?: number
  doc?: string
  parameters?: Record<string, string>
  defaultValue?: unknown
  /** STRUCT only, in declaration order. */
  fields?: Field[]
  /** ARRAY elements. */
  valueSchema?: Schema
  /** MAP keys (values use valueSchema). */
  keySchema?: Schema
}

/**
 * In-memory value representation per schema (what connectors put into a SourceRecord):
 * - int8/16/32, float32/64: number; int64: number or bigint (bigint keeps values beyond 2^53 exact)
 * - string: string; boolean: boolean; bytes: Buffer
 * - Decimal: string holding the exact decimal ("123.45"), scale in parameters.scale
 * - Date / Time / Timestamp: Date (Date: midnight UTC of the day; Time: 1970-01-01 plus time of day, UTC)
 * - struct: Struct (plain object keyed by field name); array: unknown[]; map: Map or plain object
 * - null where the schema is optional
 */
export type Struct = Record<string, unknown>

export function primitive(type: SchemaType, optional = false): Schema {
  return { type, optional }
}

export function decimalSchema(scale: number, optional = false, precision?: number): Schema {
  const parameters: Record<string, string> = { scale: String(scale) }
  if (precision !== undefined) parameters['connect.decimal.precision'] = String(precision)
  return { type: 'bytes', optional, name: LogicalNames.DECIMAL, version: 1, parameters }
}

export function dateSchema(optional = false): Schema {
  return { type: 'int32', optional, name: LogicalNames.DATE, version: 1 }
}

export function timeSchema(optional = false): Schema {
  return { type: 'int32', optional, name: LogicalNames.TIME, version: 1 }
}

export function timestampSchema(optional = false): Schema {
  return { type: 'int64', optional, name: LogicalNames.TIMESTAMP, version: 1 }
}

export function arraySchema(valueSchema: Schema, optional = false): Schema {
  return { type: 'array', optional, valueSchema }
}

export function structSchema(name: string, fields: { name: string; schema: Schema }[], optional = false): Schema {
  return {
    type: 'struct',
    optional,
    name,
    fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })),
  }
}
