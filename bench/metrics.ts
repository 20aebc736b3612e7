// /metrics render cost: p50/p99 of 200 renders with 1, 10 and 50 connectors × 2 tasks (recording between renders),
// against a floor measured in the same run (joining the same exposition lines, the least any renderer must do),
// plus the cost of one recorder call at each size (it should stay flat: recording is O(1)).
import { performance } from 'node:perf_hooks'
import { createWorkerMetrics, type WorkerMetrics } from '../src/metrics/worker-metrics.ts'

const RENDERS = 200
const SIZES = [1, 10, 50]
const TASKS_PER_CONNECTOR = 2
const TARGET_P99_MS = 20

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function build(connectors: number) {
  const metrics = createWorkerMetrics({
    workerId: 'bench',
    clientId: 'connect-bench',
    version: '0.0.0',
    commitId: 'bench',
    startTimeMs: Date.now(),
  })
  const pipelines = []
  const tasks = []
  for (let c = 0; c < connectors; c++) {
    const name = `pg-source-${c}`
    const connector = metrics.connector(name, {
      className: 'io.confluent.connect.jdbc.JdbcSourceConnector',
      type: 'source',
      version: '10.8.0',
    })
    connector.recordState('RUNNING')
    pipelines.push(connector.pipeline)
    for (let t = 0; t < TASKS_PER_CONNECTOR; t++) {
      const task = metrics.task(name, t)
      task.recordState('RUNNING')
      tasks.push({ task, table: `table_${t}`, pipeline: connector.pipeline, topic: `${name}-table_${t}` })
    }
  }
  return { metrics, tasks }
}

/** One poll cycle of every task, as the runtime records it. Returns the number of recorder calls made. */
function recordCycle(metrics: WorkerMetrics, tasks: ReturnType<typeof build>['tasks'], i: number): number {
  for (const { task, table, pipeline, topic } of tasks) {
    task.recordPoll(50 + (i % 7), 3 + (i % 5))
    task.recordActiveCount(50)
    pipeline.rowsRead(table, 50, Date.now() - 200)
    pipeline.pendingRows(table, i % 11)
    metrics.producer.requestsInFlight(1)
    metrics.producer.recordSend(topic, 50, 6400, 4 + (i % 3))
    metrics.producer.requestsInFlight(-1)
    task.recordWrite(50)
    task.recordActiveCount(0)
    task.recordOffsetCommit(2, i % 50 !== 0)
  }
  return tasks.length * 10
}

interface Row {
  connectors: number
  series: number
  bytes: number
  p50: number
  p99: number
  floorP50: number
  recordNs: number
}

async function measure(connectors: number): Promise<Row> {
  const { metrics, tasks } = build(connectors)
  for (let i = 0; i < 20; i++) {
    recordCycle(metrics, tasks, i)
    await metrics.render() // warm-up
  }
  const times: number[] = []
  const floors: number[] = []
  let recordMs = 0
  let recordCalls = 0
  let body = ''
  for (let i = 0; i < RENDERS; i++) {
    const r0 = performance.now()
    recordCalls += recordCycle(metrics, tasks, i)
    recordMs += performance.now() - r0
    const t0 = performance.now()
    body = (await metrics.render()).body
    times.push(performance.now() - t0)
    const lines = body.split('\n')
    const f0 = performance.now()
    const joined = lines.join('\n')
    floors.push(performance.now() - f0)
    if (joined.length !== body.length) throw new Error('floor mismatch')
  }
  times.sort((a, b) => a - b)
  floors.sort((a, b) => a - b)
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length
  return {
    connectors,
    series,
    bytes: body.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    floorP50: percentile(floors, 50),
    recordNs: (recordMs / recordCalls) * 1e6,
  }
}

const rows: Row[] = []
for (const size of SIZES) rows.push(await measure(size))

const pad = (s: string | number, n: number) => String(s).padStart(n)
console.log(
  `/metrics render, ${RENDERS} renders per size, ${TASKS_PER_CONNECTOR} tasks per connector (node ${process.version})`,
)
console.log(
  [
    pad('connectors', 10),
    pad('series', 7),
    pad('KiB', 6),
    pad('p50 ms', 8),
    pad('p99 ms', 8),
    pad('µs/series', 10),
    pad('p50/floor', 10),
    pad('p99 vs 1', 9),
    pad('record ns', 10),
  ].join(' '),
)
const base = rows[0]
for (const r of rows) {
  console.log(
    [
      pad(r.connectors, 10),
      pad(r.series, 7),
      pad((r.bytes / 1024).toFixed(1), 6),
      pad(r.p50.toFixed(2), 8),
      pad(r.p99.toFixed(2), 8),
      pad(((r.p50 * 1000) / r.series).toFixed(2), 10),
      pad(`${(r.p50 / Math.max(r.floorP50, 1e-6)).toFixed(0)}×`, 10),
      pad(`${(r.p99 / base.p99).toFixed(1)}×`, 9),
      pad(r.recordNs.toFixed(0), 10),
    ].join(' '),
  )
}
const last = rows[rows.length - 1]
console.log(
  `series grew ${(last.series / base.series).toFixed(1)}× and p50 ${(last.p50 / base.p50).toFixed(1)}× from ${base.connectors} to ${last.connectors} connectors` +
    ` (linear in series; recording stays O(1): ${base.recordNs.toFixed(0)} → ${last.recordNs.toFixed(0)} ns per call).`,
)
console.log(
  `floor = joining the same exposition lines into one string. Target p99 < ${TARGET_P99_MS} ms at ${last.connectors} connectors: ` +
    `${last.p99.toFixed(2)} ms, ${last.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}.`,
)
