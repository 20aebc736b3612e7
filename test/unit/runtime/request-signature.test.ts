// Internal request signing against Java's javax.crypto (the vectors below were computed with the JDK 17 Mac and
// KeyGenerator a Connect 4.1 worker uses): the same body bytes and key give the same base64 MAC, and a receiver
// answers Connect's statuses for a missing, refused, unverifiable or wrong signature.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FlowscopeError } from '../../../src/errors.ts'
import {
  generateSessionKey,
  keyLength,
  SIGNATURE_ALGORITHM_HEADER,
  SIGNATURE_HEADER,
  sign,
  signatureFromHeaders,
  signatureHeaders,
  signatureProblem,
} from '../../../src/runtime/request-signature.ts'

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
// A task-config body as Connect's RestClient serializes it (UTF-8, a non-ASCII character included).
const BODY = Buffer.from('[{"task.class":"x","snowman":"\u2603"}]', 'utf8')

test('the MAC is base64 of HMAC over the raw body bytes, as javax.crypto.Mac computes it', () => {
  assert.equal(sign(BODY, KEY, 'HmacSHA256'), 'yXzqaifLjddME1sBLIgB29LxIpifS/8SBBvkdGghGWs=')
  assert.equal(sign(BODY, KEY, 'HmacSHA1'), '4+lD0a+1kmybXZsM2kqw2cTspxQ=')
  assert.equal(
    sign(BODY, KEY, 'HmacSHA512'),
    'lVM5y3jEbTvzTWLKt39u2O4A/aHpFWLiUJ6frlpBo02XKLx11fKu7Ix2EvXa3Vjj0m+JX4QfzSq0duuYZfeaVw==',
  )
  // The JCA looks names up case-insensitively.
  assert.equal(sign(BODY, KEY, 'hmacsha256'), 'yXzqaifLjddME1sBLIgB29LxIpifS/8SBBvkdGghGWs=')
  assert.equal(sign(BODY.toString('utf8'), KEY, 'HmacSHA256'), sign(BODY, KEY, 'HmacSHA256'))
})

test('signed headers carry the MAC and the algorithm name as given', () => {
  assert.deepEqual(signatureHeaders(BODY, KEY, 'HmacSHA256'), {
    [SIGNATURE_HEADER]: 'yXzqaifLjddME1sBLIgB29LxIpifS/8SBBvkdGghGWs=',
    [SIGNATURE_ALGORITHM_HEADER]: 'HmacSHA256',
  })
})

test('generated keys have the JDK KeyGenerator lengths', () => {
  assert.equal(generateSessionKey('HmacSHA256', null, 5).key.length, 32)
  assert.equal(generateSessionKey('HmacSHA256', null, 5).creationTimestamp, 5)
  assert.equal(keyLength('HmacMD5', null), 64)
  assert.equal(keyLength('HmacSHA1', null), 64)
  assert.equal(keyLength('HmacSHA224', null), 28)
  assert.equal(keyLength('HmacSHA384', null), 48)
  assert.equal(keyLength('HmacSHA512', null), 64)
  assert.equal(keyLength('HmacSHA512/224', null), 28)
  assert.equal(keyLength('HmacSHA3-256', null), 32)
  assert.equal(keyLength('HmacSHA256', 44), 6)
  assert.throws(() => keyLength('HmacSHA256', 32), /at least 40 bits/)
  assert.notDeepEqual(generateSessionKey('HmacSHA256', null).key, generateSessionKey('HmacSHA256', null).key)
})

const headersOf = (body: Buffer, key: Buffer, algorithm = 'HmacSHA256') => signatureHeaders(body, key, algorithm)

test('a correctly signed body verifies; headers are read in any case', () => {
  const lower = Object.fromEntries(Object.entries(headersOf(BODY, KEY)).map(([k, v]) => [k.toLowerCase(), v]))
  const signature = signatureFromHeaders(BODY, lower)
  assert.notEqual(signature, null)
  assert.equal(signatureProblem(signature, KEY, ['HmacSHA256']), undefined)
})

test('an altered body, or another key, is refused with 403', () => {
  const altered = Buffer.from(BODY.toString('utf8').replace('x', 'y'))
  const problem = signatureProblem(signatureFromHeaders(altered, headersOf(BODY, KEY)), KEY, ['HmacSHA256'])
  assert.ok(problem instanceof FlowscopeError)
  assert.equal(problem.status, 403)
  assert.equal(problem.message, 'Internal request contained invalid signature.')
  const otherKey = Buffer.alloc(32, 7)
  assert.equal(
    signatureProblem(signatureFromHeaders(BODY, headersOf(BODY, otherKey)), KEY, ['HmacSHA256'])?.status,
    403,
  )
})

test('missing headers: 400; an algorithm outside the verification list: 400; no session key yet: 503', () => {
  const missing = signatureProblem(signatureFromHeaders(BODY, { [SIGNATURE_HEADER]: 'abc=' }), KEY, ['HmacSHA256'])
  assert.equal(missing?.status, 400)
  assert.equal(missing?.message, 'Internal request missing required signature')

  const sha1 = signatureFromHeaders(BODY, headersOf(BODY, KEY, 'HmacSHA1'))
  const refused = signatureProblem(sha1, KEY, ['HmacSHA256'])
  assert.equal(refused?.status, 400)
  assert.match(refused?.message ?? '', /does not support the 'HmacSHA1' key signing algorithm .* use: \[HmacSHA256\]/)
  // Connect compares the header's name exactly with the list.
  assert.equal(
    signatureProblem(signatureFromHeaders(BODY, headersOf(BODY, KEY, 'hmacsha256')), KEY, ['HmacSHA256'])?.status,
    400,
  )

  const early = signatureProblem(signatureFromHeaders(BODY, headersOf(BODY, KEY)), null, ['HmacSHA256'])
  assert.equal(early?.status, 503)
  assert.match(early?.message ?? '', /has not been able to read a session key/)
})

test('malformed signature headers are 400 with the JDK messages', () => {
  const bad = (headers: Record<string, string>) => {
    try {
      signatureFromHeaders(BODY, headers)
      return undefined
    } catch (error) {
      return error as FlowscopeError
    }
  }
  const unknown = bad({ [SIGNATURE_HEADER]: 'abcd', [SIGNATURE_ALGORITHM_HEADER]: 'HmacFoo' })
  assert.equal(unknown?.status, 400)
  assert.equal(unknown?.message, 'Algorithm HmacFoo not available')
  const notBase64 = bad({ [SIGNATURE_HEADER]: 'ab-c', [SIGNATURE_ALGORITHM_HEADER]: 'HmacSHA256' })
  assert.equal(notBase64?.message, 'Illegal base64 character 2d')
  const short = bad({ [SIGNATURE_HEADER]: 'abcde', [SIGNATURE_ALGORITHM_HEADER]: 'HmacSHA256' })
  assert.equal(short?.message, 'Last unit does not have enough valid bits')
  // Padding is optional, as for Java's decoder.
  assert.equal(bad({ [SIGNATURE_HEADER]: 'YWI', [SIGNATURE_ALGORITHM_HEADER]: 'HmacSHA256' }), undefined)
})
