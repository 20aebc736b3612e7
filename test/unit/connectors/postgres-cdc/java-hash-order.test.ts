// java.util.HashMap's iteration order, which Debezium's END events (data_collections) and hstore JSON follow. The
// expected orders were printed by a JDK 17 HashMap<String, …> filled the same way.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  JavaHashMap,
  javaHashMapOrder,
  javaStringHash,
} from '../../../../src/connectors/postgres-cdc/java-hash-order.ts'

const keysOf = (keys: string[]) => javaHashMapOrder(keys.map((k) => [k, 1])).map(([k]) => k)

test('String.hashCode over UTF-16 code units, wrapping at 32 bits', () => {
  assert.equal(javaStringHash(''), 0)
  assert.equal(javaStringHash('public.orders'), 762281482)
  assert.equal(javaStringHash('é€'), 15587)
  assert.equal(javaStringHash('Aa'), javaStringHash('BB'))
})

test('iteration order of a new HashMap: by bin, then insertion order within a bin', () => {
  assert.deepEqual(keysOf(['public.orders', 'public.customers', 'inventory.items']), [
    'public.orders',
    'public.customers',
    'inventory.items',
  ])
  assert.deepEqual(keysOf(['b', 'a', 'key 1', 'é', '10', '2', 'zz']), ['zz', 'a', 'b', '2', 'key 1', 'é', '10'])
  // Eight keys with one hash share a bin (in insertion order); the ninth would make the table grow.
  assert.deepEqual(
    keysOf([
      'AaAaAa',
      'AaAaBB',
      'AaBBAa',
      'AaBBBB',
      'BBAaAa',
      'BBAaBB',
      'BBBBAa',
      'BBBBBB',
      'AaAa',
      'BBBB',
      'AaBB',
      'x',
    ]),
    ['AaAaAa', 'AaAaBB', 'AaBBAa', 'AaBBBB', 'BBAaAa', 'BBAaBB', 'BBBBAa', 'BBBBBB', 'x', 'AaAa', 'BBBB', 'AaBB'],
  )
})

test('the table doubles past 3/4 full (30 keys: 64 bins), and clear() keeps its size', () => {
  const map = new JavaHashMap<number>()
  for (let i = 0; i < 30; i++) map.set(`public.t${i}`, i)
  assert.deepEqual(
    map.keys(),
    '25,26,23,24,29,27,28,8,7,9,4,3,6,5,0,21,22,2,1,20,14,15,12,13,18,19,16,17,10,11'
      .split(',')
      .map((n) => `public.t${n}`),
  )
  assert.equal(map.get('public.t7'), 7)
  map.clear()
  assert.equal(map.size, 0)
  for (const key of ['public.orders', 'public.customers', 'inventory.items']) map.set(key, 1)
  // Same three keys as a new map above, in another order: 64 bins spread them differently than 16.
  assert.deepEqual(map.keys(), ['public.customers', 'public.orders', 'inventory.items'])
  map.set('public.orders', 5)
  assert.deepEqual(map.entries()[1], ['public.orders', 5], 'replacing a value keeps its place')
})
