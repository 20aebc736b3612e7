// One Kafka Connect cluster through its REST API (any Connect worker, flowscope's or Apache Kafka's): connectors
// with status and info, their active topics, plugins, validation, and the control actions. Configs leave here
// masked (masking.ts); a config written back with masked values keeps the stored secret.
import { ApiError, unreachable } from './errors.ts'
import { MASK, maskConfig, maskUrlCredentials, passwordKeysOf } from './masking.ts'
import { parsePrometheusText } from './prom-text.ts'
import type { ConnectorAction, OffsetChange, RestartOptions } from './validation.ts'

export interface TaskState {
  id: number
  state: string
  worker_id: string
  trace?: string
}

export interface ConnectorView {
  name: string
  type: string
  className: string
  config: Record<string, string>
  state: string
  workerId: string
  trace?: string
  tasks: TaskState[]
  /** Topics the connector has used (KIP-558), when the worker tells. */
  topics: string[] | null
}

interface ExpandedEntry {
  status?: {
    connector?: { state?: string; worker_id?: string; trace?: string }
    tasks?: TaskState[]
    type?: string
  }
  info?: { config?: Record<string, string>; type?: string }
}

const PATH_SEGMENT = (s: string) => encodeURIComponent(s)

/** What a flowscope worker's /metrics tells per connector; Connect workers without /metrics tell nothing. */
export interface ConnectorMetrics {
  /** Records/s written to Kafka, summed over tasks. */
  writeRate: number | null
  /** Table label → seconds since the newest change captured (absent where the source cannot know). */
  freshness: Map<string, number>
}

const WORKER_METRICS = new Set([
  'kafka_connect_source_task_metrics_source_record_write_rate',
  'flowscope_source_freshness_seconds',
])

/** Per-connector write rate and table freshness from a worker's metrics text. Pure. */
export function connectorMetricsFrom(text: string): Map<string, ConnectorMetrics> {
  const result = new Map<string, ConnectorMetrics>()
  for (const s of parsePrometheusText(text, WORKER_METRICS)) {
    const connector = s.labels.connector
    if (connector === undefined) continue
    let m = result.get(connector)
    if (!m) {
      m = { writeRate: null, freshness: new Map() }
      result.set(connector, m)
    }
    if (s.name === 'flowscope_source_freshness_seconds' && s.labels.table !== undefined) {
      m.freshness.set(s.labels.table, s.value)
    } else if (s.name === 'kafka_connect_source_task_metrics_source_record_write_rate') {
      m.writeRate = (m.writeRate ?? 0) + s.value
    }
  }
  return result
}

/**
 * Per-connector look-ups (active topics) in flight at once: all at once, a hundred connectors opened a hundred
 * sockets to the worker on every refresh, each kept alive with its buffers.
 */
const TOPIC_LOOKUPS_AT_ONCE = 8
/** How long a connector's non-empty active-topics answer is reused before a background refresh. */
const TOPICS_REUSE_MS = 10_000

/** `work` over `items` with at most `limit` running at a time; answers in the items' order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

export class ConnectClient {
  readonly name: string
  readonly url: string
  readonly #timeoutMs: number
  /** connector class → keys Connect types PASSWORD; learnt once per class. */
  readonly #passwordKeys = new Map<string, Promise<Set<string> | undefined>>()
  /** connector → its last non-empty active topics and when they were read (see #activeTopics). */
  readonly #topics = new Map<string, { topics: string[]; at: number }>()
  readonly #refreshing = new Set<string>()

  constructor(name: string, url: string, timeoutMs = 5000) {
    this.name = name
    this.url = url.replace(/\/+$/, '')
    this.#timeoutMs = timeoutMs
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let response: Response
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers:
          body === undefined
            ? { Accept: 'application/json' }
            : { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (error) {
      throw unreachable(`Connect cluster ${this.name} (${this.url})`, error)
    }
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = text
    }
    if (response.status >= 400) {
      const message = (parsed as { message?: unknown })?.message
      const text = typeof message === 'string' ? message : `HTTP ${response.status}`
      // Connect's own 4xx (unknown connector, bad config, rebalancing…) pass through; its 5xx are a failed upstream.
      throw new ApiError(response.status < 500 ? response.status : 502, `Connect cluster ${this.name}: ${text}`)
    }
    return { status: response.status, body: parsed }
  }

  async #passwordKeysFor(className: string): Promise<Set<string> | undefined> {
    let keys = this.#passwordKeys.get(className)
    if (!keys) {
      keys = this.request('PUT', `/connector-plugins/${PATH_SEGMENT(className)}/config/validate`, {
        'connector.class': className,
      }).then(
        (r) => passwordKeysOf(r.body),
        () => undefined,
      )
      this.#passwordKeys.set(className, keys)
      // A failed look-up is tried again next time (the worker may have been down).
      void keys.then((k) => k === undefined && this.#passwordKeys.delete(className))
    }
    return keys
  }

  async #masked(config: Record<string, string>): Promise<Record<string, string>> {
    const className = config['connector.class']
    return maskConfig(config, className ? await this.#passwordKeysFor(className) : undefined)
  }

  /**
   * A connector's active topics (KIP-558). A non-empty answer is reused for TOPICS_REUSE_MS and then refreshed in the
   * background: with a hundred connectors, asking each one on every page load cost the Connect page its first
   * render. Topics are only ever added while a connector runs, so a reused answer can miss a new topic for that long,
   * never show a wrong one; an empty or failed answer is asked again next time.
   */
  async #activeTopics(name: string): Promise<string[] | null> {
    const cached = this.#topics.get(name)
    const fresh = async () => {
      const topics = await this.request('GET', `/connectors/${PATH_SEGMENT(name)}/topics`).then(
        (r) => (r.body as Record<string, { topics?: string[] }>)?.[name]?.topics ?? null,
        () => null,
      )
      if (topics && topics.length > 0) this.#topics.set(name, { topics, at: Date.now() })
      else this.#topics.delete(name)
      return topics
    }
    if (!cached) return fresh()
    if (Date.now() - cached.at > TOPICS_REUSE_MS && !this.#refreshing.has(name)) {
      this.#refreshing.add(name)
      void fresh().finally(() => this.#refreshing.delete(name))
    }
    return cached.topics
  }

  async connectors(): Promise<ConnectorView[]> {
    const { body } = await this.request('GET', '/connectors?expand=status&expand=info')
    const entries = Object.entries((body ?? {}) as Record<string, ExpandedEntry>)
    const views = await mapConcurrently(
      entries,
      TOPIC_LOOKUPS_AT_ONCE,
      async ([name, entry]): Promise<ConnectorView> => {
        const config = entry.info?.config ?? {}
        const topics = await this.#activeTopics(name)
        const trace = entry.status?.connector?.trace
        return {
          name,
          type: entry.status?.type ?? entry.info?.type ?? 'unknown',
          className: config['connector.class'] ?? '',
          config: await this.#masked(config),
          state: entry.status?.connector?.state ?? 'UNKNOWN',
          workerId: entry.status?.connector?.worker_id ?? '',
          ...(trace ? { trace: maskUrlCredentials(trace) } : {}),
          tasks: (entry.status?.tasks ?? []).map((t) => ({
            id: t.id,
            state: t.state,
            worker_id: t.worker_id,
            ...(t.trace ? { trace: maskUrlCredentials(t.trace) } : {}),
          })),
          topics,
        }
      },
    )
    return views.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** The worker's own metrics, when it serves them on /metrics (flowscope does); empty otherwise. */
  async metrics(): Promise<Map<string, ConnectorMetrics>> {
    try {
      const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(this.#timeoutMs) })
      if (!response.ok) return new Map()
      return connectorMetricsFrom(await response.text())
    } catch {
      return new Map()
    }
  }

  async act(name: string, action: ConnectorAction, restart?: RestartOptions): Promise<number> {
    const path = `/connectors/${PATH_SEGMENT(name)}`
    if (action === 'restart') {
      const q = `?includeTasks=${restart?.includeTasks ?? false}&onlyFailed=${restart?.onlyFailed ?? false}`
      return (await this.request('POST', `${path}/restart${q}`)).status
    }
    return (await this.request('PUT', `${path}/${action}`)).status
  }

  async restartTask(name: string, task: number): Promise<number> {
    return (await this.request('POST', `/connectors/${PATH_SEGMENT(name)}/tasks/${task}/restart`)).status
  }

  async remove(name: string): Promise<number> {
    this.#topics.delete(name)
    return (await this.request('DELETE', `/connectors/${PATH_SEGMENT(name)}`)).status
  }

  /** A connector's source offsets (KIP-875): `{offsets: [{partition, offset}]}`. */
  async offsets(name: string): Promise<unknown> {
    return (await this.request('GET', `/connectors/${PATH_SEGMENT(name)}/offsets`)).body
  }

  /** Alters a STOPPED connector's offsets (KIP-875 PATCH); Connect answers `{message}` or refuses with its reason. */
  async alterOffsets(name: string, offsets: OffsetChange[]): Promise<unknown> {
    return (await this.request('PATCH', `/connectors/${PATH_SEGMENT(name)}/offsets`, { offsets })).body
  }

  /** Resets a STOPPED connector's offsets (Connect refuses otherwise, with its own message). */
  async resetOffsets(name: string): Promise<unknown> {
    return (await this.request('DELETE', `/connectors/${PATH_SEGMENT(name)}/offsets`)).body
  }

  async plugins(): Promise<unknown> {
    return (await this.request('GET', '/connector-plugins?connectorsOnly=true')).body
  }

  /** Connect's validation of a config (password values come back hidden by Connect itself). */
  async validate(className: string, config: Record<string, string>): Promise<unknown> {
    if (config.name) await this.#unmask(config.name, config)
    return (await this.request('PUT', `/connector-plugins/${PATH_SEGMENT(className)}/config/validate`, config)).body
  }

  /** Puts the stored value back in place of every masked one (the browser only ever had the mask). */
  async #unmask(name: string, config: Record<string, string>): Promise<void> {
    if (!Object.values(config).includes(MASK)) return
    const path = `/connectors/${PATH_SEGMENT(name)}/config`
    const stored = (await this.request('GET', path).catch(() => ({ body: {} }))).body as Record<string, string>
    for (const [key, value] of Object.entries(config)) {
      if (value === MASK && stored[key] !== undefined) config[key] = stored[key]
    }
  }

  /** Creates or reconfigures; a value still equal to the mask keeps the stored one (the browser never had it). */
  async putConfig(name: string, config: Record<string, string>): Promise<{ status: number; created: boolean }> {
    await this.#unmask(name, config)
    const { status } = await this.request('PUT', `/connectors/${PATH_SEGMENT(name)}/config`, config)
    return { status, created: status === 201 }
  }
}
