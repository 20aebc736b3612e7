// Signing of internal requests between the workers of a group (Connect's InternalRequestSignature, KIP-507): under
// the `sessioned` protocol a follower's POST of task configs to the leader carries a MAC of the raw request body,
// keyed by the group's session key (which the leader writes to the config topic), in two headers. Algorithms have
// Java's names (HmacSHA256, …), as workers of a mixed group exchange them; Node's HMAC computes them.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { badRequest, ErrorCodes, FlowscopeError } from '../errors.ts'

export const SIGNATURE_HEADER = 'X-Connect-Authorization'
export const SIGNATURE_ALGORITHM_HEADER = 'X-Connect-Request-Signature-Algorithm'

/** Java MAC / KeyGenerator names → Node's digest and the JDK KeyGenerator's default key length in bytes. */
const HMACS: Readonly<Record<string, { digest: string; keyBytes: number }>> = {
  HmacMD5: { digest: 'md5', keyBytes: 64 },
  HmacSHA1: { digest: 'sha1', keyBytes: 64 },
  HmacSHA224: { digest: 'sha224', keyBytes: 28 },
  HmacSHA256: { digest: 'sha256', keyBytes: 32 },
  HmacSHA384: { digest: 'sha384', keyBytes: 48 },
  HmacSHA512: { digest: 'sha512', keyBytes: 64 },
  'HmacSHA512/224': { digest: 'sha512-224', keyBytes: 28 },
  'HmacSHA512/256': { digest: 'sha512-256', keyBytes: 32 },
  'HmacSHA3-224': { digest: 'sha3-224', keyBytes: 28 },
  'HmacSHA3-256': { digest: 'sha3-256', keyBytes: 32 },
  'HmacSHA3-384': { digest: 'sha3-384', keyBytes: 48 },
  'HmacSHA3-512': { digest: 'sha3-512', keyBytes: 64 },
}

/** The algorithm names this worker can sign, verify and generate keys with (Java's spelling). */
export const SUPPORTED_ALGORITHMS: readonly string[] = Object.keys(HMACS)

/** As the JCA looks algorithms up: case-insensitively. */
function hmacOf(algorithm: string): { digest: string; keyBytes: number } | undefined {
  const lower = algorithm.toLowerCase()
  const name = SUPPORTED_ALGORITHMS.find((n) => n.toLowerCase() === lower)
  return name === undefined ? undefined : HMACS[name]
}

export function isSupportedAlgorithm(algorithm: string): boolean {
  return hmacOf(algorithm) !== undefined
}

/** The group's shared secret (Connect's SessionKey): the key bytes, its algorithm, and when the leader made it. */
export interface SessionKey {
  key: Buffer
  algorithm: string
  creationTimestamp: number
}

/**
 * A new random key as Java's KeyGenerator for `algorithm` makes one: its default length, or `sizeBits` rounded up to
 * whole bytes (the JDK refuses fewer than 40 bits).
 */
export function generateSessionKey(algorithm: string, sizeBits: number | null, now = Date.now()): SessionKey {
  const hmac = hmacOf(algorithm)
  if (!hmac) throw new Error(`Unsupported key generation algorithm ${algorithm}`)
  return { key: randomBytes(keyLength(algorithm, sizeBits)), algorithm, creationTimestamp: now }
}

/** The key length, in bytes, a key of `algorithm` and `sizeBits` (null: the default) has; throws when impossible. */
export function keyLength(algorithm: string, sizeBits: number | null): number {
  const hmac = hmacOf(algorithm)
  if (!hmac) throw new Error(`Unsupported key generation algorithm ${algorithm}`)
  if (sizeBits === null) return hmac.keyBytes
  if (sizeBits < 40) throw new Error('Key length must be at least 40 bits')
  return Math.ceil(sizeBits / 8)
}

/** base64 of the MAC of `body` (the exact bytes sent) under `key`: the value of X-Connect-Authorization. */
export function sign(body: Buffer | string, key: Buffer, algorithm: string): string {
  const hmac = hmacOf(algorithm)
  if (!hmac) throw new Error(`Unsupported signature algorithm ${algorithm}`)
  return createHmac(hmac.digest, key).update(body).digest('base64')
}

/** The two headers of a signed request (Connect's InternalRequestSignature.addToRequest). */
export function signatureHeaders(body: Buffer | string, key: Buffer, algorithm: string): Record<string, string> {
  return { [SIGNATURE_HEADER]: sign(body, key, algorithm), [SIGNATURE_ALGORITHM_HEADER]: algorithm }
}

/** A request's signature as its headers carry it; null when either header is missing (Connect's fromHeaders). */
export interface RequestSignature {
  algorithm: string
  signature: Buffer
  body: Buffer
}

type HeaderValue = string | string[] | undefined

/**
 * Reads the signature headers (any case) off a request. A malformed one is 400 whether or not the group validates
 * requests, as Connect's resource parses them before asking its herder.
 */
export function signatureFromHeaders(
  body: Buffer,
  headers: Readonly<Record<string, HeaderValue>>,
): RequestSignature | null {
  const algorithm = header(headers, SIGNATURE_ALGORITHM_HEADER)
  const encoded = header(headers, SIGNATURE_HEADER)
  if (algorithm === undefined || encoded === undefined) return null
  if (!isSupportedAlgorithm(algorithm)) throw badRequest(`Algorithm ${algorithm} not available`)
  const illegal = /[^A-Za-z0-9+/=]/.exec(encoded)
  if (illegal) throw badRequest(`Illegal base64 character ${illegal[0].charCodeAt(0).toString(16)}`)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
    throw badRequest('Last unit does not have enough valid bits')
  }
  return { algorithm, signature: Buffer.from(encoded, 'base64'), body }
}

function header(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

/** Whether the signature is the MAC of its body under `key` (compared in constant time). */
export function isValid(signature: RequestSignature, key: Buffer): boolean {
  const expected = Buffer.from(sign(signature.body, key, signature.algorithm), 'base64')
  return expected.length === signature.signature.length && timingSafeEqual(expected, signature.signature)
}

/**
 * Connect's DistributedHerder.requestNotSignedProperly, for a worker that validates internal requests: the error to
 * answer (400 missing / algorithm not permitted, 503 no session key yet, 403 wrong signature), or undefined.
 */
export function signatureProblem(
  signature: RequestSignature | null,
  sessionKey: Buffer | null,
  verificationAlgorithms: readonly string[],
): FlowscopeError | undefined {
  if (signature === null) return badRequest('Internal request missing required signature')
  if (!verificationAlgorithms.includes(signature.algorithm)) {
    return badRequest(
      `This worker does not support the '${signature.algorithm}' key signing algorithm used by other workers. ` +
        `This worker is currently configured to use: [${verificationAlgorithms.join(', ')}]. ` +
        "Check that all workers' configuration files permit the same set of signature algorithms, " +
        'and correct any misconfigured worker and restart it.',
    )
  }
  if (sessionKey === null) {
    return new FlowscopeError(
      ErrorCodes.UNAVAILABLE,
      'This worker is still starting up and has not been able to read a session key from the config topic yet',
    )
  }
  if (!isValid(signature, sessionKey)) {
    return new FlowscopeError(ErrorCodes.FORBIDDEN, 'Internal request contained invalid signature.')
  }
  return undefined
}
