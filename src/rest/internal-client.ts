// Requests a worker sends another worker of its group on its own behalf (Connect's RestClient for the internal
// endpoints), as opposed to a user's request forwarded by forward.ts. Today: asking the leader for a round of zombie
// fencing before an exactly-once source task starts (Connect's `PUT /connectors/<name>/fence`).
import { ErrorCodes, FlowscopeError } from '../errors.ts'

/** Connect's REST request timeout for a request between workers (90 s). */
const INTERNAL_REQUEST_TIMEOUT_MS = 90_000

/** Asks the leader at `leaderUrl` to fence out older generations of the connector's tasks; resolves on its 2xx. */
export async function requestFence(leaderUrl: string, connector: string): Promise<void> {
  const url = new URL(`connectors/${encodeURIComponent(connector)}/fence`, withSlash(leaderUrl)).toString()
  // Internal requests are not signed yet: Connect signs this one with the group's session key (KIP-507,
  // X-Connect-Authorization / X-Connect-Request-Signature over the empty body). The signing branch adds the headers
  // here, and the check to the leader's route (src/rest/routes/connectors.ts, PUT /connectors/:name/fence).
  const headers: Record<string, string> = {}
  let response: Response
  try {
    response = await fetch(url, { method: 'PUT', headers, signal: AbortSignal.timeout(INTERNAL_REQUEST_TIMEOUT_MS) })
  } catch (cause) {
    throw new FlowscopeError(
      ErrorCodes.CONNECT,
      `Forwarding zombie fencing request to the leader at ${leaderUrl} failed: ${(cause as Error).message ?? String(cause)}`,
      { cause },
    )
  }
  if (response.ok) return
  const text = await response.text().catch(() => '')
  let message = text
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text
  } catch {
    // not Connect's error body: the text itself
  }
  throw new FlowscopeError(
    ErrorCodes.CONNECT,
    `Zombie fencing request to the leader at ${leaderUrl} failed with ${response.status}: ${message}`,
  )
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`
}
