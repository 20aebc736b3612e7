// What the benchmarks stand on: an embedded Postgres and a KRaft broker of their own, started in a scratch folder
// (each bench measures against its own, never against an `npm start` stack), with the broker's jars on hand.
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalKafka } from '../src/local/kafka.ts'
import { ensureKafkaJars } from '../src/local/kafka-jars.ts'
import { freePort } from '../src/local/ports.ts'
import { startLocalPostgres } from '../src/local/postgres.ts'
import { type Progress, silentProgress } from '../src/local/progress.ts'

export interface BenchStack {
  /** The scratch folder (removed by stop()). */
  dir: string
  pgUrl: string
  bootstrap: string
  /** The broker's jars (Kafka's own tools run from them). */
  kafkaClasspath: string[]
  stop(): Promise<void>
}

export async function startBenchStack(name: string, progress: Progress): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), `flowscope-bench-${name}-`))
  await chmod(dir, 0o755) // the embedded Postgres runs as another user when started as root
  const postgres = await startLocalPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), seed: false, progress })
  const jars = await ensureKafkaJars(progress)
  const kafka = await startLocalKafka({
    dataDir: join(dir, 'kafka'),
    jars,
    port: await freePort(),
    controllerPort: await freePort(),
    metricsPort: null,
    heapMb: 1024,
    progress: silentProgress,
  })
  return {
    dir,
    pgUrl: postgres.url,
    bootstrap: kafka.bootstrapServers,
    kafkaClasspath: jars.classpath,
    async stop() {
      await kafka.stop()
      await postgres.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
