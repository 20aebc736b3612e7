// The summary `flowscope up` prints once the stack runs: where each part listens, what became of Prometheus, the
// local broker's retention, and when each part was ready (seconds since the process started).
import { burrowStatusUrl, type ConsumerEndState } from './consumer-end.ts'
import type { CdcState, PrometheusState, RunningStack, StackReadyAt } from './stack.ts'

export interface SummaryInput {
  stack: Pick<
    RunningStack,
    | 'postgresUrl'
    | 'bootstrapServers'
    | 'brokerMetricsAddress'
    | 'prometheus'
    | 'retention'
    | 'topic'
    | 'cdc'
    | 'lagExporter'
    | 'consumer'
    | 'consumerGroup'
  > & { restUrl: string; readyAt: StackReadyAt; consoleUrl?: string | null }
  /** Epoch ms the process started (performance.timeOrigin). */
  startedAt: number
  /** Epoch ms the first record reached the topic, or null when none came within the wait. */
  firstRecordAt: number | null
  /** Seconds `up` waited for a first record. */
  firstRecordWaitS: number
}

/** The local Postgres' URL is printed whole (a local development database on 127.0.0.1); a URL given is masked. */
export function postgresLine(url: string, local: boolean): string {
  if (local) return `${url}   (local development database; psql '${url}')`
  return url.replace(/:[^:@/]*@/, ':****@')
}

export function prometheusLine(p: PrometheusState): string {
  switch (p.state) {
    case 'running':
      return p.url
    case 'disabled':
      return 'not started (--no-prometheus)'
    case 'not-installed':
      return 'not installed: `apt-get install prometheus prometheus-node-exporter` to scrape this stack'
    case 'failed':
      return `failed to start: ${p.reason}`
  }
}

/** The lag exporter's /metrics and the sample group's Burrow status URL, or why it does not run. */
export function lagExporterLine(p: ConsumerEndState, group: string): string {
  switch (p.state) {
    case 'running':
      return `${p.url}/metrics   (Burrow status: curl ${burrowStatusUrl(p.url, group)})`
    case 'disabled':
      return `not started (${p.why})`
    case 'failed':
      return `failed to start: ${p.reason}`
  }
}

/** The sample consumer's group, topic and /metrics, or why it does not run. */
export function consumerLine(p: ConsumerEndState, group: string, topic: string): string {
  switch (p.state) {
    case 'running':
      return `group ${group} reads ${topic}   (metrics ${p.url}/metrics)`
    case 'disabled':
      return `not started (${p.why})`
    case 'failed':
      return `failed to start: ${p.reason}`
  }
}

/** The CDC connector's topic and name with a command to read it, or why it is not registered. */
export function cdcLine(p: CdcState, bootstrapServers: string): string {
  if (p.state === 'disabled') return `not registered (${p.why})`
  return `topic ${p.topic}   (connector ${p.connector}, Debezium's envelope; kcat -b ${bootstrapServers} -t ${p.topic} -C -o beginning)`
}

/** "PostgreSQL 1.2 s, Kafka 4.0 s, worker 5.1 s, first record 5.6 s": each part's ready time since start. */
export function readyLine(startedAt: number, readyAt: StackReadyAt, firstRecordAt: number | null): string {
  const s = (at: number) => `${((at - startedAt) / 1000).toFixed(1)} s`
  const parts: string[] = []
  if (readyAt.postgres !== undefined) parts.push(`PostgreSQL ${s(readyAt.postgres)}`)
  if (readyAt.kafka !== undefined) parts.push(`Kafka ${s(readyAt.kafka)}`)
  parts.push(`worker ${s(readyAt.worker)}`)
  if (readyAt.prometheus !== undefined) parts.push(`Prometheus ${s(readyAt.prometheus)}`)
  if (firstRecordAt !== null) parts.push(`first record ${s(firstRecordAt)}`)
  return parts.join(', ')
}

export function renderSummary(i: SummaryInput): string {
  const { stack } = i
  const local = stack.readyAt.postgres !== undefined
  const lines = [
    '',
    'flowscope is running:',
    `  PostgreSQL         ${postgresLine(stack.postgresUrl, local)}`,
    `  Kafka              ${stack.bootstrapServers}${stack.brokerMetricsAddress ? `   (broker metrics http://${stack.brokerMetricsAddress}/metrics)` : ''}`,
    ...(stack.retention ? [`  Topic retention    ${stack.retention}`] : []),
    `  Worker REST API    ${stack.restUrl}   (curl ${stack.restUrl}/connectors?expand=status)`,
    `  Worker metrics     ${stack.restUrl}/metrics`,
    `  Prometheus         ${prometheusLine(stack.prometheus)}`,
    ...(stack.consoleUrl ? [`  Console            ${stack.consoleUrl}   (open it in a browser)`] : []),
    `  Rows arrive in     topic ${stack.topic}   (kcat -b ${stack.bootstrapServers} -t ${stack.topic} -C -o beginning)`,
    `  Changes arrive in  ${cdcLine(stack.cdc, stack.bootstrapServers)}`,
    `  Sample consumer    ${consumerLine(stack.consumer, stack.consumerGroup, stack.topic)}`,
    `  Lag exporter       ${lagExporterLine(stack.lagExporter, stack.consumerGroup)}`,
    `  Ready after        ${readyLine(i.startedAt, stack.readyAt, i.firstRecordAt)}   (seconds since start)`,
    ...(i.firstRecordAt === null
      ? [
          `  First record       not seen within ${i.firstRecordWaitS} s: check \`curl ${stack.restUrl}/connectors/jdbc-postgres-source/status\``,
        ]
      : []),
    '',
    'Press Ctrl-C to stop.',
  ]
  return lines.join('\n')
}
