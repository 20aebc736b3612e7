// A real Apache Kafka Connect worker (distributed mode, the version of src/local/connect/pom.xml) with its own
// group.id and internal topics: the peer flowscope is compared to (compat tests) and measured against (bench:cdc).
// `pluginPath` loads connector plugins such as Debezium's (DEBEZIUM_POSTGRES_BUNDLE) the way a user installs them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startProcess } from './child-process.ts'
import { CONNECT_WORKER_BUNDLE, ensureJars } from './kafka-jars.ts'
import { freePort } from './ports.ts'
import type { Progress } from './progress.ts'

export interface ApacheConnectOptions {
  bootstrapServers: string
  groupId: string
  progress: Progress
  /** Folders of connector plugins (Connect's `plugin.path`). */
  pluginPath?: string[]
  heapMb?: number
  timeoutMs?: number
  /** More worker properties (override the defaults below). */
  properties?: Record<string, string>
}

export interface ApacheConnect {
  url: string
  groupId: string
  version: string
  /** The JVM's process id (for RSS sampling). */
  pid: number
  /** The worker's offsets topic. */
  offsetsTopic: string
  logFile: string
  stop(): Promise<void>
}

export async function startApacheConnect(options: ApacheConnectOptions): Promise<ApacheConnect> {
  const { groupId } = options
  const timeoutMs = options.timeoutMs ?? 120_000
  const { jars, version } = await ensureJars(options.progress, CONNECT_WORKER_BUNDLE)
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-apache-connect-'))
  const port = await freePort()
  const offsetsTopic = `${groupId}-offsets`
  const properties: Record<string, string> = {
    'bootstrap.servers': options.bootstrapServers,
    'group.id': groupId,
    'config.storage.topic': `${groupId}-configs`,
    'offset.storage.topic': offsetsTopic,
    'status.storage.topic': `${groupId}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.storage.partitions': '3',
    'status.storage.partitions': '1',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    listeners: `http://127.0.0.1:${port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'offset.flush.interval.ms': '500',
    // Only plugins that ship a service manifest are loaded; Debezium 3.6 does.
    'plugin.discovery': 'only_scan',
    ...(options.pluginPath?.length ? { 'plugin.path': options.pluginPath.join(',') } : {}),
    ...options.properties,
  }
  const propertiesFile = join(dir, 'connect-distributed.properties')
  await writeFile(
    propertiesFile,
    Object.entries(properties)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  )
  const logFile = join(dir, 'connect.log')
  const child = startProcess(
    'Kafka Connect',
    'java',
    [
      `-Xmx${options.heapMb ?? 256}m`,
      '-cp',
      jars.join(':'),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      propertiesFile,
    ],
    logFile,
  )
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    await child.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + timeoutMs
  let exited = false
  void child.exited.then(() => {
    exited = true
  })
  for (;;) {
    const health = await fetch(`${url}/health`).catch(() => undefined)
    if (health?.status === 200) break
    if (exited || Date.now() > deadline) {
      const log = await readFile(logFile, 'utf8').catch(() => '')
      await stop()
      throw new Error(
        `Kafka Connect ${version} did not become healthy (${exited ? 'it exited' : 'timeout'}):\n${log.slice(-4000)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, groupId, version, pid: child.pid, offsetsTopic, logFile, stop }
}
