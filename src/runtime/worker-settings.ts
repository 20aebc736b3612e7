// Worker properties (Connect's names, from file/env/flags) → the settings one worker process runs with.

import type { WorkerConfig } from '../config/worker-config.ts'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import type { WorkerSettings } from './worker-process.ts'

export function workerSettingsFrom(config: WorkerConfig, plugins: SourceConnectorPlugin[]): WorkerSettings {
  return {
    bootstrapServers: config.bootstrapServers,
    groupId: config.groupId,
    clientId: config.clientId || `flowscope-${config.groupId}`,
    restHost: config.restHost,
    restPort: config.restPort,
    advertisedHost: config.advertisedHost,
    advertisedPort: config.advertisedPort,
    maxBodyBytes: config.restMaxBodyBytes,
    configTopic: { name: config.configStorageTopic, replicationFactor: config.configStorageReplicationFactor },
    offsetTopic: {
      name: config.offsetStorageTopic,
      replicationFactor: config.offsetStorageReplicationFactor,
      partitions: config.offsetStoragePartitions,
    },
    statusTopic: {
      name: config.statusStorageTopic,
      replicationFactor: config.statusStorageReplicationFactor,
      partitions: config.statusStoragePartitions,
    },
    offsetFlushIntervalMs: config.offsetFlushIntervalMs,
    offsetFlushTimeoutMs: config.offsetFlushTimeoutMs,
    keyConverter: config.converterConfig('key'),
    valueConverter: config.converterConfig('value'),
    producerOverrides: config.producerOverrides(),
    topicTrackingEnabled: config.topicTrackingEnable,
    topicTrackingAllowReset: config.topicTrackingAllowReset,
    topicCreationEnabled: config.topicCreationEnable,
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
