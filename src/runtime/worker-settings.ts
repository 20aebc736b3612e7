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
