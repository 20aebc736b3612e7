// Connect's DataException: raised when a value does not match its schema or bytes cannot be read back. The message
// names where the problem is (a field path such as `address.zip` or `tags[2]`) and what is wrong with it.
import { ErrorCodes, FlowscopeError } from '../errors.ts'

export class DataError extends FlowscopeError {
  /** Where in the record the problem sits (`""` for the record key/value itself). */
  readonly path: string

  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(ErrorCodes.CONNECT, message, { cause: options.cause, canRetry: false })
    this.name = 'DataException'
    this.path = options.path ?? ''
  }
}

/** `field "a.b"`, or `record key` / `record value` at the root. */
export function where(path: string, root: string): string {
  return path === '' ? root : `field "${path}"`
}

export function childPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Buffer.isBuffer(value)) return `Buffer(${value.length} bytes)`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : `Date ${value.toISOString()}`
  if (Array.isArray(value)) return `array(${value.length})`
  if (value instanceof Map) return `Map(${value.size})`
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`
    case 'object':
      return (value as object).constructor?.name === 'Object' || Object.getPrototypeOf(value) === null
        ? 'object'
        : `object ${(value as object).constructor?.name ?? ''}`.trim()
    default:
      return typeof value
  }
}
