import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigStore } from '../../../src/storage/config-store.ts'
import { memoryStores } from '../support/memory-stores.ts'

const json = (value: unknown) => Buffer.from(JSON.stringify(value))
const props = { 'connector.class': 'X', 'topic.prefix': 'p-' }

test('task configs take effect at their commit, with Connect record shapes', () => {
  const store = new ConfigStore()
  const changes: string[] = []
  store.onChange = (c) => changes.push(c.kind === 'session-key' ? c.kind : `${c.kind}:${c.name}`)
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

test("session-key records: Connect's schemaless JSON read and written; a malformed one keeps the previous key", async () => {
  const { configs, logs } = memoryStores()
  const changes: string[] = []
  configs.onChange = (c) => changes.push(c.kind)
  assert.equal(configs.sessionKey(), undefined)
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
  await configs.putSessionKey({ key, algorithm: 'HmacSHA256', creationTimestamp: 1764770000123 })
  // The shape Connect's KafkaConfigBackingStore writes (SESSION_KEY_V0 through the JsonConverter, schemas disabled).
  assert.deepEqual(logs.configs.records.at(-1), {
    key: 'session-key',
    value: { key: key.toString('base64'), algorithm: 'HmacSHA256', 'creation-timestamp': 1764770000123 },
  })
  assert.deepEqual(configs.sessionKey(), { key, algorithm: 'HmacSHA256', creationTimestamp: 1764770000123 })
  assert.deepEqual(changes, ['session-key'])

  assert.throws(
    () => configs.apply('session-key', json({ key: 'AAAA', algorithm: 'HmacSHA256' })),
    /creation-timestamp/,
  )
  assert.throws(() => configs.apply('session-key', json({ key: 5, algorithm: 'x', 'creation-timestamp': 1 })), /'key'/)
  assert.throws(() => configs.apply('session-key', null), /unexpectedly null/)
  assert.deepEqual(configs.sessionKey()?.key, key, 'the last good key stays')
})

test("task-count records (KIP-618): Connect's key and value, and fencing pending from task configs to the next record", async () => {
  const { configs, logs } = memoryStores()
  await configs.putConnectorConfig('a', props, 'STARTED')
  assert.equal(configs.taskCountRecord('a'), undefined)
  assert.equal(configs.pendingFencing('a'), false)
  assert.equal(configs.taskConfigGeneration('a'), undefined)

  await configs.putTaskConfigs('a', [{ t: '0' }, { t: '1' }])
  assert.equal(configs.pendingFencing('a'), true, 'task configs after the latest task-count record (none yet)')
  assert.equal(configs.taskConfigGeneration('a'), 0)

  await configs.putTaskCountRecord('a', 2)
  assert.deepEqual(logs.configs.records.at(-1), { key: 'tasks-fencing-a', value: { 'task-count': 2 } })
  assert.equal(configs.taskCountRecord('a'), 2)
  assert.equal(configs.pendingFencing('a'), false)

  await configs.putTaskConfigs('a', [{ t: '0' }])
  assert.equal(configs.pendingFencing('a'), true)
  assert.equal(configs.taskCountRecord('a'), 2, 'the latest record stays until the next one')
  assert.equal(configs.taskConfigGeneration('a'), 1)
  await configs.putTaskCountRecord('a', 1)
  assert.equal(configs.taskCountRecord('a'), 1)
  assert.equal(configs.pendingFencing('a'), false)
})

test('task-count records as Connect writes them: read from raw bytes; an incomplete commit still makes fencing pending', () => {
  const store = new ConfigStore()
  store.apply('connector-a', json({ properties: props }))
  // Connect's JsonConverter (schemas.enable=false) bytes for TASK_COUNT_RECORD_V0.
  store.apply('tasks-fencing-a', Buffer.from('{"task-count":3}'))
  assert.equal(store.taskCountRecord('a'), 3)
  assert.equal(store.pendingFencing('a'), false)
  store.apply('task-a-1', json({ properties: { t: '1' } }))
  store.apply('commit-a', json({ tasks: 2 })) // task 0 compacted away: not applied
  assert.deepEqual(store.taskConfigs('a'), [])
  assert.equal(store.taskConfigGeneration('a'), undefined, 'no complete set yet')
  assert.equal(store.pendingFencing('a'), true, 'as KafkaConfigBackingStore: any commit after the record')
  store.apply('tasks-fencing-a', json({ 'task-count': 'x' }))
  assert.equal(store.taskCountRecord('a'), 3, 'a record without a whole task-count is ignored')
  assert.equal(store.pendingFencing('a'), true)
})

test('task-count records outlive the connector (a new connector of the name fences the old ids); commits of unknown connectors set nothing pending', () => {
  const store = new ConfigStore()
  store.apply('connector-a', json({ properties: props }))
  store.apply('tasks-fencing-a', json({ 'task-count': 2 }))
  store.apply('connector-a', null)
  assert.equal(store.taskCountRecord('a'), 2)
  store.apply('task-b-0', json({ properties: { t: '0' } }))
  store.apply('commit-b', json({ tasks: 1 }))
  assert.equal(store.pendingFencing('b'), false)
})
