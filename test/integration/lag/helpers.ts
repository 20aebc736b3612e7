// What the lag-exporter integration tests share: an exporter run in-process against a broker (polled by the test,
// not by a timer, so every assertion follows a known poll), its HTTP server on a free port, and a /metrics parser.
import type { AddressInfo } from 'node:net'
import type { Admin } from '@platformatic/kafka'
import { LagExporter } from '../../../src/lag/exporter.ts'
import { LagMetrics } from '../../../src/lag/metrics.ts'
import { ClusterPoller } from '../../../src/lag/poller.ts'
import { createLagServer, listen } from '../../../src/lag/server.ts'
import { getLogger } from '../../../src/logging.ts'

export interface RunningExporter {
  exporter: LagExporter
  url: string
  /** One poll (true when it reached the cluster), then the metrics reflect it. */
  poll(): Promise<boolean>
  scrape(): Promise<Sample[]>
  get(path: string): Promise<{ status: number; body: unknown }>
  stop(): Promise<void>
}

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export async function startExporter(options: {
  bootstrapServers: string[]
  groupAllow?: RegExp
  fetchBudget?: number
  clusterName?: string
  stateFile?: string
  saveEveryPolls?: number
}): Promise<RunningExporter> {
  const clusterName = options.clusterName ?? 'local'
  const metrics = new LagMetrics(clusterName)
  const exporter = new LagExporter({
    poller: new ClusterPoller({
      bootstrapServers: options.bootstrapServers,
      groupAllow: options.groupAllow,
      fetchBudget: options.fetchBudget,
      requestTimeoutMs: 3000,
    }),
    pollIntervalMs: 60_000,
    describeCluster: options.bootstrapServers.join(','),
    log: getLogger('flowscope.lag.test'),
    onPoll: (view, health) => metrics.update(view, health, health.up),
    stateFile: options.stateFile,
    saveEveryPolls: options.saveEveryPolls,
  })
  const server = createLagServer({ clusterName, metrics, view: () => exporter.view, health: () => exporter.health })
  await listen(server, 0, '127.0.0.1')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    exporter,
    url,
    poll: () => exporter.pollOnce(),
    scrape: async () => parseMetrics(await (await fetch(`${url}/metrics`)).text()),
    async get(path) {
      const response = await fetch(`${url}${path}`)
      return { status: response.status, body: await response.json() }
    },
    async stop() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await exporter.stop()
    },
  }
}

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) throw new Error(`unparsable metrics line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2]
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/** The samples of `name` whose labels include `labels`. */
export function find(samples: Sample[], name: string, labels: Record<string, string | number> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === String(value)),
  )
}

/** The one sample of `name` matching `labels` (throws, naming what it saw, when there is not exactly one). */
export function one(samples: Sample[], name: string, labels: Record<string, string | number> = {}): Sample {
  const found = find(samples, name, labels)
  if (found.length !== 1) {
    const seen = find(samples, name).map((s) => JSON.stringify(s.labels))
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}; series: ${seen.join(' ')}`)
  }
  return found[0]
}

/** Commits `offset` on partition 0 of `topic` for `groupId` (a group with no member, as a tool would); returns it. */
export async function commitOffset(admin: Admin, groupId: string, topic: string, offset: bigint): Promise<string> {
  await admin.alterConsumerGroupOffsets({
    groupId,
    topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset }] }],
  })
  return groupId
}
