// org.apache.kafka.connect.json.JsonConverter: (schema, value) in → JSON bytes out, either the envelope
// {"schema":…,"payload":…} (schemas.enable=true, the default) or the bare payload; and JSON bytes back to
// (schema, value). Output matches upstream byte for byte for the types flowscope produces.
import { ConfigDef, ConfigTypes, Importance, oneOf, Width } from '../config/config-def.ts'
import { type Field, LogicalNames, type Schema, type SchemaType, SchemaTypes } from '../record/schema.ts'
import { type Converter, converterTypeKey, type SchemaAndValue } from './converter.ts'
import { childPath, DataError, describe, where } from './data-error.ts'
import {
  bigDecimalToString,
  bytesToUnscaled,
  decimalScale,
  fromUnscaled,
  toUnscaled,
  unscaledToBytes,
} from './decimal.ts'
import {
  integerText,
  isJsonObject,
  type JsonNode,
  JsonNumber,
  javaDouble,
  javaFloat,
  jsonString,
  nodeType,
  parseJson,
} from './json-text.ts'

export const DecimalFormats = { BASE64: 'BASE64', NUMERIC: 'NUMERIC' } as const
export type DecimalFormat = (typeof DecimalFormats)[keyof typeof DecimalFormats]

/** JsonConverterConfig's keys, defaults and docs (plus ConverterConfig's `converter.type`). */
export const jsonConverterConfigDef = new ConfigDef()
  .define(converterTypeKey)
  .define({
    name: 'schemas.enable',
    type: ConfigTypes.BOOLEAN,
    default: true,
    importance: Importance.HIGH,
    documentation: 'Include schemas within each of the serialized values and keys.',
    group: 'Schemas',
    orderInGroup: 0,
    width: Width.MEDIUM,
    displayName: 'Enable Schemas',
  })
  .define({
    name: 'schemas.cache.size',
    type: ConfigTypes.INT,
    default: 1000,
    importance: Importance.HIGH,
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
    group: 'Schemas',
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Schema Cache Size',
  })
  .define({
    name: 'decimal.format',
    type: ConfigTypes.STRING,
    default: DecimalFormats.BASE64,
    validator: oneOf(Object.values(DecimalFormats), true),
    importance: Importance.LOW,
    documentation:
      "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
    group: 'Serialization',
    orderInGroup: 0,
    width: Width.MEDIUM,
    displayName: 'Decimal Format',
  })
  .define({
    name: 'replace.null.with.default',
    type: ConfigTypes.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
    group: 'Serialization',
    orderInGroup: 1,
    width: Width.MEDIUM,
    displayName: 'Replace null with default',
  })

const MILLIS_PER_DAY = 86_400_000
const INT_RANGES: Partial<Record<SchemaType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
}
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
/** The envelope's type names differ from Connect's for floats (upstream's JsonSchema FLOAT/DOUBLE type names). */
const JSON_TYPE_NAMES: Record<SchemaType, string> = {
  ...(Object.fromEntries(Object.values(SchemaTypes).map((t) => [t, t])) as Record<SchemaType, string>),
  float32: 'float',
  float64: 'double',
}
const TYPES_BY_JSON_NAME = new Map(Object.entries(JSON_TYPE_NAMES).map(([type, json]) => [json, type as SchemaType]))
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

interface StructLayout {
  path: string
  fields: NonNullable<Schema['fields']>
  names: Set<string>
  prefixes: string[]
  paths: string[]
}

export class JsonConverter implements Converter {
  #schemasEnabled = true
  #decimalFormat: DecimalFormat = DecimalFormats.BASE64
  #replaceNullWithDefault = true
  #root = 'record value'
  /** Envelope "schema" text per schema object (upstream caches the same way, by schema). */
  #schemaText = new WeakMap<Schema, string>()
  /** Per struct schema (and path), what every record of it reuses: field names as JSON, field paths, the name set. */
  #structLayouts = new WeakMap<Schema, StructLayout>()

  configure(config: Record<string, string>, isKey: boolean): void {
    const parsed = jsonConverterConfigDef.parse(config)
    if (parsed.errors.size > 0) {
      const lines = [...parsed.errors].flatMap(([key, problems]) => problems.map((p) => `  ${key}: ${p}`))
      throw new Error(`Invalid JsonConverter configuration:\n${lines.join('\n')}`)
    }
    this.#schemasEnabled = parsed.values.get('schemas.enable') as boolean
    this.#decimalFormat = String(parsed.values.get('decimal.format')).toUpperCase() as DecimalFormat
    this.#replaceNullWithDefault = parsed.values.get('replace.null.with.default') as boolean
    this.#root = isKey ? 'record key' : 'record value'
    this.#schemaText = new WeakMap()
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    const s = schema ?? null
    if (s === null && (value === null || value === undefined)) return null
    const payload = this.#toJson(s, value, '')
    const text = this.#schemasEnabled ? `{"schema":${this.#schemaJson(s)},"payload":${payload}}` : payload
    return Buffer.from(text, 'utf8')
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null }
    let node: JsonNode
    try {
      node = parseJson(bytes.toString('utf8'))
    } catch (error) {
      throw new DataError(
        `Converting byte[] to Kafka Connect data failed due to serialization error: ${(error as Error).message}`,
        { cause: error },
      )
    }
    if (!this.#schemasEnabled) return { schema: null, value: this.#toConnect(null, node, '') }
    const keys = isJsonObject(node) ? Object.keys(node) : []
    if (!isJsonObject(node) || keys.length !== 2 || !('schema' in node) || !('payload' in node)) {
      throw new DataError(
        'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.',
      )
    }
    const schema = this.asConnectSchema(node.schema, 'schema')
    return { schema, value: this.#toConnect(schema, node.payload, '') }
  }

  // ---- schema ⇄ JSON ------------------------------------------------------------------------------------------

  /** The envelope's "schema" part as JSON text, in upstream's key order. */
  #schemaJson(schema: Schema | null): string {
    if (schema === null) return 'null'
    const cached = this.#schemaText.get(schema)
    if (cached !== undefined) return cached
    const parts: string[] = [`"type":${jsonString(JSON_TYPE_NAMES[schema.type] ?? schema.type)}`]
    switch (schema.type) {
      case SchemaTypes.ARRAY:
        parts.push(`"items":${this.#schemaJson(schema.valueSchema ?? null)}`)
        break
      case SchemaTypes.MAP:
        parts.push(`"keys":${this.#schemaJson(schema.keySchema ?? null)}`)
        parts.push(`"values":${this.#schemaJson(schema.valueSchema ?? null)}`)
        break
      case SchemaTypes.STRUCT: {
        const fields = (schema.fields ?? []).map((field) => {
          const inner = this.#schemaJson(field.schema)
          return `${inner.slice(0, -1)},"field":${jsonString(field.name)}}`
        })
        parts.push(`"fields":[${fields.join(',')}]`)
        break
      }
    }
    parts.push(`"optional":${schema.optional ? 'true' : 'false'}`)
    if (schema.name !== undefined) parts.push(`"name":${jsonString(schema.name)}`)
    if (schema.version !== undefined) parts.push(`"version":${integerText(schema.version)}`)
    if (schema.doc !== undefined) parts.push(`"doc":${jsonString(schema.doc)}`)
    if (schema.parameters !== undefined) {
      const params = Object.entries(schema.parameters).map(([k, v]) => `${jsonString(k)}:${jsonString(v)}`)
      parts.push(`"parameters":{${params.join(',')}}`)
    }
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
      parts.push(`"default":${this.#toJson(schema, schema.defaultValue, '(default)')}`)
    }
    const text = `{${parts.join(',')}}`
    this.#schemaText.set(schema, text)
    return text
  }

  /** Reads an envelope "schema" back into a Schema (upstream's asConnectSchema). */
  asConnectSchema(node: JsonNode | undefined, path = 'schema'): Schema | null {
    if (node === null || node === undefined) return null
    if (!isJsonObject(node)) throw new DataError(`Schema at ${path} must be a JSON object`, { path })
    const type = node.type
    if (typeof type !== 'string') throw new DataError("Schema must contain 'type' field", { path })
    const schemaType = TYPES_BY_JSON_NAME.get(type)
    if (schemaType === undefined) throw new DataError(`Unknown schema type: ${type}`, { path })
    const schema: Schema = { type: schemaType, optional: node.optional === true }
    if (schemaType === SchemaTypes.ARRAY) {
      if (node.items === undefined || node.items === null) {
        throw new DataError('Array schema did not specify the element type', { path })
      }
      schema.valueSchema = this.asConnectSchema(node.items, `${path}.items`) ?? undefined
    } else if (schemaType === SchemaTypes.MAP) {
      if (node.keys === undefined) throw new DataError('Map schema did not specify the key type', { path })
      if (node.values === undefined) throw new DataError('Map schema did not specify the value type', { path })
      schema.keySchema = this.asConnectSchema(node.keys, `${path}.keys`) ?? undefined
      schema.valueSchema = this.asConnectSchema(node.values, `${path}.values`) ?? undefined
    } else if (schemaType === SchemaTypes.STRUCT) {
      const fields = node.fields
      if (!Array.isArray(fields)) {
        throw new DataError('Struct schema\'s "fields" argument is not an array.', { path })
      }
      schema.fields = fields.map((fieldNode, index): Field => {
        const name = isJsonObject(fieldNode) ? fieldNode.field : undefined
        if (typeof name !== 'string') throw new DataError("Struct schema's field name not specified properly", { path })
        const fieldSchema = this.asConnectSchema(fieldNode, `${path}.fields[${index}]`)
        return { name, index, schema: fieldSchema as Schema }
      })
    }
    if (typeof node.name === 'string') schema.name = node.name
    if (node.version instanceof JsonNumber && node.version.integral) schema.version = node.version.toNumber()
    if (typeof node.doc === 'string') schema.doc = node.doc
    if (isJsonObject(node.parameters)) {
      const parameters: Record<string, string> = {}
      for (const [key, value] of Object.entries(node.parameters)) {
        if (typeof value !== 'string') throw new DataError('Schema parameters must have string values.', { path })
        parameters[key] = value
      }
      schema.parameters = parameters
    }
    if (node.default !== undefined) schema.defaultValue = this.#toConnect(schema, node.default, `${path}.default`)
    return schema
  }

  // ---- value → JSON text --------------------------------------------------------------------------------------

  #fail(path: string, problem: string): never {
    throw new DataError(`Invalid value for ${where(path, this.#root)}: ${problem}`, { path })
  }

  #toJson(schema: Schema | null, value: unknown, path: string): string {
    if (value === null || value === undefined) {
      if (schema === null) return 'null'
      if (schema.defaultValue !== undefined && schema.defaultValue !== null && this.#replaceNullWithDefault) {
        return this.#toJson(schema, schema.defaultValue, path)
      }
      if (schema.optional) return 'null'
      this.#fail(path, `null value for a required ${schema.type} field with no default value`)
    }
    if (schema === null) return this.#schemalessToJson(value, path)
    if (schema.name !== undefined) {
      const logical = this.#logicalToJson(schema, value, path)
      if (logical !== undefined) return logical
    }
    switch (schema.type) {
      case SchemaTypes.INT8:
      case SchemaTypes.INT16:
      case SchemaTypes.INT32: {
        const [min, max] = INT_RANGES[schema.type] as [number, number]
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
          this.#fail(path, `expected ${schema.type} (an integer from ${min} to ${max}) but got ${describe(value)}`)
        }
        return String(value)
      }
      case SchemaTypes.INT64:
        return this.#int64(value, path)
      case SchemaTypes.FLOAT32:
      case SchemaTypes.FLOAT64:
        if (typeof value !== 'number') this.#fail(path, `expected ${schema.type} (a number) but got ${describe(value)}`)
        return schema.type === SchemaTypes.FLOAT32 ? javaFloat(value) : javaDouble(value)
      case SchemaTypes.BOOLEAN:
        if (typeof value !== 'boolean') this.#fail(path, `expected boolean but got ${describe(value)}`)
        return value ? 'true' : 'false'
      case SchemaTypes.STRING:
        if (typeof value !== 'string') this.#fail(path, `expected string but got ${describe(value)}`)
        return jsonString(value)
      case SchemaTypes.BYTES:
        if (!(value instanceof Uint8Array)) this.#fail(path, `expected bytes (a Buffer) but got ${describe(value)}`)
        return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`
      case SchemaTypes.ARRAY: {
        if (!Array.isArray(value)) this.#fail(path, `expected array but got ${describe(value)}`)
        const items = schema.valueSchema ?? null
        return `[${value.map((item, i) => this.#toJson(items, item, `${path}[${i}]`)).join(',')}]`
      }
      case SchemaTypes.MAP:
        return this.#mapToJson(schema, value, path)
      case SchemaTypes.STRUCT:
        return this.#structToJson(schema, value, path)
    }
    return this.#fail(path, `unsupported schema type ${String(schema.type)}`)
  }

  #int64(value: unknown, path: string): string {
    if (typeof value === 'bigint') {
      if (value < INT64_MIN || value > INT64_MAX) this.#fail(path, `${value} is out of the int64 range`)
      return value.toString()
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.#fail(path, `expected int64 (an integer number or bigint) but got ${describe(value)}`)
    }
    if (!Number.isSafeInteger(value)) {
      this.#fail(path, `int64 ${value} is beyond 2^53 as a number and may have lost precision; pass a bigint`)
    }
    return String(value)
  }

  /** Decimal/Date/Time/Timestamp; undefined when the schema name is not a logical type this converter knows. */
  #logicalToJson(schema: Schema, value: unknown, path: string): string | undefined {
    switch (schema.name) {
      case LogicalNames.DECIMAL: {
        const scale = decimalScale(schema)
        if (typeof scale === 'string') this.#fail(path, scale)
        const unscaled = toUnscaled(value, scale)
        if (typeof unscaled === 'string') this.#fail(path, `invalid Decimal: ${unscaled}`)
        return this.#decimalFormat === DecimalFormats.NUMERIC
          ? bigDecimalToString(unscaled, scale)
          : `"${unscaledToBytes(unscaled).toString('base64')}"`
      }
      case LogicalNames.DATE: {
        const ms = this.#epochMillis(value, 'Date', path)
        if (ms % MILLIS_PER_DAY !== 0) {
          this.#fail(path, 'Kafka Connect Date type should not have any time fields set to non-zero values.')
        }
        return String(ms / MILLIS_PER_DAY)
      }
      case LogicalNames.TIME: {
        const ms = this.#epochMillis(value, 'Time', path)
        if (ms < 0 || ms >= MILLIS_PER_DAY) {
          this.#fail(path, 'Kafka Connect Time type should not have any date fields set to non-zero values.')
        }
        return String(ms)
      }
      case LogicalNames.TIMESTAMP:
        return String(this.#epochMillis(value, 'Timestamp', path))
      default:
        return undefined
    }
  }

  #epochMillis(value: unknown, logical: string, path: string): number {
    if (!(value instanceof Date)) this.#fail(path, `expected a Date for ${logical} but got ${describe(value)}`)
    const ms = value.getTime()
    if (Number.isNaN(ms)) this.#fail(path, `invalid Date for ${logical}`)
    return ms
  }

  #mapToJson(schema: Schema, value: unknown, path: string): string {
    const entries = this.#mapEntries(value, path)
    const keySchema = schema.keySchema ?? null
    const valueSchema = schema.valueSchema ?? null
    if (keySchema?.type === SchemaTypes.STRING) {
      const parts = entries.map(([k, v]) => {
        if (typeof k !== 'string') this.#fail(`${path}[key]`, `expected a string map key but got ${describe(k)}`)
        return `${jsonString(k)}:${this.#toJson(valueSchema, v, `${path}[${k}]`)}`
      })
      return `{${parts.join(',')}}`
    }
    const pairs = entries.map(
      ([k, v]) =>
        `[${this.#toJson(keySchema, k, `${path}[key]`)},${this.#toJson(valueSchema, v, `${path}[${String(k)}]`)}]`,
    )
    return `[${pairs.join(',')}]`
  }

  #mapEntries(value: unknown, path: string): [unknown, unknown][] {
    if (value instanceof Map) return [...value.entries()]
    if (isPlainObject(value)) return Object.entries(value)
    return this.#fail(path, `expected map (a Map or plain object) but got ${describe(value)}`)
  }

  #structToJson(schema: Schema, value: unknown, path: string): string {
    if (!isPlainObject(value)) this.#fail(path, `expected struct (a plain object) but got ${describe(value)}`)
    const layout = this.#structLayout(schema, path)
    for (const key in value) {
      if (!layout.names.has(key)) {
        this.#fail(childPath(path, key), `not a field of struct schema ${schema.name ?? '(unnamed)'}`)
      }
    }
    let text = '{'
    for (let i = 0; i < layout.fields.length; i++) {
      const field = layout.fields[i]
      if (i > 0) text += ','
      text += layout.prefixes[i] + this.#toJson(field.schema, value[field.name], layout.paths[i])
    }
    return `${text}}`
  }

  #structLayout(schema: Schema, path: string): StructLayout {
    const cached = this.#structLayouts.get(schema)
    if (cached?.path === path) return cached
    const fields = schema.fields ?? []
    const layout: StructLayout = {
      path,
      fields,
      names: new Set(fields.map((f) => f.name)),
      prefixes: fields.map((f) => `${jsonString(f.name)}:`),
      paths: fields.map((f) => childPath(path, f.name)),
    }
    this.#structLayouts.set(schema, layout)
    return layout
  }

  /** Without a schema the value's own type decides (upstream's ConnectSchema.schemaType(class)). */
  #schemalessToJson(value: unknown, path: string): string {
    if (value === null || value === undefined) return 'null'
    switch (typeof value) {
      case 'boolean':
        return value ? 'true' : 'false'
      case 'string':
        return jsonString(value)
      case 'bigint':
        return value.toString()
      case 'number':
        return Number.isInteger(value) ? integerText(value) : javaDouble(value)
    }
    if (value instanceof Uint8Array) {
      return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`
    }
    if (Array.isArray(value)) return `[${value.map((v, i) => this.#schemalessToJson(v, `${path}[${i}]`)).join(',')}]`
    if (value instanceof Map) {
      const entries = [...value.entries()]
      if (entries.every(([k]) => typeof k === 'string')) {
        return `{${entries.map(([k, v]) => `${jsonString(k as string)}:${this.#schemalessToJson(v, `${path}[${k}]`)}`).join(',')}}`
      }
      return `[${entries.map(([k, v]) => `[${this.#schemalessToJson(k, `${path}[key]`)},${this.#schemalessToJson(v, `${path}[${String(k)}]`)}]`).join(',')}]`
    }
    if (isPlainObject(value)) {
      return `{${Object.entries(value)
        .map(([k, v]) => `${jsonString(k)}:${this.#schemalessToJson(v, childPath(path, k))}`)
        .join(',')}}`
    }
    return this.#fail(path, `${describe(value)} has no schema type; give the record a schema (e.g. a Timestamp schema)`)
  }

  // ---- JSON → value -------------------------------------------------------------------------------------------

  #toConnect(schema: Schema | null, node: JsonNode | undefined, path: string): unknown {
    if (schema === null) return schemalessToConnect(node ?? null)
    if (node === null || node === undefined) {
      if (schema.defaultValue !== undefined && schema.defaultValue !== null && this.#replaceNullWithDefault) {
        return schema.defaultValue
      }
      if (schema.optional) return null
      throw new DataError(`Invalid null value for required ${schema.type.toUpperCase()} ${where(path, this.#root)}`, {
        path,
      })
    }
    const bad = (expected: string): never => {
      throw new DataError(
        `Invalid JSON for ${where(path, this.#root)}: expected ${expected} but found ${nodeType(node)}`,
        { path },
      )
    }
    switch (schema.name) {
      case LogicalNames.DECIMAL: {
        const scale = decimalScale(schema)
        if (typeof scale === 'string') throw new DataError(scale, { path })
        if (node instanceof JsonNumber) {
          const unscaled = toUnscaled(node.text, scale)
          return typeof unscaled === 'string' ? plainDecimal(node.text) : fromUnscaled(unscaled, scale)
        }
        if (typeof node !== 'string' || !BASE64.test(node)) return bad('a Decimal as base64 bytes or a number')
        try {
          return fromUnscaled(bytesToUnscaled(Buffer.from(node, 'base64')), scale)
        } catch (error) {
          throw new DataError(`Invalid bytes for Decimal ${where(path, this.#root)}`, { path, cause: error })
        }
      }
      case LogicalNames.DATE:
        return new Date(Number(this.#integer(node, SchemaTypes.INT32, bad)) * MILLIS_PER_DAY)
      case LogicalNames.TIME: {
        const ms = Number(this.#integer(node, SchemaTypes.INT32, bad))
        if (ms < 0 || ms > MILLIS_PER_DAY) {
          throw new DataError(
            `Invalid Time for ${where(path, this.#root)}: Time values must use number of milliseconds greater than 0 and less than 86400000`,
            { path },
          )
        }
        return new Date(ms)
      }
      case LogicalNames.TIMESTAMP:
        return new Date(Number(this.#integer(node, SchemaTypes.INT64, bad)))
    }
    switch (schema.type) {
      case SchemaTypes.INT8:
      case SchemaTypes.INT16:
      case SchemaTypes.INT32:
      case SchemaTypes.INT64:
        return this.#integer(node, schema.type, bad)
      case SchemaTypes.FLOAT32:
      case SchemaTypes.FLOAT64:
        if (node instanceof JsonNumber) return node.toNumber()
        if (node === 'NaN' || node === 'Infinity' || node === '-Infinity') return Number(node)
        return bad('a number')
      case SchemaTypes.BOOLEAN:
        return typeof node === 'boolean' ? node : bad('a boolean')
      case SchemaTypes.STRING:
        return typeof node === 'string' ? node : bad('a string')
      case SchemaTypes.BYTES:
        return typeof node === 'string' && BASE64.test(node) ? Buffer.from(node, 'base64') : bad('base64 bytes')
      case SchemaTypes.ARRAY:
        if (!Array.isArray(node)) return bad('an array')
        return node.map((item, i) => this.#toConnect(schema.valueSchema ?? null, item, `${path}[${i}]`))
      case SchemaTypes.MAP:
        return this.#mapToConnect(schema, node, path, bad)
      case SchemaTypes.STRUCT: {
        if (!isJsonObject(node)) return bad('an object (struct)')
        const struct: Record<string, unknown> = {}
        for (const field of schema.fields ?? []) {
          struct[field.name] = this.#toConnect(field.schema, node[field.name], childPath(path, field.name))
        }
        return struct
      }
    }
    return bad(`a value of schema type ${String(schema.type)}`)
  }

  /** int8/16/32 as number; int64 as number when safe, else bigint. */
  #integer(node: JsonNode, type: SchemaType, bad: (expected: string) => never): number | bigint {
    if (!(node instanceof JsonNumber) || !node.integral) return bad(`an integer (${type})`)
    if (type === SchemaTypes.INT64) {
      const big = BigInt(node.text)
      if (big < INT64_MIN || big > INT64_MAX) return bad('an integer within the int64 range')
      return Number.isSafeInteger(Number(big)) ? Number(big) : big
    }
    const n = node.toNumber()
    const [min, max] = INT_RANGES[type] as [number, number]
    return n < min || n > max ? bad(`an integer from ${min} to ${max} (${type})`) : n
  }

  #mapToConnect(schema: Schema, node: JsonNode, path: string, bad: (expected: string) => never): unknown {
    const keySchema = schema.keySchema ?? null
    const valueSchema = schema.valueSchema ?? null
    if (keySchema === null || keySchema.type === SchemaTypes.STRING) {
      if (!isJsonObject(node)) return bad('a JSON object (maps with string keys)')
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(node)) out[k] = this.#toConnect(valueSchema, v, `${path}[${k}]`)
      return out
    }
    if (!Array.isArray(node)) return bad('a JSON array of [key, value] pairs (maps with non-string keys)')
    const out = new Map<unknown, unknown>()
    for (const entry of node) {
      if (!Array.isArray(entry) || entry.length !== 2) return bad('[key, value] pairs of length 2')
      const key = this.#toConnect(keySchema, entry[0], `${path}[key]`)
      out.set(key, this.#toConnect(valueSchema, entry[1], `${path}[${String(key)}]`))
    }
    return out
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function schemalessToConnect(node: JsonNode): unknown {
  if (node === null || typeof node === 'boolean' || typeof node === 'string') return node
  if (node instanceof JsonNumber) {
    if (!node.integral) return node.toNumber()
    const big = BigInt(node.text)
    return Number.isSafeInteger(Number(big)) ? Number(big) : big
  }
  if (Array.isArray(node)) return node.map(schemalessToConnect)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = schemalessToConnect(v)
  return out
}

/** Exact plain text of a JSON number that has more fractional digits than the schema's scale. */
function plainDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!m) return text
  const fraction = m[3] ?? ''
  const scale = fraction.length - (m[4] === undefined ? 0 : Number(m[4]))
  return fromUnscaled(BigInt(`${m[1]}${m[2]}${fraction}`), scale)
}
