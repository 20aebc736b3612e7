// io.debezium.transforms.ExtractNewRecordState (Debezium 3.6): turns a change event's envelope (a Struct named
// `….Envelope` with before/after/source/op/ts_ms…) into the row state — `after` for creates, updates and snapshot
// reads; deletes and tombstones per `delete.tombstone.handling.mode`; metadata copied into fields (`add.fields`) or
// headers (`add.headers`); the topic taken from a column (`route.by.field`). Records that are not envelopes pass.
import { ConfigDef, type ConfigKey, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { Schema, Struct } from '../../record/schema.ts'
import type { Header, SourceRecord } from '../../record/source-record.ts'
import { ExtractField } from '../connect/extract-field.ts'
import { InsertField } from '../connect/insert-field.ts'
import { ReplaceField } from '../connect/replace-field.ts'
import { invalidValue } from '../errors.ts'
import { fieldOf, KEY, requireStruct, SchemaCache, structBasics, VALUE } from '../record-data.ts'
import { REPLACE_NULL_WITH_DEFAULT, Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const EXTRACT_NEW_RECORD_STATE = 'io.debezium.transforms.ExtractNewRecordState'

const MODES = ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'] as const
type Mode = (typeof MODES)[number]
const LEGACY_DELETE_MODES = ['drop', 'rewrite', 'none'] as const
type LegacyDeleteMode = (typeof LEGACY_DELETE_MODES)[number]
const DELETED_FIELD = '__deleted'
const PURPOSE = 'source field insertion'

const enumValidator =
  (allowed: readonly string[]) =>
  (value: unknown, name: string): string | undefined =>
    typeof value === 'string' && !allowed.includes(value.trim().toLowerCase())
      ? invalidValue(name, value, `Value must be one of ${allowed.join(', ')}`)
      : undefined

const key = (spec: Omit<ConfigKey, 'importance'> & { importance?: ConfigKey['importance'] }): ConfigKey => ({
  importance: Importance.LOW,
  ...spec,
})

const configDef = new ConfigDef()
  .define(
    key({
      name: 'delete.tombstone.handling.mode',
      type: ConfigTypes.STRING,
      default: null,
      importance: Importance.MEDIUM,
      width: 'MEDIUM',
      displayName: 'Handle delete and tombstone records',
      documentation:
        'How to handle delete records. Options are: drop - Remove the delete event and tombstone from the stream.tombstone (default) - For each delete event, leave only a tombstone in the stream.rewrite - Remove tombstone from the record, and add a `__deleted` field with the value `true`.rewrite-with-tombstone - Retain tombstone in record and add a `__deleted` field with the value `true`.delete-to-tombstone - Convert delete events to tombstone events and drop tombstone events.',
      validator: enumValidator(MODES),
      recommendedValues: [...MODES],
    }),
  )
  .define(
    key({
      name: 'route.by.field',
      type: ConfigTypes.STRING,
      default: '',
      width: 'LONG',
      displayName: 'Route by field name',
      documentation:
        'The column which determines how the events will be routed, the value will replace the topic name.',
    }),
  )
  .define(
    key({
      name: 'add.fields.prefix',
      type: ConfigTypes.STRING,
      default: '__',
      width: 'SHORT',
      displayName: 'Field prefix to be added to each field.',
      documentation: 'Adds this prefix to each field listed.',
    }),
  )
  .define(
    key({
      name: 'add.fields',
      type: ConfigTypes.LIST,
      default: [],
      width: 'LONG',
      displayName: 'Adds the specified field(s) to the message if they exist.',
      documentation:
        "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP.Please note that the new field name is case-sensitive.",
    }),
  )
  .define(
    key({
      name: 'add.headers.prefix',
      type: ConfigTypes.STRING,
      default: '__',
      width: 'SHORT',
      displayName: 'Header prefix to be added to each header.',
      documentation: 'Adds this prefix listed to each header.',
    }),
  )
  .define(
    key({
      name: 'add.headers',
      type: ConfigTypes.LIST,
      default: [],
      width: 'LONG',
      displayName: 'Adds the specified fields to the header if they exist.',
      documentation:
        "Adds each field listed to the header,  __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP.Please note that the new field name is case-sensitive.",
    }),
  )
  .define(
    key({
      name: REPLACE_NULL_WITH_DEFAULT,
      type: ConfigTypes.BOOLEAN,
      default: true,
      width: 'SHORT',
      displayName: 'replace null field value with default',
      documentation:
        'When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record.',
    }),
  )
  .define(
    key({
      name: 'drop.fields.header.name',
      type: ConfigTypes.STRING,
      default: null,
      width: 'SHORT',
      displayName: 'Specifies a header that contains a list of field names to be removed',
      documentation:
        'Specifies the name of a header that contains a list of fields to be removed from the event value.',
    }),
  )
  .define(
    key({
      name: 'drop.fields.from.key',
      type: ConfigTypes.BOOLEAN,
      default: false,
      width: 'SHORT',
      displayName: 'Specifies whether the fields to be dropped should also be omitted from the key',
      documentation:
        'Specifies whether to apply the drop fields behavior to the event key as well as the value. Default behavior is to only remove fields from the event value, not the key.',
    }),
  )
  .define(
    key({
      name: 'drop.fields.keep.schema.compatible',
      type: ConfigTypes.BOOLEAN,
      default: true,
      width: 'SHORT',
      displayName: "Specifies if fields are dropped, will the event's schemas be compatible",
      documentation:
        "Controls the output event's schema compatibility when using the drop fields feature. `true`: dropped fields are removed if the schema indicates its optional leaving the schemas unchanged, `false`: dropped fields are removed from the key/value schemas, regardless of optionality.",
    }),
  )
  // Removed in Debezium 3.2 (DBZ-6068) but still in many deployed configs: honoured as Debezium 3.1 did, only when
  // delete.tombstone.handling.mode is unset (docs/transforms.md says why).
  .define(
    key({
      name: 'drop.tombstones',
      type: ConfigTypes.BOOLEAN,
      default: null,
      width: 'SHORT',
      displayName: 'Drop tombstones',
      documentation:
        'Deprecated (removed in Debezium 3.2; use delete.tombstone.handling.mode). Whether tombstones are dropped (Debezium 3.1 default: true). Honoured only when delete.tombstone.handling.mode is not set.',
    }),
  )
  .define(
    key({
      name: 'delete.handling.mode',
      type: ConfigTypes.STRING,
      default: null,
      importance: Importance.MEDIUM,
      width: 'MEDIUM',
      displayName: 'Handle delete records',
      documentation:
        'Deprecated (removed in Debezium 3.2; use delete.tombstone.handling.mode). How to handle delete records: none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records. Honoured only when delete.tombstone.handling.mode is not set.',
      validator: enumValidator(LEGACY_DELETE_MODES),
      recommendedValues: [...LEGACY_DELETE_MODES],
    }),
  )

/** A metadata field named in add.fields / add.headers: `[struct.]field[:newName]`. */
interface FieldReference {
  /** The envelope struct holding it (`source`, `transaction`), or null for top-level fields (op, ts_ms…). */
  struct: string | null
  field: string
  newField: string
}

function fieldReferences(prefix: string, specs: string[]): FieldReference[] {
  return specs.map((spec) => {
    const [path = '', rename] = spec.trim().split(':')
    const [first = '', second] = path.split('.')
    const field = second ?? first
    const struct = second !== undefined ? first : structOf(field)
    const newField = prefix + (rename ?? (second !== undefined ? `${struct}_${field}` : field))
    return { struct, field, newField }
  })
}

function structOf(field: string): string | null {
  if (['id', 'data_collection_order', 'total_order'].includes(field)) return 'transaction'
  if (['op', 'ts_ms', 'ts_us', 'ts_ns'].includes(field)) return null
  if (field === 'updateDescription') return 'updateDescription'
  return 'source'
}

/** The added field's schema: the original's basics, optional (as Debezium's copySchemaBasics(…).optional()). */
function referenceSchema(ref: FieldReference, envelope: Schema): Schema | undefined {
  const parent = ref.struct === null ? envelope : fieldOf(envelope, ref.struct)?.schema
  const found = (parent && fieldOf(parent, ref.field)) ?? fieldOf(envelope, ref.field)
  if (!found) return undefined
  const { fields: _fields, defaultValue: _default, ...basics } = found.schema
  return { ...basics, optional: true }
}

function referenceValue(ref: FieldReference, envelope: Schema, value: Struct): unknown {
  const parentSchema = ref.struct === null ? envelope : fieldOf(envelope, ref.struct)?.schema
  const parent = ref.struct === null ? value : ((value[ref.struct] ?? null) as Struct | null)
  if (parent === null || !parentSchema) return null
  return (fieldOf(parentSchema, ref.field) ? parent[ref.field] : value[ref.field]) ?? null
}

export class ExtractNewRecordState implements Transformation {
  readonly configDef = configDef
  #mode: Mode | { legacyDelete: LegacyDeleteMode; dropTombstones: boolean } = 'tombstone'
  #fields: FieldReference[] = []
  #headers: FieldReference[] = []
  #routeByField: string | null = null
  #dropFieldsHeader: string | null = null
  #dropFieldsFromKey = false
  #keepSchemaCompatible = true
  readonly #after = new ExtractField(VALUE)
  readonly #before = new ExtractField(VALUE)
  readonly #markDeleted = new InsertField(VALUE)
  readonly #markKept = new InsertField(VALUE)
  readonly #schemas = new Map<string, SchemaCache>()

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    const mode = settings.string('delete.tombstone.handling.mode')
    const legacyDelete = settings.string('delete.handling.mode')
    const dropTombstones = config['drop.tombstones']
    if (mode !== null) this.#mode = mode.trim().toLowerCase() as Mode
    else if (legacyDelete !== null || dropTombstones !== undefined) {
      this.#mode = {
        legacyDelete: (legacyDelete ?? 'drop').trim().toLowerCase() as LegacyDeleteMode,
        dropTombstones: dropTombstones === undefined || settings.boolean('drop.tombstones'),
      }
    } else this.#mode = 'tombstone'
    this.#fields = fieldReferences(settings.string('add.fields.prefix') ?? '', settings.list('add.fields'))
    this.#headers = fieldReferences(settings.string('add.headers.prefix') ?? '', settings.list('add.headers'))
    this.#routeByField = settings.string('route.by.field') || null
    this.#dropFieldsHeader = settings.string('drop.fields.header.name')?.trim() || null
    this.#dropFieldsFromKey = settings.boolean('drop.fields.from.key')
    this.#keepSchemaCompatible = settings.boolean('drop.fields.keep.schema.compatible')
    const replaceNull = String(settings.boolean(REPLACE_NULL_WITH_DEFAULT))
    this.#after.configure({ field: 'after' })
    this.#before.configure({ field: 'before' })
    this.#markDeleted.configure({
      'static.field': DELETED_FIELD,
      'static.value': 'true',
      [REPLACE_NULL_WITH_DEFAULT]: replaceNull,
    })
    this.#markKept.configure({
      'static.field': DELETED_FIELD,
      'static.value': 'false',
      [REPLACE_NULL_WITH_DEFAULT]: replaceNull,
    })
  }

  #rewrites(): boolean {
    const mode = this.#mode
    return typeof mode === 'string'
      ? mode === 'rewrite' || mode === 'rewrite-with-tombstone'
      : mode.legacyDelete === 'rewrite'
  }

  apply(record: SourceRecord): SourceRecord | null {
    const tombstone = record.value === null || record.value === undefined
    const schema = record.valueSchema ?? null
    const envelope = schema?.name?.endsWith('.Envelope') === true
    let current = record
    if ((envelope || tombstone) && this.#headers.length > 0) {
      current = { ...record, headers: [...(record.headers ?? []), ...this.#metadataHeaders(record)] }
    }
    if (tombstone) return this.#keepsTombstones() ? current : null
    if (!envelope) return current
    const envelopeSchema = schema as Schema
    const value = current.value as Struct
    const after = this.#after.apply(current)
    if (after.value === null && this.#before.apply(current).value === null) return null // truncate
    if (after.value !== null) {
      let out = this.#rewrites() ? this.#markKept.apply(after) : after
      if (this.#routeByField !== null)
        out = withTopic(
          out,
          requireStruct(out.value, 'Read record to set topic routing for CREATE / UPDATE')[this.#routeByField],
        )
      out = this.#addFields(out, envelopeSchema, value)
      return this.#dropFields(out)
    }
    let out = this.#deleted(current)
    if (out === null) return null
    if (this.#routeByField !== null) {
      const before = requireStruct(value, 'Read record to set topic routing for DELETE').before as Struct
      out = withTopic(out, before[this.#routeByField])
    }
    out = this.#dropFields(out)
    return out.value === null || out.value === undefined ? out : this.#addFields(out, envelopeSchema, value)
  }

  #keepsTombstones(): boolean {
    const mode = this.#mode
    return typeof mode === 'string' ? mode === 'rewrite-with-tombstone' : !mode.dropTombstones
  }

  #deleted(record: SourceRecord): SourceRecord | null {
    const mode = typeof this.#mode === 'string' ? this.#mode : this.#mode.legacyDelete
    switch (mode) {
      case 'drop':
        return null
      case 'tombstone':
      case 'none':
        // The `after` extraction: a null value that keeps the row schema (not a Kafka tombstone with schemas on).
        return this.#after.apply(record)
      case 'delete-to-tombstone':
        return { ...record, valueSchema: null, value: null }
      default: {
        const before = this.#before.apply(record)
        return before.value !== null && typeof before.value === 'object' ? this.#markDeleted.apply(before) : before
      }
    }
  }

  #metadataHeaders(record: SourceRecord): Header[] {
    const value = (record.value ?? null) as Struct | null
    const schema = record.valueSchema ?? null
    const headers: Header[] = []
    for (const ref of this.#headers) {
      if (value === null || schema === null) {
        if (ref.field === 'op')
          headers.push({ key: ref.newField, schema: { type: 'string', optional: false }, value: 'd' })
        continue
      }
      const headerSchema = referenceSchema(ref, schema)
      if (headerSchema)
        headers.push({ key: ref.newField, schema: headerSchema, value: referenceValue(ref, schema, value) })
    }
    return headers
  }

  #addFields(record: SourceRecord, envelope: Schema, original: Struct): SourceRecord {
    const value = requireStruct(record.value, PURPOSE)
    const rowSchema = record.valueSchema as Schema
    const op = String(original.op ?? '')
    let cache = this.#schemas.get(op)
    if (!cache) {
      cache = new SchemaCache()
      this.#schemas.set(op, cache)
    }
    const refs = this.#fields.flatMap((ref) => {
      const schema = referenceSchema(ref, envelope)
      return schema ? [{ ref, schema }] : []
    })
    const schema = cache.get(rowSchema, (row) =>
      structBasics(row, [
        ...(row.fields ?? []).map((f) => ({ name: f.name, schema: f.schema })),
        ...refs.map(({ ref, schema }) => ({ name: ref.newField, schema })),
      ]),
    )
    const updated: Struct = {}
    for (const field of rowSchema.fields ?? []) updated[field.name] = value[field.name] ?? null
    for (const { ref } of refs) updated[ref.newField] = referenceValue(ref, envelope, original)
    return { ...record, valueSchema: schema, value: updated }
  }

  #dropFields(record: SourceRecord): SourceRecord {
    if (this.#dropFieldsHeader === null) return record
    const header = record.headers?.find((h) => h.key === this.#dropFieldsHeader)
    if (!header || !Array.isArray(header.value) || header.value.length === 0) return record
    const names = header.value.map(String)
    const toDrop = (schema: Schema | null | undefined) =>
      !this.#keepSchemaCompatible
        ? names
        : (schema?.fields ?? []).filter((f) => f.schema.optional && names.includes(f.name)).map((f) => f.name)
    let out = record
    if (this.#dropFieldsFromKey && out.key !== null && out.key !== undefined) {
      const keyFields = toDrop(out.keySchema)
      if (keyFields.length > 0) out = replaceFieldOn('Key', keyFields).apply(out)
    }
    const valueFields = toDrop(out.valueSchema)
    if (valueFields.length > 0) out = replaceFieldOn('Value', valueFields).apply(out)
    return out
  }
}

function replaceFieldOn(part: 'Key' | 'Value', exclude: string[]): ReplaceField {
  const replace = new ReplaceField(part === 'Key' ? KEY : VALUE)
  replace.configure({ exclude: exclude.join(',') })
  return replace
}

function withTopic(record: SourceRecord, topic: unknown): SourceRecord {
  return typeof topic === 'string' && topic.trim() !== '' ? { ...record, topic } : record
}
