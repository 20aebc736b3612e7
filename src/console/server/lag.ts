// The lag exporter (`flowscope lag-exporter`, or anything serving the same names): consumer groups with their lag in
// offsets and seconds, Burrow status, consume rate and the topics they read, from its /metrics; one group's
// partitions from its Burrow API (/v3/kafka/<cluster>/consumer/<group>/lag). The parsed /metrics is shared briefly:
// every page, the sampler and the health checks ask for it, and with thousands of groups one parse costs tens of ms.
import { notFound, unreachable } from './errors.ts'
import { parsePrometheusText } from './prom-text.ts'
import type { GroupQuery } from './validation.ts'

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

/** Burrow's group statuses, worst first: sorting by status puts the groups needing a look on top. */
const STATUS_RANK: Record<string, number> = { ERR: 0, WARN: 1, NOTFOUND: 2, OK: 3 }
const statusRank = (g: GroupLag) => (g.status === null ? 4 : (STATUS_RANK[g.status] ?? 2.5))

const SORT_VALUE: Record<Exclude<GroupQuery['sort'], 'name'>, (g: GroupLag) => number | null> = {
  status: statusRank,
  lag: (g) => g.maxLag,
  lag_seconds: (g) => g.maxLagSeconds,
  consume_rate: (g) => g.consumeRate,
  drain_eta: (g) => g.drainEtaSeconds,
}

const NAMES = new Intl.Collator('en')

export interface GroupPage {
  /** Groups matching the search, before paging. */
  total: number
  items: GroupLag[]
  page: number
  size: number
  /** Every group (not only the matching ones) counted by status; `UNKNOWN` when not evaluated. */
  statuses: Record<string, number>
}

/**
 * One page of groups: those whose name or a topic they read contains `search` (case-insensitive), sorted by the
 * chosen column (a value that is not known last in either order; ties by name), then cut to the page. Pure; the
 * input array is not changed.
 */
export function pageGroups(groups: readonly GroupLag[], q: GroupQuery): GroupPage {
  const statuses: Record<string, number> = {}
  for (const g of groups) statuses[g.status ?? 'UNKNOWN'] = (statuses[g.status ?? 'UNKNOWN'] ?? 0) + 1
  const needle = q.search.toLowerCase()
  const matching = needle
    ? groups.filter(
        (g) =>
          g.group.toLowerCase().includes(needle) || Object.keys(g.topics).some((t) => t.toLowerCase().includes(needle)),
      )
    : [...groups]
  const direction = q.order === 'asc' ? 1 : -1
  const byName = (a: GroupLag, b: GroupLag) => NAMES.compare(a.group, b.group)
  if (q.sort === 'name') matching.sort((a, b) => direction * byName(a, b))
  else {
    const value = SORT_VALUE[q.sort]
    matching.sort((a, b) => {
      const x = value(a)
      const y = value(b)
      if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1
      return direction * (x - y) || byName(a, b)
    })
  }
  const start = (q.page - 1) * q.size
  return { total: matching.length, items: matching.slice(start, start + q.size), page: q.page, size: q.size, statuses }
}

interface CachedView {
  promise: Promise<LagView>
  /** When the answer came; null while in flight. */
  settledAtMs: number | null
}

export interface LagClientOptions {
  /** Per request (default 4 s). */
  timeoutMs?: number
  /** How long a parsed /metrics is reused (default 2 s; 0: only shared while in flight). */
  maxAgeMs?: number
  /**
   * Until how old an answer is still given at once while a new read replaces it in the background (default 6 s, a
   * little over the sampler's 5 s; the exporter's own values are up to its 5 s poll old anyway; maxAgeMs 0: none).
   */
  staleMs?: number
  /** The clock (tests). */
  now?: () => number
}

export class LagClient {
  readonly url: string
  readonly #timeoutMs: number
  readonly #maxAgeMs: number
  readonly #staleMs: number
  readonly #now: () => number
  #cluster: string | undefined
  #view: CachedView | undefined
  #refreshing: CachedView | undefined

  constructor(url: string, options: LagClientOptions = {}) {
    this.url = url.replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs ?? 4000
    this.#maxAgeMs = options.maxAgeMs ?? 2000
    this.#staleMs = Math.max(this.#maxAgeMs, options.staleMs ?? (this.#maxAgeMs === 0 ? 0 : 6000))
    this.#now = options.now ?? Date.now
  }

  async #get(path: string): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (error) {
      throw unreachable(`the lag exporter at ${this.url}`, error)
    }
  }

  async #read(): Promise<LagView> {
    const response = await this.#get('/metrics')
    if (!response.ok) throw unreachable(`the lag exporter at ${this.url}`, `HTTP ${response.status} on /metrics`)
    return { url: this.url, ...groupsFromMetrics(await response.text()) }
  }

  /**
   * Every group the exporter reports. Callers while a read is in flight share it; its answer is reused for maxAgeMs
   * after it came, and until staleMs it is still answered at once while one read in the background replaces it (so
   * a page never waits for the exporter's whole /metrics while the sampler keeps reading it every 5 s). A failure is
   * not reused. The answer is shared: callers must not change it.
   */
  view(): Promise<LagView> {
    const current = this.#view
    if (current?.settledAtMs === null) return current.promise
    const age = current ? this.#now() - current.settledAtMs! : Number.POSITIVE_INFINITY
    if (current && age < this.#maxAgeMs) return current.promise
    if (current && age < this.#staleMs) {
      if (!this.#refreshing) {
        const next = this.#start()
        this.#refreshing = next
        // The answer in hand stays until the new one came; a failed refresh leaves it to age out.
        void next.promise
          .then(
            () => {
              if (this.#refreshing === next) this.#view = next
            },
            () => {},
          )
          .finally(() => {
            if (this.#refreshing === next) this.#refreshing = undefined
          })
      }
      return current.promise
    }
    const entry = this.#start()
    this.#view = entry
    return entry.promise
  }

  #start(): CachedView {
    const entry: CachedView = { promise: this.#read(), settledAtMs: null }
    entry.promise.then(
      () => {
        entry.settledAtMs = this.#now()
      },
      () => {
        if (this.#view === entry) this.#view = undefined
      },
    )
    return entry
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
