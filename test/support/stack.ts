// What integration tests get from the shared test stack (started once per run by global-setup.ts): connection
// details for the real Postgres and the real Kafka broker, plus helpers for unique names.
import { randomBytes } from 'node:crypto'

export interface TestStack {
  /** postgres://user@host:port/db of the embedded Postgres (or FLOWSCOPE_TEST_PG_URL when given). */
  postgresUrl: string
  /** host:port of the local Kafka broker (or FLOWSCOPE_TEST_BOOTSTRAP when given). */
  bootstrapServers: string
  /** Folder with the resolved Kafka jars (kafka-producer-perf-test, …). */
  kafkaJarsDir: string
  /** Host:port of the broker's JMX exporter /metrics, when the local broker runs. */
  brokerMetricsAddress: string | null
}

export const STACK_ENV = 'FLOWSCOPE_TEST_STACK'

export function testStack(): TestStack {
  const raw = process.env[STACK_ENV]
  if (!raw) {
    throw new Error(
      `${STACK_ENV} is not set: run integration tests through \`npm run test:integration\` (its global setup starts Postgres and Kafka)`,
    )
  }
  return JSON.parse(raw) as TestStack
}

/** A name no other test uses: `prefix_<random>` (lower-case, safe as a table or topic name). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}
