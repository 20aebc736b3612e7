// Which group a config topic belongs to. Connect writes nothing that says so: a worker given another group's
// config.storage.topic (a copied properties file, a typo) silently runs that group's connectors beside it, each
// writing every row again. flowscope's first worker of a group writes one record, key `flowscope-owner`, with its
// group.id and Kafka cluster id; a worker whose group.id or cluster differs from it refuses to start, naming both.
// (Connect's own workers log "Discarding config update record with invalid key" for it and go on.)
import { ErrorCodes, FlowscopeError } from '../errors.ts'

export const OWNER_KEY = 'flowscope-owner'

export interface TopicOwner {
  groupId: string
  /** The Kafka cluster the record was written on: a topic copied from another cluster keeps the original's. */
  kafkaClusterId: string
}

export class TopicOwnershipError extends FlowscopeError {
  constructor(message: string) {
    super(ErrorCodes.STARTUP, message)
    this.name = 'TopicOwnershipError'
  }
}

/** The owner a record names, or undefined for a record that is not a readable owner. */
export function parseOwner(value: Buffer | null): TopicOwner | undefined {
  if (value === null) return undefined
  try {
    const body = JSON.parse(value.toString('utf8')) as Record<string, unknown>
    if (typeof body['group.id'] !== 'string' || typeof body['kafka.cluster.id'] !== 'string') return undefined
    return { groupId: body['group.id'], kafkaClusterId: body['kafka.cluster.id'] }
  } catch {
    return undefined
  }
}

export function ownerRecord(owner: TopicOwner): Buffer {
  return Buffer.from(JSON.stringify({ 'group.id': owner.groupId, 'kafka.cluster.id': owner.kafkaClusterId }))
}

/** Why this worker must not use the topic, or undefined when it belongs to the worker's group on this cluster. */
export function ownershipConflict(topic: string, owner: TopicOwner, worker: TopicOwner): string | undefined {
  if (owner.groupId === worker.groupId && owner.kafkaClusterId === worker.kafkaClusterId) return undefined
  const where =
    owner.kafkaClusterId === worker.kafkaClusterId
      ? `group.id '${owner.groupId}'`
      : `group.id '${owner.groupId}' on another Kafka cluster ('${owner.kafkaClusterId}', this is '${worker.kafkaClusterId}')`
  return (
    `config.storage.topic '${topic}' holds the connectors of ${where}, not of this worker's group.id ` +
    `'${worker.groupId}'. Give each group its own config.storage.topic, offset.storage.topic and ` +
    `status.storage.topic${owner.kafkaClusterId === worker.kafkaClusterId ? `, or start this worker with group.id=${owner.groupId}` : ''}.`
  )
}
