// The lag exporter (`flowscope lag-exporter`, or anything serving the same names): consumer groups with their lag in
// offsets and seconds, Burrow status, consume rate and the topics they read, from its /metrics; one group's
// partitions from its Burrow API (/v3/kafka/<cluster>/consumer/<group>/lag).
import { notFound, unreachable } from './errors.ts'
import { parsePrometheusText } from './prom-text.ts'

export interface GroupLag {
  group: string
  /** Burrow's status name (OK, WARN, ERR, …); null when the exporter has not evaluated it. */
  status: string | null
  maxLag: number | null
  maxLagSeconds: number | null
  totalLag: number | null
  /** Records per second the group consumes, summed over partitions; null when unknown. */
  consumeRate: number | null
  drainEtaSeconds: number | null
  /** Seconds the group is behind the source database (`flowscope_consumergroup_freshness_seconds`, worst partition). */
  freshnessSeconds?: number | null
  /** Topic → summed lag in offsets. */
  topics: Record<string, number>
}

export interface LagView {
  url: string
  up: boolean
  groups: GroupLag[]
}

const WANTED = new Set([
  'kafka_consumergroup_group_max_lag',
  'kafka_consumergroup_group_max_lag_seconds',
  'kafka_consumergroup_group_sum_lag',
  'kafka_consumergroup_group_topic_sum_lag',
  'flowscope_consumergroup_status',
  'flowscope_consumergroup_consume_rate',
  'flowscope_consumergroup_drain_eta_seconds',
  'flowscope_lag_exporter_up',
  'flowscope_consumergroup_freshness_seconds',
])

/** Groups from the exporter's metrics text. Pure. */
export function groupsFromMetrics(text: string): { up: boolean; groups: GroupLag[] } {
  const groups = new Map<string, GroupLag>()
  const of = (group: string) => {
    let g = groups.get(group)
    if (!g) {
      g = {
        group,
        status: null,
        maxLag: null,
        maxLagSeconds: null,
        totalLag: null,
        consumeRate: null,
        drainEtaSeconds: null,
        freshnessSeconds: null,
        topics: {},
      }
      groups.set(group, g)
    }
    return g
  }
  let up = false
  for (const s of parsePrometheusText(text, WANTED)) {
    if (s.name === 'flowscope_lag_exporter_up') {
      up = s.value === 1
      continue
    }
    const group = s.labels.group
    if (group === undefined) continue
    const g = of(group)
    switch (s.name) {
      case 'kafka_consumergroup_group_max_lag':
        g.maxLag = Math.max(g.maxLag ?? 0, s.value)
        break
      case 'kafka_consumergroup_group_max_lag_seconds':
        g.maxLagSeconds = Math.max(g.maxLagSeconds ?? 0, s.value)
        break
      case 'kafka_consumergroup_group_sum_lag':
        g.totalLag = s.value
        break
      case 'kafka_consumergroup_group_topic_sum_lag':
        if (s.labels.topic !== undefined) g.topics[s.labels.topic] = s.value
        break
      case 'flowscope_consumergroup_status':
        g.status = s.labels.status ?? null
        break
      case 'flowscope_consumergroup_consume_rate':
        g.consumeRate = (g.consumeRate ?? 0) + s.value
        break
      case 'flowscope_consumergroup_freshness_seconds':
        g.freshnessSeconds = Math.max(g.freshnessSeconds ?? 0, s.value)
        break
      case 'flowscope_consumergroup_drain_eta_seconds':
        g.drainEtaSeconds = s.value
        break
    }
  }
  return { up, groups: [...groups.values()].sort((a, b) => a.group.localeCompare(b.group)) }
}

export class LagClient {
  readonly url: string
  readonly #timeoutMs: number
  #cluster: string | undefined

  constructor(url: string, timeoutMs = 4000) {
    this.url = url.replace(/\/+$/, '')
    this.#timeoutMs = timeoutMs
  }

  async #get(path: string): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (error) {
      throw unreachable(`the lag exporter at ${this.url}`, error)
    }
  }

  async view(): Promise<LagView> {
    const response = await this.#get('/metrics')
    if (!response.ok) throw unreachable(`the lag exporter at ${this.url}`, `HTTP ${response.status} on /metrics`)
    return { url: this.url, ...groupsFromMetrics(await response.text()) }
  }

  /** Burrow's lag answer for one group: every partition with its status and current lag. */
  async groupLag(group: string): Promise<unknown> {
    if (this.#cluster === undefined) {
      const clusters = (await (await this.#get('/v3/kafka')).json()) as { clusters?: string[] }
      this.#cluster = clusters.clusters?.[0]
      if (this.#cluster === undefined) throw notFound(`the lag exporter at ${this.url} names no cluster`)
    }
    const response = await this.#get(
      `/v3/kafka/${encodeURIComponent(this.#cluster)}/consumer/${encodeURIComponent(group)}/lag`,
    )
    if (response.status === 404)
      throw notFound(`consumer group ${JSON.stringify(group)} is not known to the lag exporter`)
    const body = (await response.json()) as { status?: unknown }
    return body.status
  }
}
