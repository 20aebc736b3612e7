import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { upWorkerConfig } from '../../../src/cli/up-worker-config.ts'

function propertiesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flowscope-up-')), 'worker.properties')
  writeFileSync(file, text)
  return file
}

const stack = { bootstrap: ['127.0.0.1:19092'], restPort: 18083 }

test("up's local defaults apply when nothing else sets those keys", () => {
  const c = upWorkerConfig({ ...stack, env: {}, localBroker: true })
  assert.equal(c.get('group.id'), 'compose-connect-group')
  assert.equal(c.get('offset.flush.interval.ms'), 10000)
  assert.equal(c.advertisedHost, 'localhost')
  assert.equal(c.get('config.storage.replication.factor'), 1)
  assert.equal(c.get('offset.storage.replication.factor'), 1)
  assert.equal(c.get('status.storage.replication.factor'), 1)
  // Below up's defaults: Connect's.
  assert.equal(c.get('offset.flush.timeout.ms'), 5000)
  assert.equal(c.get('offset.storage.partitions'), 25)
  // Forced by up.
  assert.deepEqual(c.get('bootstrap.servers'), ['127.0.0.1:19092'])
  assert.deepEqual(c.listeners, [{ protocol: 'http', host: '127.0.0.1', port: 18083 }])
})

test('against an existing cluster up keeps Connect’s replication factors', () => {
  const c = upWorkerConfig({ ...stack, env: {}, localBroker: false })
  assert.equal(c.get('config.storage.replication.factor'), 3)
  assert.equal(c.get('status.storage.replication.factor'), 3)
  assert.equal(c.get('group.id'), 'compose-connect-group')
})

test('precedence: defaults < up local defaults < --worker-config file < CONNECT_* env < up overrides', () => {
  const file = propertiesFile(
    [
      // The bug of issue #13: these two were overwritten by up's local defaults.
      'group.id=from-file',
      'offset.flush.interval.ms=1234',
      // A file value over a Connect default.
      'status.storage.partitions=7',
      // Over up's local default, then under the environment.
      'config.storage.replication.factor=2',
      'offset.storage.replication.factor=2',
      // Under up's forced values.
      'bootstrap.servers=file-broker:9092',
      'listeners=http://:9999',
    ].join('\n'),
  )
  const c = upWorkerConfig({
    ...stack,
    file,
    localBroker: true,
    env: {
      CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '-1',
      CONNECT_REST_ADVERTISED_HOST_NAME: 'from-env',
      CONNECT_BOOTSTRAP_SERVERS: 'env-broker:9092',
    },
  })
  assert.equal(c.get('group.id'), 'from-file')
  assert.equal(c.get('offset.flush.interval.ms'), 1234)
  assert.equal(c.get('status.storage.partitions'), 7)
  assert.equal(c.get('offset.storage.partitions'), 25, 'Connect default where nothing else sets it')
  assert.equal(c.get('config.storage.replication.factor'), 2, 'file over up local default')
  assert.equal(c.get('status.storage.replication.factor'), 1, 'up local default over Connect default')
  assert.equal(c.get('offset.storage.replication.factor'), -1, 'env over file')
  assert.equal(c.advertisedHost, 'from-env', 'env over up local default')
  assert.deepEqual(c.get('bootstrap.servers'), ['127.0.0.1:19092'], 'up override over env and file')
  assert.equal(c.restPort, 18083, 'up override over file')
})

test('CONNECT_* env wins over up local defaults', () => {
  const c = upWorkerConfig({
    ...stack,
    localBroker: true,
    env: { CONNECT_GROUP_ID: 'from-env', CONNECT_OFFSET_FLUSH_INTERVAL_MS: '2500' },
  })
  assert.equal(c.get('group.id'), 'from-env')
  assert.equal(c.get('offset.flush.interval.ms'), 2500)
})

test("an invalid file value names the file, not up's default", () => {
  const file = propertiesFile('offset.flush.interval.ms=0\n')
  assert.throws(
    () => upWorkerConfig({ ...stack, file, env: {}, localBroker: true }),
    new RegExp(`offset\\.flush\\.interval\\.ms \\(from ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`),
  )
})
