// org.apache.kafka.connect.transforms.ExtractField$Key / $Value: the key or value becomes one of its fields (a
// nested one with field.syntax.version=V2). A null key/value passes through.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { dataError } from '../errors.ts'
import { FIELD_SYNTAX_VERSION, FieldPath, fieldSyntaxVersionKey } from '../field-path.ts'
import { type RecordPart, requireMapOrNull, requireStructOrNull } from '../record-data.ts'
import { REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const EXTRACT_FIELD = 'org.apache.kafka.connect.transforms.ExtractField'

const PURPOSE = 'field extraction'

const configDef = new ConfigDef()
  .define({
    name: 'field',
    type: ConfigTypes.STRING,
    importance: Importance.MEDIUM,
    documentation: 'Field name to extract.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)
  .define(fieldSyntaxVersionKey)

export class ExtractField implements Transformation {
  readonly configDef = configDef
  readonly #part: RecordPart
  #path: FieldPath | undefined
  #original = ''
  #replaceNullWithDefault = true

  constructor(part: RecordPart) {
    this.#part = part
  }

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#original = settings.string('field') ?? ''
    this.#path = new FieldPath(this.#original, settings.string(FIELD_SYNTAX_VERSION) ?? 'V1')
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
  }

  apply(record: SourceRecord): SourceRecord {
    const path = this.#path as FieldPath
    const schema = this.#part.schema(record)
    if (schema === null) {
      const value = requireMapOrNull(this.#part.value(record), PURPOSE)
      return this.#part.with(record, null, value === null ? null : path.valueFromMap(value))
    }
    const value = requireStructOrNull(this.#part.value(record), PURPOSE)
    const field = path.fieldFrom(schema)
    // Upstream raises IllegalArgumentException here; a DataError fails the record the same way.
    if (!field) throw dataError(`Unknown field: ${this.#original}`)
    return this.#part.with(
      record,
      field.schema,
      value === null ? null : path.valueFromStruct(value, schema, this.#replaceNullWithDefault),
    )
  }
}
