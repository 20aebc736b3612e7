// org.apache.kafka.connect.transforms.InsertField$Key / $Value: adds fields from the record's metadata (topic,
// partition, timestamp) or a static text. A name ending in `!` makes the field required, `?` (the default) optional.
// `offset.field` applies to sink records only, so on a source record it fails as upstream's does.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import { primitive, type Schema, type Struct, timestampSchema } from '../../record/schema.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { dataError, TransformConfigError } from '../errors.ts'
import { fieldValue, type RecordPart, requireMap, requireStruct, SchemaCache, structBasics } from '../record-data.ts'
import { REPLACE_NULL_WITH_DEFAULT, REPLACE_NULL_WITH_DEFAULT_KEY, Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const INSERT_FIELD = 'org.apache.kafka.connect.transforms.InsertField'

const PURPOSE = 'field insertion'
const OPTIONALITY_DOC =
  'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).'

const optionalString = (name: string, documentation: string) => ({
  name,
  type: ConfigTypes.STRING,
  default: null,
  importance: Importance.MEDIUM,
  documentation,
})

const configDef = new ConfigDef()
  .define(optionalString('topic.field', `Field name for Kafka topic. ${OPTIONALITY_DOC}`))
  .define(optionalString('partition.field', `Field name for Kafka partition. ${OPTIONALITY_DOC}`))
  .define(
    optionalString(
      'offset.field',
      `Field name for Kafka offset - only applicable to sink connectors.<br/>${OPTIONALITY_DOC}`,
    ),
  )
  .define(optionalString('timestamp.field', `Field name for record timestamp. ${OPTIONALITY_DOC}`))
  .define(optionalString('static.field', `Field name for static data field. ${OPTIONALITY_DOC}`))
  .define(optionalString('static.value', 'Static field value, if field name configured.'))
  .define(REPLACE_NULL_WITH_DEFAULT_KEY)

interface Insertion {
  name: string
  optional: boolean
}

function insertion(spec: string | null): Insertion | undefined {
  if (spec === null) return undefined
  if (spec.endsWith('?')) return { name: spec.slice(0, -1), optional: true }
  if (spec.endsWith('!')) return { name: spec.slice(0, -1), optional: false }
  return { name: spec, optional: true }
}

export class InsertField implements Transformation {
  readonly configDef = configDef
  readonly #part: RecordPart
  #topic: Insertion | undefined
  #partition: Insertion | undefined
  #offset: Insertion | undefined
  #timestamp: Insertion | undefined
  #static: Insertion | undefined
  #staticValue: string | null = null
  #replaceNullWithDefault = true
  readonly #schemas = new SchemaCache()

  constructor(part: RecordPart) {
    this.#part = part
  }

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#topic = insertion(settings.string('topic.field'))
    this.#partition = insertion(settings.string('partition.field'))
    this.#offset = insertion(settings.string('offset.field'))
    this.#timestamp = insertion(settings.string('timestamp.field'))
    this.#static = insertion(settings.string('static.field'))
    this.#staticValue = settings.string('static.value')
    this.#replaceNullWithDefault = settings.boolean(REPLACE_NULL_WITH_DEFAULT)
    if (!this.#topic && !this.#partition && !this.#offset && !this.#timestamp && !this.#static) {
      throw new TransformConfigError('No field insertion configured')
    }
    if (this.#static && this.#staticValue === null) {
      throw new TransformConfigError(
        `Invalid value null for configuration static.value: No value specified for static field: ${config['static.field']}`,
        'static.value',
      )
    }
  }

  apply(record: SourceRecord): SourceRecord {
    const current = this.#part.value(record)
    if (current === null) return record
    const schema = this.#part.schema(record)
    const updated: Record<string, unknown> =
      schema === null ? { ...requireMap(current, PURPOSE) } : this.#copyStruct(schema, requireStruct(current, PURPOSE))
    if (this.#topic) updated[this.#topic.name] = record.topic
    if (this.#partition && record.kafkaPartition !== undefined) updated[this.#partition.name] = record.kafkaPartition
    if (this.#offset) {
      throw dataError(`Only SinkRecord supported for [${PURPOSE}], found: org.apache.kafka.connect.source.SourceRecord`)
    }
    if (this.#timestamp && record.timestamp !== undefined) {
      updated[this.#timestamp.name] = schema === null ? record.timestamp : new Date(record.timestamp)
    }
    if (this.#static && this.#staticValue !== null) updated[this.#static.name] = this.#staticValue
    if (schema === null) return this.#part.with(record, null, updated)
    return this.#part.with(
      record,
      this.#schemas.get(schema, (s) => this.#updatedSchema(s)),
      updated,
    )
  }

  #copyStruct(schema: Schema, struct: Struct): Struct {
    const out: Struct = {}
    for (const field of schema.fields ?? []) out[field.name] = fieldValue(struct, field, this.#replaceNullWithDefault)
    return out
  }

  #updatedSchema(schema: Schema): Schema {
    const fields = (schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema }))
    const add = (spec: Insertion | undefined, type: 'string' | 'int32' | 'int64') => {
      if (spec) fields.push({ name: spec.name, schema: primitive(type, spec.optional) })
    }
    add(this.#topic, 'string')
    add(this.#partition, 'int32')
    add(this.#offset, 'int64')
    if (this.#timestamp) fields.push({ name: this.#timestamp.name, schema: timestampSchema(this.#timestamp.optional) })
    add(this.#static, 'string')
    return structBasics(schema, fields)
  }
}
