// The two ways a transformation fails, worded as Connect's: a bad setting (ConfigException, found at validate or
// configure time, named by its key) and a record it cannot handle (DataException, fails the task unless
// errors.tolerance=all skips the record).
import { DataError } from '../convert/data-error.ts'
import { ErrorCodes, FlowscopeError } from '../errors.ts'

export class TransformConfigError extends FlowscopeError {
  /** The transform's own key the problem is about (without `transforms.<alias>.`), when there is one. */
  readonly key: string | undefined

  constructor(message: string, key?: string) {
    super(ErrorCodes.INVALID_CONFIG, message)
    this.name = 'ConfigException'
    this.key = key
  }
}

/** Connect's `ConfigException(name, value, message)` text. */
export function invalidValue(key: string, value: unknown, why: string): string {
  return `Invalid value ${javaText(value)} for configuration ${key}: ${why}`
}

/** A value as Java's String.valueOf would print it (lists as `[a, b]`). */
export function javaText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaText).join(', ')}]`
  return String(value)
}

export function dataError(message: string): DataError {
  return new DataError(message)
}

/**
 * The Java class a value would have in Connect's data API, for messages such as "found: java.lang.String" (what
 * upstream prints, so the same mistake reads the same on both workers).
 */
export function javaClassOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return 'java.lang.String'
  if (typeof value === 'boolean') return 'java.lang.Boolean'
  if (typeof value === 'bigint') return 'java.lang.Long'
  if (typeof value === 'number') return Number.isInteger(value) ? 'java.lang.Long' : 'java.lang.Double'
  if (value instanceof Uint8Array) return '[B'
  if (value instanceof Date) return 'java.util.Date'
  if (Array.isArray(value)) return 'java.util.ArrayList'
  if (value instanceof Map) return 'java.util.HashMap'
  return 'java.util.HashMap'
}
