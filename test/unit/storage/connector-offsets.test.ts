// A connector's own offsets topic (offsets.storage.topic) in front of the worker's, with both stores on in-memory
// logs: reads prefer the connector's topic and fall back to the worker's; writes go to the connector's topic first
// and then to the worker's, tombstones to the worker's before anything else (Connect's KAFKA-15018 order); a failed
// write to the worker's topic after the connector's succeeded is not the caller's failure.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConnectorOffsetStore, ConnectorOffsetStores } from '../../../src/storage/connector-offsets.ts'
import { OffsetStore } from '../../../src/storage/offset-store.ts'
import { MemoryLog } from '../support/memory-stores.ts'

/** An offset store on an in-memory log that records, in one shared journal, which topic got which key. */
function store(topic: string, journal: string[]): { store: OffsetStore; log: MemoryLog } {
  const s = new OffsetStore()
  const log = new MemoryLog((key, value) => {
    journal.push(`${topic} ${key} ${value === null ? 'null' : value.toString('utf8')}`)
    s.apply(key, value)
  })
  s.attach(log)
  return { store: s, log }
}

const a = { table: 'a' }
const b = { table: 'b' }

test('reads: the connector topic first, the worker topic for partitions it does not hold; all() is the union', async () => {
  const journal: string[] = []
  const own = store('own', journal)
  const global = store('global', journal)
  await global.store.write('c', [
    { partition: a, offset: { id: 1 } },
    { partition: b, offset: { id: 7 } },
  ])
  await own.store.write('c', [{ partition: a, offset: { id: 3 } }])
  const offsets = new ConnectorOffsetStore('own', own.store, global.store)
  assert.deepEqual(offsets.get('c', a), { id: 3 })
  assert.deepEqual(offsets.get('c', b), { id: 7 }, 'fallback to the worker topic')
  assert.equal(offsets.get('c', { table: 'z' }), null)
  assert.deepEqual(
    offsets.all('c').sort((x, y) => String(x.partition.table).localeCompare(String(y.partition.table))),
    [
      { partition: a, offset: { id: 3 } },
      { partition: b, offset: { id: 7 } },
    ],
  )
})

test('writes: tombstones to the worker topic first, then everything to the connector topic, then the rest', async () => {
  const journal: string[] = []
  const own = store('own', journal)
  const global = store('global', journal)
  const offsets = new ConnectorOffsetStore('own', own.store, global.store)
  await offsets.write('c', [
    { partition: a, offset: { id: 4 } },
    { partition: b, offset: null },
  ])
  assert.deepEqual(journal, [
    'global ["c",{"table":"b"}] null',
    'own ["c",{"table":"a"}] {"id":4}',
    'own ["c",{"table":"b"}] null',
    'global ["c",{"table":"a"}] {"id":4}',
  ])
  assert.equal(offsets.get('c', b), null, 'a reset partition does not come back from the worker topic')
})

test("a failed write to the worker topic after the connector's is only logged; a failed tombstone write fails", async () => {
  const journal: string[] = []
  const own = store('own', journal)
  const failing = new OffsetStore()
  failing.attach({
    send: async () => {
      throw new Error('broker gone')
    },
    readToEnd: async () => {},
  })
  const offsets = new ConnectorOffsetStore('own', own.store, failing)
  await offsets.write('c', [{ partition: a, offset: { id: 5 } }])
  assert.deepEqual(offsets.get('c', a), { id: 5 })
  await assert.rejects(offsets.write('c', [{ partition: a, offset: null }]), /broker gone/)
  assert.deepEqual(offsets.get('c', a), { id: 5 }, 'nothing reached the connector topic')
})

test('the lookup: no key or the worker topic → the worker store alone; a topic of its own is opened once', async () => {
  const journal: string[] = []
  const global = store('connect-offsets', journal)
  const opened: string[] = []
  const stores = new ConnectorOffsetStores({
    global: global.store,
    globalTopic: 'connect-offsets',
    open: async (topic) => {
      opened.push(topic)
      return store(topic, journal).store
    },
  })
  const plain = await stores.forConnector({})
  assert.equal(plain.primaryTopic, 'connect-offsets')
  assert.equal(plain.secondary, null)
  assert.equal((await stores.forConnector({ 'offsets.storage.topic': 'connect-offsets' })).secondary, null)
  const [x, y] = await Promise.all([
    stores.forConnector({ 'offsets.storage.topic': ' own-offsets ' }),
    stores.forConnector({ 'offsets.storage.topic': 'own-offsets' }),
  ])
  assert.equal(x.primaryTopic, 'own-offsets')
  assert.equal(x.secondary, global.store)
  await x.write('c', [{ partition: a, offset: { id: 9 } }])
  assert.deepEqual(y.get('c', a), { id: 9 }, 'both connectors share the one store of that topic')
  assert.deepEqual(opened, ['own-offsets'])
})
