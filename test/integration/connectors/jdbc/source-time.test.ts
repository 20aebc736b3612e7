// The source time of each row, from Postgres through the real task loop and producer to the real broker: timestamp
// mode puts the row's change time in the flowscope.source.timestamp header (basis "change"), incrementing mode the
// round's start (basis "poll"), the connector key turns the headers off, and the worker's
// flowscope_source_to_kafka_seconds histogram counts one observation per record Kafka acknowledged.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Consumer } from '@platformatic/kafka'
import { JdbcSourceTask } from '../../../../src/connectors/jdbc/source-task.ts'
import { JsonConverter } from '../../../../src/convert/json-converter.ts'
import { getLogger } from '../../../../src/logging.ts'
import { metrics as M } from '../../../../src/metrics/definitions.ts'
import { FRESHNESS_BUCKETS } from '../../../../src/metrics/freshness-buckets.ts'
import { createWorkerMetrics } from '../../../../src/metrics/worker-metrics.ts'
import { RecordProducer } from '../../../../src/produce/record-producer.ts'
import { SOURCE_TIMESTAMP_BASIS_HEADER, SOURCE_TIMESTAMP_HEADER } from '../../../../src/record/source-time.ts'
import type { ConnectorSettings } from '../../../../src/runtime/connector-config.ts'
import { WorkerSourceTask } from '../../../../src/runtime/worker-source-task.ts'
import type { OffsetStore } from '../../../../src/storage/offset-store.ts'
import { buildTransformChain } from '../../../../src/transform/transformation.ts'
import { testStack, uniqueName } from '../../../support/stack.ts'
import { seriesKey, seriesMap } from '../../../unit/metrics/scrape.ts'
import { baseConfig, MemoryOffsets, sql } from './fakes.ts'

const bootstrapServers = [testStack().bootstrapServers]
const ROWS = 5
const created: string[] = []
after(async () => {
  for (const t of created) await sql(`DROP TABLE IF EXISTS ${t}`)
})

/** A table whose row i changed (column `updated`) 150 − i seconds ago, at a millisecond Postgres stores exactly. */
async function tableWithRows(): Promise<{ table: string; changedMs: number[] }> {
  const table = uniqueName('jdbc_srctime')
  created.push(table)
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, name text, updated timestamptz NOT NULL)`)
  await sql(`INSERT INTO ${table} (name, updated)
    SELECT 'user' || g, date_trunc('milliseconds', now()) - make_interval(secs => 150 - g) FROM generate_series(1, ${ROWS}) g`)
  const rows = await sql(`SELECT (extract(epoch FROM updated) * 1000)::bigint AS ms FROM ${table} ORDER BY id`)
  return { table, changedMs: rows.rows.map((r) => Number(r.ms)) }
}

/** Runs the JDBC task in the worker's task loop until Kafka acknowledged `ROWS` records; returns the scrape. */
async function copyToKafka(table: string, topicPrefix: string, extra: Record<string, string>) {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'srctime-test',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const producer = new RecordProducer({
    bootstrapServers,
    clientId: 'srctime-test',
    overrides: {},
    metrics: metrics.producer,
  })
  const connector = metrics.connector('srctime', { className: 'JdbcSourceConnector', type: 'source', version: '0' })
  const db = (await sql('SELECT current_database() AS db')).rows[0].db as string
  const valueConverter = new JsonConverter()
  valueConverter.configure({}, false)
  const keyConverter = new JsonConverter()
  keyConverter.configure({}, true)
  const taskMetrics = metrics.task('srctime', 0)
  const task = new WorkerSourceTask({
    connector: 'srctime',
    taskId: 0,
    task: new JdbcSourceTask(),
    config: {
      ...baseConfig({ 'topic.prefix': topicPrefix, ...extra }),
      tables: JSON.stringify([[db, 'public', table]]),
    },
    settings: { retryTimeoutMs: 0, retryDelayMaxMs: 1000, toleranceAll: false, logErrors: false } as ConnectorSettings,
    keyConverter,
    valueConverter,
    transforms: buildTransformChain({}, []),
    producer,
    offsets: { write: async () => {} } as unknown as OffsetStore,
    context: { offsetReader: new MemoryOffsets(), pipeline: connector.pipeline },
    metrics: taskMetrics,
    log: getLogger('test.srctime'),
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 30_000,
    paused: false,
    onStatus: () => {},
    onTopic: async () => {},
  })
  const written = () =>
    seriesMap(metricsText).get(seriesKey(M.sourceRecordWriteTotal.name, { connector: 'srctime', task: '0' }))
  let metricsText = ''
  try {
    await task.start()
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      metricsText = (await metrics.render()).body
      if ((written() ?? 0) >= ROWS) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await task.stop()
  } finally {
    await producer.close()
  }
  assert.ok(!task.failed, 'the task did not fail')
  metricsText = (await metrics.render()).body
  const series = seriesMap(metricsText)
  return {
    written: written(),
    get: (name: string, labels: Record<string, string>) =>
      series.get(seriesKey(name, { connector: 'srctime', table: `public.${table}`, ...labels })),
  }
}

/** Every record of `topic` (one partition) with its headers as text. */
async function readTopic(topic: string, count: number) {
  const consumer = new Consumer({
    clientId: 'srctime-reader',
    groupId: uniqueName('srctime_reader'),
    bootstrapBrokers: bootstrapServers,
    autocommit: false,
    maxWaitTime: 200,
  })
  const out: { headers: Map<string, string> }[] = []
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    try {
      for await (const message of stream) {
        const headers = new Map<string, string>()
        for (const [k, v] of message.headerEntries) {
          headers.set(Buffer.from(k as Buffer).toString('utf8'), Buffer.from(v as Buffer).toString('utf8'))
        }
        out.push({ headers })
        if (out.length >= count) break
      }
    } finally {
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
  return out
}

const H = M.sourceToKafka.name

test('timestamp mode: each record carries its row’s change time; the histogram counts every acknowledged record', async () => {
  const { table, changedMs } = await tableWithRows()
  const prefix = `${uniqueName('srctime')}-`
  const started = Date.now()
  const s = await copyToKafka(table, prefix, { mode: 'timestamp', 'timestamp.column.name': 'updated' })
  const finished = Date.now()
  const records = await readTopic(prefix + table, ROWS)
  assert.deepEqual(
    records.map((r) => [r.headers.get(SOURCE_TIMESTAMP_HEADER), r.headers.get(SOURCE_TIMESTAMP_BASIS_HEADER)]),
    changedMs.map((ms) => [String(ms), 'change']),
  )
  assert.equal(s.written, ROWS)
  const basis = { basis: 'change' }
  assert.equal(s.get(`${H}_count`, basis), ROWS)
  // Row i changed 150 − i s before the copy: every observation lies between 145 s and 150 s + the copy's duration.
  const sum = s.get(`${H}_sum`, basis) ?? Number.NaN
  const low = changedMs.reduce((a, ms) => a + (started - ms) / 1000, 0)
  const high = changedMs.reduce((a, ms) => a + (finished - ms) / 1000, 0)
  assert.ok(sum >= low - 0.01 && sum <= high + 0.01, `sum ${sum} not within [${low}, ${high}]`)
  assert.equal(s.get(`${H}_bucket`, { ...basis, le: '120' }), 0)
  assert.equal(s.get(`${H}_bucket`, { ...basis, le: '300' }), ROWS)
  assert.equal(s.get(`${H}_bucket`, { ...basis, le: '+Inf' }), ROWS)
  assert.equal(s.get(`${H}_count`, { basis: 'poll' }), undefined)
  // One series per bucket bound, plus +Inf.
  const buckets = FRESHNESS_BUCKETS.map((b) => s.get(`${H}_bucket`, { ...basis, le: String(b) }))
  assert.ok(buckets.every((b) => b !== undefined))
})

test('incrementing mode: basis "poll"; with the headers switched off the records carry none, the histogram still counts', async () => {
  const { table } = await tableWithRows()
  const prefix = `${uniqueName('srctime')}-`
  const s = await copyToKafka(table, prefix, { mode: 'incrementing', 'flowscope.source.timestamp.headers': 'false' })
  const records = await readTopic(prefix + table, ROWS)
  assert.equal(records.length, ROWS)
  for (const r of records) assert.deepEqual([...r.headers.keys()], [])
  assert.equal(s.get(`${H}_count`, { basis: 'poll' }), ROWS)
  // Poll basis: from the round's start to the ack, far below the rows' age (~150 s).
  assert.ok((s.get(`${H}_sum`, { basis: 'poll' }) ?? Number.NaN) / ROWS < 30)
  assert.equal(s.get(`${H}_count`, { basis: 'change' }), undefined)
})

test('incrementing mode with the default: the poll-time headers are on', async () => {
  const { table } = await tableWithRows()
  const prefix = `${uniqueName('srctime')}-`
  const before = Date.now()
  await copyToKafka(table, prefix, { mode: 'incrementing' })
  const after = Date.now()
  const records = await readTopic(prefix + table, ROWS)
  for (const r of records) {
    assert.equal(r.headers.get(SOURCE_TIMESTAMP_BASIS_HEADER), 'poll')
    const ms = Number(r.headers.get(SOURCE_TIMESTAMP_HEADER))
    assert.ok(ms >= before && ms <= after, `poll time ${ms} not within the copy [${before}, ${after}]`)
  }
})
