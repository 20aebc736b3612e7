// A real Apache Kafka Connect worker (src/local/apache-connect.ts) on the test stack's broker, heap 256 MiB unless
// told: what the compatibility tests compare flowscope to. `pluginPath` loads plugins such as Debezium's.
import { startApacheConnect } from '../../../src/local/apache-connect.ts'
import { consoleProgress } from '../../../src/local/progress.ts'
import { httpRequester, type RestRequest } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

export interface UpstreamConnect {
  url: string
  groupId: string
  version: string
  /** The worker's offsets topic. */
  offsetsTopic: string
  /** The worker's log (its REST request log included). */
  logFile: string
  request: RestRequest
  stop(): Promise<void>
}

export interface UpstreamConnectOptions {
  timeoutMs?: number
  /** Folders of connector plugins (Connect's `plugin.path`). */
  pluginPath?: string[]
  heapMb?: number
  /** Join this group (and its `<groupId>-configs`/`-offsets`/`-status` topics); a fresh one when absent. */
  groupId?: string
  /** More worker properties (e.g. exactly.once.source.support). */
  properties?: Record<string, string>
}

export async function startUpstreamConnect(options: UpstreamConnectOptions = {}): Promise<UpstreamConnect> {
  const connect = await startApacheConnect({
    ...options,
    bootstrapServers: testStack().bootstrapServers,
    groupId: options.groupId ?? uniqueName('upstream'),
    progress: consoleProgress(),
  })
  return { ...connect, request: httpRequester(connect.url) }
}
