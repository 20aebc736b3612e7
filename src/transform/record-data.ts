// What Connect's transforms share: the `$Key` / `$Value` choice of which part of the record to work on, the
// Struct-or-Map checks of Requirements, Struct.get's default values, and SchemaUtil.copySchemaBasics.
import type { Field, Schema, Struct } from '../record/schema.ts'
import type { SourceRecord } from '../record/source-record.ts'
import { dataError, javaClassOf } from './errors.ts'

/** The part of a record a `$Key` or `$Value` transformation works on. */
export interface RecordPart {
  readonly name: 'Key' | 'Value'
  schema(record: SourceRecord): Schema | null
  value(record: SourceRecord): unknown
  with(record: SourceRecord, schema: Schema | null, value: unknown): SourceRecord
}

export const KEY: RecordPart = {
  name: 'Key',
  schema: (record) => record.keySchema ?? null,
  value: (record) => record.key ?? null,
  with: (record, schema, value) => ({ ...record, keySchema: schema, key: value }),
}

export const VALUE: RecordPart = {
  name: 'Value',
  schema: (record) => record.valueSchema ?? null,
  value: (record) => record.value ?? null,
  with: (record, schema, value) => ({ ...record, valueSchema: schema, value }),
}

function isObjectLike(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A Struct value (with a schema, structs are plain objects keyed by field name). */
export function requireStruct(value: unknown, purpose: string): Struct {
  if (!isObjectLike(value)) {
    throw dataError(`Only Struct objects supported for [${purpose}], found: ${javaClassOf(value)}`)
  }
  return value
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose)
}

/** A schemaless map (a plain object, or a Map with text keys), as a plain object. */
export function requireMap(value: unknown, purpose: string): Record<string, unknown> {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of value) out[String(k)] = v
    return out
  }
  if (!isObjectLike(value)) {
    throw dataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${javaClassOf(value)}`)
  }
  return value
}

export function requireMapOrNull(value: unknown, purpose: string): Record<string, unknown> | null {
  return value === null || value === undefined ? null : requireMap(value, purpose)
}

/** Struct.get (null replaced by the field's default) or, with `withDefault` false, Struct.getWithoutDefault. */
export function fieldValue(struct: Struct, field: Field, withDefault: boolean): unknown {
  const value = struct[field.name]
  if (value !== null && value !== undefined) return value
  return withDefault && field.schema.defaultValue !== undefined ? field.schema.defaultValue : null
}

export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name)
}

/**
 * SchemaUtil.copySchemaBasics into a new STRUCT schema: name, version, doc and parameters — but not optionality or
 * the default, as upstream (so InsertField/ReplaceField make an optional value schema required).
 */
export function structBasics(source: Schema, fields: { name: string; schema: Schema }[]): Schema {
  const schema: Schema = {
    type: 'struct',
    optional: false,
    fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })),
  }
  if (source.name !== undefined) schema.name = source.name
  if (source.version !== undefined) schema.version = source.version
  if (source.doc !== undefined) schema.doc = source.doc
  if (source.parameters !== undefined) schema.parameters = { ...source.parameters }
  return schema
}

/** Caches a derived schema per source schema (upstream's LRU schema caches; schemas are immutable values here). */
export class SchemaCache {
  readonly #cache = new WeakMap<Schema, Schema>()

  get(source: Schema, build: (source: Schema) => Schema): Schema {
    let derived = this.#cache.get(source)
    if (!derived) {
      derived = build(source)
      this.#cache.set(source, derived)
    }
    return derived
  }
}
