// Worker settings for a test worker: its own group.id and internal topics (named after the group) on the shared
// test broker, replication factor 1, a REST port of its own and a short offset flush.
import { builtinPlugins } from '../../src/cli/plugins.ts'
import { loadWorkerConfig } from '../../src/config/worker-config.ts'
import type { WorkerSettings } from '../../src/runtime/worker-process.ts'
import { workerSettingsFrom } from '../../src/runtime/worker-settings.ts'

export function testWorkerOverrides(
  groupId: string,
  bootstrap: string,
  restPort: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'bootstrap.servers': bootstrap,
    listeners: `http://127.0.0.1:${restPort}`,
    'group.id': groupId,
    'config.storage.topic': `${groupId}-configs`,
    'offset.storage.topic': `${groupId}-offsets`,
    'status.storage.topic': `${groupId}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.flush.interval.ms': '1000',
    ...extra,
  }
}

export function testWorkerSettings(
  groupId: string,
  bootstrap: string,
  restPort: number,
  extra: Record<string, string> = {},
): WorkerSettings {
  return workerSettingsFrom(
    loadWorkerConfig({ env: {}, overrides: testWorkerOverrides(groupId, bootstrap, restPort, extra) }),
    builtinPlugins,
  )
}
