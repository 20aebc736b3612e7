// Each mode against real Postgres: what it captures, what it does not, resuming from a committed offset, query mode
// and batch.max.rows chunking.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { uniqueName } from '../../../support/stack.ts'
import { baseConfig, drain, MemoryOffsets, pollRecords, sql, startTask, values } from './fakes.ts'

const created: string[] = []
after(async () => {
  for (const t of created) await sql(`DROP TABLE IF EXISTS ${t}`)
})

async function usersTable(rows = 0): Promise<string> {
  const name = uniqueName('jdbc_users')
  created.push(name)
  await sql(`CREATE TABLE ${name} (
    id serial PRIMARY KEY, name varchar(256), age integer,
    updated timestamptz NOT NULL DEFAULT now() - interval '1 minute')`)
  if (rows > 0) await sql(`INSERT INTO ${name} (name, age) SELECT 'user' || g, g FROM generate_series(1, ${rows}) g`)
  return name
}

const ids = (records: { value?: unknown }[]) => values(records as never).map((v) => v.id)

describe('bulk mode', () => {
  test('re-reads every row each round, sees inserts, updates and deletes, and has empty offsets', async () => {
    const table = await usersTable(3)
    const { task } = await startTask(baseConfig({ mode: 'bulk' }), [table])
    try {
      const first = await pollRecords(task, 3)
      assert.deepEqual(ids(first), [1, 2, 3])
      assert.deepEqual(first[0].sourceOffset, {})
      assert.equal(first[0].topic, `test-${table}`)
      await sql(`UPDATE ${table} SET name = 'changed' WHERE id = 1; DELETE FROM ${table} WHERE id = 3`)
      const second = await pollRecords(task, 2)
      assert.deepEqual(ids(second).sort(), [1, 2])
      assert.equal(values(second).find((v) => v.id === 1)?.name, 'changed')
    } finally {
      await task.stop()
    }
  })
})

describe('incrementing mode', () => {
  test('emits only rows with a larger id, never an update, nothing twice', async () => {
    const table = await usersTable(2)
    const { task, pipeline } = await startTask(baseConfig({ mode: 'incrementing' }), [table])
    try {
      const first = await pollRecords(task, 2)
      assert.deepEqual(ids(first), [1, 2])
      assert.deepEqual(first[1].sourceOffset, { incrementing: 2 })
      assert.deepEqual(first[1].sourcePartition, {
        protocol: '1',
        table: `${(await sql('SELECT current_database() AS d')).rows[0].d}.public.${table}`,
      })
      await sql(`UPDATE ${table} SET name = 'ignored' WHERE id = 1`)
      await sql(`INSERT INTO ${table} (name) VALUES ('third')`)
      const second = await drain(task, 6)
      assert.deepEqual(ids(second), [3])
      assert.ok(pipeline.reads.every((r) => r.table === `public.${table}`))
      assert.ok(pipeline.pending.some((p) => p.rows === 2))
    } finally {
      await task.stop()
    }
  })

  test('resumes after the committed offset without re-emitting or skipping', async () => {
    const table = await usersTable(3)
    const offsets = new MemoryOffsets()
    const config = baseConfig({ mode: 'incrementing', 'incrementing.column.name': 'id' })
    const run1 = await startTask(config, [table], offsets)
    const first = await pollRecords(run1.task, 3)
    await run1.task.stop()
    offsets.commitRecords(first.slice(0, 2))
    await sql(`INSERT INTO ${table} (name) VALUES ('four')`)
    const run2 = await startTask(config, [table], offsets)
    try {
      assert.deepEqual(ids(await drain(run2.task, 6)), [3, 4])
    } finally {
      await run2.task.stop()
    }
  })
})

describe('timestamp mode', () => {
  test('emits inserts and updates once each, in timestamp order, with microsecond offsets', async () => {
    const table = await usersTable(2)
    await sql(`UPDATE ${table} SET updated = '2024-01-01 00:00:00.123456+00' WHERE id = 1`)
    await sql(`UPDATE ${table} SET updated = '2024-01-01 00:00:01+00' WHERE id = 2`)
    const { task, pipeline } = await startTask(baseConfig({ mode: 'timestamp', 'timestamp.column.name': 'updated' }), [
      table,
    ])
    try {
      const first = await pollRecords(task, 2)
      assert.deepEqual(ids(first), [1, 2])
      assert.deepEqual(first[0].sourceOffset, { timestamp_nanos: 123456000, timestamp: 1704067200123 })
      assert.equal(pipeline.reads[0].newestChangeMs, Date.parse('2024-01-01T00:00:01Z'))
      await sql(`UPDATE ${table} SET name = 'moved', updated = now() - interval '1 second' WHERE id = 1`)
      await sql(`INSERT INTO ${table} (name) VALUES ('three')`)
      const second = await drain(task, 6)
      assert.deepEqual(ids(second).sort(), [1, 3])
      assert.equal(values(second).find((v) => v.id === 1)?.name, 'moved')
    } finally {
      await task.stop()
    }
  })

  test('resumes after the committed timestamp', async () => {
    const table = await usersTable(3)
    await sql(`UPDATE ${table} SET updated = '2024-01-01'::timestamptz + id * interval '1 second'`)
    const offsets = new MemoryOffsets()
    const config = baseConfig({ mode: 'timestamp', 'timestamp.column.name': 'updated' })
    const run1 = await startTask(config, [table], offsets)
    const first = await pollRecords(run1.task, 3)
    await run1.task.stop()
    offsets.commitRecords(first.slice(0, 1))
    const run2 = await startTask(config, [table], offsets)
    try {
      assert.deepEqual(ids(await drain(run2.task, 6)), [2, 3])
    } finally {
      await run2.task.stop()
    }
  })

  test('timestamp.delay.interval.ms holds back rows newer than now − delay', async () => {
    const table = await usersTable(0)
    await sql(`INSERT INTO ${table} (name, updated) VALUES ('old', now() - interval '1 hour'), ('fresh', now())`)
    const config = baseConfig({
      mode: 'timestamp',
      'timestamp.column.name': 'updated',
      'timestamp.delay.interval.ms': '600000',
    })
    const { task } = await startTask(config, [table])
    try {
      assert.deepEqual(
        values(await drain(task, 4)).map((v) => v.name),
        ['old'],
      )
    } finally {
      await task.stop()
    }
  })
})

describe('timestamp+incrementing mode', () => {
  test('separates rows sharing a timestamp by id, sees updates, nothing twice', async () => {
    const table = await usersTable(3)
    await sql(`UPDATE ${table} SET updated = '2024-01-01 00:00:00+00'`)
    const config = baseConfig({ mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated' })
    const offsets = new MemoryOffsets()
    const run1 = await startTask({ ...config, 'batch.max.rows': '2' }, [table], offsets)
    const first = await pollRecords(run1.task, 2)
    assert.deepEqual(ids(first), [1, 2])
    assert.deepEqual(first[1].sourceOffset, { timestamp_nanos: 0, incrementing: 2, timestamp: 1704067200000 })
    await run1.task.stop()
    offsets.commitRecords(first)
    // Restart from id 2 at the shared timestamp: only id 3 of that instant is left.
    const run2 = await startTask(config, [table], offsets)
    try {
      assert.deepEqual(ids(await drain(run2.task, 4)), [3])
      await sql(`UPDATE ${table} SET name = 'upd', updated = now() - interval '1 second' WHERE id = 1`)
      const again = await drain(run2.task, 6)
      assert.deepEqual(ids(again), [1])
      assert.equal(values(again)[0].name, 'upd')
    } finally {
      await run2.task.stop()
    }
  })
})

describe('query mode', () => {
  test('reads the query into topic.prefix alone under the query partition', async () => {
    const table = await usersTable(4)
    const config = baseConfig({
      mode: 'incrementing',
      query: `SELECT id, upper(name) AS shout FROM ${table}`,
      'incrementing.column.name': 'id',
      'topic.prefix': 'query-topic',
    })
    const { task } = await startTask(config, [])
    try {
      const records = await pollRecords(task, 4)
      assert.deepEqual(ids(records), [1, 2, 3, 4])
      assert.equal(records[0].topic, 'query-topic')
      assert.deepEqual(records[0].sourcePartition, { query: 'query' })
      assert.deepEqual(values(records)[0], { id: 1, shout: 'USER1' })
      assert.equal(records[0].valueSchema?.name, undefined)
      assert.equal(records[0].valueSchema?.fields?.[0].schema.optional, false)
    } finally {
      await task.stop()
    }
  })
})

describe('batch.max.rows', () => {
  test('a poll returns at most batch.max.rows records and the next poll continues the same cursor', async () => {
    const table = await usersTable(25)
    const { task } = await startTask(baseConfig({ mode: 'incrementing', 'batch.max.rows': '10' }), [table])
    try {
      const signal = new AbortController().signal
      const sizes: number[] = []
      const all: number[] = []
      for (let i = 0; i < 3; i++) {
        const batch = await task.poll(signal)
        sizes.push(batch.length)
        all.push(...(ids(batch) as number[]))
      }
      assert.deepEqual(sizes, [10, 10, 5])
      assert.deepEqual(
        all,
        Array.from({ length: 25 }, (_, i) => i + 1),
      )
    } finally {
      await task.stop()
    }
  })

  test('poll returns promptly when aborted while waiting for the next round', async () => {
    const table = await usersTable(1)
    const { task } = await startTask(baseConfig({ mode: 'incrementing', 'poll.interval.ms': '60000' }), [table])
    try {
      await pollRecords(task, 1)
      const controller = new AbortController()
      const started = Date.now()
      setTimeout(() => controller.abort(), 50)
      assert.deepEqual(await task.poll(controller.signal), [])
      assert.ok(Date.now() - started < 5000)
    } finally {
      await task.stop()
    }
  })
})
