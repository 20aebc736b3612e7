// Worker properties (Connect's names, from file/env/flags) → the settings one worker process runs with; the keys
// given that flowscope does not act on are named in one WARN line here, as the worker starts.

import { notActedOnWarning, type WorkerConfig } from '../config/worker-config.ts'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import { getLogger } from '../logging.ts'
import type { ConnectProtocolMode } from './connect-protocol.ts'
import type { WorkerSettings } from './worker-process.ts'

const log = getLogger('flowscope.runtime.worker')

/** The settings of the worker `config` describes (warns once about given keys flowscope does not act on). */
export function workerSettingsFrom(config: WorkerConfig, plugins: SourceConnectorPlugin[]): WorkerSettings {
  const warning = notActedOnWarning(config)
  if (warning !== undefined) log.warn({ keys: config.notActedOn().map((k) => k.name) }, warning)
  return {
    bootstrapServers: config.get('bootstrap.servers'),
    groupId: config.get('group.id'),
    clientId: config.get('client.id') || `flowscope-${config.get('group.id')}`,
    restHost: config.restHost,
    restPort: config.restPort,
    advertisedHost: config.advertisedHost,
    advertisedPort: config.advertisedPort,
    maxBodyBytes: config.get('flowscope.rest.max.body.bytes'),
    configTopic: {
      name: config.get('config.storage.topic'),
      replicationFactor: config.get('config.storage.replication.factor'),
    },
    offsetTopic: {
      name: config.get('offset.storage.topic'),
      replicationFactor: config.get('offset.storage.replication.factor'),
      partitions: config.get('offset.storage.partitions'),
    },
    statusTopic: {
      name: config.get('status.storage.topic'),
      replicationFactor: config.get('status.storage.replication.factor'),
      partitions: config.get('status.storage.partitions'),
    },
    offsetFlushIntervalMs: config.get('offset.flush.interval.ms'),
    offsetFlushTimeoutMs: config.get('offset.flush.timeout.ms'),
    keyConverter: config.converterConfig('key'),
    valueConverter: config.converterConfig('value'),
    producerOverrides: config.producerOverrides(),
    topicTrackingEnabled: config.get('topic.tracking.enable'),
    topicTrackingAllowReset: config.get('topic.tracking.allow.reset'),
    topicCreationEnabled: config.get('topic.creation.enable'),
    exactlyOnceSourceSupport: String(config.get('exactly.once.source.support')).toLowerCase() === 'enabled',
    group: {
      sessionTimeoutMs: config.get('session.timeout.ms'),
      heartbeatIntervalMs: config.get('heartbeat.interval.ms'),
      rebalanceTimeoutMs: config.get('rebalance.timeout.ms'),
      protocol: String(config.get('connect.protocol')).toLowerCase() as ConnectProtocolMode,
      scheduledRebalanceMaxDelayMs: config.get('scheduled.rebalance.max.delay.ms'),
      workerSyncTimeoutMs: config.get('worker.sync.timeout.ms'),
      workerUnsyncBackoffMs: config.get('worker.unsync.backoff.ms'),
    },
    interWorker: {
      keyGenerationAlgorithm: config.get('inter.worker.key.generation.algorithm'),
      keySizeBits: config.get('inter.worker.key.size'),
      keyTtlMs: config.get('inter.worker.key.ttl.ms'),
      signatureAlgorithm: config.get('inter.worker.signature.algorithm'),
      verificationAlgorithms: config.get('inter.worker.verification.algorithms'),
    },
    plugins,
  }
}

/** One replica of each internal topic: what a single local broker can hold. */
export const SINGLE_REPLICA_INTERNAL_TOPICS: Readonly<Record<string, string>> = {
  'config.storage.replication.factor': '1',
  'offset.storage.replication.factor': '1',
  'status.storage.replication.factor': '1',
}

/**
 * Worker properties for a worker with internal topics of its own (`<groupId>-configs`, `-offsets`, `-status`) on a
 * single-broker cluster, its REST API on 127.0.0.1: how benchmarks and tests run workers side by side.
 */
export function isolatedWorkerProperties(groupId: string, bootstrapServers: string, restPort: number) {
  return {
    'bootstrap.servers': bootstrapServers,
    listeners: `http://127.0.0.1:${restPort}`,
    'group.id': groupId,
    'config.storage.topic': `${groupId}-configs`,
    'offset.storage.topic': `${groupId}-offsets`,
    'status.storage.topic': `${groupId}-status`,
    ...SINGLE_REPLICA_INTERNAL_TOPICS,
  }
}
