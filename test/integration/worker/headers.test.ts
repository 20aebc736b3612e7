// SourceRecord headers through the real task loop and producer to the real broker: each header arrives on the Kafka
// record, in order, converted as Connect's SimpleHeaderConverter does (text as UTF-8, structs and arrays as JSON).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Consumer } from '@platformatic/kafka'
import type { SourceTask } from '../../../src/connectors/plugin.ts'
import { StringConverter } from '../../../src/convert/string-converter.ts'
import { getLogger } from '../../../src/logging.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { RecordProducer } from '../../../src/produce/record-producer.ts'
import { primitive, SchemaTypes, structSchema } from '../../../src/record/schema.ts'
import type { Header, SourceRecord } from '../../../src/record/source-record.ts'
import type { ConnectorSettings } from '../../../src/runtime/connector-config.ts'
import { WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
import type { OffsetStore } from '../../../src/storage/offset-store.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const bootstrapServers = [testStack().bootstrapServers]
const noop = () => {}

/** Hands out `records` once, then nothing; `handedOut` resolves when it did. */
class OnceSource implements SourceTask {
  #records: SourceRecord[]
  #done: () => void = noop
  readonly handedOut = new Promise<void>((resolve) => {
    this.#done = resolve
  })
  constructor(records: SourceRecord[]) {
    this.#records = records
  }
  async start(): Promise<void> {}
  async poll(): Promise<SourceRecord[]> {
    const out = this.#records
    this.#records = []
    if (out.length > 0) this.#done()
    if (out.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    return out
  }
  async stop(): Promise<void> {}
}

/** Runs a task that emits one record with `headers` to `topic` until Kafka acknowledged it. */
async function produceWithHeaders(topic: string, headers: Header[]): Promise<void> {
  const metrics = createWorkerMetrics({
    workerId: 'w',
    clientId: 'headers-test',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  })
  const producer = new RecordProducer({
    bootstrapServers,
    clientId: 'headers-test',
    overrides: {},
    metrics: metrics.producer,
  })
  const taskMetrics = metrics.task('headers', 0)
  const states: string[] = []
  const source = new OnceSource([{ sourcePartition: { p: 0 }, sourceOffset: { n: 1 }, topic, value: 'row', headers }])
  const task = new WorkerSourceTask({
    connector: 'headers',
    taskId: 0,
    task: source,
    config: {},
    settings: { retryTimeoutMs: 0, retryDelayMaxMs: 1000, toleranceAll: false, logErrors: false } as ConnectorSettings,
    keyConverter: new StringConverter(),
    valueConverter: new StringConverter(),
    transforms: buildTransformChain({}, []),
    producer,
    offsets: { write: async () => {} } as unknown as OffsetStore,
    context: {
      offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
      pipeline: { rowsRead: noop, pendingRows: noop, pollError: noop } as never,
    },
    metrics: taskMetrics,
    log: getLogger('test.headers'),
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 30_000,
    paused: false,
    onStatus: (state) => states.push(state),
    onTopic: async () => {},
  })
  try {
    await task.start()
    await source.handedOut
    // stop() waits until Kafka acknowledged every record handed out.
    await task.stop()
  } finally {
    await producer.close()
  }
  assert.ok(!task.failed, 'the task did not fail')
}

/** The first record of `topic`, read from the beginning with the Kafka client's consumer. */
async function firstRecord(topic: string) {
  const consumer = new Consumer({
    clientId: 'headers-test-reader',
    groupId: uniqueName('headers_reader'),
    bootstrapBrokers: bootstrapServers,
    autocommit: false,
    maxWaitTime: 200,
  })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    try {
      for await (const message of stream) return message
      throw new Error(`no record in ${topic}`)
    } finally {
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
}

test('headers set on a SourceRecord arrive on the Kafka record with the bytes SimpleHeaderConverter writes', async () => {
  const topic = uniqueName('headers')
  const address = structSchema('Address', [
    { name: 'city', schema: primitive(SchemaTypes.STRING) },
    { name: 'zip', schema: primitive(SchemaTypes.INT32) },
  ])
  await produceWithHeaders(topic, [
    { key: 'source', value: 'postgres' },
    { key: 'count', schema: primitive(SchemaTypes.INT32), value: 42 },
    { key: 'ratio', schema: primitive(SchemaTypes.FLOAT64), value: 2 },
    { key: 'deleted', value: false },
    { key: 'address', schema: address, value: { zip: 75001, city: 'Paris "centre"' } },
    { key: 'tags', value: ['a', 1, true] },
    { key: 'empty', value: null },
    { key: 'source', value: 'again' },
    { key: 'utf8', value: 'é€' },
  ])
  const message = await firstRecord(topic)
  const headers = message.headerEntries.map(([k, v]) => [
    Buffer.from(k as Buffer).toString('utf8'),
    v === undefined || v === null ? null : Buffer.from(v as Buffer).toString('hex'),
  ])
  const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex')
  assert.deepEqual(headers, [
    ['source', hex('postgres')],
    ['count', hex('42')],
    ['ratio', hex('2.0')],
    ['deleted', hex('false')],
    ['address', hex('{"city":"Paris \\"centre\\"","zip":75001}')],
    ['tags', hex('["a",1,true]')],
    ['empty', null],
    ['source', hex('again')],
    ['utf8', 'c3a9e282ac'],
  ])
  assert.equal(Buffer.from(message.value as Buffer).toString('utf8'), 'row')
})
