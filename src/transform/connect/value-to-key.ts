// org.apache.kafka.connect.transforms.ValueToKey: the key becomes a Struct (or map) of some of the value's fields.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { Schema, Struct } from '../../record/schema.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { dataError, invalidValue } from '../errors.ts'
import { fieldOf, fieldValue, requireMap, requireStruct, SchemaCache } from '../record-data.ts'
import { REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const VALUE_TO_KEY = 'org.apache.kafka.connect.transforms.ValueToKey'

const PURPOSE = 'copying fields from value to key'

/** Connect's NonEmptyListValidator. */
export function nonEmptyList(value: unknown, name: string): string | undefined {
  return Array.isArray(value) && value.length === 0 ? invalidValue(name, value, 'Empty list') : undefined
}

const configDef = new ConfigDef()
  .define({
    name: 'fields',
    type: ConfigTypes.LIST,
    importance: Importance.HIGH,
    documentation: 'Field names on the record value to extract as the record key.',
    validator: nonEmptyList,
  })
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)

export class ValueToKey implements Transformation {
  readonly configDef = configDef
  #fields: string[] = []
  #replaceNullWithDefault = true
  readonly #keySchemas = new SchemaCache()

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#fields = settings.list('fields')
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
  }

  apply(record: SourceRecord): SourceRecord {
    const valueSchema = record.valueSchema ?? null
    if (valueSchema === null) {
      const value = requireMap(record.value ?? null, PURPOSE)
      const key: Record<string, unknown> = {}
      for (const field of this.#fields) key[field] = value[field] ?? null
      return { ...record, keySchema: null, key }
    }
    const value = requireStruct(record.value ?? null, PURPOSE)
    const keySchema = this.#keySchemas.get(valueSchema, (schema) => this.#keySchemaOf(schema))
    const key: Struct = {}
    for (const field of keySchema.fields ?? []) {
      key[field.name] = fieldValue(value, fieldOf(valueSchema, field.name) ?? field, this.#replaceNullWithDefault)
    }
    return { ...record, keySchema, key }
  }

  #keySchemaOf(valueSchema: Schema): Schema {
    return {
      type: 'struct',
      optional: false,
      fields: this.#fields.map((name, index) => {
        const field = fieldOf(valueSchema, name)
        if (!field) throw dataError(`Field does not exist: ${name}`)
        return { name, index, schema: field.schema }
      }),
    }
  }
}
