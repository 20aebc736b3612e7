// A transform's settings parsed by its ConfigDef, failing on the first problem as Connect's SimpleConfig does.
import {
  type ConfigDef,
  type ConfigKey,
  ConfigTypes,
  type ConfigValue,
  Importance,
  type Validator,
} from '../config/config-def.ts'
import { TransformConfigError } from './errors.ts'

export class Settings {
  readonly #values: Map<string, ConfigValue>

  constructor(def: ConfigDef, raw: Record<string, string>) {
    const { values, errors } = def.parse(raw)
    for (const [key, messages] of errors) throw new TransformConfigError(messages[0] ?? `Invalid ${key}`, key)
    this.#values = values
  }

  string(key: string): string | null {
    const value = this.#values.get(key)
    return value === null || value === undefined ? null : String(value)
  }

  boolean(key: string): boolean {
    return this.#values.get(key) === true
  }

  list(key: string): string[] {
    const value = this.#values.get(key)
    return Array.isArray(value) ? value : []
  }
}

/** Connect's `replace.null.with.default` key, shared by most transforms (same doc and default everywhere). */
export const REPLACE_NULL_WITH_DEFAULT = 'replace.null.with.default'
export const REPLACE_NULL_WITH_DEFAULT_KEY: ConfigKey = {
  name: REPLACE_NULL_WITH_DEFAULT,
  type: ConfigTypes.BOOLEAN,
  default: true,
  importance: Importance.MEDIUM,
  documentation:
    'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
}

/** A list key's validator from the parser that reads it: the parser's error message becomes the key's error. */
export function listParsedBy(parse: (items: string[]) => unknown): Validator {
  return (value) => {
    try {
      parse(Array.isArray(value) ? value : [])
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
}
