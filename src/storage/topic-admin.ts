// Creates the worker's internal topics (compacted, with the configured partitions and replication factor) and
// refuses to run on an existing internal topic whose cleanup.policy is not compact (offsets could be lost).
// Workers of one group started at the same moment race to create the same topics: the loser's TOPIC_ALREADY_EXISTS
// means the topic is there, so it is checked like any existing topic instead of failing the worker (as Connect's
// TopicAdmin treats a TopicExistsException). Also the creation of the topics connectors write to (topic.creation).
import type { Admin } from '@platformatic/kafka'
import { getLogger } from '../logging.ts'

export interface InternalTopicSpec {
  name: string
  partitions: number
  /** -1 = the broker's default. */
  replicationFactor: number
  /** The worker property that names the topic, for error messages. */
  property: string
}

const TOPIC_RESOURCE = 2 // ConfigResourceTypes.TOPIC
/** A topic a concurrent creator just made may not be known yet to the broker asked next: asked again this often. */
const DESCRIBE_ATTEMPTS = 20
const DESCRIBE_BACKOFF_MS = 250

const log = getLogger('flowscope.storage.topics')

export async function ensureCompactedTopic(admin: Admin, spec: InternalTopicSpec): Promise<void> {
  const existing = await admin.listTopics()
  if (!existing.includes(spec.name)) {
    try {
      await admin.createTopics({
        topics: [spec.name],
        partitions: spec.partitions,
        replicas: spec.replicationFactor,
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      })
      return
    } catch (error) {
      // Created by another worker between the listing and this request: checked below like any existing topic.
      if (!hasKafkaError(error, 'TOPIC_ALREADY_EXISTS') && !(await admin.listTopics()).includes(spec.name)) {
        throw new Error(
          `Could not create internal topic ${spec.name} (${spec.property}) with ${spec.partitions} partition(s) and replication factor ${spec.replicationFactor}: ${(error as Error).message}. Check the broker count against ${spec.property.replace('.topic', '.replication.factor')}.`,
          { cause: error },
        )
      }
      log.info({ topic: spec.name }, 'internal topic created meanwhile by another worker; checking its configuration')
    }
  }
  const policy = await cleanupPolicy(admin, spec.name)
  if (!policy.split(',').includes('compact') || policy.includes('delete')) {
    throw new Error(
      `Topic '${spec.name}' supplied via the '${spec.property}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of the worker's state, but found the topic currently has 'cleanup.policy=${policy}'. Change the topic's cleanup.policy to compact, or name another topic in '${spec.property}'.`,
    )
  }
}

async function cleanupPolicy(admin: Admin, topic: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [description] = await admin.describeConfigs({
        resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: ['cleanup.policy'] }],
      })
      return description?.configs.find((c) => c.name === 'cleanup.policy')?.value ?? ''
    } catch (error) {
      if (attempt >= DESCRIBE_ATTEMPTS || !hasKafkaError(error, 'UNKNOWN_TOPIC_OR_PARTITION')) throw error
      await new Promise((resolve) => setTimeout(resolve, DESCRIBE_BACKOFF_MS))
    }
  }
}

/** Whether Kafka answered with this error (a ProtocolError's apiId, possibly nested in the client's MultipleErrors). */
export function hasKafkaError(error: unknown, apiId: string): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as { apiId?: unknown; errors?: unknown; cause?: unknown }
  if (e.apiId === apiId) return true
  if (Array.isArray(e.errors) && e.errors.some((inner) => hasKafkaError(inner, apiId))) return true
  return e.cause !== undefined && e.cause !== error && hasKafkaError(e.cause, apiId)
}

/** Creates a topic connectors write to, when missing (topic.creation.* of a connector). */
export interface TopicCreator {
  /** A topic that cannot be created is left to the broker's auto-creation (logged); a failed listing throws. */
  createIfMissing(topic: string, partitions: number, replicationFactor: number): Promise<void>
}

export function adminTopicCreator(admin: Admin): TopicCreator {
  return {
    async createIfMissing(topic, partitions, replicationFactor) {
      if ((await admin.listTopics()).includes(topic)) return
      await admin
        .createTopics({ topics: [topic], partitions, replicas: replicationFactor })
        .catch((error) => log.warn({ err: error, topic }, 'topic creation failed; relying on broker auto-creation'))
    },
  }
}
