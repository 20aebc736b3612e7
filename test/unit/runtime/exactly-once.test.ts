// Exactly-once delivery in the task loop, with a stand-in transactional producer that logs what it is asked to do:
// each poll's records and their offsets go into one transaction, offsets never reach the offsets topic outside a
// transaction, and the source's commit hook hears of offsets only once their transaction committed. A failed commit
// aborts and fails the task. Also the connector keys that pick the boundary, and the herder's preflight checks of
// exactly.once.support=required and transaction.boundary=connector (Connect's validation errors on those keys).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigDef } from '../../../src/config/config-def.ts'
import { jdbcSourcePlugin } from '../../../src/connectors/jdbc/index.ts'
import type { SourceConnectorPlugin } from '../../../src/connectors/plugin.ts'
import { postgresCdcPlugin } from '../../../src/connectors/postgres-cdc/index.ts'
import { ErrorCodes, FlowscopeError } from '../../../src/errors.ts'
import type { OutgoingRecord } from '../../../src/produce/record-producer.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { ConnectHerder } from '../../../src/runtime/connect-herder.ts'
import { exactlyOncePreflight, taskTransactionalId, transactionBoundaryOf } from '../../../src/runtime/exactly-once.ts'
import { PluginRegistry } from '../../../src/runtime/plugins.ts'
import type { Worker } from '../../../src/runtime/worker.ts'
import { type TransactionalTaskProducer, WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
import { memoryStores } from '../support/memory-stores.ts'
import { ScriptedSource, taskLoopOptions, until } from '../support/task-loop.ts'

/** Logs begin / send <topics> / commit / abort / close, in order; commits fail when told to. */
class LoggingTransactions implements TransactionalTaskProducer {
  readonly log: string[] = []
  transactionOpen = false
  failCommit = false
  tooLarge = () => undefined
  async send(records: OutgoingRecord[]): Promise<void> {
    assert.ok(this.transactionOpen, 'a send outside a transaction')
    this.log.push(`send ${records.map((r) => `${r.topic}:${r.key?.toString() ?? r.value?.toString()}`).join(' ')}`)
  }
  async beginTransaction(): Promise<void> {
    assert.ok(!this.transactionOpen, 'a transaction begun inside another')
    this.transactionOpen = true
    this.log.push('begin')
  }
  async commitTransaction(): Promise<void> {
    this.transactionOpen = false
    if (this.failCommit) throw new Error('PRODUCER_FENCED')
    this.log.push('commit')
  }
  async abortTransaction(): Promise<void> {
    if (this.transactionOpen) this.log.push('abort')
    this.transactionOpen = false
  }
  async close(): Promise<void> {
    this.log.push('close')
  }
}

function eosTask(source: ScriptedSource, producer: LoggingTransactions) {
  const offsetWrites: unknown[] = []
  const states: string[] = []
  const task = new WorkerSourceTask(
    taskLoopOptions({
      task: source,
      producer,
      exactlyOnce: { producer, offsetsTopic: 'offsets', boundary: { kind: 'poll', intervalMs: 60_000 } },
      offsets: { write: async (_c, offsets) => void offsetWrites.push(offsets) },
      offsetFlushIntervalMs: 10,
      onStatus: (state) => states.push(state),
    }),
  )
  return { task, offsetWrites, states }
}

const rec = (lsn: number): SourceRecord => ({
  sourcePartition: { table: 'a' },
  sourceOffset: { lsn },
  topic: 't',
  value: `row${lsn}`,
})

test('each poll is one transaction: its records, then its offsets, then the commit; the hook hears after it', async () => {
  const source = new ScriptedSource()
  const producer = new LoggingTransactions()
  const { task, offsetWrites } = eosTask(source, producer)
  await task.start()
  source.batches.push([rec(1), rec(2)], [rec(3)])
  await until(() => source.commits.length === 2, 'two transactions committed')
  await task.stop()
  const offsetKey = '["c",{"table":"a"}]'
  assert.deepEqual(producer.log, [
    'begin', // at start: fences an older producer of this transactional id before the task reads its offsets
    'send t:row1 t:row2',
    `send offsets:${offsetKey}`,
    'commit',
    'begin',
    'send t:row3',
    `send offsets:${offsetKey}`,
    'commit', // the next transaction begins with the next records: none open at stop, nothing to abort
    'close',
  ])
  assert.deepEqual(source.commits, [
    [{ partition: { table: 'a' }, offset: { lsn: 2 } }],
    [{ partition: { table: 'a' }, offset: { lsn: 3 } }],
  ])
  assert.deepEqual(offsetWrites, [], 'no offset written outside a transaction, flush timer or not')
})

test("with the connector's own offsets topic: the transaction carries its offsets there, the worker topic gets them after the commit", async () => {
  const source = new ScriptedSource()
  const producer = new LoggingTransactions()
  const secondary: unknown[] = []
  const task = new WorkerSourceTask(
    taskLoopOptions({
      task: source,
      producer,
      exactlyOnce: {
        producer,
        offsetsTopic: 'own-offsets',
        secondaryOffsets: {
          write: async (connector, offsets) => {
            producer.log.push(`secondary ${connector}`)
            secondary.push(offsets)
          },
        },
        boundary: { kind: 'poll', intervalMs: 60_000 },
      },
      offsets: { write: async () => assert.fail('offsets written outside the transaction') },
      offsetFlushIntervalMs: 10,
    }),
  )
  await task.start()
  source.batches.push([rec(1), rec(2)])
  await until(() => source.commits.length === 1, 'one transaction committed')
  await task.stop()
  assert.deepEqual(producer.log.slice(0, 5), [
    'begin',
    'send t:row1 t:row2',
    'send own-offsets:["c",{"table":"a"}]',
    'commit',
    'secondary c',
  ])
  assert.deepEqual(secondary, [[{ partition: { table: 'a' }, offset: { lsn: 2 } }]])
})

test('a failed commit fails the task: nothing reaches the hook or the offsets topic outside the transaction', async () => {
  const source = new ScriptedSource()
  const producer = new LoggingTransactions()
  producer.failCommit = true
  const { task, offsetWrites, states } = eosTask(source, producer)
  await task.start()
  source.batches.push([rec(1)])
  await until(() => states.includes('FAILED'), 'the task failed')
  await task.stop()
  assert.deepEqual(source.commits, [])
  assert.deepEqual(offsetWrites, [])
  assert.ok(!producer.log.includes('commit'))
})

test('the zombie-fencing preflight runs around the producer start; a failed check fails the task before it polls', async () => {
  const states: string[] = []
  const run = async (fail: 'before' | 'after' | null) => {
    const producer = new LoggingTransactions()
    const source = new ScriptedSource()
    let polled = false
    source.poll = async () => {
      polled = true
      return []
    }
    const check = (step: 'before' | 'after') => async () => {
      producer.log.push(`preflight ${step}`)
      if (fail === step) throw new Error(`${step} failed`)
    }
    const task = new WorkerSourceTask(
      taskLoopOptions({
        task: source,
        producer,
        exactlyOnce: {
          producer,
          offsetsTopic: 'offsets',
          boundary: { kind: 'poll', intervalMs: 60_000 },
          preflight: { beforeProducer: check('before'), afterProducer: check('after') },
        },
        onStatus: (state) => states.push(state),
      }),
    )
    const failedBefore = states.filter((s) => s === 'FAILED').length
    const started = await task.start()
    // A failed start has recorded FAILED by the time start() resolves (a restart may follow at once).
    const recorded = states.filter((s) => s === 'FAILED').length > failedBefore
    await task.stop()
    return { started, log: producer.log, polled, recorded }
  }
  const ok = await run(null)
  assert.equal(ok.started, true)
  assert.equal(ok.recorded, false)
  assert.deepEqual(ok.log.slice(0, 3), ['preflight before', 'begin', 'preflight after'])
  const before = await run('before')
  assert.equal(before.started, false)
  assert.equal(before.recorded, true)
  assert.deepEqual(before.log.slice(0, 1), ['preflight before'])
  assert.ok(!before.log.includes('begin'), 'no producer started (it would fence a newer generation)')
  const after = await run('after')
  assert.equal(after.started, false)
  assert.equal(after.recorded, true)
  assert.equal(after.polled, false)
  assert.deepEqual(states.filter((s) => s === 'FAILED').length, 2)
})

test('transaction.boundary: poll by default, interval from offset.flush.interval.ms unless set, connector refused', () => {
  assert.deepEqual(transactionBoundaryOf({}, 60_000), { kind: 'poll', intervalMs: 60_000 })
  assert.deepEqual(transactionBoundaryOf({ 'transaction.boundary': 'INTERVAL' }, 5000), {
    kind: 'interval',
    intervalMs: 5000,
  })
  assert.deepEqual(
    transactionBoundaryOf({ 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '250' }, 5000),
    { kind: 'interval', intervalMs: 250 },
  )
  assert.throws(
    () => transactionBoundaryOf({ 'transaction.boundary': 'connector' }, 1),
    /transaction\.boundary=connector/,
  )
  assert.throws(() => transactionBoundaryOf({ 'transaction.boundary': 'sometimes' }, 1), /transaction\.boundary/)
  assert.throws(() => transactionBoundaryOf({ 'exactly.once.support': 'always' }, 1), /exactly\.once\.support/)
  assert.equal(taskTransactionalId('connect-cluster', 'users', 2), 'connect-cluster-users-2')
})

const NOT_ENABLED = 'This worker does not have exactly-once source support enabled.'
const UNSUPPORTED = 'The connector does not support exactly-once semantics with the provided configuration.'
const NO_BOUNDARIES =
  'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.'

test('exactly.once.support=required: passes only for a connector answering SUPPORTED on an enabled worker', () => {
  const required = { 'exactly.once.support': 'Required' }
  const answering = (answer: 'SUPPORTED' | 'UNSUPPORTED') => ({ exactlyOnceSupport: () => answer })
  assert.deepEqual([...exactlyOncePreflight(answering('SUPPORTED'), required, true)], [])
  assert.deepEqual(
    [...exactlyOncePreflight(answering('UNSUPPORTED'), required, true)],
    [['exactly.once.support', [UNSUPPORTED]]],
  )
  const silent = exactlyOncePreflight({}, required, true).get('exactly.once.support') ?? []
  assert.equal(silent.length, 1)
  assert.match(silent[0], /^The connector does not implement the API required for preflight validation/)
  assert.deepEqual(
    [...exactlyOncePreflight(answering('SUPPORTED'), required, false)],
    [['exactly.once.support', [NOT_ENABLED]]],
  )
  const throwing = {
    exactlyOnceSupport: (): 'SUPPORTED' => {
      throw new Error(' no mode ')
    },
  }
  assert.deepEqual(
    [...exactlyOncePreflight(throwing, required, true)],
    [['exactly.once.support', ['An unexpected error occurred during validation: no mode']]],
  )
  // requested (the default) asks nothing, on any worker; an invalid value is left to the key's own validator.
  let asked = 0
  const counting = {
    exactlyOnceSupport: (): 'UNSUPPORTED' => {
      asked++
      return 'UNSUPPORTED'
    },
  }
  assert.deepEqual([...exactlyOncePreflight(counting, {}, false)], [])
  assert.deepEqual([...exactlyOncePreflight(counting, { 'exactly.once.support': 'requested' }, true)], [])
  assert.deepEqual([...exactlyOncePreflight(counting, { 'exactly.once.support': 'always' }, true)], [])
  assert.equal(asked, 0)
})

test('transaction.boundary=connector is refused on the key; poll and interval pass', () => {
  const supported = { exactlyOnceSupport: () => 'SUPPORTED' as const }
  assert.deepEqual(
    [...exactlyOncePreflight(supported, { 'transaction.boundary': 'CONNECTOR' }, true)],
    [['transaction.boundary', [NO_BOUNDARIES]]],
  )
  for (const boundary of ['poll', 'interval']) {
    assert.deepEqual([...exactlyOncePreflight(supported, { 'transaction.boundary': boundary }, true)], [])
  }
})

test("the JDBC source is exactly-once only in modes whose offsets are a row's exact position; CDC always", () => {
  const jdbc = (mode: string) => jdbcSourcePlugin.exactlyOnceSupport?.({ mode })
  assert.equal(jdbc('incrementing'), 'SUPPORTED')
  assert.equal(jdbc('timestamp+incrementing'), 'SUPPORTED')
  assert.equal(jdbc('timestamp'), 'UNSUPPORTED')
  assert.equal(jdbc('bulk'), 'UNSUPPORTED')
  assert.equal(jdbc('sometimes'), 'UNSUPPORTED')
  assert.equal(postgresCdcPlugin.exactlyOnceSupport?.({}), 'SUPPORTED')
})

test('the herder reports the preflight errors on validate, and refuses to create such a connector', async () => {
  const plugin: SourceConnectorPlugin = {
    className: 'test.Silent',
    aliases: [],
    type: 'source',
    version: '1',
    configDef: new ConfigDef(),
    createConnector: () => ({ start: async () => {}, taskConfigs: async () => [], stop: async () => {} }),
    createTask: () => ({ start: async () => {}, poll: async () => [], stop: async () => {} }),
  }
  const stores = memoryStores()
  const herder = new ConnectHerder({
    version: '4.1.1',
    commit: 'test',
    plugins: new PluginRegistry([plugin]),
    configs: stores.configs,
    offsets: stores.offsets,
    statuses: stores.statuses,
    // Never reached: validation fails before anything would run.
    worker: { workerId: 'w:1' } as Worker,
    metrics: { recordRebalance: () => {} },
    clusterId: async () => 'c',
    topicTrackingEnabled: false,
    topicTrackingAllowReset: false,
    exactlyOnceSourceSupport: true,
    assignor: { assignment: () => ({ connectors: new Set(), tasks: [] }) },
  })
  await herder.start()
  const config = { name: 'silent', 'connector.class': 'test.Silent', 'exactly.once.support': 'required' }
  const infos = await herder.validateConnectorConfig('test.Silent', config)
  assert.equal(infos.error_count, 1)
  const key = infos.configs.find((c) => c.value.name === 'exactly.once.support')
  assert.equal(key?.definition?.group, 'Exactly Once Support')
  assert.match(key?.value.errors[0] ?? '', /does not implement the API required for preflight validation/)
  await assert.rejects(
    herder.putConnectorConfig('silent', config, { allowReplace: false }),
    (e: unknown) =>
      e instanceof FlowscopeError &&
      e.code === ErrorCodes.INVALID_CONFIG &&
      /exactly\.once\.support: The connector does not implement/.test(e.message),
  )
  assert.equal(stores.logs.configs.records.length, 0, 'nothing was written to the config topic')
  const requested = await herder.validateConnectorConfig('test.Silent', {
    ...config,
    'exactly.once.support': 'requested',
  })
  assert.equal(requested.error_count, 0)
})
