// Pure parts of the group and broker pages: the reset's validation and plan (clamping, no committed offset, a
// timestamp past the end), broker config views (sensitive values withheld, defaults marked) and change bodies.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { configChange, configView } from '../../../src/console/server/brokers.ts'
import { ApiError } from '../../../src/console/server/errors.ts'
import { kafkaErrorIds } from '../../../src/console/server/groups.ts'
import { planReset, resetSpec } from '../../../src/console/server/offset-reset.ts'

const log = (committed: number | null, atTimestamp: number | null = null) => ({
  partition: 0,
  committed,
  earliest: 100,
  latest: 200,
  atTimestamp,
})
const target = (spec: Parameters<typeof planReset>[0], p = log(150)) => planReset(spec, [p])[0]

test('planReset: each target, clamped to what the log holds, with the lag before and after', () => {
  assert.deepEqual(target({ to: 'earliest', shift: null }), {
    partition: 0,
    current: 150,
    target: 100,
    lagBefore: 50,
    lagAfter: 100,
  })
  assert.equal(target({ to: 'latest', shift: null }).target, 200)
  assert.equal(target({ to: 'latest', shift: null }).lagAfter, 0)
  assert.equal(target({ to: 'shift', shift: -20 }).target, 130)
  assert.equal(target({ to: 'shift', shift: 20 }).target, 170)
  assert.equal(target({ to: 'shift', shift: -1000 }).target, 100)
  assert.equal(target({ to: 'shift', shift: 1000 }).target, 200)
  assert.equal(target({ to: 'timestamp', shift: null }, log(150, 120)).target, 120)
  // No record at or after the timestamp: the end of the log.
  assert.equal(target({ to: 'timestamp', shift: null }, log(150, null)).target, 200)
  // A committed offset below the log start (retention deleted it) is moved back into the log.
  assert.equal(target({ to: 'shift', shift: 5 }, log(10)).target, 100)
  // No committed offset: no lag before; a shift counts from the earliest.
  const fresh = target({ to: 'shift', shift: 10 }, log(null))
  assert.deepEqual([fresh.current, fresh.lagBefore, fresh.target], [null, null, 110])
})

const refused = (input: unknown, message: RegExp) =>
  assert.throws(
    () => resetSpec(input),
    (e: unknown) => e instanceof ApiError && e.status === 400 && message.test(e.message),
  )

test('resetSpec: accepted forms', () => {
  assert.deepEqual(resetSpec({ topic: 't', to: 'earliest' }), {
    topic: 't',
    partitions: null,
    to: 'earliest',
    timestamp: null,
    shift: null,
  })
  assert.deepEqual(resetSpec({ topic: 't', to: 'shift', shift: '-3', partitions: '2,0,2' }).partitions, [0, 2])
  assert.equal(resetSpec({ topic: 't', to: 'shift', shift: -3 }).shift, -3)
  assert.equal(resetSpec({ topic: 't', to: 'timestamp', timestamp: '1700000000000' }).timestamp, 1_700_000_000_000)
  assert.equal(
    resetSpec({ topic: 't', to: 'timestamp', timestamp: '2026-01-01T00:00:00Z' }).timestamp,
    Date.UTC(2026, 0, 1),
  )
  assert.deepEqual(resetSpec({ topic: 't', to: 'latest', partitions: [1, 3] }).partitions, [1, 3])
})

test('resetSpec: bad input names the field', () => {
  refused(null, /must be an object/)
  refused({ to: 'earliest' }, /"topic" is missing/)
  refused({ topic: 't' }, /"to": null is not one of earliest, latest, timestamp, shift/)
  refused({ topic: 't', to: 'middle' }, /"to": "middle"/)
  refused({ topic: 't', to: 'shift' }, /"shift" is missing/)
  refused({ topic: 't', to: 'shift', shift: '0' }, /non-zero/)
  refused({ topic: 't', to: 'shift', shift: '2.5' }, /"shift"/)
  refused({ topic: 't', to: 'timestamp' }, /"timestamp" is missing/)
  refused({ topic: 't', to: 'timestamp', timestamp: 'soon' }, /"timestamp": "soon"/)
  refused({ topic: 't', to: 'earliest', shift: 3 }, /"shift" only goes with/)
  refused({ topic: 't', to: 'earliest', partitions: '1,x' }, /"partitions": "x"/)
  refused({ topic: 't', to: 'earliest', partitions: [] }, /"partitions" is empty/)
  refused({ topic: 't', to: 'earliest', dryRun: true }, /unknown field "dryRun"/)
  refused({ topic: ['a', 'b'], to: 'earliest' }, /"topic" must be given once/)
})

test('configView: sensitive values are withheld, defaults and read-only keys marked', () => {
  const secret = configView({
    name: 'ssl.keystore.password',
    value: 'hunter2',
    readOnly: false,
    configSource: 2,
    isSensitive: true,
  })
  assert.deepEqual([secret.value, secret.sensitive, secret.source], [null, true, 'DYNAMIC_BROKER_CONFIG'])
  const plain = configView({ name: 'log.dirs', value: '/data', readOnly: true, configSource: 4, isSensitive: false })
  assert.deepEqual(
    [plain.value, plain.isDefault, plain.readOnly, plain.source],
    ['/data', false, true, 'STATIC_BROKER_CONFIG'],
  )
  assert.equal(
    configView({ name: 'x', value: '1', readOnly: false, configSource: 5, isSensitive: false }).isDefault,
    true,
  )
})

test('configChange: set and delete, and what is refused', () => {
  assert.deepEqual(configChange({ set: { a: '1' }, delete: ['b'] }), { set: { a: '1' }, remove: ['b'] })
  assert.throws(() => configChange({}), /nothing to change/)
  assert.throws(() => configChange({ set: { a: 1 } }), /"set\.a": values must be strings/)
  assert.throws(() => configChange({ set: { a: '1' }, delete: ['a'] }), /both set and deleted/)
  assert.throws(() => configChange({ delete: 'a' }), /"delete" must be a list/)
  assert.throws(() => configChange({ add: {} }), /unknown field "add"/)
  assert.throws(() => configChange([]), /request body must be/)
})

test("kafkaErrorIds: Kafka's error names, nested", () => {
  const error = { errors: [{ apiId: 'NON_EMPTY_GROUP' }, { errors: [{ apiId: 'UNKNOWN_MEMBER_ID' }] }] }
  assert.deepEqual(kafkaErrorIds(error), ['NON_EMPTY_GROUP', 'UNKNOWN_MEMBER_ID'])
  assert.deepEqual(kafkaErrorIds(new Error('plain')), [])
})
