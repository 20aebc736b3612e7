// A real Apache Kafka Connect worker (distributed mode, the version of src/local/connect/pom.xml) on the test stack's
// broker, with its own group.id and internal topics, heap 256 MiB: what the compatibility tests compare flowscope to.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startProcess } from '../../../src/local/child-process.ts'
import { CONNECT_WORKER_BUNDLE, ensureJars } from '../../../src/local/kafka-jars.ts'
import { freePort } from '../../../src/local/ports.ts'
import { consoleProgress } from '../../../src/local/progress.ts'
import { httpRequester, type RestRequest } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

export interface UpstreamConnect {
  url: string
  groupId: string
  version: string
  request: RestRequest
  stop(): Promise<void>
}

export async function startUpstreamConnect(timeoutMs = 120_000): Promise<UpstreamConnect> {
  const { jars, version } = await ensureJars(consoleProgress(), CONNECT_WORKER_BUNDLE)
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-upstream-connect-'))
  const groupId = uniqueName('upstream')
  const port = await freePort()
  const properties = {
    'bootstrap.servers': testStack().bootstrapServers,
    'group.id': groupId,
    'config.storage.topic': `${groupId}-configs`,
    'offset.storage.topic': `${groupId}-offsets`,
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
    'plugin.discovery': 'only_scan',
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
    ['-Xmx256m', '-cp', jars.join(':'), 'org.apache.kafka.connect.cli.ConnectDistributed', propertiesFile],
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
  return { url, groupId, version, request: httpRequester(url), stop }
}
