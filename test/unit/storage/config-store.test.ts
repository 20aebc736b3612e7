import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigStore } from '../../../src/storage/config-store.ts'

const json = (value: unknown) => Buffer.from(JSON.stringify(value))
const props = { 'connector.class': 'X', 'topic.prefix': 'p-' }

test('task configs take effect at their commit, with Connect record shapes', () => {
  const store = new ConfigStore()
  const changes: string[] = []
  store.onChange = (c) => changes.push(`${c.kind}:${c.name}`)
  store.apply('connector-a', json({ properties: props }))
  store.apply('task-a-0', json({ properties: { ...props, t: '0' } }))
  store.apply('task-a-1', json({ properties: { ...props, t: '1' } }))
  assert.deepEqual(store.taskConfigs('a'), [], 'not before the commit')
  store.apply('commit-a', json({ tasks: 2 }))
  assert.deepEqual(
    store.taskConfigs('a').map((c) => c.t),
    ['0', '1'],
  )
  assert.deepEqual(changes, ['connector:a', 'tasks:a'])
})

test('interleaved writers (task, task, commit, commit): the second commit does not wipe the applied configs', () => {
  // The very sequence a SIGKILLed worker left in its config topic: two task-config writes ran concurrently.
  const store = new ConfigStore()
  store.apply('connector-a', json({ properties: props }))
  store.apply('task-a-0', json({ properties: { ...props, tables: '["x"]' } }))
  store.apply('task-a-0', json({ properties: { ...props, tables: '["x"]' } }))
  store.apply('commit-a', json({ tasks: 1 }))
  store.apply('commit-a', json({ tasks: 1 }))
  assert.deepEqual(store.taskConfigs('a'), [{ ...props, tables: '["x"]' }])
})

test('an incomplete set keeps the last complete one; a later complete set replaces it', () => {
  const store = new ConfigStore()
  store.apply('task-a-0', json({ properties: { v: 'old0' } }))
  store.apply('commit-a', json({ tasks: 1 }))
  store.apply('task-a-1', json({ properties: { v: 'new1' } })) // task 0 of the new set is missing (compacted)
  store.apply('commit-a', json({ tasks: 2 }))
  assert.deepEqual(store.taskConfigs('a'), [{ v: 'old0' }])
  store.apply('task-a-0', json({ properties: { v: 'new0' } }))
  store.apply('task-a-1', json({ properties: { v: 'new1' } }))
  store.apply('commit-a', json({ tasks: 2 }))
  assert.deepEqual(store.taskConfigs('a'), [{ v: 'new0' }, { v: 'new1' }])
  store.apply('commit-a', json({ tasks: 0 }))
  assert.deepEqual(store.taskConfigs('a'), [], 'a commit of zero tasks is complete by itself')
})
