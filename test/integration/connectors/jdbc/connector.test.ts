// The connector against real Postgres: table discovery (a new table and a dropped table trigger task
// reconfiguration; a dropped table stops without failing its task), task assignment, validation answers, and
// connection loss.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { jdbcSourcePlugin } from '../../../../src/connectors/jdbc/index.ts'
import { JdbcSourceConnector } from '../../../../src/connectors/jdbc/source-connector.ts'
import { JdbcSourceTask } from '../../../../src/connectors/jdbc/source-task.ts'
import { RetriableError } from '../../../../src/errors.ts'
import { uniqueName } from '../../../support/stack.ts'
import { baseConfig, connectorContext, drain, pollRecords, sql, startTask, taskContext } from './fakes.ts'

const created: string[] = []
after(async () => {
  for (const t of created) await sql(`DROP TABLE IF EXISTS ${t}`)
})

async function table(prefix: string, extra = ''): Promise<string> {
  const name = uniqueName(prefix)
  created.push(name)
  await sql(`CREATE TABLE ${name} (id serial PRIMARY KEY, v text${extra})`)
  return name
}

test('discovers tables, spreads them round-robin over tasks, and reconfigures when tables come and go', async () => {
  const schema = uniqueName('jdbc_schema')
  created.push(`${schema}.a CASCADE`, `${schema}.b CASCADE`)
  await sql(`CREATE SCHEMA ${schema}`)
  await sql(`CREATE TABLE ${schema}.a (id serial PRIMARY KEY); CREATE TABLE ${schema}.b (id serial PRIMARY KEY)`)
  const connector = new JdbcSourceConnector()
  const { context, state } = connectorContext()
  await connector.start(
    baseConfig({ mode: 'incrementing', 'schema.pattern': schema, 'table.poll.interval.ms': '60000' }),
    context,
  )
  try {
    const one = await connector.taskConfigs(5)
    assert.equal(one.length, 2)
    assert.deepEqual(
      one.map((c) => JSON.parse(c.tables).map((t: string[]) => t[2])),
      [['a'], ['b']],
    )
    assert.deepEqual(
      (await connector.taskConfigs(1)).map((c) => JSON.parse(c.tables).length),
      [2],
    )

    await sql(`CREATE TABLE ${schema}.c (id serial PRIMARY KEY)`)
    assert.equal(await connector.monitor!.check(), true)
    assert.equal(state.reconfigurations, 1)
    const three = await connector.taskConfigs(2)
    assert.deepEqual(
      three.map((c) => JSON.parse(c.tables).map((t: string[]) => t[2])),
      [['a', 'c'], ['b']],
    )

    await sql(`DROP TABLE ${schema}.b`)
    assert.equal(await connector.monitor!.check(), true)
    assert.equal(state.reconfigurations, 2)
    assert.equal(await connector.monitor!.check(), false)
    assert.equal(state.reconfigurations, 2)
  } finally {
    await connector.stop()
    await sql(`DROP SCHEMA ${schema} CASCADE`)
  }
})

test('a table dropped while its task runs stops flowing without failing the task', async () => {
  const gone = await table('jdbc_gone')
  const kept = await table('jdbc_kept')
  await sql(`INSERT INTO ${gone} (v) VALUES ('x'); INSERT INTO ${kept} (v) VALUES ('y')`)
  const { task, pipeline } = await startTask(baseConfig({ mode: 'incrementing' }), [gone, kept])
  try {
    assert.equal((await pollRecords(task, 2)).length, 2)
    await sql(`DROP TABLE ${gone}`)
    await sql(`INSERT INTO ${kept} (v) VALUES ('z')`)
    const after = await drain(task, 6)
    assert.deepEqual(
      after.map((r) => (r.value as { v: string }).v),
      ['z'],
    )
    assert.ok(pipeline.errors.some((e) => e.table === `public.${gone}`))
  } finally {
    await task.stop()
  }
})

test('validate names the field, the table and why; a usable config has no errors', async () => {
  const noSerial = uniqueName('jdbc_noserial')
  created.push(noSerial)
  await sql(`CREATE TABLE ${noSerial} (code int, ts timestamptz)`)
  const ok = await table('jdbc_ok', ', updated timestamptz NOT NULL DEFAULT now()')

  const inc = await jdbcSourcePlugin.validate!(baseConfig({ mode: 'incrementing', 'table.whitelist': noSerial }))
  assert.match(inc.get('mode')?.[0] ?? '', new RegExp(`table public.${noSerial} has no auto-increment`))

  const ts = await jdbcSourcePlugin.validate!(
    baseConfig({ mode: 'timestamp', 'table.whitelist': noSerial, 'timestamp.column.name': 'ts' }),
  )
  assert.match(ts.get('timestamp.column.name')?.[0] ?? '', /all of these columns are nullable/)

  const missing = await jdbcSourcePlugin.validate!(baseConfig({ mode: 'bulk', 'table.whitelist': 'no_such_table_xyz' }))
  assert.match(missing.get('table.whitelist')?.[0] ?? '', /no_such_table_xyz/)

  const badQuery = await jdbcSourcePlugin.validate!(baseConfig({ mode: 'bulk', query: 'SELEC nonsense' }))
  assert.match(badQuery.get('query')?.[0] ?? '', /does not run/)

  const good = await jdbcSourcePlugin.validate!(
    baseConfig({ mode: 'timestamp+incrementing', 'table.whitelist': ok, 'timestamp.column.name': 'updated' }),
  )
  assert.deepEqual([...good], [])

  const down = await jdbcSourcePlugin.validate!(
    baseConfig({ mode: 'bulk', 'connection.url': 'jdbc:postgresql://127.0.0.1:1/postgres' }),
  )
  assert.match(down.get('connection.url')?.[0] ?? '', /Cannot connect/)
})

test('a closed port gives a RetriableError after connection.attempts tries', async () => {
  const task = new JdbcSourceTask()
  const { context, pipeline } = taskContext()
  await task.start(
    {
      ...baseConfig({ mode: 'bulk' }),
      'connection.url': 'jdbc:postgresql://127.0.0.1:1/postgres',
      'connection.attempts': '3',
      'connection.backoff.ms': '20',
      tables: JSON.stringify([['postgres', 'public', 'whatever']]),
    },
    context,
  )
  const started = Date.now()
  await assert.rejects(task.poll(new AbortController().signal), (error: unknown) => {
    assert.ok(error instanceof RetriableError)
    assert.match(error.message, /after 3 attempt\(s\) with 20 ms backoff: .*ECONNREFUSED/)
    return true
  })
  assert.ok(Date.now() - started >= 40)
  assert.equal(pipeline.reads.length, 0)
  await task.stop()
})

test('a connection killed mid-stream is re-established and the rows continue without duplicates', async () => {
  const name = await table('jdbc_kill')
  await sql(`INSERT INTO ${name} (v) SELECT 'r' || g FROM generate_series(1, 30) g`)
  const { task } = await startTask(
    baseConfig({
      mode: 'incrementing',
      'batch.max.rows': '10',
      'connection.backoff.ms': '10',
      'application.name': 'x',
    }),
    [name],
  )
  try {
    const signal = new AbortController().signal
    const first = await task.poll(signal)
    assert.equal(first.length, 10)
    await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE $1`,
      [`%FROM "public"."${name}"%`],
    )
    const rest = await pollRecords(task, 20)
    const ids = [...first, ...rest].map((r) => (r.value as { id: number }).id)
    assert.deepEqual(
      ids,
      Array.from({ length: 30 }, (_, i) => i + 1),
    )
  } finally {
    await task.stop()
  }
})

test('an SQL error inside a cursor fails with its own message, not as a lost connection, and is not retried', async () => {
  const name = await table('jdbc_sql_error')
  await sql(`INSERT INTO ${name} (v) SELECT 'r' || g FROM generate_series(1, 30) g`)
  // Query mode: row 25 divides by zero (the ORDER BY around the query makes it fail on the first fetch).
  const task = new JdbcSourceTask()
  const { context, pipeline } = taskContext()
  await task.start(
    baseConfig({
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'batch.max.rows': '10',
      query: `SELECT id, v, 1 / (25 - id) AS x FROM ${name}`,
      tables: '[]',
    }),
    context,
  )
  try {
    await assert.rejects(task.poll(new AbortController().signal), (error: unknown) => {
      assert.ok(!(error instanceof RetriableError), 'an SQL error is not a lost connection')
      assert.match((error as Error).message, /^Reading query failed: division by zero/)
      return true
    })
    assert.equal(pipeline.errors.length, 1, 'reported once: the query was not re-run as if the connection had dropped')
  } finally {
    await task.stop()
  }
})
