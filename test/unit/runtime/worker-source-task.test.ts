// The task loop's pause/resume handling with a stand-in source (no records are produced, so no Kafka is involved):
// a pause that arrives while the task is still starting, followed by a resume, must leave polls with a live signal;
// and records skipped under errors.tolerance=all count as logged errors exactly when errors.log.enable logs them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SourceTask } from '../../../src/connectors/plugin.ts'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { type OutgoingRecord, RecordProducer, type TaskProducer } from '../../../src/produce/record-producer.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
import type { OffsetWriter } from '../../../src/storage/backing-stores.ts'
import { seriesKey, seriesMap } from '../metrics/scrape.ts'
import { ScriptedSource, sleep, taskLoopOptions, taskSettings, until } from '../support/task-loop.ts'

/** A source that starts when told to and, like the JDBC source, waits up to 20 ms per poll unless aborted. */
class GatedSource implements SourceTask {
  polls = 0
  abortedOnArrival = 0
  #open: () => void = () => {}
  readonly #gate = new Promise<void>((resolve) => {
    this.#open = resolve
  })

  open(): void {
    this.#open()
  }

  async start(): Promise<void> {
    await this.#gate
  }

  async poll(signal: AbortSignal): Promise<never[]> {
    this.polls++
    if (signal.aborted) {
      this.abortedOnArrival++
      return []
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20)
      const onAbort = () => {
        clearTimeout(timer)
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    return []
  }

  async stop(): Promise<void> {}
}

const unreachableProducer: TaskProducer = {
  tooLarge: () => undefined,
  send: async () => {
    throw new Error('no record was expected to reach the producer')
  },
}

function workerTask(source: SourceTask, states: string[]): WorkerSourceTask {
  // The source returns no records: the producer is never reached.
  return new WorkerSourceTask(
    taskLoopOptions({ task: source, producer: unreachableProducer, onStatus: (state) => states.push(state) }),
  )
}

test('paused and resumed while starting: polls get a live signal and wait as usual', async () => {
  const source = new GatedSource()
  const states: string[] = []
  const task = workerTask(source, states)
  const starting = task.start()
  task.pause()
  task.resume()
  source.open()
  assert.equal(await starting, true)
  await sleep(200)
  await task.stop()
  assert.equal(source.abortedOnArrival, 0, 'no poll was handed an already aborted signal')
  assert.ok(source.polls >= 3 && source.polls <= 20, `${source.polls} polls in 200 ms (each waits 20 ms)`)
  assert.equal(states.at(-1), 'RUNNING')
})

test('pause then resume while running: at most one poll is cut short, then polling goes on', async () => {
  const source = new GatedSource()
  const task = workerTask(source, [])
  source.open()
  await task.start()
  await sleep(50)
  task.pause()
  task.resume()
  await sleep(200)
  await task.stop()
  assert.ok(source.abortedOnArrival <= 1, `${source.abortedOnArrival} polls were aborted on arrival`)
  assert.ok(source.polls <= 20, `${source.polls} polls in 250 ms (each waits 20 ms)`)
})

/** A source that hands out `records` once, then nothing. */
class OnceSource implements SourceTask {
  #records: SourceRecord[]
  constructor(records: SourceRecord[]) {
    this.#records = records
  }
  async start(): Promise<void> {}
  async poll(): Promise<SourceRecord[]> {
    const out = this.#records
    this.#records = []
    if (out.length === 0) await sleep(5)
    return out
  }
  async stop(): Promise<void> {}
}

/**
 * Records too large for the producer's max.request.size (10 bytes) are skipped under errors.tolerance=all, so
 * nothing is sent: the real producer is never connected. Returns the task's error series after the skip.
 */
async function skipOversizedRecords(logErrors: boolean) {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'connect-1',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const producer = new RecordProducer({
    bootstrapServers: ['127.0.0.1:1'],
    clientId: 'test',
    overrides: { 'max.request.size': '10' },
    metrics: metrics.producer,
  })
  const record = (id: number): SourceRecord => ({
    sourcePartition: { p: 0 },
    sourceOffset: { id },
    topic: 't',
    value: 'x'.repeat(100),
  })
  const task = new WorkerSourceTask(
    taskLoopOptions({
      task: new OnceSource([record(1), record(2)]),
      producer,
      settings: taskSettings({ retryTimeoutMs: 0, toleranceAll: true, logErrors }),
      metrics: metrics.task('c', 0),
    }),
  )
  try {
    await task.start()
    await sleep(100)
    await task.stop()
  } finally {
    await producer.close()
  }
  const series = seriesMap((await metrics.render()).body)
  const labels = { connector: 'c', task: '0' }
  return (name: string) => series.get(seriesKey(name, labels))
}

test('errors.log.enable: each record error logged counts in total_errors_logged', async () => {
  const get = await skipOversizedRecords(true)
  assert.equal(get(M.totalRecordErrors.name), 2)
  assert.equal(get(M.totalRecordsSkipped.name), 2)
  assert.equal(get(M.totalErrorsLogged.name), 2)
})

test('without errors.log.enable nothing is logged, so total_errors_logged stays 0', async () => {
  const get = await skipOversizedRecords(false)
  assert.equal(get(M.totalRecordsSkipped.name), 2)
  assert.equal(get(M.totalErrorsLogged.name), 0)
})

/** A producer whose sends Kafka "acknowledges" only when the test says so, and an offsets store that can fail. */
function scriptedTask(source: ScriptedSource, commitFence?: () => string | null) {
  const sends: { size: number; ack: () => void }[] = []
  const writes: { offsets: unknown; ok: boolean }[] = []
  const store = { failing: false }
  const producer: TaskProducer = {
    tooLarge: () => undefined,
    send: (records: OutgoingRecord[]) =>
      new Promise<void>((resolve) => {
        sends.push({ size: records.length, ack: resolve })
      }),
  }
  const offsets: OffsetWriter = {
    write: async (_connector, written) => {
      writes.push({ offsets: structuredClone(written), ok: !store.failing })
      if (store.failing) throw new Error('offsets topic unavailable')
    },
  }
  const states: string[] = []
  const task = new WorkerSourceTask(
    taskLoopOptions({
      task: source,
      producer,
      offsets,
      onStatus: (state) => states.push(state),
      ...(commitFence ? { commitFence } : {}),
    }),
  )
  return { task, sends, writes, store, states }
}

const A = { table: 'a' }
const B = { table: 'b' }
const rec = (partition: Record<string, string>, lsn: number): SourceRecord => ({
  sourcePartition: partition,
  sourceOffset: { lsn },
  topic: 't',
  value: `${partition.table}${lsn}`,
})

test('commit hook: sees exactly the offsets stored, never ahead of a record Kafka has not acknowledged', async () => {
  const source = new ScriptedSource()
  const { task, sends, writes } = scriptedTask(source)
  await task.start()
  try {
    source.batches.push([rec(A, 1), rec(A, 2), rec(B, 1)], [rec(A, 3), rec(B, 2)])
    await until(() => sends.length === 2, 'both batches sent')

    // Only the later batch is acknowledged: each partition still waits for a record of the first one.
    sends[1].ack()
    await task.commitOffsets()
    assert.deepEqual(source.commits, [], 'nothing is committable ahead of the unacknowledged first batch')
    assert.deepEqual(writes, [])

    sends[0].ack()
    await task.commitOffsets()
    const expected = [
      { partition: A, offset: { lsn: 3 } },
      { partition: B, offset: { lsn: 2 } },
    ]
    assert.deepEqual(writes, [{ offsets: expected, ok: true }])
    assert.deepEqual(source.commits, [expected])

    // Nothing new acknowledged: no empty commit reaches the hook.
    await task.commitOffsets()
    assert.equal(source.commits.length, 1)
  } finally {
    await task.stop()
  }
})

test('commit hook: not called after a failed offsets write; the offsets come once a later write stores them', async () => {
  const source = new ScriptedSource()
  const { task, sends, writes, store } = scriptedTask(source)
  await task.start()
  try {
    source.batches.push([rec(A, 1), rec(B, 1)])
    await until(() => sends.length === 1, 'first batch sent')
    sends[0].ack()
    store.failing = true
    await task.commitOffsets()
    assert.equal(writes.length, 1)
    assert.equal(writes[0].ok, false)
    assert.deepEqual(source.commits, [], 'a failed write is not reported as committed')

    store.failing = false
    source.batches.push([rec(A, 2)])
    await until(() => sends.length === 2, 'second batch sent')
    sends[1].ack()
    await task.commitOffsets()
    // A's retried offset is superseded by its newer one; B's retried offset is stored now.
    const expected = [
      { partition: A, offset: { lsn: 2 } },
      { partition: B, offset: { lsn: 1 } },
    ]
    assert.deepEqual(writes[1], { offsets: expected, ok: true })
    assert.deepEqual(source.commits, [expected])
  } finally {
    await task.stop()
  }
})

test('commit hook: a failing hook is logged, the task keeps running and later commits still reach it', async () => {
  const source = new ScriptedSource()
  source.failCommitHook = true
  const { task, sends, states } = scriptedTask(source)
  await task.start()
  try {
    source.batches.push([rec(A, 1)])
    await until(() => sends.length === 1, 'first batch sent')
    sends[0].ack()
    await task.commitOffsets()
    source.batches.push([rec(A, 2)])
    await until(() => sends.length === 2, 'second batch sent')
    sends[1].ack()
    await task.commitOffsets()
    assert.deepEqual(source.commits, [[{ partition: A, offset: { lsn: 1 } }], [{ partition: A, offset: { lsn: 2 } }]])
    assert.equal(task.failed, false)
    assert.equal(states.at(-1), 'RUNNING')
  } finally {
    await task.stop()
  }
})

test('a worker whose group membership lapsed commits no offsets; they are written once it is a member again', async () => {
  const source = new ScriptedSource()
  let lapsed: string | null = 'no heartbeat answered for 12000 ms (session.timeout.ms 10000)'
  const { task, sends, writes } = scriptedTask(source, () => lapsed)
  await task.start()
  try {
    source.batches.push([rec(A, 1), rec(B, 1)])
    await until(() => sends.length === 1, 'batch sent')
    sends[0].ack()
    await task.commitOffsets()
    assert.deepEqual(writes, [], 'nothing written over what the new owner may commit')
    assert.deepEqual(source.commits, [], 'and the source is not told anything was committed')
    lapsed = null
    await task.commitOffsets()
    const expected = [
      { partition: A, offset: { lsn: 1 } },
      { partition: B, offset: { lsn: 1 } },
    ]
    assert.deepEqual(writes, [{ offsets: expected, ok: true }])
    assert.deepEqual(source.commits, [expected])
  } finally {
    await task.stop()
  }
})
