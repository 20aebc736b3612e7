// Exactly-once source delivery (KIP-618), as Connect's ExactlyOnceWorkerSourceTask does it: with the worker's
// `exactly.once.source.support=enabled`, each source task gets a transactional producer of its own, id
// `<group.id>-<connector>-<task>`, and writes its records and their source offsets (to the offsets topic) in one
// transaction, committed at the connector's `transaction.boundary`. Consumers reading `read_committed` then see every
// record once across crashes: a transaction cut by a crash is aborted together with its offsets, and the restarted
// task resumes from the offsets of the last committed one. Starting a task's producer fences any older producer of
// the same id (a zombie of an earlier start), whose next send or commit then fails; before that, the group's leader
// fences the ids of every task of the connector's previous generation, those a smaller task count no longer starts
// included (ConnectHerder.fenceZombieSourceTasks).
import { atLeast, ConfigDef, ConfigTypes, Importance, oneOf } from '../config/config-def.ts'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import type { OutgoingRecord } from '../produce/record-producer.ts'
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import { offsetRecord } from '../storage/offset-store.ts'

const GROUP = 'Exactly Once Support'

/**
 * Connect's SourceConnectorConfig keys for exactly-once support: part of every source connector's definition (they
 * are validated on any worker), acted on by a worker with exactly-once source support enabled.
 */
export const exactlyOnceConfigDef = new ConfigDef()
  .define({
    name: 'exactly.once.support',
    type: ConfigTypes.STRING,
    default: 'requested',
    importance: Importance.MEDIUM,
    documentation:
      'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to "requested". Additionally, if the value is set to "required" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.',
    group: GROUP,
    // Connect's numbering runs on from topic.creation.groups (1).
    orderInGroup: 2,
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
      'Permitted values are: poll, interval, connector. If set to "poll", a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to "connector", relies on connector-defined transaction boundaries; no flowscope connector can define its own, so validation refuses it. If set to "interval", commits transactions only after a user-defined time interval has passed.',
    group: GROUP,
    orderInGroup: 3,
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
    orderInGroup: 4,
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
  // Validation refuses it (exactlyOncePreflight); a config stored before that check still fails its task here.
  if (kind === 'connector') throw new Error(`transaction.boundary=connector: ${NO_CONNECTOR_BOUNDARIES}`)
  const interval = values.get('transaction.boundary.interval.ms') as number | null
  return { kind: kind as 'poll' | 'interval', intervalMs: interval ?? offsetFlushIntervalMs }
}

// Connect's validation messages (DistributedHerder.validateSourceConnectorExactlyOnceSupport / ...TransactionBoundary).
const NOT_ENABLED = 'This worker does not have exactly-once source support enabled.'
const NOT_SAID =
  'The connector does not implement the API required for preflight validation of exactly-once source support. Please consult the documentation for the connector to determine whether it supports exactly-once semantics, and then consider reconfiguring the connector to use the value "requested" for this property (which will disable this preflight check and allow the connector to be created).'
const UNSUPPORTED = 'The connector does not support exactly-once semantics with the provided configuration.'
const NO_CONNECTOR_BOUNDARIES =
  'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.'

/**
 * Connect's herder checks of a source connector config, key → errors (empty when it passes):
 * `exactly.once.support=required` needs a worker with exactly-once source support and a connector that answers
 * SUPPORTED for this config; `transaction.boundary=connector` needs a connector that defines transaction boundaries,
 * which no flowscope plugin can (the plugin API has no transaction context), so Connect's refusal for a connector
 * answering UNSUPPORTED applies. A key that already fails its own validation is not checked further, as in Connect.
 */
export function exactlyOncePreflight(
  plugin: Pick<SourceConnectorPlugin, 'exactlyOnceSupport'>,
  config: Record<string, string>,
  workerEnabled: boolean,
): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const { values, errors: keyErrors } = exactlyOnceConfigDef.parse(config)
  const support = 'exactly.once.support'
  if (!keyErrors.has(support) && String(values.get(support)).trim().toLowerCase() === 'required') {
    const messages: string[] = []
    if (!workerEnabled) messages.push(NOT_ENABLED)
    try {
      const answer = plugin.exactlyOnceSupport?.(config)
      if (answer === undefined) messages.push(NOT_SAID)
      else if (answer === 'UNSUPPORTED') messages.push(UNSUPPORTED)
    } catch (error) {
      const detail = error instanceof Error ? error.message.trim() : ''
      messages.push(
        `An unexpected error occurred during validation${detail ? `: ${detail}` : '; please see the worker logs for more details.'}`,
      )
    }
    if (messages.length > 0) errors.set(support, messages)
  }
  const boundary = 'transaction.boundary'
  if (!keyErrors.has(boundary) && String(values.get(boundary)).trim().toLowerCase() === 'connector') {
    errors.set(boundary, [NO_CONNECTOR_BOUNDARIES])
  }
  return errors
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
