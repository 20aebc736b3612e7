// The shared test stack is real: Postgres answers SQL with wal_level=logical, and the broker answers metadata.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import pg from 'pg'
import { testStack } from '../../support/stack.ts'

test('Postgres from the test stack runs with wal_level=logical', async () => {
  const client = new pg.Client({ connectionString: testStack().postgresUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level')
    assert.equal(rows[0].wal_level, 'logical')
  } finally {
    await client.end()
  }
})

test('Kafka from the test stack answers metadata with one broker', async () => {
  const admin = new Admin({ clientId: 'test', bootstrapBrokers: [testStack().bootstrapServers] })
  try {
    const meta = await admin.metadata({ topics: [] })
    assert.equal(meta.brokers.size, 1)
  } finally {
    await admin.close()
  }
})

test('the broker exports JMX metrics for Prometheus', async (t) => {
  const address = testStack().brokerMetricsAddress
  if (!address) return t.diagnostic('external Kafka: no JMX exporter to check')
  const body = await (await fetch(`http://${address}/metrics`)).text()
  assert.match(body, /^jvm_/m)
})
