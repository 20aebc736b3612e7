// Creates the worker's internal topics (compacted, with the configured partitions and replication factor) and
// refuses to run on an existing internal topic whose cleanup.policy is not compact (offsets could be lost).
import type { Admin } from '@platformatic/kafka'

export interface InternalTopicSpec {
  name: string
  partitions: number
  /** -1 = the broker's default. */
  replicationFactor: number
  /** The worker property that names the topic, for error messages. */
  property: string
}

const TOPIC_RESOURCE = 2 // ConfigResourceTypes.TOPIC

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
      // Another worker may have created it meanwhile; fall through to the policy check.
      if (!(await admin.listTopics()).includes(spec.name)) {
        throw new Error(
          `Could not create internal topic ${spec.name} (${spec.property}) with ${spec.partitions} partition(s) and replication factor ${spec.replicationFactor}: ${(error as Error).message}. Check the broker count against ${spec.property.replace('.topic', '.replication.factor')}.`,
          { cause: error },
        )
      }
    }
  }
  const [description] = await admin.describeConfigs({
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: spec.name, configurationKeys: ['cleanup.policy'] }],
  })
  const policy = description?.configs.find((c) => c.name === 'cleanup.policy')?.value ?? ''
  if (!policy.split(',').includes('compact') || policy.includes('delete')) {
    throw new Error(
      `Topic '${spec.name}' supplied via the '${spec.property}' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of the worker's state, but found the topic currently has 'cleanup.policy=${policy}'. Change the topic's cleanup.policy to compact, or name another topic in '${spec.property}'.`,
    )
  }
}
