// One error module: every error flowscope raises carries a stable code, whether retrying can help, and the cause
// chain. The REST layer maps `status` to the HTTP answer `{"error_code", "message"}`.

export const ErrorCodes = {
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_CONFIG: 'INVALID_CONFIG',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FORBIDDEN: 'FORBIDDEN',
  RETRIABLE: 'RETRIABLE',
  CONNECT: 'CONNECT',
  STARTUP: 'STARTUP',
  UNAVAILABLE: 'UNAVAILABLE',
} as const
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

const statusOf: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_CONFIG: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RETRIABLE: 500,
  CONNECT: 500,
  STARTUP: 500,
  UNAVAILABLE: 503,
}

export class FlowscopeError extends Error {
  readonly code: ErrorCode
  readonly canRetry: boolean

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FlowscopeError'
    this.code = code
    this.canRetry = options.canRetry ?? code === ErrorCodes.RETRIABLE
  }

  get status(): number {
    return statusOf[this.code]
  }
}

export const badRequest = (message: string) => new FlowscopeError(ErrorCodes.BAD_REQUEST, message)
export const notFound = (message: string) => new FlowscopeError(ErrorCodes.NOT_FOUND, message)
export const conflict = (message: string) => new FlowscopeError(ErrorCodes.CONFLICT, message)

/** A failure the task may get past by trying again (broker unavailable, DB connection refused). */
export class RetriableError extends FlowscopeError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.RETRIABLE, message, { cause, canRetry: true })
    this.name = 'RetriableError'
  }
}

/** Connect's status `trace`: the error chain, outermost first, each with its stack. */
export function traceOf(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(depth === 0 ? (current.stack ?? String(current)) : `Caused by: ${current.stack ?? String(current)}`)
      current = current.cause
    } else {
      parts.push(depth === 0 ? String(current) : `Caused by: ${String(current)}`)
      break
    }
  }
  return parts.join('\n')
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The request must be handled by another worker of the group (Connect's RequestTargetException: NotLeaderException,
 * NotAssignedException): the REST layer forwards it to `forwardUrl`, or answers 409 when no target is known.
 */
export class RequestTargetError extends FlowscopeError {
  readonly forwardUrl: string | null

  constructor(message: string, forwardUrl: string | null) {
    super(ErrorCodes.CONFLICT, message)
    this.name = 'RequestTargetError'
    this.forwardUrl = forwardUrl
  }
}
