// Assembles one worker: metrics → producer → internal topics and stores → herder → REST API → group membership.
// Startup order follows Connect: REST answers (health "starting") while the stores read their topics; the worker
// joins its group (group.id) and the connectors and tasks its first assignment holds resume in their target states
// from their committed offsets. stop() is the graceful shutdown SIGTERM triggers: work stops, then the worker leaves
// its group so the others take its work over at once.
import { hostname } from 'node:os'
import { Admin } from '@platformatic/kafka'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import { getLogger } from '../logging.ts'
import { createWorkerMetrics, type WorkerMetrics } from '../metrics/worker-metrics.ts'
import { fenceProducers } from '../produce/fence-producers.ts'
import { RecordProducer } from '../produce/record-producer.ts'
import { startRestServer } from '../rest/server.ts'
import { ConfigStore } from '../storage/config-store.ts'
import { ConnectorOffsetStores } from '../storage/connector-offsets.ts'
import { connectPartition, KafkaLog } from '../storage/kafka-log.ts'
import { OffsetStore } from '../storage/offset-store.ts'
import { StatusStore } from '../storage/status-store.ts'
import { adminTopicCreator, ensureCompactedTopic, type InternalTopicSpec } from '../storage/topic-admin.ts'
import { ownershipConflict, TopicOwnershipError } from '../storage/topic-ownership.ts'
import { CONNECT_COMPAT_VERSION, FLOWSCOPE_VERSION } from '../version.ts'
import { ConnectHerder, type InterWorkerSettings } from './connect-herder.ts'
import type { ConnectProtocolMode } from './connect-protocol.ts'
import { taskTransactionalId } from './exactly-once.ts'
import { createGroupMembership, type GroupMembership } from './group-membership.ts'
import type { ConnectorTaskId } from './herder.ts'
import { PluginRegistry } from './plugins.ts'
import { ConnectWorker } from './worker.ts'
import type { ExactlyOncePreflight } from './worker-source-task.ts'

export interface WorkerSettings {
  bootstrapServers: string[]
  groupId: string
  clientId: string
  restHost: string
  restPort: number
  advertisedHost: string
  advertisedPort: number
  maxBodyBytes: number
  configTopic: { name: string; replicationFactor: number }
  offsetTopic: { name: string; replicationFactor: number; partitions: number }
  statusTopic: { name: string; replicationFactor: number; partitions: number }
  offsetFlushIntervalMs: number
  offsetFlushTimeoutMs: number
  keyConverter: { className: string; config: Record<string, string> }
  valueConverter: { className: string; config: Record<string, string> }
  producerOverrides: Record<string, string>
  topicTrackingEnabled: boolean
  topicTrackingAllowReset: boolean
  topicCreationEnabled: boolean
  /** exactly.once.source.support=enabled: each source task writes records and offsets in transactions. */
  exactlyOnceSourceSupport?: boolean
  plugins: SourceConnectorPlugin[]
  /** session.timeout.ms, heartbeat.interval.ms, rebalance.timeout.ms of the worker's group membership. */
  group?: {
    sessionTimeoutMs: number
    heartbeatIntervalMs: number
    rebalanceTimeoutMs: number
    /** connect.protocol (Connect's default: sessioned). */
    protocol?: ConnectProtocolMode
    /** scheduled.rebalance.max.delay.ms (Connect's default: 300000). */
    scheduledRebalanceMaxDelayMs?: number
    /** worker.sync.timeout.ms and worker.unsync.backoff.ms (Connect's defaults: 3000 and 300000). */
    workerSyncTimeoutMs?: number
    workerUnsyncBackoffMs?: number
  }
  /** The inter.worker.* keys: session keys and the signing of requests between workers; Connect's defaults when absent. */
  interWorker?: InterWorkerSettings
}

export interface RunningWorker {
  readonly restUrl: string
  readonly workerId: string
  readonly herder: ConnectHerder
  readonly metrics: WorkerMetrics
  stop(): Promise<void>
}

const log = getLogger('flowscope.runtime.worker')

export async function startWorker(settings: WorkerSettings): Promise<RunningWorker> {
  const workerId = `${settings.advertisedHost}:${settings.advertisedPort}`
  const clientId = settings.clientId
  const metrics = createWorkerMetrics({
    workerId,
    clientId,
    version: FLOWSCOPE_VERSION,
    commitId: 'flowscope',
    startTimeMs: Date.now(),
  })
  const admin = new Admin({ clientId: `${clientId}-admin`, bootstrapBrokers: settings.bootstrapServers })
  const producer = new RecordProducer({
    bootstrapServers: settings.bootstrapServers,
    clientId: `${clientId}-producer`,
    overrides: settings.producerOverrides,
    metrics: metrics.producer,
  })
  const internalProducer = new RecordProducer({
    bootstrapServers: settings.bootstrapServers,
    clientId: `${clientId}-internal`,
    overrides: {},
    metrics: { recordSend() {}, recordErrors() {}, recordRetries() {}, requestsInFlight() {} },
  })
  // kafka_connect_connect_metrics_*: every Kafka client of the worker under its own client id.
  for (const client of [admin, producer.client, internalProducer.client]) {
    metrics.kafkaClient(client.clientId).watch(client)
  }
  const configs = new ConfigStore()
  const offsets = new OffsetStore()
  const statuses = new StatusStore()
  const plugins = new PluginRegistry(settings.plugins)
  const logs: KafkaLog[] = []
  /** A compacted internal topic read into `apply` (own writes included), started by the caller. */
  const internalLog = (
    topic: string,
    partitions: number,
    apply: (key: string | null, value: Buffer | null, offset: bigint) => void,
  ) =>
    new KafkaLog({
      topic,
      bootstrapServers: settings.bootstrapServers,
      clientId: `${clientId}-${settings.groupId}`,
      producer: internalProducer.client,
      partitions,
      partitionOf: connectPartition,
      network: (id) => metrics.kafkaClient(id),
      onRecord: (key, value, _partition, offset) => {
        try {
          apply(key, value, offset)
        } catch (error) {
          log.warn({ err: error, topic, key }, 'skipping an unreadable record of an internal topic')
        }
      },
    })
  // A connector's own offsets topic (offsets.storage.topic): created if missing with the worker's offsets-topic
  // settings, as Connect does, and read like the worker's.
  const offsetStores = new ConnectorOffsetStores({
    global: offsets,
    globalTopic: settings.offsetTopic.name,
    open: async (topic) => {
      await ensureCompactedTopic(admin, { ...settings.offsetTopic, name: topic, property: 'offsets.storage.topic' })
      const partitions = (await admin.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount
      const store = new OffsetStore()
      const kafkaLog = internalLog(topic, partitions ?? settings.offsetTopic.partitions, (key, value) =>
        store.apply(key, value),
      )
      store.attach(kafkaLog)
      logs.push(kafkaLog)
      await kafkaLog.start()
      return store
    },
  })
  let membership: GroupMembership | undefined
  const worker = new ConnectWorker({
    workerId,
    // A task of a worker whose membership may have lapsed commits no offsets: its work may run elsewhere already.
    commitFence: () => (membership ? membership.lapsed() : 'not a member of its group yet'),
    plugins,
    offsets,
    offsetStores,
    statuses,
    producer,
    topics: adminTopicCreator(admin),
    metrics,
    keyConverter: settings.keyConverter,
    valueConverter: settings.valueConverter,
    offsetFlushIntervalMs: settings.offsetFlushIntervalMs,
    offsetFlushTimeoutMs: settings.offsetFlushTimeoutMs,
    topicTrackingEnabled: settings.topicTrackingEnabled,
    topicCreationEnabled: settings.topicCreationEnabled,
    ...(settings.exactlyOnceSourceSupport
      ? {
          exactlyOnce: {
            offsetsTopic: settings.offsetTopic.name,
            producerFor: (connector: string, taskId: number) =>
              new RecordProducer({
                bootstrapServers: settings.bootstrapServers,
                // Connect's client id for a task's own producer.
                clientId: `connector-producer-${connector}-${taskId}`,
                overrides: settings.producerOverrides,
                metrics: metrics.producer,
                transactionalId: taskTransactionalId(settings.groupId, connector, taskId),
              }),
            // The herder below decides the preflight (it is built after the worker it drives).
            preflight: (id: ConnectorTaskId): ExactlyOncePreflight => herder.exactlyOncePreflight(id),
          },
        }
      : {}),
  })
  // A member of the group of workers sharing group.id: it runs what the group's leader assigns it.
  const herder: ConnectHerder = new ConnectHerder({
    version: CONNECT_COMPAT_VERSION,
    commit: `flowscope-${FLOWSCOPE_VERSION}`,
    plugins,
    configs,
    offsets,
    offsetStores,
    statuses,
    worker,
    metrics,
    clusterId: async () => (await admin.metadata({ topics: [] })).id,
    topicTrackingEnabled: settings.topicTrackingEnabled,
    topicTrackingAllowReset: settings.topicTrackingAllowReset,
    exactlyOnceSourceSupport: settings.exactlyOnceSourceSupport === true,
    group: true,
    scheduledRebalanceMaxDelayMs: settings.group?.scheduledRebalanceMaxDelayMs ?? 300_000,
    workerSyncTimeoutMs: settings.group?.workerSyncTimeoutMs ?? 3_000,
    workerUnsyncBackoffMs: settings.group?.workerUnsyncBackoffMs ?? 300_000,
    ...(settings.interWorker ? { interWorker: settings.interWorker } : {}),
    // KIP-618 zombie fencing as the leader: a producer of each task id of the previous generation.
    fenceZombies: (connector, taskCount) =>
      fenceProducers(
        { bootstrapServers: settings.bootstrapServers, clientId: `${clientId}-fencing-${connector}` },
        Array.from({ length: taskCount }, (_, task) => taskTransactionalId(settings.groupId, connector, task)),
      ),
  })
  const url = `http://${settings.advertisedHost}:${settings.advertisedPort}`
  const rest = await startRestServer({
    herder,
    host: settings.restHost,
    port: settings.restPort,
    maxBodyBytes: settings.maxBodyBytes,
    metrics,
  })

  try {
    const topics = internalTopicSpecs(settings)
    const specs = [
      { ...topics.config, store: configs },
      { ...topics.offset, store: offsets },
      { ...topics.status, store: statuses },
    ]
    for (const spec of specs) {
      await ensureCompactedTopic(admin, spec)
      const store = spec.store
      const kafkaLog = internalLog(spec.name, spec.partitions, (key, value, offset) => {
        if (store === configs) configs.apply(key, value, offset)
        else store.apply(key, value)
      })
      store.attach(kafkaLog)
      logs.push(kafkaLog)
    }
    await Promise.all(logs.map((l) => l.start()))
    // The config topic must be this group's (topic-ownership.ts): claimed on first use, checked on every start.
    const me = { groupId: settings.groupId, kafkaClusterId: (await admin.metadata({ topics: [] })).id }
    const owner = configs.owner ?? (await configs.claim(me))
    const conflict = owner && ownershipConflict(settings.configTopic.name, owner, me)
    if (conflict) throw new TopicOwnershipError(conflict)
    await herder.start()
    const member = createGroupMembership({
      bootstrapServers: settings.bootstrapServers,
      groupId: settings.groupId,
      clientId,
      url,
      ...(settings.group && {
        sessionTimeoutMs: settings.group.sessionTimeoutMs,
        heartbeatIntervalMs: settings.group.heartbeatIntervalMs,
        rebalanceTimeoutMs: settings.group.rebalanceTimeoutMs,
        protocol: settings.group.protocol ?? 'sessioned',
      }),
      network: metrics.kafkaClient(clientId),
      listener: herder,
    })
    membership = member
    herder.attachGroup(member)
    // Resolves once the first assignment has started (the herder is then "started": REST answers /connectors).
    await member.start()
  } catch (error) {
    await Promise.allSettled(logs.map((l) => l.stop()))
    await membership?.leave().catch(() => {})
    await rest.close()
    await Promise.allSettled([producer.close(), internalProducer.close(), admin.close()])
    throw error
  }
  log.info({ workerId, rest: rest.url, groupId: settings.groupId }, 'worker started')

  let stopping: Promise<void> | undefined
  return {
    restUrl: rest.url,
    workerId,
    herder,
    metrics,
    stop() {
      stopping ??= (async () => {
        // Work stops first (no later assignment restarts it), then the worker leaves its group: leaving rather than
        // timing out hands its connectors and tasks to the others at once, and none of them runs here any more.
        await herder.stop()
        await membership?.leave().catch((e) => log.warn({ err: e }, 'leaving the worker group failed'))
        await rest.close()
        await Promise.allSettled(logs.map((l) => l.stop()))
        await Promise.allSettled([producer.close(), internalProducer.close(), admin.close()])
      })()
      return stopping
    },
  }
}

/** The worker's three internal topics as it creates them (the config topic has one partition, as Connect's). */
export function internalTopicSpecs(
  settings: Pick<WorkerSettings, 'configTopic' | 'offsetTopic' | 'statusTopic'>,
): Record<'config' | 'offset' | 'status', InternalTopicSpec> {
  return {
    config: { ...settings.configTopic, partitions: 1, property: 'config.storage.topic' },
    offset: { ...settings.offsetTopic, property: 'offset.storage.topic' },
    status: { ...settings.statusTopic, property: 'status.storage.topic' },
  }
}

export function defaultClientId(): string {
  return `flowscope-${hostname()}`
}
