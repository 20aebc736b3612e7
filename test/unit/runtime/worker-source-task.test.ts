// The task loop's pause/resume handling with a stand-in source (no records are produced, so no Kafka is involved):
// a pause that arrives while the task is still starting, followed by a resume, must leave polls with a live signal;
// and records skipped under errors.tolerance=all count as logged errors exactly when errors.log.enable logs them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SourceTask } from '../../../src/connectors/plugin.ts'
import { StringConverter } from '../../../src/convert/string-converter.ts'
import { getLogger } from '../../../src/logging.ts'
import { metrics as M } from '../../../src/metrics/definitions.ts'
import type { TaskMetricsRecorder } from '../../../src/metrics/recorder.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { RecordProducer } from '../../../src/produce/record-producer.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import type { ConnectorSettings } from '../../../src/runtime/connector-config.ts'
import { WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
import type { OffsetStore } from '../../../src/storage/offset-store.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'
import { seriesKey, seriesMap } from '../metrics/scrape.ts'

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

const noop = () => {}
const metrics: TaskMetricsRecorder = {
  recordState: noop,
  recordPoll: noop,
  recordWrite: noop,
  recordActiveCount: noop,
  recordOffsetCommit: noop,
  recordError: noop,
  close: noop,
}

function workerTask(source: SourceTask, states: string[]): WorkerSourceTask {
  const settings = { retryTimeoutMs: 0, retryDelayMaxMs: 60_000, toleranceAll: false, logErrors: false }
  return new WorkerSourceTask({
    connector: 'c',
    taskId: 0,
    task: source,
    config: {},
    settings: settings as ConnectorSettings,
    keyConverter: new StringConverter(),
    valueConverter: new StringConverter(),
    transforms: buildTransformChain({}, []),
    producer: {} as RecordProducer, // never reached: the source returns no records
    offsets: { write: async () => {} } as unknown as OffsetStore,
    context: {
      offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
      pipeline: { rowsRead: noop, pendingRows: noop, pollError: noop } as never,
    },
    metrics,
    log: getLogger('test.worker-source-task'),
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 1000,
    paused: false,
    onStatus: (state) => states.push(state),
    onTopic: async () => {},
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
  const settings = { retryTimeoutMs: 0, retryDelayMaxMs: 60_000, toleranceAll: true, logErrors }
  const task = new WorkerSourceTask({
    connector: 'c',
    taskId: 0,
    task: new OnceSource([record(1), record(2)]),
    config: {},
    settings: settings as ConnectorSettings,
    keyConverter: new StringConverter(),
    valueConverter: new StringConverter(),
    transforms: buildTransformChain({}, []),
    producer,
    offsets: { write: async () => {} } as unknown as OffsetStore,
    context: {
      offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
      pipeline: { rowsRead: noop, pendingRows: noop, pollError: noop } as never,
    },
    metrics: metrics.task('c', 0),
    log: getLogger('test.worker-source-task'),
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 1000,
    paused: false,
    onStatus: noop,
    onTopic: async () => {},
  })
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
