// Config declared once (as Connect's ConfigDef): each key's type, default, validator and docs drive parsing into
// typed values, per-key error messages, and the `/connector-plugins/{plugin}/config/validate` answer.

export const ConfigTypes = {
  BOOLEAN: 'BOOLEAN',
  STRING: 'STRING',
  INT: 'INT',
  SHORT: 'SHORT',
  LONG: 'LONG',
  DOUBLE: 'DOUBLE',
  LIST: 'LIST',
  CLASS: 'CLASS',
  PASSWORD: 'PASSWORD',
} as const
export type ConfigType = (typeof ConfigTypes)[keyof typeof ConfigTypes]

export const Importance = { HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW' } as const
export type ImportanceLevel = (typeof Importance)[keyof typeof Importance]

export const Width = { NONE: 'NONE', SHORT: 'SHORT', MEDIUM: 'MEDIUM', LONG: 'LONG' } as const
export type WidthValue = (typeof Width)[keyof typeof Width]

export type ConfigValue = string | number | boolean | string[] | null

/** Returns an error message for a parsed value, or undefined when it is fine. */
export type Validator = (value: ConfigValue, name: string) => string | undefined

export interface ConfigKey {
  name: string
  type: ConfigType
  /** Absent: the key is required. `null`: optional with no value. */
  default?: ConfigValue
  importance: ImportanceLevel
  documentation: string
  group?: string
  orderInGroup?: number
  width?: WidthValue
  displayName?: string
  dependents?: string[]
  validator?: Validator
  /** Values offered to UIs (`recommended_values`). */
  recommendedValues?: string[]
  /** Other names accepted for this key (e.g. table.include.list for table.whitelist). */
  aliases?: string[]
  /** Accepted (and validated) for compatibility, but nothing in flowscope reads it: why, in a few words. */
  notActedOn?: string
}

// ---- keys declared once, in a table, with the type of their parsed values derived from it ------------------------

/** A key of a key table: a ConfigKey whose name is its property name in the table. */
export interface KeySpec {
  type: ConfigType
  documentation: string
  /** Absent: the key is required. `null`: optional with no value. */
  default?: ConfigValue | readonly string[]
  importance?: ImportanceLevel
  group?: string
  orderInGroup?: number
  width?: WidthValue
  displayName?: string
  dependents?: readonly string[]
  validator?: Validator
  recommendedValues?: readonly string[]
  aliases?: readonly string[]
  notActedOn?: string
}

export type KeyTable = Readonly<Record<string, KeySpec>>

/** The parsed value of a config type. */
export type TypeValue<T extends ConfigType> = T extends 'BOOLEAN'
  ? boolean
  : T extends 'INT' | 'SHORT' | 'LONG' | 'DOUBLE'
    ? number
    : T extends 'LIST'
      ? string[]
      : string

/** The parsed value of a key: its type's value, or also null when its default is null. */
export type SpecValue<S extends KeySpec> = TypeValue<S['type']> | (S extends { default: null } ? null : never)

/** Key name → type of its parsed value, for every key of a table. */
export type TableValues<T extends KeyTable> = { -readonly [K in keyof T]: SpecValue<T[K]> }

/** Keeps a table's literal types (key names, config types, null defaults) so TableValues can be derived from it. */
export function keyTable<const T extends KeyTable>(table: T): T {
  return table
}

/**
 * The ConfigDef of a key table, in table order; `validatorOf` may wrap each key's validator (e.g. to word its
 * messages) and `importance` is the importance of keys that name none.
 */
export function configDefOf(
  table: KeyTable,
  options: { importance?: ImportanceLevel; validatorOf?: (validator: Validator) => Validator } = {},
): ConfigDef {
  const def = new ConfigDef()
  for (const [name, spec] of Object.entries(table)) {
    const { default: fallback, dependents, recommendedValues, aliases, validator, ...rest } = spec
    def.define({
      name,
      ...rest,
      importance: spec.importance ?? options.importance ?? Importance.MEDIUM,
      ...('default' in spec ? { default: Array.isArray(fallback) ? [...fallback] : (fallback as ConfigValue) } : {}),
      ...(dependents ? { dependents: [...dependents] } : {}),
      ...(recommendedValues ? { recommendedValues: [...recommendedValues] } : {}),
      ...(aliases ? { aliases: [...aliases] } : {}),
      ...(validator ? { validator: options.validatorOf ? options.validatorOf(validator) : validator } : {}),
    })
  }
  return def
}

/** Raw configuration as it arrives: the REST API stores every value as a string. */
export type RawConfig = Record<string, string>

export interface ParsedConfig {
  values: Map<string, ConfigValue>
  /** Key → every problem found with it. Empty when the config is valid. */
  errors: Map<string, string[]>
}

export class ConfigDef {
  readonly #keys = new Map<string, ConfigKey>()
  readonly #groups: string[] = []

  define(key: ConfigKey): this {
    if (this.#keys.has(key.name)) throw new Error(`Config ${key.name} is defined twice`)
    this.#keys.set(key.name, key)
    if (key.group && !this.#groups.includes(key.group)) this.#groups.push(key.group)
    return this
  }

  /** A new definition holding this one's keys followed by `other`'s. */
  merge(other: ConfigDef): ConfigDef {
    const merged = new ConfigDef()
    for (const key of this.#keys.values()) merged.define(key)
    for (const key of other.keys()) if (!merged.#keys.has(key.name)) merged.define(key)
    return merged
  }

  keys(): ConfigKey[] {
    return [...this.#keys.values()]
  }

  key(name: string): ConfigKey | undefined {
    return this.#keys.get(name)
  }

  groups(): string[] {
    return [...this.#groups]
  }

  /** Parses every defined key; unknown keys are ignored here (Connect passes them through). */
  parse(raw: RawConfig): ParsedConfig {
    const values = new Map<string, ConfigValue>()
    const errors = new Map<string, string[]>()
    const fail = (name: string, message: string) => {
      const list = errors.get(name) ?? []
      list.push(message)
      errors.set(name, list)
    }
    for (const key of this.#keys.values()) {
      const given = rawValueOf(raw, key)
      if (given === undefined) {
        if (!('default' in key)) {
          fail(key.name, `Missing required configuration "${key.name}" which has no default value.`)
          values.set(key.name, null)
          continue
        }
        values.set(key.name, key.default ?? null)
      } else {
        const parsed = parseValue(key, given)
        if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
          fail(key.name, parsed.error)
          values.set(key.name, null)
          continue
        }
        values.set(key.name, parsed as ConfigValue)
      }
      const value = values.get(key.name) ?? null
      if (key.validator && !(value === null && key.default === null)) {
        const problem = key.validator(value, key.name)
        if (problem) fail(key.name, problem)
      }
    }
    return { values, errors }
  }
}

function rawValueOf(raw: RawConfig, key: ConfigKey): string | undefined {
  if (Object.hasOwn(raw, key.name)) return raw[key.name]
  for (const alias of key.aliases ?? []) if (Object.hasOwn(raw, alias)) return raw[alias]
  return undefined
}

type ParseResult = ConfigValue | { error: string }

function invalid(key: ConfigKey, value: string, why: string): { error: string } {
  const shown = key.type === ConfigTypes.PASSWORD ? '[hidden]' : value
  return { error: `Invalid value ${shown} for configuration ${key.name}: ${why}` }
}

function parseValue(key: ConfigKey, value: string): ParseResult {
  const text = value.trim()
  switch (key.type) {
    case ConfigTypes.BOOLEAN: {
      const lower = text.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      return invalid(key, value, 'Expected value to be either true or false')
    }
    case ConfigTypes.INT:
    case ConfigTypes.SHORT:
    case ConfigTypes.LONG: {
      if (!/^[-+]?\d+$/.test(text)) return invalid(key, value, `Not a number of type ${key.type}`)
      const n = Number(text)
      const [min, max] =
        key.type === ConfigTypes.SHORT
          ? [-32768, 32767]
          : key.type === ConfigTypes.INT
            ? [-2147483648, 2147483647]
            : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
      if (n < min || n > max) return invalid(key, value, `Not a number of type ${key.type}`)
      return n
    }
    case ConfigTypes.DOUBLE: {
      const n = Number(text)
      if (text === '' || Number.isNaN(n)) return invalid(key, value, 'Not a number of type DOUBLE')
      return n
    }
    case ConfigTypes.LIST:
      return text === '' ? [] : text.split(',').map((s) => s.trim())
    case ConfigTypes.STRING:
    case ConfigTypes.CLASS:
      return text
    case ConfigTypes.PASSWORD:
      return value
  }
}

// ---- validators -------------------------------------------------------------------------------------------------

export const atLeast =
  (min: number): Validator =>
  (value) =>
    typeof value === 'number' && value < min ? `Value must be at least ${min}` : undefined

export const between =
  (min: number, max: number): Validator =>
  (value) =>
    typeof value === 'number' && (value < min || value > max) ? `Value must be between ${min} and ${max}` : undefined

export const oneOf =
  (allowed: readonly string[], caseInsensitive = false): Validator =>
  (value) => {
    if (value === null) return undefined
    const v = String(value)
    const ok = caseInsensitive ? allowed.some((a) => a.toLowerCase() === v.toLowerCase()) : allowed.includes(v)
    return ok ? undefined : `String must be one of: ${allowed.join(', ')}`
  }

export const nonEmptyString: Validator = (value) =>
  typeof value === 'string' && value.trim() === '' ? 'String may not be empty' : undefined

// ---- Connect's ConfigInfos (the validate endpoint's answer) ------------------------------------------------------

export interface ConfigKeyInfo {
  name: string
  type: ConfigType
  required: boolean
  default_value: string | null
  importance: ImportanceLevel
  documentation: string
  group: string | null
  order: number
  width: WidthValue
  display_name: string
  dependents: string[]
}

export interface ConfigValueInfo {
  name: string
  value: string | null
  recommended_values: string[]
  errors: string[]
  visible: boolean
}

export interface ConfigInfos {
  name: string
  error_count: number
  groups: string[]
  configs: { definition: ConfigKeyInfo; value: ConfigValueInfo }[]
}

export function defaultAsString(value: ConfigValue | undefined): string | null {
  if (value === undefined || value === null) return null
  if (Array.isArray(value)) return value.join(',')
  return String(value)
}

export function keyInfo(key: ConfigKey): ConfigKeyInfo {
  return {
    name: key.name,
    type: key.type,
    required: !('default' in key),
    default_value: key.type === ConfigTypes.PASSWORD && key.default ? '[hidden]' : defaultAsString(key.default),
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    order: key.orderInGroup ?? -1,
    width: key.width ?? Width.NONE,
    display_name: key.displayName ?? key.name,
    dependents: key.dependents ?? [],
  }
}

/**
 * Builds the validate answer. `extraErrors` carries problems found beyond single keys (e.g. a connector that checks
 * its tables), keyed by the config key they concern.
 */
export function configInfos(
  connectorClass: string,
  def: ConfigDef,
  raw: RawConfig,
  extraErrors: Map<string, string[]> = new Map(),
): ConfigInfos {
  const parsed = def.parse(raw)
  const configs: ConfigInfos['configs'] = []
  let errorCount = 0
  const seen = new Set<string>()
  for (const key of def.keys()) {
    seen.add(key.name)
    const errors = [...(parsed.errors.get(key.name) ?? []), ...(extraErrors.get(key.name) ?? [])]
    errorCount += errors.length
    const given = rawValueOf(raw, key)
    configs.push({
      definition: keyInfo(key),
      value: {
        name: key.name,
        value:
          key.type === ConfigTypes.PASSWORD && given !== undefined
            ? '[hidden]'
            : (given ?? defaultAsString(key.default)),
        recommended_values: key.recommendedValues ?? [],
        errors,
        visible: true,
      },
    })
  }
  // Errors about keys the definition does not know (Connect reports these as extra values with no definition).
  for (const [name, errors] of extraErrors) {
    if (seen.has(name)) continue
    errorCount += errors.length
    configs.push({
      definition: {
        name,
        type: ConfigTypes.STRING,
        required: false,
        default_value: null,
        importance: Importance.LOW,
        documentation: '',
        group: null,
        order: -1,
        width: Width.NONE,
        display_name: name,
        dependents: [],
      },
      value: { name, value: raw[name] ?? null, recommended_values: [], errors, visible: true },
    })
  }
  return { name: connectorClass, error_count: errorCount, groups: def.groups(), configs }
}
