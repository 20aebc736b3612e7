// org.apache.kafka.connect.transforms.ReplaceField$Key / $Value: keeps (`include`), drops (`exclude`, which wins)
// and renames (`renames` as old:new pairs) top-level fields.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { Schema, Struct } from '../../record/schema.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { invalidValue, TransformConfigError } from '../errors.ts'
import {
  fieldOf,
  fieldValue,
  type RecordPart,
  requireMap,
  requireStruct,
  SchemaCache,
  structBasics,
} from '../record-data.ts'
import { listParsedBy, REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const REPLACE_FIELD = 'org.apache.kafka.connect.transforms.ReplaceField'

const PURPOSE = 'field replacement'

/** `old:new` pairs; Java's String.split(":") drops trailing empty parts, so `a:` is one part and refused. */
export function parseRenames(mappings: string[]): Map<string, string> {
  const renames = new Map<string, string>()
  for (const mapping of mappings) {
    const parts = mapping.split(':')
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
    if (parts.length !== 2) {
      throw new TransformConfigError(invalidValue('renames', mappings, `Invalid rename mapping: ${mapping}`), 'renames')
    }
    renames.set(parts[0] as string, parts[1] as string)
  }
  return renames
}

const configDef = new ConfigDef()
  .define({
    name: 'exclude',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation: 'Fields to exclude. This takes precedence over the fields to include.',
  })
  .define({
    name: 'include',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation: 'Fields to include. If specified, only these fields will be used.',
  })
  .define({
    name: 'renames',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation: 'Field rename mappings.',
    validator: listParsedBy(parseRenames),
  })
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)

export class ReplaceField implements Transformation {
  readonly configDef = configDef
  readonly #part: RecordPart
  #exclude = new Set<string>()
  #include = new Set<string>()
  #renames = new Map<string, string>()
  #reverse = new Map<string, string>()
  #replaceNullWithDefault = true
  readonly #schemas = new SchemaCache()

  constructor(part: RecordPart) {
    this.#part = part
  }

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#exclude = new Set(settings.list('exclude'))
    this.#include = new Set(settings.list('include'))
    this.#renames = parseRenames(settings.list('renames'))
    this.#reverse = new Map([...this.#renames].map(([from, to]) => [to, from]))
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
  }

  #kept(name: string): boolean {
    return !this.#exclude.has(name) && (this.#include.size === 0 || this.#include.has(name))
  }

  apply(record: SourceRecord): SourceRecord {
    const current = this.#part.value(record)
    if (current === null) return record
    const schema = this.#part.schema(record)
    if (schema === null) {
      const updated: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(requireMap(current, PURPOSE))) {
        if (this.#kept(name)) updated[this.#renames.get(name) ?? name] = value
      }
      return this.#part.with(record, null, updated)
    }
    const struct = requireStruct(current, PURPOSE)
    const updatedSchema = this.#schemas.get(schema, (s) => this.#updatedSchema(s))
    const updated: Struct = {}
    for (const field of updatedSchema.fields ?? []) {
      const original = fieldOf(schema, this.#reverse.get(field.name) ?? field.name)
      updated[field.name] = original ? fieldValue(struct, original, this.#replaceNullWithDefault) : null
    }
    return this.#part.with(record, updatedSchema, updated)
  }

  #updatedSchema(schema: Schema): Schema {
    return structBasics(
      schema,
      (schema.fields ?? [])
        .filter((f) => this.#kept(f.name))
        .map((f) => ({ name: this.#renames.get(f.name) ?? f.name, schema: f.schema })),
    )
  }
}
