import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type CapturedEvent, diffEvents, formatDifferences } from '../../support/cdc-event-diff.ts'

/** A Debezium-shaped update event of `<prefix>.public.items` with JsonConverter schemas. */
function event(prefix: string, overrides: { after?: Record<string, unknown>; source?: Record<string, unknown> } = {}) {
  const row = (name: string) => ({
    type: 'struct',
    optional: true,
    name: `${prefix}.public.items.${name}`,
    field: name === 'Value' ? 'after' : 'before',
    fields: [
      { type: 'int32', optional: false, field: 'id' },
      { type: 'string', optional: true, field: 'label' },
    ],
  })
  return {
    topic: `${prefix}.public.items`,
    key: {
      schema: {
        type: 'struct',
        optional: false,
        name: `${prefix}.public.items.Key`,
        fields: [{ type: 'int32', optional: false, field: 'id' }],
      },
      payload: { id: 1 },
    },
    value: {
      schema: { type: 'struct', name: `${prefix}.public.items.Envelope`, fields: [row('Value')] },
      payload: {
        before: null,
        after: { id: 1, label: 'one', ...overrides.after },
        source: { name: prefix, lsn: 1000, txId: 7, ts_ms: 1, ...overrides.source },
        op: 'u',
        ts_ms: 123,
      },
    },
  } satisfies CapturedEvent
}

describe('diffEvents', () => {
  test('the same events under two prefixes, with different LSNs, txIds and clocks, do not differ', () => {
    const differences = diffEvents(
      { prefix: 'dbz_1', events: [event('dbz_1')] },
      {
        prefix: 'fs_2',
        events: [{ ...event('fs_2', { source: { lsn: 2000, txId: 9, ts_ms: 5 } }) }],
      },
    )
    assert.deepEqual(differences, [])
  })

  test('two tables of their own compare as one when each side names its table', () => {
    const renamed = (prefix: string, table: string): CapturedEvent => {
      const text = JSON.stringify(event(prefix, { source: { table } })).replaceAll('.items', `.${table}`)
      return JSON.parse(text) as CapturedEvent
    }
    assert.deepEqual(
      diffEvents(
        { prefix: 'a', table: 't_1', events: [renamed('a', 't_1')] },
        { prefix: 'b', table: 't_2', events: [renamed('b', 't_2')] },
      ),
      [],
    )
    const differences = diffEvents(
      { prefix: 'a', table: 't_1', events: [renamed('a', 't_1')] },
      { prefix: 'b', table: 't_2', events: [renamed('b', 't_3')] },
    )
    assert.ok(differences.some((d) => d.where.endsWith('value.payload.source.table') && d.actual === '"t_3"'))
  })

  test('a different column value is reported by its path, with the event it is in', () => {
    const differences = diffEvents(
      { prefix: 'a', events: [event('a')] },
      { prefix: 'b', events: [event('b', { after: { label: 'ONE' } })] },
    )
    assert.equal(differences.length, 1)
    assert.deepEqual(differences[0], {
      where: '#0 (op u, key {"id":1}) value.payload.after.label',
      expected: '"one"',
      actual: '"ONE"',
    })
    assert.match(formatDifferences(differences, { expected: 'debezium', actual: 'flowscope' }), /debezium: "one"/)
  })

  test('a volatile field of another JSON type, or missing, is a difference', () => {
    const differences = diffEvents(
      { prefix: 'a', events: [event('a')] },
      { prefix: 'b', events: [event('b', { source: { lsn: '2000', txId: undefined } })] },
    )
    assert.deepEqual(
      differences.map((d) => [d.where, d.expected, d.actual]),
      [
        ['#0 (op u, key {"id":1}) value.payload.source.lsn', 'number (volatile)', 'string'],
        ['#0 (op u, key {"id":1}) value.payload.source.txId', 'number (volatile)', 'absent'],
      ],
    )
  })

  test('a schema difference names the field by name, and a missing field once', () => {
    const actual = event('b')
    const fields = actual.value.schema.fields[0].fields
    actual.value.schema.fields[0].fields = [{ ...fields[0], type: 'int64' }]
    const differences = diffEvents({ prefix: 'a', events: [event('a')] }, { prefix: 'b', events: [actual] })
    assert.deepEqual(
      differences.map((d) => d.where),
      [
        '#0 (op u, key {"id":1}) value.schema.fields.[field=after].fields (field names in order)',
        '#0 (op u, key {"id":1}) value.schema.fields.[field=after].fields.[field=id].type',
      ],
    )
  })

  test('a prefix is replaced only as a name’s first part, so a value that merely contains it still differs', () => {
    const differences = diffEvents(
      { prefix: 'a', events: [event('a', { after: { label: 'a' } })] },
      { prefix: 'b', events: [event('b', { after: { label: 'a' } })] },
    )
    assert.equal(differences.length, 1)
    assert.match(differences[0].where, /after\.label$/)
  })

  test('tombstones compare as null values; a missing or extra event is reported', () => {
    const tombstone = (prefix: string): CapturedEvent => ({ ...event(prefix), value: null })
    assert.deepEqual(
      diffEvents({ prefix: 'a', events: [tombstone('a')] }, { prefix: 'b', events: [tombstone('b')] }),
      [],
    )
    const differences = diffEvents(
      { prefix: 'a', events: [event('a'), tombstone('a')] },
      { prefix: 'b', events: [event('b')] },
    )
    assert.deepEqual(differences, [
      { where: '#1 (tombstone, key {"id":1}) (event)', expected: 'this event', actual: '(none: missing)' },
    ])
    const notTombstone = diffEvents({ prefix: 'a', events: [tombstone('a')] }, { prefix: 'b', events: [event('b')] })
    assert.equal(notTombstone.length, 1)
    assert.equal(notTombstone[0].expected, 'null')
  })

  test('extra volatile paths are honoured and differences stop at the maximum', () => {
    const actual = event('b', { after: { label: 'later' } })
    assert.deepEqual(
      diffEvents(
        { prefix: 'a', events: [event('a')] },
        { prefix: 'b', events: [actual] },
        {
          volatilePaths: ['value.payload.after.label'],
        },
      ),
      [],
    )
    const many = Array.from({ length: 10 }, () => event('b', { after: { label: 'x' } }))
    const expected = Array.from({ length: 10 }, () => event('a'))
    assert.equal(
      diffEvents({ prefix: 'a', events: expected }, { prefix: 'b', events: many }, { maxDifferences: 3 }).length,
      3,
    )
  })
})
