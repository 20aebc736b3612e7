// Pausing a connector whose task is still starting, then resuming it: the task must poll normally afterwards. (A
// pause during the task's start aborted the poll signal, the resume did not renew it, and the loop then spun on
// polls aborted on arrival without yielding: the worker stopped answering REST calls and the test run hung.)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  createConnector,
  createTable,
  insertRows,
  jdbcConfig,
  path,
  statusOf,
  waitForIds,
  waitForState,
  workerForFile,
} from './helpers.ts'

const file = workerForFile('pause-resume')

test('pause right after create (task still starting), then resume: RUNNING, REST answers, rows flow', async () => {
  const { request } = file.running
  for (let round = 0; round < 5; round++) {
    const table = await createTable('pause_resume')
    file.tables.push(table)
    const name = `early-pause-${round}`
    await createConnector(request, name, jdbcConfig(table))
    assert.equal((await request('PUT', path(name, '/pause'))).status, 202)
    await waitForState(request, name, 'PAUSED')
    assert.equal((await request('PUT', path(name, '/resume'))).status, 202)
    await waitForState(request, name, 'RUNNING')
    const started = Date.now()
    assert.equal((await request('GET', '/health')).status, 200)
    assert.ok(Date.now() - started < 2000, 'the worker answers promptly (its event loop is not starved)')
    await waitForIds(`${table}-${table}`, await insertRows(table, 3))
    assert.equal((await statusOf(request, name)).tasks[0].state, 'RUNNING')
  }
})

test('back-to-back pause and resume on a running connector, twenty times: it keeps RUNNING and producing', async () => {
  const { request } = file.running
  const table = await createTable('pause_resume')
  file.tables.push(table)
  const topic = `${table}-${table}`
  await createConnector(request, 'flapping', jdbcConfig(table))
  await waitForState(request, 'flapping', 'RUNNING')
  await waitForIds(topic, await insertRows(table, 3))
  for (let i = 0; i < 20; i++) {
    // The resume follows as soon as the pause is stored, often before the task loop has acted on it.
    assert.equal((await request('PUT', path('flapping', '/pause'))).status, 202)
    assert.equal((await request('PUT', path('flapping', '/resume'))).status, 202)
  }
  await waitForState(request, 'flapping', 'RUNNING')
  await waitForIds(topic, await insertRows(table, 5))
  assert.equal((await statusOf(request, 'flapping')).tasks[0].state, 'RUNNING')
})
