import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import { createWorkerMetrics, negotiateFormat, type WorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { changedKeys, seriesKey, seriesMap } from './scrape.ts'

const T0 = 1_800_000_000_000
const JDBC = { className: 'io.confluent.connect.jdbc.JdbcSourceConnector', type: 'source', version: '10.8.0' } as const

function setup() {
  const clock = { now: T0 }
  const metrics = createWorkerMetrics({
    workerId: 'worker-1',
    clientId: 'connect-1',
    version: '0.1.0',
    commitId: 'abc123',
    startTimeMs: T0,
    producerVersion: '2.12.1',
    defaultMetrics: false,
    nowMs: () => clock.now,
  })
  return { clock, metrics }
}

async function scrape(metrics: WorkerMetrics): Promise<Map<string, number>> {
  return seriesMap((await metrics.render()).body)
}

const pg = { connector: 'pg' }
const pg0 = { connector: 'pg', task: '0' }
const producer = { client_id: 'connect-1' }
const key = seriesKey

/** Runs `act` between two scrapes and returns the keys that changed. */
async function changes(metrics: WorkerMetrics, act: () => void): Promise<string[]> {
  const before = await scrape(metrics)
  act()
  return changedKeys(before, await scrape(metrics))
}

describe('worker metrics', () => {
  test('worker, app-info and producer series exist before anything is recorded', async () => {
    const { metrics } = setup()
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.connectorCount.name, {})), 0)
    assert.equal(s.get(key(M.taskCount.name, {})), 0)
    assert.equal(s.get(key(M.completedRebalances.name, {})), 0)
    assert.equal(s.get(key(M.timeSinceLastRebalance.name, {})), Number.POSITIVE_INFINITY)
    assert.equal(
      s.get(
        key(M.connectAppInfo.name, { ...producer, version: '0.1.0', commit_id: 'abc123', start_time_ms: String(T0) }),
      ),
      1,
    )
    assert.equal(s.get(key(M.producerAppInfo.name, { ...producer, version: '2.12.1' })), 1)
    assert.equal(s.get(key(M.recordSendTotal.name, producer)), 0)
  })

  test('a new connector and task have every series at 0 (status unassigned) before any traffic', async () => {
    const { metrics } = setup()
    metrics.connector('pg', JDBC)
    metrics.task('pg', 0)
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.connectorCount.name, {})), 1)
    assert.equal(s.get(key(M.taskCount.name, {})), 1)
    assert.equal(s.get(key(M.connectorStatus.name, { ...pg, status: 'unassigned' })), 1)
    assert.equal(s.get(key(M.taskStatus.name, { ...pg0, status: 'unassigned' })), 1)
    assert.equal(s.get(key(M.connectorTotalTaskCount.name, pg)), 1)
    assert.equal(s.get(key(M.connectorUnassignedTaskCount.name, pg)), 1)
    for (const def of Object.values(M)) {
      if (def.labels.join() !== 'connector,task') continue
      assert.equal(s.get(key(def.name, pg0)), 0, def.name)
    }
    for (const state of ['unassigned', 'running', 'paused', 'failed', 'restarting']) {
      assert.equal(s.get(key(M.taskState.name, { ...pg0, state })), state === 'unassigned' ? 1 : 0)
    }
  })

  test('each task call changes exactly its own series', async () => {
    const { clock, metrics } = setup()
    metrics.connector('pg', JDBC)
    const task = metrics.task('pg', 0)
    metrics.task('pg', 1) // a neighbour whose series must not move
    clock.now += 10_000

    assert.deepEqual(
      await changes(metrics, () => task.recordPoll(5, 40)),
      [
        key(M.pollBatchAvgTime.name, pg0),
        key(M.pollBatchMaxTime.name, pg0),
        key(M.sourceRecordPollRate.name, pg0),
        key(M.sourceRecordPollTotal.name, pg0),
        key(M.taskBatchSizeAvg.name, pg0),
        key(M.taskBatchSizeMax.name, pg0),
      ].sort(),
    )
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.sourceRecordPollTotal.name, pg0)), 5)
    assert.equal(s.get(key(M.sourceRecordPollRate.name, pg0)), 5 / 30) // 0 s elapsed, padded to one window
    assert.equal(s.get(key(M.pollBatchAvgTime.name, pg0)), 40)

    assert.deepEqual(await changes(metrics, () => task.recordPoll(0, 100)), [])

    assert.deepEqual(
      await changes(metrics, () => task.recordWrite(5)),
      [key(M.sourceRecordWriteRate.name, pg0), key(M.sourceRecordWriteTotal.name, pg0)].sort(),
    )
    assert.deepEqual(
      await changes(metrics, () => task.recordActiveCount(7)),
      [
        key(M.sourceRecordActiveCount.name, pg0),
        key(M.sourceRecordActiveCountAvg.name, pg0),
        key(M.sourceRecordActiveCountMax.name, pg0),
      ].sort(),
    )
    assert.deepEqual(
      await changes(metrics, () => task.recordOffsetCommit(12, true)),
      [
        key(M.taskCommitAvgTime.name, pg0),
        key(M.taskCommitMaxTime.name, pg0),
        key(M.taskCommitSuccessPercentage.name, pg0),
      ].sort(),
    )
    assert.deepEqual(
      await changes(metrics, () => task.recordOffsetCommit(500, false)),
      [
        key(M.offsetCommitFailures.name, pg0),
        key(M.taskCommitFailurePercentage.name, pg0),
        key(M.taskCommitSuccessPercentage.name, pg0),
      ].sort(),
    )
    const after = await scrape(metrics)
    assert.equal(after.get(key(M.taskCommitSuccessPercentage.name, pg0)), 0.5)
    assert.equal(after.get(key(M.taskCommitFailurePercentage.name, pg0)), 0.5)
    assert.equal(after.get(key(M.taskCommitMaxTime.name, pg0)), 12, 'failed commits are not timed, as Connect')

    assert.deepEqual(
      await changes(metrics, () => task.recordError('record-failure')),
      [key(M.lastErrorTimestamp.name, pg0), key(M.totalRecordFailures.name, pg0)].sort(),
    )
    assert.equal((await scrape(metrics)).get(key(M.lastErrorTimestamp.name, pg0)), clock.now)
    const errorKinds = [
      ['record-skipped', M.totalRecordsSkipped],
      ['retry', M.totalRetries],
      ['error-logged', M.totalErrorsLogged],
      ['dlq-produce-request', M.dlqProduceRequests],
      ['dlq-produce-failure', M.dlqProduceFailures],
    ] as const
    for (const [kind, def] of errorKinds) {
      assert.deepEqual(await changes(metrics, () => task.recordError(kind)), [key(def.name, pg0)], kind)
    }
  })

  test('task state: status series replaced, ratios and per-connector counts follow', async () => {
    const { clock, metrics } = setup()
    metrics.connector('pg', JDBC)
    const task = metrics.task('pg', 0)
    task.recordState('RUNNING')
    clock.now += 30_000
    const changed = await changes(metrics, () => task.recordState('PAUSED'))
    assert.deepEqual(
      changed,
      [
        key(M.connectorPausedTaskCount.name, pg),
        key(M.connectorRunningTaskCount.name, pg),
        key(M.taskState.name, { ...pg0, state: 'paused' }),
        key(M.taskState.name, { ...pg0, state: 'running' }),
        key(M.taskStatus.name, { ...pg0, status: 'paused' }),
        key(M.taskStatus.name, { ...pg0, status: 'running' }),
      ].sort(),
    )
    clock.now += 10_000
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.taskStatus.name, { ...pg0, status: 'running' })), undefined)
    assert.equal(s.get(key(M.taskStatus.name, { ...pg0, status: 'paused' })), 1)
    assert.equal(s.get(key(M.taskRunningRatio.name, pg0)), 0.75)
    assert.equal(s.get(key(M.taskPauseRatio.name, pg0)), 0.25)
    assert.equal(s.get(key(M.connectorPausedTaskCount.name, pg)), 1)
    assert.equal(s.get(key(M.connectorRunningTaskCount.name, pg)), 0)
  })

  test('connector status: exactly one series, replaced on state change', async () => {
    const { metrics } = setup()
    const connector = metrics.connector('pg', JDBC)
    connector.recordState('RUNNING')
    const changed = await changes(metrics, () => connector.recordState('FAILED'))
    const info = { ...pg, connector_class: JDBC.className, connector_type: 'source', connector_version: '10.8.0' }
    assert.deepEqual(
      changed,
      [
        key(M.connectorInfo.name, { ...info, status: 'failed' }),
        key(M.connectorInfo.name, { ...info, status: 'running' }),
        key(M.connectorStatus.name, { ...pg, status: 'failed' }),
        key(M.connectorStatus.name, { ...pg, status: 'running' }),
      ].sort(),
    )
    const s = await scrape(metrics)
    const statusSeries = [...s.keys()].filter((k) => k.startsWith(`${M.connectorStatus.name}{`))
    assert.deepEqual(statusSeries, [key(M.connectorStatus.name, { ...pg, status: 'failed' })])
    connector.recordState('STOPPED')
    assert.equal((await scrape(metrics)).get(key(M.connectorStatus.name, { ...pg, status: 'stopped' })), 1)
  })

  test('close() removes every series of the task, then of the connector', async () => {
    const { metrics } = setup()
    const connector = metrics.connector('pg', JDBC)
    const task = metrics.task('pg', 0)
    const other = metrics.connector('other', JDBC)
    metrics.task('other', 0)
    connector.pipeline.rowsRead('users', 3, T0 - 1000)
    connector.pipeline.pendingRows('users', 4)
    const mentions = (s: Map<string, number>, label: string) => [...s.keys()].filter((k) => k.includes(label))

    task.close()
    let s = await scrape(metrics)
    assert.deepEqual(mentions(s, 'connector="pg",task='), [])
    assert.equal(s.get(key(M.taskCount.name, {})), 1)
    assert.equal(s.get(key(M.connectorTotalTaskCount.name, pg)), 0)

    connector.close()
    s = await scrape(metrics)
    assert.deepEqual(mentions(s, 'connector="pg"'), [])
    assert.equal(s.get(key(M.connectorCount.name, {})), 1)
    assert.ok(mentions(s, 'connector="other"').length > 0)

    other.close()
    task.close() // twice: harmless
    s = await scrape(metrics)
    assert.equal(s.get(key(M.connectorCount.name, {})), 0)
    assert.equal(s.get(key(M.taskCount.name, {})), 1, "the other connector's task is still running here")
  })

  test('a recorder replaced by a new one for the same task does not remove the new one when closed late', async () => {
    const { metrics } = setup()
    const old = metrics.task('pg', 0)
    const fresh = metrics.task('pg', 0)
    fresh.recordState('RUNNING')
    old.close()
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.taskStatus.name, { ...pg0, status: 'running' })), 1)
  })

  test('pipeline reports become flowscope_source_* series; freshness is computed at scrape time', async () => {
    const { clock, metrics } = setup()
    const connector = metrics.connector('pg', JDBC)
    const users = { ...pg, table: 'users' }
    connector.pipeline.pollError('users', new Error('boom'))
    let s = await scrape(metrics)
    assert.equal(s.get(key(M.pollErrors.name, users)), 1)
    assert.equal(s.get(key(M.rowsRead.name, users)), 0)
    assert.equal(s.get(key(M.lastPoll.name, users)), undefined, 'no made-up timestamps')
    assert.equal(s.get(key(M.freshness.name, users)), undefined)
    assert.equal(s.get(key(M.pendingRows.name, users)), undefined)

    connector.pipeline.rowsRead('users', 10, T0 - 4000)
    connector.pipeline.rowsRead('users', 0)
    connector.pipeline.rowsRead('users', 2, T0 - 9000) // older than what was captured: newest stays
    connector.pipeline.pendingRows('users', 42)
    clock.now += 6000
    s = await scrape(metrics)
    assert.equal(s.get(key(M.rowsRead.name, users)), 12)
    assert.equal(s.get(key(M.lastPoll.name, users)), T0 / 1000)
    assert.equal(s.get(key(M.newestChange.name, users)), (T0 - 4000) / 1000)
    assert.equal(s.get(key(M.freshness.name, users)), 10)
    assert.equal(s.get(key(M.pendingRows.name, users)), 42)
    clock.now += 5000
    assert.equal((await scrape(metrics)).get(key(M.freshness.name, users)), 15)
  })

  test('assigned connectors and tasks: no value before the first assignment, then the latest', async () => {
    const { metrics } = setup()
    const member = { client_id: 'connect-1' }
    let s = await scrape(metrics)
    assert.equal(s.has(key(M.assignedConnectors.name, member)), false)
    assert.equal(s.has(key(M.assignedTasks.name, member)), false)
    metrics.recordAssignment(2, 3)
    s = await scrape(metrics)
    assert.equal(s.get(key(M.assignedConnectors.name, member)), 2)
    assert.equal(s.get(key(M.assignedTasks.name, member)), 3)
    metrics.recordAssignment(0, 1)
    s = await scrape(metrics)
    assert.equal(s.get(key(M.assignedConnectors.name, member)), 0)
    assert.equal(s.get(key(M.assignedTasks.name, member)), 1)
  })

  test('leader-name and connect-protocol: no series before the first assignment, then the latest only', async () => {
    const { metrics } = setup()
    const series = (s: Map<string, number>, name: string) => [...s.keys()].filter((k) => k.startsWith(`${name}{`))
    let s = await scrape(metrics)
    assert.deepEqual(series(s, M.leaderName.name), [])
    assert.deepEqual(series(s, M.connectProtocol.name), [])
    metrics.recordGroup('http://worker-1:8083', 'default')
    s = await scrape(metrics)
    assert.equal(s.get(key(M.leaderName.name, { leader_name: 'http://worker-1:8083' })), 1)
    assert.equal(s.get(key(M.connectProtocol.name, { connect_protocol: 'EAGER' })), 1)
    metrics.recordGroup('http://worker-2:8083', 'sessioned')
    s = await scrape(metrics)
    assert.deepEqual(series(s, M.leaderName.name), [key(M.leaderName.name, { leader_name: 'http://worker-2:8083' })])
    assert.deepEqual(series(s, M.connectProtocol.name), [
      key(M.connectProtocol.name, { connect_protocol: 'SESSIONED' }),
    ])
    metrics.recordGroup('http://worker-2:8083', 'compatible')
    assert.equal((await scrape(metrics)).get(key(M.connectProtocol.name, { connect_protocol: 'COMPATIBLE' })), 1)
  })

  test('worker startups, rebalances and the producer', async () => {
    const { clock, metrics } = setup()
    metrics.recordConnectorStartup(true)
    metrics.recordConnectorStartup(false)
    metrics.recordTaskStartup(true)
    metrics.recordRebalanceStart()
    let s = await scrape(metrics)
    assert.equal(s.get(key(M.rebalancing.name, {})), 1)
    metrics.recordRebalance(250, 7)
    clock.now += 1500
    metrics.producer.requestsInFlight(1)
    metrics.producer.recordSend('users', 10, 2000, 8)
    metrics.producer.recordSend('orders', 30, 3000, 20)
    metrics.producer.requestsInFlight(-1)
    metrics.producer.requestsInFlight(1)
    metrics.producer.recordErrors(4, 'users')
    metrics.producer.recordRetries(2)
    s = await scrape(metrics)
    const w = (def: { name: string }) => s.get(key(def.name, {}))
    assert.equal(w(M.connectorStartupAttempts), 2)
    assert.equal(w(M.connectorStartupSuccess), 1)
    assert.equal(w(M.connectorStartupFailure), 1)
    assert.equal(w(M.connectorStartupSuccessPercentage), 0.5)
    assert.equal(w(M.taskStartupSuccessPercentage), 1)
    assert.equal(w(M.taskStartupFailurePercentage), 0)
    assert.equal(w(M.rebalancing), 0)
    assert.equal(w(M.completedRebalances), 1)
    assert.equal(w(M.rebalanceAvgTime), 250)
    assert.equal(w(M.rebalanceMaxTime), 250)
    assert.equal(w(M.timeSinceLastRebalance), 1500)
    assert.equal(w(M.epoch), 7)
    const p = (def: { name: string }) => s.get(key(def.name, producer))
    assert.equal(p(M.recordSendTotal), 40)
    assert.equal(p(M.outgoingByteTotal), 5000)
    assert.equal(p(M.recordSizeAvg), 125)
    assert.equal(p(M.batchSizeAvg), 2500)
    assert.equal(p(M.requestLatencyAvg), 14)
    assert.equal(p(M.requestLatencyMax), 20)
    assert.equal(p(M.recordErrorTotal), 4)
    assert.equal(p(M.recordRetryTotal), 2)
    assert.equal(p(M.requestTotal), 2)
    assert.equal(p(M.responseTotal), 1)
    assert.equal(p(M.requestsInFlight), 1)
    assert.equal(p(M.recordSendRate), 40 / 30, 'the sample began with the first send: padded to one window')
    assert.equal(s.get(key(M.topicRecordSendTotal.name, { ...producer, topic: 'users' })), 10)
    assert.equal(s.get(key(M.topicByteTotal.name, { ...producer, topic: 'orders' })), 3000)
    assert.equal(s.get(key(M.topicRecordErrorTotal.name, { ...producer, topic: 'users' })), 4)
    assert.equal(s.get(key(M.topicRecordErrorTotal.name, { ...producer, topic: 'orders' })), 0)
  })

  test('rates and averages leave the window after 2 × 30 s', async () => {
    const { clock, metrics } = setup()
    const task = metrics.task('pg', 0)
    task.recordPoll(60, 10)
    clock.now += 60_000
    const s = await scrape(metrics)
    assert.equal(s.get(key(M.sourceRecordPollRate.name, pg0)), 0)
    assert.equal(s.get(key(M.taskBatchSizeAvg.name, pg0)), 0)
    assert.equal(s.get(key(M.sourceRecordPollTotal.name, pg0)), 60, 'totals are cumulative')
  })
})

describe('/metrics formats', () => {
  test('Accept negotiation', () => {
    assert.equal(negotiateFormat(undefined), 'prometheus')
    assert.equal(negotiateFormat(''), 'prometheus')
    assert.equal(negotiateFormat('text/plain'), 'prometheus')
    assert.equal(negotiateFormat('application/openmetrics-text'), 'openmetrics')
    assert.equal(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      ),
      'openmetrics',
    )
    assert.equal(negotiateFormat('text/plain;q=0.9, application/openmetrics-text;q=0.5'), 'prometheus')
    assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'prometheus')
  })

  test('OpenMetrics when asked, with the same series names, and Prometheus text again afterwards', async () => {
    const { metrics } = setup()
    metrics.task('pg', 0).recordPoll(3, 1)
    metrics.recordConnectorStartup(true)
    const text = await metrics.render()
    assert.equal(text.contentType, 'text/plain; version=0.0.4; charset=utf-8')
    const om = await metrics.render('application/openmetrics-text; version=1.0.0')
    assert.equal(om.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8')
    assert.ok(om.body.endsWith('# EOF\n'))
    assert.match(om.body, /^# TYPE kafka_connect_connect_worker_metrics_connector_startup_success counter$/m)
    assert.deepEqual(seriesMap(om.body.replace('# EOF\n', '')), seriesMap(text.body))
    const again = await metrics.render('text/plain')
    assert.equal(again.body, text.body, 'counter names restored after an OpenMetrics render')
    assert.match(again.body, /^kafka_connect_connect_worker_metrics_connector_startup_success_total 1$/m)
  })

  test('concurrent renders of both formats do not disturb each other', async () => {
    const { metrics } = setup()
    metrics.recordTaskStartup(true)
    const results = await Promise.all([
      metrics.render('application/openmetrics-text'),
      metrics.render(),
      metrics.render('application/openmetrics-text'),
      metrics.render(),
    ])
    for (const r of results.filter((r) => r.contentType.startsWith('text/plain'))) {
      assert.match(r.body, /^kafka_connect_connect_worker_metrics_task_startup_success_total 1$/m)
      assert.doesNotMatch(r.body, /^# TYPE kafka_connect_connect_worker_metrics_task_startup_success counter$/m)
    }
  })

  test('default process/runtime metrics land on the same registry, once', async () => {
    const first = createWorkerMetrics({ workerId: 'w', clientId: 'c', version: 'v', commitId: 'x', startTimeMs: 0 })
    const again = createWorkerMetrics({
      workerId: 'w',
      clientId: 'c',
      version: 'v',
      commitId: 'x',
      startTimeMs: 0,
      registry: new (await import('prom-client')).Registry(),
    })
    const body = (await first.render()).body
    assert.match(body, /^process_cpu_seconds_total \d/m)
    assert.match(body, /^nodejs_heap_size_used_bytes \d/m)
    assert.match(body, /^nodejs_eventloop_lag_seconds \d/m)
    assert.equal(first.kafkaClientMetrics.registry, first.registry)
    assert.match((await again.render()).body, /^process_resident_memory_bytes \d/m)
  })
})
