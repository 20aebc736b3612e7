// Altering a connector's offsets: the server's check of the PATCH body and the browser editor's check of one offset.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '../../../src/console/server/errors.ts'
import { offsetChanges } from '../../../src/console/server/validation.ts'
import { parseOffsetDraft } from '../../../src/console/ui/offset-draft.ts'

test('offsetChanges takes {"offsets": [{partition: {…}, offset: {…} | null}]} and names what else is wrong', () => {
  const partition = { protocol: '1', table: 'postgres.public.orders' }
  assert.deepEqual(offsetChanges({ offsets: [{ partition, offset: { incrementing: 2 } }] }), [
    { partition, offset: { incrementing: 2 } },
  ])
  assert.deepEqual(offsetChanges({ offsets: [{ partition, offset: null }] }), [{ partition, offset: null }])
  const refusals: [unknown, RegExp][] = [
    [null, /request body must be a JSON object/],
    [[], /request body must be a JSON object/],
    [{}, /field "offsets" must be a non-empty array/],
    [{ offsets: [] }, /field "offsets" must be a non-empty array/],
    [{ offsets: {} }, /field "offsets" must be a non-empty array/],
    [{ offsets: [], other: 1 }, /unknown field "other"/],
    [{ offsets: [7] }, /offsets\[0\] must be an object/],
    [{ offsets: [{ partition: [], offset: {} }] }, /offsets\[0\]\.partition must be a JSON object/],
    [
      {
        offsets: [
          { partition, offset: {} },
          { partition, offset: '5' },
        ],
      },
      /offsets\[1\]\.offset must be a JSON object/,
    ],
    [{ offsets: [{ partition, offset: {}, extra: true }] }, /offsets\[0\]: unknown field "extra"/],
  ]
  for (const [body, message] of refusals) {
    assert.throws(
      () => offsetChanges(body),
      (error: unknown) => error instanceof ApiError && error.status === 400 && message.test(error.message),
      JSON.stringify(body),
    )
  }
})

test('the offset editor takes a JSON object or null, and names what else is wrong', () => {
  assert.deepEqual(parseOffsetDraft('{"incrementing": 2}'), { ok: true, offset: { incrementing: 2 } })
  assert.deepEqual(parseOffsetDraft(' null '), { ok: true, offset: null })
  const notObject = { ok: false, error: 'an offset must be a JSON object (or null to remove it)' }
  assert.deepEqual(parseOffsetDraft('[1]'), notObject)
  assert.deepEqual(parseOffsetDraft('2'), notObject)
  const broken = parseOffsetDraft('{"incrementing": ')
  assert.equal(broken.ok, false)
  assert.match(broken.ok ? '' : broken.error, /^not JSON: /)
})
