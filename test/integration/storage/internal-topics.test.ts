// Workers of one group started at the same moment each set up the same internal topics on the real broker: one
// creates each topic, the other's request finds it already there (TOPIC_ALREADY_EXISTS). Both must succeed, and the
// topics must be what the worker asks for; an existing internal topic that is not compacted is still refused.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { internalTopicSpecs } from '../../../src/runtime/worker-process.ts'
import { ensureCompactedTopic } from '../../../src/storage/topic-admin.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const bootstrapBrokers = [testStack().bootstrapServers]
const admins = [1, 2].map((n) => new Admin({ clientId: `internal-topics-test-${n}`, bootstrapBrokers }))
after(() => Promise.all(admins.map((a) => a.close())))

const TOPIC_RESOURCE = 2

async function cleanupPolicy(topic: string): Promise<string | undefined> {
  const [description] = await admins[0].describeConfigs({
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: ['cleanup.policy'] }],
  })
  return description?.configs.find((c) => c.name === 'cleanup.policy')?.value ?? undefined
}

test('two workers setting up the same internal topics at the same moment both start', async () => {
  // Several groups in a row, each with fresh topic names: every round is a new race over three topics.
  for (let round = 0; round < 5; round++) {
    const specs = Object.values(
      internalTopicSpecs({
        configTopic: { name: uniqueName('race_configs'), replicationFactor: 1 },
        offsetTopic: { name: uniqueName('race_offsets'), replicationFactor: 1, partitions: 25 },
        statusTopic: { name: uniqueName('race_status'), replicationFactor: 1, partitions: 5 },
      }),
    )
    // Each worker sets its topics up one after another, as startWorker does; the two workers start together.
    const outcomes = await Promise.allSettled(
      admins.map(async (admin) => {
        for (const spec of specs) await ensureCompactedTopic(admin, spec)
      }),
    )
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? 'started' : String(o.reason))),
      ['started', 'started'],
      `round ${round}`,
    )
    const metadata = await admins[0].metadata({ topics: specs.map((s) => s.name) })
    for (const spec of specs) {
      assert.equal(metadata.topics.get(spec.name)?.partitionsCount, spec.partitions, `${spec.name} partitions`)
      assert.equal(await cleanupPolicy(spec.name), 'compact', `${spec.name} cleanup.policy`)
    }
  }
})

test('an existing internal topic that is not compacted is refused, naming the property and the policy', async () => {
  const name = uniqueName('not_compacted')
  await admins[0].createTopics({
    topics: [name],
    partitions: 1,
    replicas: 1,
    configs: [{ name: 'cleanup.policy', value: 'delete' }],
  })
  const spec = { name, partitions: 1, replicationFactor: 1, property: 'config.storage.topic' }
  await assert.rejects(
    Promise.all(admins.map((admin) => ensureCompactedTopic(admin, spec))),
    /Topic '.*' supplied via the 'config.storage.topic' property is required to have 'cleanup.policy=compact'.*'cleanup.policy=delete'/,
  )
})
