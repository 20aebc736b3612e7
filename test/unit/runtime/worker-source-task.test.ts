// The task loop's pause/resume handling with a stand-in source (no records are produced, so no Kafka is involved):
// a pause that arrives while the task is still starting, followed by a resume, must leave polls with a live signal.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SourceTask } from '../../../src/connectors/plugin.ts'
import { StringConverter } from '../../../src/convert/string-converter.ts'
import { getLogger } from '../../../src/logging.ts'
import type { TaskMetricsRecorder } from '../../../src/metrics/recorder.ts'
import type { RecordProducer } from '../../../src/produce/record-producer.ts'
import type { ConnectorSettings } from '../../../src/runtime/connector-config.ts'
import { WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
import type { OffsetStore } from '../../../src/storage/offset-store.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'

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
