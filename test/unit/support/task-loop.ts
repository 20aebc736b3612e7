// What the task-loop unit tests share: a task's options with harmless defaults (string converters, no transforms,
// offsets written nowhere, metrics dropped), a source that hands out scripted batches and records its commit hook,
// and waiting helpers.
import type { CommittedOffsets, SourceTask } from '../../../src/connectors/plugin.ts'
import { StringConverter } from '../../../src/convert/string-converter.ts'
import { getLogger } from '../../../src/logging.ts'
import type { TaskMetricsRecorder } from '../../../src/metrics/recorder.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { type ConnectorSettings, connectorSettings } from '../../../src/runtime/connector-config.ts'
import type { WorkerSourceTaskOptions } from '../../../src/runtime/worker-source-task.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'

const noop = () => {}

export const noopTaskMetrics: TaskMetricsRecorder = {
  recordState: noop,
  recordPoll: noop,
  recordWrite: noop,
  recordActiveCount: noop,
  recordOffsetCommit: noop,
  recordError: noop,
  close: noop,
}

/** A connector's settings as parsed from its config, with the error handling a test needs. */
export function taskSettings(overrides: Partial<ConnectorSettings>): ConnectorSettings {
  return { ...connectorSettings({ name: 'c', 'connector.class': 'test.Source' }), ...overrides }
}

/** Task `c-0` with the given source and producer; everything else harmless unless overridden. */
export function taskLoopOptions(
  options: Pick<WorkerSourceTaskOptions, 'task' | 'producer'> & Partial<WorkerSourceTaskOptions>,
): WorkerSourceTaskOptions {
  return {
    connector: 'c',
    taskId: 0,
    config: {},
    settings: taskSettings({ retryTimeoutMs: 0, toleranceAll: false, logErrors: false }),
    keyConverter: new StringConverter(),
    valueConverter: new StringConverter(),
    transforms: buildTransformChain({}, []),
    offsets: { write: async () => {} },
    context: {
      offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
      pipeline: { rowsRead: noop, pendingRows: noop, pollError: noop },
    },
    metrics: noopTaskMetrics,
    log: getLogger('test.task-loop'),
    offsetFlushIntervalMs: 60_000,
    offsetFlushTimeoutMs: 1000,
    paused: false,
    onStatus: noop,
    onTopic: async () => {},
    ...options,
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await sleep(2)
  if (!condition()) throw new Error(`never happened: ${what}`)
}

/** A source that hands out the batches pushed to it, one per poll, and records what its commit hook receives. */
export class ScriptedSource implements SourceTask {
  readonly batches: SourceRecord[][] = []
  readonly commits: CommittedOffsets[] = []
  failCommitHook = false
  async start(): Promise<void> {}
  async poll(): Promise<SourceRecord[]> {
    const batch = this.batches.shift()
    if (batch) return batch
    await sleep(2)
    return []
  }
  async commit(committed: CommittedOffsets): Promise<void> {
    this.commits.push(committed)
    if (this.failCommitHook) throw new Error('hook failed')
  }
  async stop(): Promise<void> {}
}
