// Kafka Connect's REST contract (test/support/rest-contract.ts) against a real worker: real Kafka-backed stores,
// the JDBC source connector on a real Postgres table.
import { after } from 'node:test'
import { jdbcSourcePlugin } from '../../../src/connectors/jdbc/index.ts'
import { restContract } from '../../support/rest-contract.ts'
import { createTable, jdbcConfig, sql, startTestWorker, type TestWorker, workerIdentity } from './helpers.ts'

const MAX_BODY_BYTES = 64 * 1024

let running: TestWorker | undefined
let table: string | undefined

after(async () => {
  await running?.worker.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
})

restContract('REST contract against a real worker', async () => {
  table = await createTable('contract')
  await sql(`INSERT INTO ${table} (v) VALUES ('a'), ('b')`)
  running = await startTestWorker(
    await workerIdentity('contract', { 'flowscope.rest.max.body.bytes': String(MAX_BODY_BYTES) }),
  )
  const source = table
  return {
    request: running.request,
    // GET /connector-plugins lists the implementing class (as Connect does), not the Confluent alias that
    // validConfig() uses as connector.class.
    connectorClass: jdbcSourcePlugin.className,
    validConfig: () => jdbcConfig(source, { 'poll.interval.ms': '1000' }),
    invalidConfig: () => ({ mode: 'sometimes', 'tasks.max': 'many', 'poll.interval.ms': 'soon' }),
    maxBodyBytes: MAX_BODY_BYTES,
    metricsEnabled: true,
    settleMs: 15_000,
  }
})
