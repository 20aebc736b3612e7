// The pure parts of incremental snapshots: Java-serialized chunk keys byte for byte as Java's ObjectOutputStream
// writes them (vectors produced by OpenJDK 17), signal rows, the offset context Debezium stores, window
// de-duplication, and the chunk bounds.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parsePostgresCdcConfig, tableCaptured } from '../../../../src/connectors/postgres-cdc/config.ts'
import { IncrementalSnapshotContext } from '../../../../src/connectors/postgres-cdc/incremental-context.ts'
import { keyBound, keyBoundParams } from '../../../../src/connectors/postgres-cdc/incremental-snapshot.ts'
import { deserializeKey, serializeKey } from '../../../../src/connectors/postgres-cdc/java-serialized-key.ts'
import { confirmableLsn, readStoredPosition } from '../../../../src/connectors/postgres-cdc/offsets.ts'
import { expandDataCollections, parseSignal, windowMetadata } from '../../../../src/connectors/postgres-cdc/signals.ts'

const OBJECT_ARRAY = '757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000'
const INTEGER_DESC =
  '737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870'
// new ObjectOutputStream(…).writeObject(new Object[]{…}) on OpenJDK 17, as hex.
const JAVA = {
  int5: `aced0005${OBJECT_ARRAY}000001${INTEGER_DESC}00000005`,
  long5:
    'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017372000e6a6176612e6c616e672e4c6f6e673b8be490cc8f23df0200014a000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b02000078700000000000000005',
  str: 'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001740003616263',
  intStr: `aced0005${OBJECT_ARRAY}000002${INTEGER_DESC}000000077400016b`,
  intInt: `aced0005${OBJECT_ARRAY}000002${INTEGER_DESC}000000017371007e000200000002`,
  longNull:
    'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000027372000e6a6176612e6c616e672e4c6f6e673b8be490cc8f23df0200014a000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870fffffffffffffffd70',
  null: 'aced000570',
  short3:
    'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017372000f6a6176612e6c616e672e53686f7274684d37133460da5202000153000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b02000078700003',
}

test('chunk keys are serialized exactly as Java serializes the Object[] Debezium stores', () => {
  assert.equal(serializeKey([{ java: 'Integer', text: '5' }]), JAVA.int5)
  assert.equal(serializeKey([{ java: 'Long', text: '5' }]), JAVA.long5)
  assert.equal(serializeKey([{ java: 'String', text: 'abc' }]), JAVA.str)
  assert.equal(
    serializeKey([
      { java: 'Integer', text: '7' },
      { java: 'String', text: 'k' },
    ]),
    JAVA.intStr,
  )
  // The second Integer refers back to the class description written for the first.
  assert.equal(
    serializeKey([
      { java: 'Integer', text: '1' },
      { java: 'Integer', text: '2' },
    ]),
    JAVA.intInt,
  )
  assert.equal(serializeKey([{ java: 'Long', text: '-3' }, null]), JAVA.longNull)
  assert.equal(serializeKey(null), JAVA.null)
})

test('Java-serialized keys read back, including Short and back-references; other types fail naming the type', () => {
  assert.deepEqual(deserializeKey(JAVA.intInt), [
    { java: 'Integer', text: '1' },
    { java: 'Integer', text: '2' },
  ])
  assert.deepEqual(deserializeKey(JAVA.longNull), [{ java: 'Long', text: '-3' }, null])
  assert.deepEqual(deserializeKey(JAVA.short3), [{ java: 'Integer', text: '3' }])
  assert.deepEqual(deserializeKey(JAVA.str), [{ java: 'String', text: 'abc' }])
  assert.equal(deserializeKey(JAVA.null), null)
  const unicode = [{ java: 'String' as const, text: 'grüße – 東京' }]
  assert.deepEqual(deserializeKey(serializeKey(unicode)), unicode)
  const bigDecimal = JAVA.long5.replace('6a6176612e6c616e672e4c6f6e67', '6a6176612e6c616e672e4c6f6e58') // java.lang.LonX
  assert.throws(() => deserializeKey(bigDecimal), /Java type java\.lang\.LonX/)
  assert.throws(() => deserializeKey('00ff'), /not a Java-serialized value/)
})

test('signal rows: execute-snapshot with conditions, stop-snapshot, watermarks; bad ones ignored with the reason', () => {
  assert.deepEqual(
    parseSignal(
      'ad-hoc-1',
      'execute-snapshot',
      '{"data-collections": ["public.t", " public.u "], "type": "incremental", "additional-conditions": [{"data-collection": "public.t", "filter": "id > 10"}]}',
    ),
    {
      kind: 'execute-snapshot',
      id: 'ad-hoc-1',
      dataCollections: ['public.t', 'public.u'],
      additionalConditions: [{ dataCollection: /^(?:public.t)$/i, filter: 'id > 10' }],
      surrogateKey: null,
    },
  )
  // The type defaults to incremental, as in Debezium.
  assert.equal(parseSignal('x', 'execute-snapshot', '{"data-collections": ["public.t"]}').kind, 'execute-snapshot')
  assert.deepEqual(parseSignal('s', 'stop-snapshot', '{"type": "INCREMENTAL"}'), {
    kind: 'stop-snapshot',
    id: 's',
    dataCollections: [],
  })
  assert.deepEqual(parseSignal('c1-open', 'snapshot-window-open', '{}'), { kind: 'window-open', id: 'c1-open' })
  assert.deepEqual(parseSignal('c1-close', 'snapshot-window-close', null), { kind: 'window-close', id: 'c1-close' })
  const reason = (s: ReturnType<typeof parseSignal>) => (s.kind === 'ignored' ? s.reason : `not ignored: ${s.kind}`)
  assert.match(
    reason(parseSignal('b', 'execute-snapshot', '{"data-collections":["public.t"],"type":"blocking"}')),
    /blocking snapshots are not supported/,
  )
  assert.match(
    reason(parseSignal('e', 'execute-snapshot', '{"type":"incremental"}')),
    /"data-collections" is missing or empty/,
  )
  assert.match(reason(parseSignal('j', 'execute-snapshot', 'not json')), /not a JSON object/)
  assert.match(reason(parseSignal('p', 'pause-snapshot', '')), /"pause-snapshot" is not recognized/)
  assert.match(
    reason(
      parseSignal(
        'c',
        'execute-snapshot',
        '{"data-collections":["public.t"],"additional-conditions":[{"filter":"x"}]}',
      ),
    ),
    /"data-collection" and "filter"/,
  )
})

test('requested names expand as regexes over the known tables; one matching nothing is kept as given', () => {
  const known = ['public.a1', 'public.a2', 'public.b', 'other.a1']
  assert.deepEqual(expandDataCollections(['public.a.*', 'public.b', 'public.zz'], known), [
    'public.a1',
    'public.a2',
    'public.b',
    'public.zz',
  ])
  assert.equal(
    windowMetadata(new Date('2026-01-02T03:04:05.678Z'), null),
    '{"openWindowTimestamp": "2026-01-02T03:04:05.678Z"}',
  )
})

test("the offset context is Debezium's incremental_snapshot_* fields and loads back; only while a snapshot runs", () => {
  const context = new IncrementalSnapshotContext()
  assert.deepEqual(context.store({ lsn: 1 }), { lsn: 1 }, 'nothing added when no snapshot runs')
  assert.equal(context.add([{ id: 'public.t', condition: '(id > 10)', surrogateKey: null }], 'sig-1'), true)
  context.maximumKey = [{ java: 'Integer', text: '5' }]
  context.lastKeySent = [{ java: 'Integer', text: '1' }]
  const offset = context.store({ lsn: 1 })
  assert.deepEqual(offset, {
    lsn: 1,
    incremental_snapshot_primary_key: serializeKey([{ java: 'Integer', text: '1' }]),
    incremental_snapshot_maximum_key: JAVA.int5,
    incremental_snapshot_collections:
      '[{"incremental_snapshot_collections_id":"public.t","incremental_snapshot_collections_additional_condition":"(id > 10)","incremental_snapshot_collections_surrogate_key":null}]',
    incremental_snapshot_correlation_id: 'sig-1',
  })
  const loaded = IncrementalSnapshotContext.load(offset)
  assert.equal(loaded.running, true)
  assert.deepEqual(loaded.collections, context.collections)
  assert.deepEqual(loaded.chunkEnd, [{ java: 'Integer', text: '1' }], 'the next chunk starts after the stored key')
  assert.deepEqual(loaded.maximumKey, [{ java: 'Integer', text: '5' }])
  assert.equal(loaded.correlationId, 'sig-1')
  assert.equal(IncrementalSnapshotContext.load({ lsn: 1 }).running, false)
  assert.throws(
    () => IncrementalSnapshotContext.load({ ...offset, incremental_snapshot_maximum_key: 'zz' }),
    /incremental_snapshot_maximum_key cannot be read/,
  )
  // A finished table leaves the queue; the last one ends the snapshot and the fields go.
  context.nextCollection()
  assert.equal(context.running, false)
  assert.deepEqual(context.store({ lsn: 2 }), { lsn: 2 })
})

test('an incremental snapshot offset resumes streaming and confirms like a streaming one', () => {
  const offset = {
    lsn: 900,
    lsn_proc: 900,
    lsn_commit: 800,
    messageType: 'INSERT',
    snapshot: 'INCREMENTAL',
    last_snapshot_record: false,
    snapshot_completed: false,
  }
  assert.equal(readStoredPosition(offset).snapshotInProgress, false)
  assert.equal(confirmableLsn(offset), 800)
  assert.equal(confirmableLsn({ ...offset, snapshot: 'INITIAL' }), null, 'an initial snapshot still confirms nothing')
})

test('window: a streamed change of a key read in the chunk drops the row, only while the window is open', () => {
  const context = new IncrementalSnapshotContext()
  context.add([{ id: 'public.t', condition: null, surrogateKey: null }], 'sig')
  context.chunkId = 'c1'
  for (const id of [1, 2, 3]) context.window.set(JSON.stringify({ id }), { id })
  assert.equal(context.deduplicate('public.t', '{"id":1}'), false, 'before the open watermark the read is newer')
  assert.equal(context.openWindow('old-chunk-open'), false, "another chunk's watermark is ignored")
  assert.equal(context.openWindow('c1-open'), true)
  assert.equal(context.deduplicate('public.other', '{"id":2}'), false, 'another table')
  assert.equal(context.deduplicate('public.t', '{"id":2}'), true)
  assert.equal(context.deduplicate('public.t', '{"id":9}'), false, 'a key not in the chunk')
  assert.equal(context.closeWindow('c1-close'), true)
  assert.equal(
    context.deduplicate('public.t', '{"id":3}'),
    false,
    'after the close watermark the change follows the read',
  )
  assert.deepEqual([...context.window.keys()], ['{"id":1}', '{"id":3}'])
})

test("chunk bounds are Debezium's expanded comparisons, one parameter per placeholder", () => {
  assert.equal(keyBound(['id'], 1), '("id" > $1)')
  assert.equal(keyBound(['a', 'b'], 3), '(("a" > $3) OR ("a" = $4 AND "b" > $5))')
  assert.deepEqual(
    keyBoundParams([
      { java: 'Integer', text: '1' },
      { java: 'String', text: 'x' },
    ]),
    ['1', '1', 'x'],
  )
})

test('signal.data.collection: schema.table (a database prefix ignored); anything else is refused naming the key', () => {
  const base = { 'topic.prefix': 'p', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd' }
  const ok = parsePostgresCdcConfig({ ...base, 'signal.data.collection': 'mydb.public.debezium_signal' })
  assert.deepEqual(ok.config?.signalTable, { schema: 'public', table: 'debezium_signal' })
  assert.equal(ok.config?.incrementalSnapshotChunkSize, 1024)
  assert.equal(parsePostgresCdcConfig(base).config?.signalTable, null)
  const bad = parsePostgresCdcConfig({ ...base, 'signal.data.collection': 'debezium_signal' })
  assert.match(bad.errors.get('signal.data.collection')?.join() ?? '', /schema\.table/)
  const chunk = parsePostgresCdcConfig({ ...base, 'incremental.snapshot.chunk.size': '0' })
  assert.ok(chunk.errors.has('incremental.snapshot.chunk.size'))
  // The signalling table is captured whatever the include list says.
  const config = parsePostgresCdcConfig({
    ...base,
    'table.include.list': 'public.orders',
    'signal.data.collection': 'public.debezium_signal',
  }).config
  assert.ok(config)
  assert.equal(tableCaptured(config, 'public', 'debezium_signal'), true)
  assert.equal(tableCaptured(config, 'public', 'other'), false)
})
