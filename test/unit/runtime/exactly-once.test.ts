// Exactly-once delivery in the task loop, with a stand-in transactional producer that logs what it is asked to do:
// each poll's records and their offsets go into one transaction, offsets never reach the offsets topic outside a
// transaction, and the source's commit hook hears of offsets only once their transaction committed. A failed commit
// aborts and fails the task. Also the connector keys that pick the boundary.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutgoingRecord } from '../../../src/produce/record-producer.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { taskTransactionalId, transactionBoundaryOf } from '../../../src/runtime/exactly-once.ts'
import { type TransactionalTaskProducer, WorkerSourceTask } from '../../../src/runtime/worker-source-task.ts'
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
