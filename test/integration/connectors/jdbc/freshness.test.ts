// The JDBC source's freshness facts through the worker's real metrics: only the timestamp modes know when a row
// changed, so bulk and incrementing modes expose no freshness (absent, not 0 nor the poll time) but a poll time.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { JdbcSourceTask } from '../../../../src/connectors/jdbc/source-task.ts'
import type { SourceTaskContext } from '../../../../src/connectors/plugin.ts'
import { getLogger } from '../../../../src/logging.ts'
import { metrics as M } from '../../../../src/metrics/definitions.ts'
import { createWorkerMetrics } from '../../../../src/metrics/worker-metrics.ts'
import { uniqueName } from '../../../support/stack.ts'
import { seriesKey, seriesMap } from '../../../unit/metrics/scrape.ts'
import { baseConfig, MemoryOffsets, pollRecords, sql } from './fakes.ts'

const created: string[] = []
after(async () => {
  for (const t of created) await sql(`DROP TABLE IF EXISTS ${t}`)
})

/** Runs one task of `config` over a fresh 3-row table, reporting into a worker's metrics; returns one scrape. */
async function scrapeAfterPolling(config: Record<string, string>) {
  const table = uniqueName('jdbc_fresh')
  created.push(table)
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, name text,
    updated timestamptz NOT NULL DEFAULT now() - interval '1 minute')`)
  await sql(`INSERT INTO ${table} (name) SELECT 'user' || g FROM generate_series(1, 3) g`)
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'connect-1',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const connector = metrics.connector('jdbc-test', { className: 'JdbcSourceConnector', type: 'source', version: '0' })
  const context: SourceTaskContext = {
    connectorName: 'jdbc-test',
    taskId: 0,
    offsetReader: new MemoryOffsets(),
    log: getLogger('flowscope.test.jdbc'),
    pipeline: connector.pipeline,
  }
  const db = (await sql('SELECT current_database() AS db')).rows[0].db as string
  const task = new JdbcSourceTask()
  await task.start({ ...baseConfig(config), tables: JSON.stringify([[db, 'public', table]]) }, context)
  try {
    assert.equal((await pollRecords(task, 3)).length, 3)
  } finally {
    await task.stop()
  }
  const series = seriesMap((await metrics.render()).body)
  const labels = { connector: 'jdbc-test', table: `public.${table}` }
  return { get: (name: string) => series.get(seriesKey(name, labels)) }
}

describe('source freshness', () => {
  for (const mode of ['bulk', 'incrementing']) {
    test(`${mode} mode exposes no freshness and no change time, only the poll time`, async () => {
      const before = Date.now() / 1000
      const s = await scrapeAfterPolling({ mode, 'incrementing.column.name': 'id' })
      assert.equal(s.get(M.rowsRead.name), 3)
      assert.equal(s.get(M.freshness.name), undefined)
      assert.equal(s.get(M.newestChange.name), undefined)
      const lastPoll = s.get(M.lastPoll.name)
      assert.ok(lastPoll !== undefined && lastPoll >= Math.floor(before), `last poll ${lastPoll}`)
    })
  }

  test('timestamp mode exposes freshness from the timestamp column', async () => {
    const s = await scrapeAfterPolling({ mode: 'timestamp', 'timestamp.column.name': 'updated' })
    const freshness = s.get(M.freshness.name)
    // The rows changed a minute before they were inserted.
    assert.ok(freshness !== undefined && freshness >= 59 && freshness < 600, `freshness ${freshness}`)
    assert.ok(s.get(M.newestChange.name) !== undefined)
  })
})
