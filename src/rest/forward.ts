// Forwarding a request to the worker that must handle it (Connect's HerderRequestHandler.completeOrForwardRequest):
// a follower's config change goes to the group's leader, the leader's restart of work it does not run goes to the
// worker running it. The `forward` query parameter bounds the hops as Connect does: a user's request (no `forward`)
// is forwarded with forward=true, which may be forwarded once more with forward=false; a request with forward=false
// that is not the receiver's to handle gets 409. The target's answer (status, body, Location) is relayed unchanged.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RequestTargetError } from '../errors.ts'
import { getLogger } from '../logging.ts'
import { SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER } from '../runtime/request-signature.ts'
import { errorBody } from './errors.ts'
import { queryValues, rawBodyOf } from './request.ts'

const log = getLogger('flowscope.rest.forward')

/** How long a forwarded request may take (Connect's REST request timeout, 90 s). */
const FORWARD_TIMEOUT_MS = 90_000

/** The target URL of the forwarded request: the receiver's path and query, `forward` set for the next hop. */
export function forwardedUrl(targetBase: string, requestUrl: string, nextForward: boolean): string {
  const incoming = new URL(requestUrl, 'http://receiver')
  const target = new URL(incoming.pathname, targetBase)
  for (const [key, value] of incoming.searchParams) if (key !== 'forward') target.searchParams.append(key, value)
  target.searchParams.set('forward', String(nextForward))
  return target.toString()
}

/** Answers `request` by forwarding it where `error` points, or with Connect's 409 when it cannot be forwarded. */
export async function forwardRequest(
  error: RequestTargetError,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const [given] = queryValues((request.query as Record<string, unknown> | undefined)?.forward)
  const forward = given === undefined ? null : given.toLowerCase() === 'true'
  if (forward === false) {
    return reply
      .code(409)
      .send(errorBody(409, 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)'))
  }
  if (error.forwardUrl === null) {
    return reply
      .code(409)
      .send(
        errorBody(
          409,
          'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.',
        ),
      )
  }
  // Only a user's request (no `forward` yet) may take a second hop (e.g. follower → leader → the task's worker).
  const url = forwardedUrl(error.forwardUrl, request.url, forward === null)
  log.debug({ method: request.method, url }, 'forwarding request')
  const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'DELETE'
  const headers: Record<string, string> = hasBody ? { 'content-type': 'application/json' } : {}
  // A signed internal request keeps its signature and the very bytes it covers (Connect drops both on this hop, so
  // its second worker answers 400 when it checks signatures).
  const signed = signatureHeadersOf(request)
  Object.assign(headers, signed)
  const body = signed ? new Uint8Array(rawBodyOf(request)) : JSON.stringify(request.body)
  let response: Response
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      ...(hasBody ? { body } : {}),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    })
  } catch (cause) {
    log.warn({ err: cause, url }, 'forwarding a request failed')
    return reply
      .code(500)
      .send(errorBody(500, `IO Error trying to forward REST request: ${(cause as Error).message ?? String(cause)}`))
  }
  const text = await response.text()
  reply.code(response.status)
  const location = response.headers.get('location')
  if (location) reply.header('location', location)
  if (text === '') return reply.send()
  return reply.header('content-type', response.headers.get('content-type') ?? 'application/json').send(text)
}

/** The request's signature headers, when it carries both. */
function signatureHeadersOf(request: FastifyRequest): Record<string, string> | undefined {
  const signature = request.headers[SIGNATURE_HEADER.toLowerCase()]
  const algorithm = request.headers[SIGNATURE_ALGORITHM_HEADER.toLowerCase()]
  if (typeof signature !== 'string' || typeof algorithm !== 'string') return undefined
  return { [SIGNATURE_HEADER]: signature, [SIGNATURE_ALGORITHM_HEADER]: algorithm }
}
