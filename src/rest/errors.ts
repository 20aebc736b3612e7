// Every REST failure becomes Connect's error entity `{"error_code": <status>, "message": "…"}`: FlowscopeErrors carry
// their status, Fastify's own errors (media type, body size, bad URL) are translated, anything else is a 500.
import { FlowscopeError, messageOf } from '../errors.ts'

export interface ErrorBody {
  error_code: number
  message: string
}

export const errorBody = (status: number, message: string): ErrorBody => ({ error_code: status, message })

/** Jersey's messages for the statuses it raises itself; Connect clients may show them verbatim. */
export const NOT_FOUND_MESSAGE = 'HTTP 404 Not Found'
export const METHOD_NOT_ALLOWED_MESSAGE = 'HTTP 405 Method Not Allowed'
export const UNSUPPORTED_MEDIA_TYPE_MESSAGE = 'HTTP 415 Unsupported Media Type'

interface StatusError {
  code?: unknown
  statusCode?: unknown
}

/** The status and message answered for `error`; `maxBodyBytes` words the 413 message. */
export function toErrorBody(error: unknown, maxBodyBytes: number): ErrorBody {
  if (error instanceof FlowscopeError) return errorBody(error.status, error.message)
  const { code, statusCode } = (typeof error === 'object' && error !== null ? error : {}) as StatusError
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, UNSUPPORTED_MEDIA_TYPE_MESSAGE)
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, `Request body is larger than the limit of ${maxBodyBytes} bytes`)
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'Request body length does not match its Content-Length header')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errorBody(400, `Request body is not valid JSON: ${messageOf(error)}`)
    case 'FST_ERR_BAD_URL':
      return errorBody(400, `The request URL is not valid: ${messageOf(error)}`)
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return errorBody(statusCode, messageOf(error))
  }
  return errorBody(500, messageOf(error) || 'Internal server error')
}
