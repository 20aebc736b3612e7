// The local Kafka: a single-node Apache Kafka 4.x broker in KRaft mode (broker + controller in one JVM), storage
// formatted on first start, heap bounded, with the Prometheus JMX exporter agent serving broker metrics.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Supervised, startProcess } from './child-process.ts'
import type { KafkaJars } from './kafka-jars.ts'
import { assertPortFree, waitForPort } from './ports.ts'
import type { Progress } from './progress.ts'

/** JMX exporter rules written for this project (names the seed's broker dashboards query). */
export const BROKER_JMX_RULES = fileURLToPath(new URL('../../monitoring/jmx/kafka-broker.yml', import.meta.url))

export interface LocalKafkaOptions {
  dataDir: string
  jars: KafkaJars
  port: number
  controllerPort: number
  /** Port of the JMX exporter's /metrics; null = no agent. */
  metricsPort: number | null
  heapMb?: number
  /**
   * JVM flags for a quick start of a development broker (C1 JIT only, and an application class-data archive
   * written by the first clean stop and reused by later starts): about half the CPU time to a ready broker, for
   * lower peak throughput. Off by default (benchmarks measure the broker as Kafka ships it); `flowscope up` turns
   * it on.
   */
  quickStart?: boolean
  /** Write LOCAL_RETENTION into the broker defaults (`flowscope up` does; tests and benchmarks keep Kafka's). */
  boundedRetention?: boolean
  /** Aborts start-up: the broker process is stopped and the promise rejects. */
  signal?: AbortSignal
  progress: Progress
}

/**
 * Broker defaults that bound the disk a local stack uses when left running: the seed's bulk connector re-sends the
 * whole table every 100 ms (≈ 5 GB a day). Retention deletes only closed segments, so segments are small enough
 * to close and be deleted well within the limits. Each topic partition keeps at most ~RETENTION_BYTES (plus one
 * open segment) and at most RETENTION_MS of records. Compacted topics (the worker's config/offset/status topics)
 * are not deleted by these, only compacted.
 */
export const LOCAL_RETENTION = {
  'log.retention.bytes': String(256 * 1024 * 1024),
  'log.retention.ms': String(6 * 60 * 60 * 1000),
  'log.segment.bytes': String(16 * 1024 * 1024),
  'log.retention.check.interval.ms': String(60 * 1000),
} as const

/** The retention above in words, for the summary and progress lines. */
export function describeRetention(): string {
  const mib = (v: string) => `${Number(v) / 1024 / 1024} MiB`
  return `each partition keeps ≤ ${mib(LOCAL_RETENTION['log.retention.bytes'])} and ≤ ${Number(LOCAL_RETENTION['log.retention.ms']) / 3_600_000} h (segments of ${mib(LOCAL_RETENTION['log.segment.bytes'])})`
}

export interface LocalKafka {
  readonly bootstrapServers: string
  readonly metricsAddress: string | null
  readonly process: Supervised
  stop(): Promise<void>
}

function serverProperties(o: LocalKafkaOptions, logDir: string): string {
  return [
    '# Written by flowscope for the local single-node broker (KRaft). Regenerated on every start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://localhost:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    ...(o.boundedRetention ? Object.entries(LOCAL_RETENTION).map(([k, v]) => `${k}=${v}`) : []),
    '',
  ].join('\n')
}

function log4jConfig(file: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${file}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.kafka.name = kafka',
    'logger.kafka.level = INFO',
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    '',
  ].join('\n')
}

async function waitForBroker(
  bootstrap: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  // Loaded here, while the JVM starts: the client library takes about a second to import.
  const { Admin } = await import('@platformatic/kafka')
  let dead = false
  void exited.then(() => {
    dead = true
  })
  for (;;) {
    signal?.throwIfAborted()
    if (dead) throw new Error('the broker process exited during start-up')
    const admin = new Admin({
      clientId: 'flowscope-launcher',
      bootstrapBrokers: [bootstrap],
      retries: 0,
      timeout: 2000,
    })
    try {
      const meta = await admin.metadata({ topics: [] })
      if (meta.brokers.size > 0) return
    } catch {
      // not ready yet
    } finally {
      await admin.close().catch(() => {})
    }
    if (Date.now() > deadline) throw new Error(`the broker did not answer on ${bootstrap} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Runs a short-lived java tool without blocking the event loop (other parts start meanwhile). */
function runJava(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => {
      output += d
    })
    child.stderr.on('data', (d) => {
      output += d
    })
    child.once('error', (e) => resolve({ status: null, output: `${output}${e.message}` }))
    child.once('close', (status) => resolve({ status, output }))
  })
}

/**
 * A new KRaft cluster id as Kafka's `kafka-storage random-uuid` makes it (Uuid.randomUuid: 16 random bytes,
 * URL-safe base64 without padding, never starting with "-"), without starting a JVM for it.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id
  }
}

/** JVM flags of a quick-starting development broker (see LocalKafkaOptions.quickStart). */
export function quickStartJvmFlags(archive: string): string[] {
  // The JMX exporter is a java agent: Java 17 dumps an archive beside one only when allowed to (a diagnostic flag),
  // and uses the archive only when the flag is set as it was at dump time (else it silently runs without it).
  const flags = ['-XX:TieredStopAtLevel=1', '-XX:+UnlockDiagnosticVMOptions', '-XX:+AllowArchivingWithJavaAgent']
  if (existsSync(archive)) return [...flags, `-XX:SharedArchiveFile=${archive}`]
  // The dump lists every class it skips as a warning: keep the broker log readable.
  return [...flags, `-XX:ArchiveClassesAtExit=${archive}`, '-Xlog:cds=error']
}

export async function startLocalKafka(o: LocalKafkaOptions): Promise<LocalKafka> {
  await assertPortFree(o.port, 'the Kafka broker', '--kafka-port')
  await assertPortFree(o.controllerPort, 'the Kafka controller', '--kafka-controller-port')
  if (o.metricsPort !== null) await assertPortFree(o.metricsPort, 'the broker JMX exporter', '--broker-metrics-port')
  await mkdir(o.dataDir, { recursive: true })
  const logDir = join(o.dataDir, 'data')
  const propsFile = join(o.dataDir, 'server.properties')
  const log4jFile = join(o.dataDir, 'log4j2.properties')
  const brokerLog = join(o.dataDir, 'broker.log')
  await writeFile(propsFile, serverProperties(o, logDir))
  await writeFile(log4jFile, log4jConfig(join(o.dataDir, 'server.log')))
  const cp = o.jars.classpath.join(':')

  if (!existsSync(join(logDir, 'meta.properties'))) {
    const done = o.progress.step('Formatting Kafka storage (first start only)')
    const clusterIdFile = join(o.dataDir, 'cluster-id')
    let clusterId = existsSync(clusterIdFile) ? (await readFile(clusterIdFile, 'utf8')).trim() : ''
    if (!clusterId) {
      clusterId = randomClusterId()
      await writeFile(clusterIdFile, clusterId)
    }
    const fmt = await runJava([
      ...(o.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
      '-cp',
      cp,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
    ])
    if (fmt.status !== 0) throw new Error(`Formatting Kafka storage failed:\n${fmt.output}`)
    done(`cluster id ${clusterId}`)
  }
  o.signal?.throwIfAborted()

  const heap = o.heapMb ?? 512
  const args = [`-Xmx${heap}m`, `-Xms${Math.min(heap, 256)}m`, '-XX:+UseG1GC', '-Djava.awt.headless=true']
  if (o.quickStart) args.push(...quickStartJvmFlags(join(o.dataDir, `cds-kafka-${o.jars.version}.jsa`)))
  args.push(`-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${o.dataDir}`)
  let metricsAddress: string | null = null
  if (o.metricsPort !== null) {
    const rules = existsSync(BROKER_JMX_RULES) ? BROKER_JMX_RULES : await fallbackRules(o.dataDir)
    args.push(`-javaagent:${o.jars.agentJar}=127.0.0.1:${o.metricsPort}:${rules}`)
    metricsAddress = `localhost:${o.metricsPort}`
  }
  args.push('-cp', cp, 'kafka.Kafka', propsFile)

  const done = o.progress.step(`Starting Kafka ${o.jars.version} (KRaft) on localhost:${o.port}`)
  const child = startProcess('kafka', 'java', args, brokerLog)
  const bootstrapServers = `localhost:${o.port}`
  try {
    await waitForBroker(bootstrapServers, 90_000, child.exited, o.signal)
    if (o.metricsPort !== null) await waitForPort(o.metricsPort, '127.0.0.1', 30_000, 'The broker JMX exporter')
  } catch (error) {
    await child.stop()
    if (o.signal?.aborted) throw error
    const tail = existsSync(brokerLog) ? (await readFile(brokerLog, 'utf8')).split('\n').slice(-20).join('\n') : ''
    throw new Error(`Kafka did not start: ${(error as Error).message}. See ${brokerLog}:\n${tail}`, { cause: error })
  }
  done()
  return { bootstrapServers, metricsAddress, process: child, stop: () => child.stop(30_000) }
}

async function fallbackRules(dir: string): Promise<string> {
  const file = join(dir, 'jmx-fallback.yml')
  await writeFile(file, 'lowercaseOutputName: true\nrules:\n  - pattern: ".*"\n')
  return file
}
