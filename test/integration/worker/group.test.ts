// Three workers sharing one group.id (two in this process, one a process of its own) on Connect's default
// `sessioned` incremental cooperative protocol: the group's leader spreads the connectors and tasks over them; a
// request to any worker works (config changes are forwarded to the leader, a task restart to the worker running the
// task); a worker killed with SIGKILL mid-stream has its work taken over by the others once its session times out
// and scheduled.rebalance.max.delay.ms has passed, with no row of the JDBC sources missing and no task of the
// survivors restarted; restarted, it gets work back. A second group on the same broker is a world of its own.
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { after, test } from 'node:test'
import { freePort } from '../../../src/local/ports.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { uniqueName } from '../../support/stack.ts'
import {
  createConnector,
  createTable,
  duplicates,
  eventually,
  idsInTopic,
  insertRows,
  jdbcConfig,
  killHard,
  path,
  type StatusBody,
  sql,
  startTestWorker,
  startWorkerProcess,
  statusOf,
  type TestWorker,
  waitForIds,
  waitForState,
  workerIdentity,
} from './helpers.ts'

const tables: string[] = []
const inProcess: TestWorker[] = []
let child: ChildProcess | undefined

after(async () => {
  if (child) await killHard(child)
  for (const worker of inProcess) await worker.worker.stop()
  for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
})

const CONNECTORS = 3
/** scheduled.rebalance.max.delay.ms of this file's group: long enough to measure, short enough for a test. */
const DELAY_MS = 5_000
const delayed = { 'scheduled.rebalance.max.delay.ms': String(DELAY_MS) }
const delayedEnv = { CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS: String(DELAY_MS) }

/** A counter or gauge of a worker's /metrics (the first series of that name). */
async function metricOf(request: TestWorker['request'], name: string): Promise<number> {
  const text = (await request('GET', '/metrics')).text
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)
  assert.ok(match, `${name} missing from /metrics`)
  return Number(match[1])
}
const TASK_STARTS = 'kafka_connect_connect_worker_metrics_task_startup_attempts_total'

/** Every connector's status, from one worker's view. */
async function statuses(request: TestWorker['request'], names: string[]): Promise<StatusBody[]> {
  return Promise.all(names.map((name) => statusOf(request, name)))
}

/** "worker id → connectors and tasks it runs" over the statuses (the connector itself as `<name>`). */
function placement(all: StatusBody[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const add = (worker: string, what: string) => out.set(worker, [...(out.get(worker) ?? []), what])
  for (const s of all) {
    add(s.connector.worker_id, s.name)
    for (const t of s.tasks) add(t.worker_id, `${s.name}-${t.id}`)
  }
  return out
}

const allRunning = (all: StatusBody[]) =>
  all.every((s) => s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING'))

test('three workers, one group: work spread, requests to any worker, a SIGKILLed worker taken over with no row lost, and its work back after a restart', async () => {
  const groupId = uniqueName('group3')
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()]
  inProcess.push(await startTestWorker({ groupId, port: p1, overrides: delayed }))
  inProcess.push(await startTestWorker({ groupId, port: p2, overrides: delayed }))
  child = await startWorkerProcess(groupId, p3, delayedEnv)
  const [w1, w2] = inProcess
  const w3 = { id: `127.0.0.1:${p3}`, request: httpRequester(`http://127.0.0.1:${p3}`) }
  const ids = [w1.worker.workerId, w2.worker.workerId, w3.id]

  // A connector created through a follower: its request is forwarded to the leader, which writes the config.
  const follower = w1.worker.herder.isLeader() ? w2 : w1
  assert.equal(follower.worker.herder.isLeader(), false)
  const names: string[] = []
  const topics: string[] = []
  for (let i = 0; i < CONNECTORS; i++) {
    const table = await createTable(`group3_t${i}`)
    tables.push(table)
    const name = `${groupId}-c${i}`
    names.push(name)
    topics.push(`${table}-${table}`)
    const created = await createConnector(follower.request, name, jdbcConfig(table))
    assert.equal(created.headers.location, `/connectors/${name}`, "the leader's Location, relayed")
  }
  // Every worker answers from the same view: the connector list, each connector's tasks.
  for (const request of [w1.request, w2.request, w3.request]) {
    assert.deepEqual(((await request('GET', '/connectors')).body as string[]).sort(), [...names].sort())
  }
  let all: StatusBody[] = []
  await eventually(
    async () => {
      all = await statuses(w1.request, names)
      return allRunning(all) ? true : undefined
    },
    () => `not all RUNNING: ${JSON.stringify(all)}`,
    90_000,
  )
  for (const request of [w2.request, w3.request]) {
    const tasks = await request('GET', path(names[0], '/tasks'))
    assert.equal(tasks.status, 200, tasks.text)
    assert.deepEqual(
      (tasks.body as { id: unknown }[]).map((t) => t.id),
      [{ connector: names[0], task: 0 }],
    )
  }
  // Three connectors and three tasks over three workers: two each, and each a real worker of the group.
  const spread = placement(all)
  console.log('placement:', JSON.stringify(Object.fromEntries(spread)))
  assert.deepEqual([...spread.keys()].sort(), [...ids].sort(), 'every worker runs something')
  for (const [worker, work] of spread) assert.equal(work.length, 2, `${worker} runs ${work}`)
  // Each in-process worker's /metrics: what it was assigned, the generation, the rebalances it completed.
  for (const w of [w1, w2]) {
    const text = (await w.request('GET', '/metrics')).text
    const value = (name: string) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)
      assert.ok(match, `${name} missing from ${w.url}/metrics`)
      return Number(match[1])
    }
    assert.equal(value('kafka_connect_connect_coordinator_metrics_assigned_connectors'), 1)
    assert.equal(value('kafka_connect_connect_coordinator_metrics_assigned_tasks'), 1)
    assert.ok(value('kafka_connect_connect_worker_rebalance_metrics_epoch') >= 3, 'three members joined')
    assert.ok(value('kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total') >= 2)
    assert.equal(value('kafka_connect_connect_worker_rebalance_metrics_rebalancing'), 0)
    // Per-connector and per-task series only for what this worker runs (none left over from earlier generations).
    const mine = spread.get(w.worker.workerId) ?? []
    const series = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}\\{[^}]*connector="([^"]+)"[^}]*\\} 1$`, 'gm'))].map((m) => m[1])
    assert.deepEqual(
      series('kafka_connect_connector_metrics'),
      mine.filter((what) => names.includes(what)),
    )
    assert.deepEqual(
      series('kafka_connect_connector_task_metrics_status'),
      names.filter((name) => mine.includes(`${name}-0`)),
    )
  }

  // A task restart sent to a worker that does not run the task: forwarded to the leader, then to the task's worker.
  const task0 = all[0].tasks[0]
  const bystander = [w1, w2].find((w) => w.worker.workerId !== task0.worker_id) ?? w1
  const restarted = await bystander.request('POST', path(names[0], '/tasks/0/restart'))
  assert.equal(restarted.status, 204, restarted.text)
  // A connector restart likewise reaches the connector's worker; with includeTasks every worker restarts its part.
  const connectorBystander = [w1, w2].find((w) => w.worker.workerId !== all[2].connector.worker_id) ?? w1
  const plain = await connectorBystander.request('POST', path(names[2], '/restart'))
  assert.equal(plain.status, 204, plain.text)
  const withTasks = await follower.request('POST', path(names[2], '/restart?includeTasks=true'))
  assert.equal(withTasks.status, 202, withTasks.text)
  await waitForState(w1.request, names[2], 'RUNNING', 'RUNNING', 30_000)
  // Pause and resume through a follower reach the workers running the connector and its tasks.
  assert.equal((await follower.request('PUT', path(names[1], '/pause'))).status, 202)
  await waitForState(w1.request, names[1], 'PAUSED', 'PAUSED', 30_000)
  assert.equal((await follower.request('PUT', path(names[1], '/resume'))).status, 202)
  await waitForState(w1.request, names[1], 'RUNNING', 'RUNNING', 30_000)

  const inserted: number[][] = []
  for (const table of tables) inserted.push(await insertRows(table, 50))
  for (const [i, topic] of topics.entries()) await waitForIds(topic, inserted[i], 60_000)

  // Rows keep coming while the third worker dies mid-stream and while the others take its work over.
  let writing = true
  const sources = [...tables]
  const writer = (async () => {
    while (writing) {
      for (const [i, table] of sources.entries()) inserted[i].push(...(await insertRows(table, 5)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const lost = spread.get(w3.id) ?? []
  // The topics the killed worker's tasks wrote: nothing else writes them until its work is taken over.
  const orphaned = names.flatMap((name, i) => (lost.includes(`${name}-0`) ? [i] : []))
  assert.equal(orphaned.length, 1, `one task on the killed worker: ${lost}`)
  const startsBefore = (await metricOf(w1.request, TASK_STARTS)) + (await metricOf(w2.request, TASK_STARTS))
  const killedAt = performance.now()
  await killHard(child)
  child = undefined
  const atKill = new Map<number, Set<number>>()
  for (const i of orphaned) atKill.set(i, new Set(await idsInTopic(topics[i])))
  await eventually(
    async () => {
      all = await statuses(w1.request, names)
      const owners = [...placement(all).keys()]
      return allRunning(all) && !owners.includes(w3.id) ? true : undefined
    },
    () => `the killed worker's ${lost} not RUNNING elsewhere: ${JSON.stringify(all)}`,
    60_000,
  )
  const takeoverMs = performance.now() - killedAt
  console.log(`${lost.join(', ')} RUNNING on the other workers ${takeoverMs.toFixed(0)} ms after the SIGKILL`)
  // Held back for the scheduled delay (after the session timeout expired the member), then handed out.
  assert.ok(takeoverMs >= DELAY_MS, `taken over after ${takeoverMs} ms, before the ${DELAY_MS} ms delay`)
  // Cooperative: the survivors started the one task they took over and restarted none of their own.
  const startsAfter = (await metricOf(w1.request, TASK_STARTS)) + (await metricOf(w2.request, TASK_STARTS))
  assert.equal(startsAfter - startsBefore, orphaned.length, 'task starts on the surviving workers')
  writing = false
  await writer
  for (const [i, topic] of topics.entries()) {
    // No row missing from any table; where the killed worker's task wrote, only rows it had written may repeat
    // (sent but not yet committed when it died); tasks stopped by the rebalance commit what Kafka acknowledged.
    const got = await waitForIds(topic, inserted[i], 60_000)
    const repeated = duplicates(got)
    console.log(`${topic}: ${inserted[i].length} rows, ${repeated.length} written twice`)
    const before = atKill.get(i)
    if (before) {
      assert.ok(
        repeated.every((id) => before.has(id)),
        'only rows already in Kafka when the worker died may appear twice',
      )
    }
  }

  // The killed worker comes back: the next assignment deals it work again.
  child = await startWorkerProcess(groupId, p3, delayedEnv)
  await eventually(
    async () => {
      all = await statuses(w1.request, names)
      return allRunning(all) && (placement(all).get(w3.id)?.length ?? 0) > 0 ? true : undefined
    },
    () => `no work back on the restarted worker: ${JSON.stringify(all)}`,
    60_000,
  )
  for (const [i, table] of tables.entries()) inserted[i].push(...(await insertRows(table, 10)))
  for (const [i, topic] of topics.entries()) await waitForIds(topic, inserted[i], 60_000)
})

test('a worker stopped cleanly mid-stream hands its work over: no row missing and none written twice', async () => {
  const [w1, w2] = inProcess
  assert.ok(w1 && w2, 'the first test started the group')
  const names = ((await w1.request('GET', '/connectors')).body as string[]).sort()
  const before = await statuses(w1.request, names)
  const leaving = placement(before).get(w2.worker.workerId) ?? []
  assert.ok(leaving.length > 0, `the worker to stop runs something: ${JSON.stringify(before)}`)
  const sources = tables.slice(0, names.length)
  const topics = sources.map((table) => `${table}-${table}`)
  const inserted = sources.map(() => [] as number[])
  let writing = true
  const writer = (async () => {
    while (writing) {
      for (const [i, table] of sources.entries()) inserted[i].push(...(await insertRows(table, 5)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const stoppedAt = performance.now()
  await w2.worker.stop()
  inProcess.splice(inProcess.indexOf(w2), 1)
  let all: StatusBody[] = []
  await eventually(
    async () => {
      all = await statuses(w1.request, names)
      return allRunning(all) && !placement(all).has(w2.worker.workerId) ? true : undefined
    },
    () => `${leaving} not RUNNING elsewhere: ${JSON.stringify(all)}`,
    30_000,
  )
  console.log(
    `${leaving.join(', ')} RUNNING elsewhere ${(performance.now() - stoppedAt).toFixed(0)} ms after a clean stop`,
  )
  writing = false
  await writer
  for (const [i, topic] of topics.entries()) {
    const got = await waitForIds(topic, inserted[i], 60_000)
    // Every task stopped (here and by the rebalance) committed exactly what Kafka acknowledged.
    assert.deepEqual(duplicates(got.filter((id) => inserted[i].includes(id))), [], `${topic}: rows written twice`)
  }
})

test('a second group on the same broker sees none of the first one and takes none of its work', async () => {
  const [w1] = inProcess
  assert.ok(w1, 'the first test started the group')
  const before = ((await w1.request('GET', '/connectors')).body as string[]).sort()
  const other = await startTestWorker(await workerIdentity('group-other'))
  inProcess.push(other)
  assert.deepEqual((await other.request('GET', '/connectors')).body, [])
  const table = await createTable('group_other')
  tables.push(table)
  await createConnector(other.request, 'other-group-connector', jdbcConfig(table))
  const status = await waitForState(other.request, 'other-group-connector', 'RUNNING', 'RUNNING', 30_000)
  assert.equal(status.connector.worker_id, other.worker.workerId)
  assert.deepEqual(((await w1.request('GET', '/connectors')).body as string[]).sort(), before)
  assert.equal((await w1.request('GET', path('other-group-connector', '/status'))).status, 404)
})
