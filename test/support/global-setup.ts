// Starts the real parts every integration test talks to — embedded Postgres and a local Kafka broker (with its JMX
// exporter) — once per test run, on free ports in a temporary folder, and stops them at the end, also on failure.
// Tests read the connection details with testStack() (stack.ts).
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LocalKafka, startLocalKafka } from '../../src/local/kafka.ts'
import { ensureKafkaJars } from '../../src/local/kafka-jars.ts'
import { freePort } from '../../src/local/ports.ts'
import { type LocalPostgres, startLocalPostgres } from '../../src/local/postgres.ts'
import { consoleProgress } from '../../src/local/progress.ts'
import { STACK_ENV, type TestStack } from './stack.ts'

let postgres: LocalPostgres | undefined
let kafka: LocalKafka | undefined
let dir: string | undefined

export async function globalSetup(): Promise<void> {
  const progress = consoleProgress()
  dir = await mkdtemp(join(tmpdir(), 'flowscope-test-'))
  // Embedded Postgres runs as the `postgres` system user when we are root: it must be able to enter this folder.
  await chmod(dir, 0o755)
  const jars = await ensureKafkaJars(progress)
  const [pgUrl, bootstrap] = [process.env.FLOWSCOPE_TEST_PG_URL, process.env.FLOWSCOPE_TEST_BOOTSTRAP]
  if (!pgUrl) {
    postgres = await startLocalPostgres({
      dataDir: join(dir, 'postgres'),
      port: await freePort(),
      seed: false,
      progress,
    })
  }
  if (!bootstrap) {
    kafka = await startLocalKafka({
      dataDir: join(dir, 'kafka'),
      jars,
      port: await freePort(),
      controllerPort: await freePort(),
      metricsPort: await freePort(),
      progress,
    })
  }
  const stack: TestStack = {
    postgresUrl: pgUrl ?? postgres!.url,
    bootstrapServers: bootstrap ?? kafka!.bootstrapServers,
    kafkaJarsDir: jars.dir,
    brokerMetricsAddress: kafka?.metricsAddress ?? null,
  }
  process.env[STACK_ENV] = JSON.stringify(stack)
  progress.info(`test stack: ${JSON.stringify(stack)}`)
}

export async function globalTeardown(): Promise<void> {
  await kafka?.stop().catch((e) => console.error('stopping Kafka failed:', e))
  await postgres?.stop().catch((e) => console.error('stopping Postgres failed:', e))
  if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {})
}
