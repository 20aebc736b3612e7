// A group's config topic as a third party sees it: flowscope's ConfigStore attached to the topic, read and written
// like a worker's (tests read the session key, task-count records and task configs another worker wrote, or write
// records a real Connect worker then reads). stop() closes the log and its producer.
import { Producer } from '@platformatic/kafka'
import { ConfigStore } from '../../src/storage/config-store.ts'
import { KafkaLog } from '../../src/storage/kafka-log.ts'
import { testStack } from './stack.ts'

export interface ConfigTopicView {
  store: ConfigStore
  stop(): Promise<void>
}

export async function openConfigTopicView(topic: string, clientId: string): Promise<ConfigTopicView> {
  const bootstrapServers = testStack().bootstrapServers.split(',')
  const store = new ConfigStore()
  // Idempotent with acks=all, as a worker writes its config topic.
  const producer = new Producer({ clientId, bootstrapBrokers: bootstrapServers, idempotent: true, acks: -1 })
  const log = new KafkaLog({
    topic,
    bootstrapServers,
    clientId,
    producer,
    partitions: 1,
    onRecord: (key, value, _partition, offset) => store.apply(key, value, offset),
  })
  store.attach(log)
  try {
    await log.start()
  } catch (error) {
    await producer.close().catch(() => {})
    throw error
  }
  return {
    store,
    async stop() {
      await log.stop().catch(() => {})
      await producer.close().catch(() => {})
    },
  }
}
