// A follower's requests to its group's leader (Connect's RestClient as DistributedHerder uses it): the task configs its
// connector generated, POSTed to the leader's internal endpoint, which writes them to the config topic; and, before an
// exactly-once source task starts, a PUT asking the leader for a round of zombie fencing (KIP-618). Signed with the
// group's session key when one is known (Connect signs whenever it has one; the leader checks only under
// `sessioned`). A failure is an error carrying the leader's status, so the caller can tell an expired key (403).
import { ErrorCodes, FlowscopeError } from '../errors.ts'
import { type SessionKey, signatureHeaders } from './request-signature.ts'

/** How long the leader may take (Connect's REST request timeout, 90 s). */
const REQUEST_TIMEOUT_MS = 90_000

/** The leader's answer to a failed internal request (Connect's ConnectRestException). */
export class LeaderRequestError extends FlowscopeError {
  /** The HTTP status the leader answered; 500 when it could not be reached. */
  readonly statusCode: number

  constructor(statusCode: number, message: string, cause?: unknown) {
    super(ErrorCodes.CONNECT, message, { cause })
    this.name = 'LeaderRequestError'
    this.statusCode = statusCode
  }
}

export interface PostTaskConfigs {
  leaderUrl: string | null
  connector: string
  configs: Record<string, string>[]
  /** Signs the request when given. */
  sessionKey?: SessionKey | undefined
  signatureAlgorithm: string
}

/** POST <leader>/connectors/<connector>/tasks with the task configs as the body; resolves on a 2xx answer. */
export async function postTaskConfigs(request: PostTaskConfigs): Promise<void> {
  if (!request.leaderUrl) {
    throw new LeaderRequestError(
      500,
      "Request to leader to reconfigure connector tasks failed because the URL of the leader's REST interface is empty!",
    )
  }
  const url = new URL(`connectors/${encodeURIComponent(request.connector)}/tasks`, withSlash(request.leaderUrl))
  // The signature covers exactly the bytes sent.
  const body = Buffer.from(JSON.stringify(request.configs), 'utf8')
  await send(url, 'POST', body, request)
}

export interface PutFence {
  leaderUrl: string
  connector: string
  /** Signs the request when given. */
  sessionKey?: SessionKey | undefined
  signatureAlgorithm: string
}

/**
 * PUT <leader>/connectors/<connector>/fence with no body (Connect's fenceZombieSourceTasks forwarded by a task's
 * preflight); the signature is the MAC of the empty body, as Connect's. Resolves on a 2xx answer.
 */
export async function putFence(request: PutFence): Promise<void> {
  const url = new URL(`connectors/${encodeURIComponent(request.connector)}/fence`, withSlash(request.leaderUrl))
  await send(url, 'PUT', null, request)
}

async function send(
  url: URL,
  method: 'POST' | 'PUT',
  body: Buffer<ArrayBuffer> | null,
  signing: { sessionKey?: SessionKey | undefined; signatureAlgorithm: string },
): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== null) headers['content-type'] = 'application/json'
  if (signing.sessionKey) {
    Object.assign(
      headers,
      signatureHeaders(body ?? Buffer.alloc(0), signing.sessionKey.key, signing.signatureAlgorithm),
    )
  }
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body === null ? {} : { body }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
  } catch (cause) {
    throw new LeaderRequestError(
      500,
      `IO Error trying to forward REST request: ${(cause as Error).message ?? String(cause)}`,
      cause,
    )
  }
  const text = await response.text()
  if (response.status < 400) return
  let message = text
  try {
    const parsed = JSON.parse(text) as { message?: unknown }
    if (typeof parsed.message === 'string') message = parsed.message
  } catch {
    // Not Connect's error entity: the raw text says what happened.
  }
  throw new LeaderRequestError(response.status, message)
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`
}
