// The worker running what it is given, without Kafka: the real stores on in-memory logs, a producer that
// acknowledges every send, and a source connector whose tasks hand out a few rows. It records each state under its
// own worker id, sends converted records, commits their offsets only once acknowledged, and creates topics that
// topic.creation asks for.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigDef } from '../../../src/config/config-def.ts'
import type { SourceConnectorPlugin, SourceTask } from '../../../src/connectors/plugin.ts'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import type { OutgoingRecord, TaskProducer } from '../../../src/produce/record-producer.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { PluginRegistry } from '../../../src/runtime/plugins.ts'
import { ConnectWorker } from '../../../src/runtime/worker.ts'
import type { TopicCreator } from '../../../src/storage/topic-admin.ts'
import { memoryStores } from '../support/memory-stores.ts'

const CLASS = 'test.RowsSourceConnector'
const ROWS = 3

/** Hands out ROWS rows of its table once, then nothing. */
class RowsTask implements SourceTask {
  #table = ''
  #done = false
  async start(config: Record<string, string>): Promise<void> {
    this.#table = config.table ?? ''
  }
  async poll(): Promise<SourceRecord[]> {
    if (this.#done) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return []
    }
    this.#done = true
    return Array.from({ length: ROWS }, (_, i) => ({
      sourcePartition: { table: this.#table },
      sourceOffset: { id: i + 1 },
      topic: `t-${this.#table}`,
      value: `row ${i + 1}`,
    }))
  }
  async stop(): Promise<void> {}
}

const plugin: SourceConnectorPlugin = {
  className: CLASS,
  aliases: [],
  type: 'source',
  version: '7.0.0',
  configDef: new ConfigDef(),
  createConnector: () => ({
    start: async () => {},
    taskConfigs: async (max) => Array.from({ length: max }, (_, i) => ({ table: `table${i}` })),
    stop: async () => {},
  }),
  createTask: () => new RowsTask(),
}

function harness(used: SourceConnectorPlugin = plugin) {
  const stores = memoryStores()
  const sent: OutgoingRecord[] = []
  const producer: TaskProducer = {
    tooLarge: () => undefined,
    send: async (records) => {
      sent.push(...records)
    },
  }
  const created: string[] = []
  const topics: TopicCreator = {
    createIfMissing: async (topic, partitions, rf) => {
      created.push(`${topic} ${partitions}x${rf}`)
    },
  }
  const worker = new ConnectWorker({
    workerId: 'host-a:8083',
    plugins: new PluginRegistry([used]),
    offsets: stores.offsets,
    statuses: stores.statuses,
    producer,
    topics,
    metrics: createWorkerMetrics({
      workerId: 'host-a:8083',
      clientId: 'worker-test',
      version: 'test',
      commitId: 'test',
      startTimeMs: 0,
    }),
    keyConverter: { className: 'org.apache.kafka.connect.storage.StringConverter', config: {} },
    valueConverter: { className: 'org.apache.kafka.connect.storage.StringConverter', config: {} },
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 1_000,
    topicTrackingEnabled: true,
    topicCreationEnabled: true,
  })
  return { worker, stores, sent, created }
}

const connectorConfig = {
  name: 'c',
  'connector.class': CLASS,
  'tasks.max': '2',
  'topic.creation.default.partitions': '3',
  'topic.creation.default.replication.factor': '1',
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5))
}

test('runs an assigned connector and task: states under its worker id, records sent, offsets after the ack', async () => {
  const { worker, stores, sent, created } = harness()
  assert.equal(await worker.startConnector('c', connectorConfig, 'STARTED', () => {}), true)
  assert.equal(worker.isRunning('c'), true)
  assert.deepEqual(stores.statuses.connector('c'), {
    state: 'RUNNING',
    trace: null,
    worker_id: 'host-a:8083',
    generation: 1,
    version: '7.0.0',
  })
  const taskConfigs = await worker.connectorTaskConfigs('c')
  assert.deepEqual(taskConfigs, [{ table: 'table0' }, { table: 'table1' }], 'as many as tasks.max')

  await worker.startTask({ connector: 'c', task: 1 }, connectorConfig, taskConfigs[1], 'STARTED')
  await until(() => sent.length === ROWS)
  assert.deepEqual(
    sent.map((r) => [r.topic, r.value?.toString('utf8')]),
    [
      ['t-table1', 'row 1'],
      ['t-table1', 'row 2'],
      ['t-table1', 'row 3'],
    ],
  )
  assert.equal(stores.statuses.task('c', 1)?.state, 'RUNNING')
  assert.equal(stores.statuses.task('c', 0), undefined, 'a task it was not given does not run')
  assert.deepEqual(created, ['t-table1 3x1'], 'topic.creation settings create the topic once')
  assert.deepEqual(stores.statuses.topics('c'), ['t-table1'], 'topic tracking')

  await worker.stop()
  assert.deepEqual(stores.offsets.all('c'), [{ partition: { table: 'table1' }, offset: { id: 3 } }])
})

test('pause and resume reach the running tasks; stop records STOPPED; removal forgets the connector', async () => {
  const { worker, stores } = harness()
  await worker.startConnector('c', connectorConfig, 'STARTED', () => {})
  await worker.startTask({ connector: 'c', task: 0 }, connectorConfig, { table: 'table0' }, 'STARTED')
  await worker.setTargetState('c', 'PAUSED')
  assert.equal(stores.statuses.connector('c')?.state, 'PAUSED')
  assert.equal(stores.statuses.task('c', 0)?.state, 'PAUSED')
  await worker.setTargetState('c', 'STARTED')
  assert.equal(stores.statuses.connector('c')?.state, 'RUNNING')
  assert.equal(stores.statuses.task('c', 0)?.state, 'RUNNING')
  await worker.stopConnector('c', true)
  assert.equal(worker.isRunning('c'), false)
  assert.equal(stores.statuses.connector('c')?.state, 'STOPPED')
  await worker.removeConnector('c')
  await assert.rejects(worker.connectorTaskConfigs('c'), /Connector c does not run on worker host-a:8083/)
})

test("a deleted connector's plugin hears of it, with its config, once its instance stopped; a failing hook does not undo the removal", async () => {
  const events: string[] = []
  const deleting: SourceConnectorPlugin = {
    ...plugin,
    createConnector: () => ({
      start: async () => {},
      taskConfigs: async () => [{ table: 'table0' }],
      stop: async () => {
        events.push('connector stopped')
      },
    }),
    connectorDeleted: async (config, context) => {
      events.push(`deleted ${context.connectorName} (${config['connector.class']})`)
      if (context.connectorName === 'failing') throw new Error('database unreachable')
    },
  }
  const { worker } = harness(deleting)
  await worker.startConnector('c', connectorConfig, 'STARTED', () => {})
  await worker.removeConnector('c', connectorConfig)
  assert.deepEqual(events, ['connector stopped', `deleted c (${CLASS})`])
  await worker.startConnector('failing', connectorConfig, 'STARTED', () => {})
  await worker.removeConnector('failing', connectorConfig)
  assert.equal(worker.isRunning('failing'), false)
  await assert.rejects(worker.connectorTaskConfigs('failing'), /does not run/)
})

test('a connector whose class has no plugin is FAILED, naming the class; a STOPPED one does not start', async () => {
  const { worker, stores } = harness()
  const unknown = { ...connectorConfig, 'connector.class': 'no.such.Connector' }
  assert.equal(await worker.startConnector('x', unknown, 'STARTED', () => {}), false)
  assert.equal(stores.statuses.connector('x')?.state, 'FAILED')
  assert.match(stores.statuses.connector('x')?.trace ?? '', /connector\.class=no\.such\.Connector/)
  assert.equal(await worker.startConnector('c', connectorConfig, 'STOPPED', () => {}), false)
  assert.equal(worker.isRunning('c'), false)
  assert.equal(stores.statuses.connector('c')?.state, 'STOPPED')
})

test("in a group: statuses carry the assignment's generation; a release stops everything", async () => {
  const { worker, stores } = harness()
  worker.setGeneration(7)
  assert.equal(await worker.startConnector('c', connectorConfig, 'STARTED', () => {}), true)
  assert.equal(stores.statuses.connector('c')?.generation, 7)
  const [config] = await worker.connectorTaskConfigs('c')
  await worker.startTask({ connector: 'c', task: 0 }, connectorConfig, config, 'STARTED')
  assert.equal(stores.statuses.task('c', 0)?.generation, 7)
  await worker.release()
  assert.equal(worker.isRunning('c'), false)
})
