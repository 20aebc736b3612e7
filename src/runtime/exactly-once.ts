// Exactly-once source delivery (KIP-618), as Connect's ExactlyOnceWorkerSourceTask does it: with the worker's
// `exactly.once.source.support=enabled`, each source task gets a transactional producer of its own, id
// `<group.id>-<connector>-<task>`, and writes its records and their source offsets (to the offsets topic) in one
// transaction, committed at the connector's `transaction.boundary`. Consumers reading `read_committed` then see every
// record once across crashes: a transaction cut by a crash is aborted together with its offsets, and the restarted
// task resumes from the offsets of the last committed one. Starting a task's producer fences any older producer of
// the same id (a zombie of an earlier start), whose next send or commit then fails.
import { atLeast, ConfigDef, ConfigTypes, Importance, oneOf } from '../config/config-def.ts'
import type { OutgoingRecord } from '../produce/record-producer.ts'
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import { offsetRecord } from '../storage/offset-store.ts'

const GROUP = 'Exactly Once Support'

/**
 * Connect's SourceConnectorConfig keys for exactly-once support. Connect adds them to a source connector's
 * definition only on a worker with exactly-once source support enabled, and so does flowscope.
 */
export const exactlyOnceConfigDef = new ConfigDef()
  .define({
    name: 'exactly.once.support',
    type: ConfigTypes.STRING,
    default: 'requested',
    importance: Importance.MEDIUM,
    documentation:
      'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration.',
    group: GROUP,
    orderInGroup: 1,
    width: 'SHORT',
    displayName: 'Exactly once support',
    validator: oneOf(['requested', 'required'], true),
  })
  .define({
    name: 'transaction.boundary',
    type: ConfigTypes.STRING,
    default: 'poll',
    importance: Importance.MEDIUM,
    documentation:
      'Permitted values are: poll, interval, connector. If set to "poll", a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to "interval", commits transactions only after a user-defined time interval has passed. "connector" (transaction boundaries defined by the connector) is not offered by flowscope\'s connectors.',
    group: GROUP,
    orderInGroup: 2,
    width: 'SHORT',
    displayName: 'Transaction Boundary',
    validator: oneOf(['poll', 'interval', 'connector'], true),
  })
  .define({
    name: 'transaction.boundary.interval.ms',
    type: ConfigTypes.LONG,
    default: null,
    importance: Importance.LOW,
    documentation:
      'If "transaction.boundary" is set to "interval", determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level "offset.flush.interval.ms" property.',
    group: GROUP,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Transaction boundary interval',
    validator: (value, name) => (value === null ? undefined : atLeast(0)(value, name)),
  })

export interface TransactionBoundary {
  kind: 'poll' | 'interval'
  intervalMs: number
}

/** The boundary a connector's config asks for; throws with the key and what to do when it cannot be honoured. */
export function transactionBoundaryOf(
  config: Record<string, string>,
  offsetFlushIntervalMs: number,
): TransactionBoundary {
  const { values, errors } = exactlyOnceConfigDef.parse(config)
  for (const [key, messages] of errors) throw new Error(`${key}: ${messages.join('; ')}`)
  const kind = String(values.get('transaction.boundary')).toLowerCase()
  if (kind === 'connector') {
    throw new Error(
      'transaction.boundary=connector: the connector does not support connector-defined transaction boundaries; use poll or interval',
    )
  }
  const interval = values.get('transaction.boundary.interval.ms') as number | null
  return { kind: kind as 'poll' | 'interval', intervalMs: interval ?? offsetFlushIntervalMs }
}

/** Connect's Worker.taskTransactionalId: one id per task, stable across restarts, so a restart fences its zombie. */
export function taskTransactionalId(groupId: string, connector: string, taskId: number): string {
  return `${groupId}-${connector}-${taskId}`
}

/** The offsets-topic records a transaction carries for these source offsets (Connect's key and value format). */
export function offsetRecords(
  offsetsTopic: string,
  connector: string,
  offsets: readonly { partition: SourcePartition; offset: SourceOffset | null }[],
): OutgoingRecord[] {
  return offsets.map(({ partition, offset }) => {
    const { key, value } = offsetRecord(connector, partition, offset)
    return { topic: offsetsTopic, key: Buffer.from(key, 'utf8'), value }
  })
}
