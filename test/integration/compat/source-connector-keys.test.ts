// The KIP-618 source connector keys in a validate answer, from a real Apache Kafka Connect 4.1.1 worker and a
// flowscope worker (neither with exactly-once source support): the same definitions (name, type, default, group,
// order, display name) and the same errors for `exactly.once.support=required` (the worker's and the connector's
// refusal: FileStream and flowscope's JDBC source in bulk mode both answer UNSUPPORTED),
// `transaction.boundary=connector` and an empty `offsets.storage.topic`. Documentation strings differ on purpose
// (flowscope says what it does with each key).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ConfigInfos } from '../../../src/config/config-def.ts'
import { createTable, jdbcConfig, sql, startTestWorker, type TestWorker, workerIdentity } from '../worker/helpers.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

let upstream: UpstreamConnect
let flowscope: TestWorker
let table: string

before(async () => {
  table = await createTable('kip618')
  ;[upstream, flowscope] = await Promise.all([
    startUpstreamConnect(),
    workerIdentity('kip618').then((identity) => startTestWorker(identity)),
  ])
})

after(async () => {
  await flowscope?.worker.stop()
  await upstream?.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
})

const KEYS =
  /^(exactly\.once\.support|transaction\.boundary|transaction\.boundary\.interval\.ms|offsets\.storage\.topic)$/

test('exactly.once.support, transaction.boundary and offsets.storage.topic: same definitions and errors as Connect', async () => {
  const settings = {
    name: 'kip618',
    'exactly.once.support': 'required',
    'transaction.boundary': 'connector',
    'offsets.storage.topic': '',
  }
  const [a, b] = await Promise.all([
    upstream.request('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      topic: 'kip618',
      ...settings,
    }),
    flowscope.request('PUT', '/connector-plugins/JdbcSourceConnector/config/validate', {
      ...jdbcConfig(table, { mode: 'bulk' }),
      ...settings,
    }),
  ])
  assert.equal(a.status, 200, a.text)
  assert.equal(b.status, 200, b.text)
  const entries = (infos: ConfigInfos) =>
    infos.configs
      .filter((c) => KEYS.test(c.definition.name))
      .map((c) => ({ ...c.definition, documentation: undefined, errors: c.value.errors }))
      .sort((x, y) => x.name.localeCompare(y.name))
  const theirs = entries(a.body as ConfigInfos)
  assert.equal(theirs.length, 4, 'Connect lists the four keys on a worker without exactly-once support')
  assert.ok(theirs.every((e) => e.name === 'transaction.boundary.interval.ms' || e.errors.length > 0))
  assert.deepEqual(entries(b.body as ConfigInfos), theirs)
})
