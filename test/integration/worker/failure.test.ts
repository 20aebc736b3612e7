// Failures stay contained: a task whose source breaks goes FAILED with a trace while the worker and another
// connector keep RUNNING and producing; once the source is fixed, restarting only the failed tasks brings it back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  createConnector,
  createTable,
  eventually,
  insertRows,
  jdbcConfig,
  path,
  sql,
  statusOf,
  waitForIds,
  waitForState,
  workerForFile,
} from './helpers.ts'

const file = workerForFile('failure')

test('a broken source fails its task only; fixed + restart?includeTasks&onlyFailed brings it back', async () => {
  const { request } = file.running
  const broken = await createTable('failure_broken')
  const healthy = await createTable('failure_healthy')
  file.tables.push(broken, healthy)
  // A query-based source: its query fails once the table is gone (a whitelisted table would just be skipped).
  const brokenTopic = `failure-${broken}`
  await createConnector(
    request,
    'breaks',
    jdbcConfig(broken, {
      'table.whitelist': '',
      query: `SELECT * FROM ${broken}`,
      'topic.prefix': brokenTopic,
    }),
  )
  await createConnector(request, 'healthy', jdbcConfig(healthy))
  const healthyTopic = `${healthy}-${healthy}`
  await waitForState(request, 'breaks', 'RUNNING')
  await waitForState(request, 'healthy', 'RUNNING')
  const first = await insertRows(broken, 3)
  await waitForIds(brokenTopic, first)

  await sql(`DROP TABLE ${broken}`)
  const failed = await eventually(
    async () => {
      const status = await statusOf(request, 'breaks')
      return status.tasks[0]?.state === 'FAILED' ? status : undefined
    },
    async () => `task never FAILED: ${JSON.stringify(await statusOf(request, 'breaks'))}`,
  )
  assert.equal(failed.connector.state, 'RUNNING', 'the connector itself keeps running')
  assert.equal(typeof failed.tasks[0].trace, 'string')
  assert.match(failed.tasks[0].trace ?? '', new RegExp(broken))
  const taskStatus = await request('GET', path('breaks', '/tasks/0/status'))
  assert.equal((taskStatus.body as { state: string }).state, 'FAILED')

  // The worker and the other connector carry on.
  assert.equal((await request('GET', '/health')).status, 200)
  assert.equal((await statusOf(request, 'healthy')).tasks[0].state, 'RUNNING')
  await waitForIds(healthyTopic, await insertRows(healthy, 5))

  // Fix the source, then restart only what failed.
  await sql(`CREATE TABLE ${broken} (id serial PRIMARY KEY, v text NOT NULL)`)
  await sql(`SELECT setval(pg_get_serial_sequence('${broken}', 'id'), 100)`)
  const restart = await request('POST', path('breaks', '/restart?includeTasks=true&onlyFailed=true'))
  assert.equal(restart.status, 202, restart.text)
  const body = restart.body as { connector: { state: string }; tasks: { id: number; state: string }[] }
  assert.equal(body.connector.state, 'RUNNING', 'onlyFailed leaves a running connector alone')
  assert.deepEqual(
    body.tasks.map((t) => t.state),
    ['RESTARTING'],
  )
  const recovered = await waitForState(request, 'breaks', 'RUNNING')
  assert.equal(recovered.tasks[0].trace, undefined, 'a running task has no trace')
  const later = await insertRows(broken, 3)
  assert.ok(later.every((id) => id > 100))
  await waitForIds(brokenTopic, later)
  assert.equal((await statusOf(request, 'healthy')).tasks[0].state, 'RUNNING')
})
