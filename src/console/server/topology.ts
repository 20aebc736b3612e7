// The pipeline as a graph — source table → connector (with its tasks) → topic → consumer group — built from what
// Connect, Kafka and the lag exporter report. Pure: the routes gather the inputs, this decides nodes, edges and each
// hop's health. A hop whose source is down is shown as unknown, never as healthy.
import type { ConnectorMetrics, ConnectorView } from './connect.ts'
import type { GroupLag } from './lag.ts'

export const HEALTH = ['ok', 'warn', 'error', 'unknown', 'neutral'] as const
export type Health = (typeof HEALTH)[number]

export interface PipelineNode {
  id: string
  kind: 'table' | 'connector' | 'topic' | 'group'
  label: string
  health: Health
  /** One line of state shown under the label (e.g. RUNNING 1/1 tasks, 12.5 rec/s, lag 40 · 3.2 s). */
  status: string
  /** Where the node's details live, as a route of the UI. */
  link?: string
  connect?: string
  connector?: string
  tasks?: { id: number; state: string; hasTrace: boolean }[]
  trace?: string
  lag?: { offsets: number | null; seconds: number | null; status: string | null; rate: number | null }
  rate?: number | null
  /** Seconds since the newest change captured from the table (flowscope workers, timestamp modes). */
  freshnessSeconds?: number
}

export interface PipelineEdge {
  from: string
  to: string
}

export interface PipelineInput {
  connects: { name: string; connectors: ConnectorView[] | null; metrics?: Map<string, ConnectorMetrics> }[]
  /** Topics that exist; null when Kafka is down. */
  topics: Set<string> | null
  /** Records per second appended to each topic; absent when not known yet. */
  topicRates: Map<string, number>
  /** Consumer groups from the lag exporter; null when it is down. */
  groups: GroupLag[] | null
}

export interface Pipeline {
  nodes: PipelineNode[]
  edges: PipelineEdge[]
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** Where a source connector reads from, in words: "postgresql 127.0.0.1:5433/postgres". */
export function databaseOf(config: Record<string, string>): string | null {
  const url = config['connection.url']
  if (url) {
    const m = /^jdbc:([a-z0-9]+):\/\/(?:[^@/]*@)?([^/?]+)\/?([^?;]*)/i.exec(url)
    if (m) return `${m[1]} ${m[2]}${m[3] ? `/${m[3]}` : ''}`
  }
  // Debezium's keys, written as the JDBC URL's words so both connectors on one database share its table nodes.
  const host = config['database.hostname']
  if (host) {
    const vendor = config['connector.class']?.includes('postgres') ? 'postgresql' : 'database'
    const dbname = config['database.dbname']
    return `${vendor} ${host}:${config['database.port'] || '5432'}${dbname ? `/${dbname}` : ''}`
  }
  return null
}

/** Tables a source connector reads (JDBC whitelist / include list; Debezium include list). */
export function tablesOf(config: Record<string, string>): string[] {
  return list(config['table.whitelist'] ?? config['table.include.list'] ?? config.tables)
}

/** Topics a connector writes (source) or reads (sink) by its config, when Connect does not list active topics. */
export function configuredTopics(type: string, config: Record<string, string>): string[] {
  if (type === 'sink') return list(config.topics)
  const single = config.topic ?? config['kafka.topic']
  if (single) return [single]
  const prefix = config['topic.prefix']
  if (prefix !== undefined && config['connector.class']?.includes('Jdbc')) {
    const query = config.query
    if (query) return [prefix]
    return tablesOf(config).map((t) => `${prefix}${t}`)
  }
  return []
}

/**
 * The tables a source connector reads: from its config, else — a JDBC source over every table — from the topics it
 * wrote (topic = prefix + table), else one node naming the query or the connector class.
 */
export function sourceTables(c: Pick<ConnectorView, 'config' | 'className'>, topics: string[]): string[] {
  const listed = tablesOf(c.config)
  if (listed.length > 0) return listed
  if (c.config.query) return ['query']
  const prefix = c.config['topic.prefix']
  if (prefix !== undefined && c.className.includes('Jdbc') && topics.length > 0) {
    const tables = topics
      .filter((t) => t.startsWith(prefix) && t.length > prefix.length)
      .map((t) => t.slice(prefix.length))
    if (tables.length > 0) return tables
  }
  return [c.className.split('.').pop() || 'source']
}

/** A table's freshness from metrics labelled with the bare or schema-qualified name. */
export function freshnessOf(freshness: Map<string, number> | undefined, table: string): number | undefined {
  if (!freshness) return undefined
  const direct = freshness.get(table)
  if (direct !== undefined) return direct
  for (const [label, value] of freshness) if (label.endsWith(`.${table}`) || table.endsWith(`.${label}`)) return value
  return undefined
}

export function connectorHealth(c: Pick<ConnectorView, 'state' | 'tasks'>): Health {
  if (c.state === 'FAILED' || c.tasks.some((t) => t.state === 'FAILED')) return 'error'
  if (c.state === 'RUNNING' && c.tasks.length > 0 && c.tasks.every((t) => t.state === 'RUNNING')) return 'ok'
  if (c.state === 'UNKNOWN') return 'unknown'
  return 'warn'
}

export function groupHealth(status: string | null): Health {
  if (status === null) return 'unknown'
  if (status === 'OK') return 'ok'
  if (status === 'WARN') return 'warn'
  if (status === 'NOTFOUND') return 'unknown'
  return 'error'
}

export function formatRate(rate: number | null | undefined): string | null {
  if (rate === null || rate === undefined) return null
  return `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} rec/s`
}

export function formatSeconds(seconds: number | null): string | null {
  if (seconds === null) return null
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

export function buildPipeline(input: PipelineInput): Pipeline {
  const nodes = new Map<string, PipelineNode>()
  const edges = new Map<string, PipelineEdge>()
  const edge = (from: string, to: string) => edges.set(`${from}\u0000${to}`, { from, to })
  const topicNode = (topic: string): string => {
    const id = `topic:${topic}`
    if (!nodes.has(id)) {
      const exists = input.topics === null ? null : input.topics.has(topic)
      const rate = input.topicRates.get(topic)
      nodes.set(id, {
        id,
        kind: 'topic',
        label: topic,
        health: exists === null ? 'unknown' : exists ? 'ok' : 'warn',
        status:
          exists === null
            ? 'Kafka not reachable'
            : exists
              ? (formatRate(rate) ?? 'rate not known yet')
              : 'not created yet',
        rate: rate ?? null,
        link: `/topics?search=${encodeURIComponent(topic)}`,
      })
    }
    return id
  }

  for (const connect of input.connects) {
    for (const c of connect.connectors ?? []) {
      const id = `connector:${connect.name}/${c.name}`
      const health = connectorHealth(c)
      const running = c.tasks.filter((t) => t.state === 'RUNNING').length
      const measured = connect.metrics?.get(c.name)
      const writeRate = c.state === 'RUNNING' ? formatRate(measured?.writeRate) : null
      nodes.set(id, {
        id,
        kind: 'connector',
        label: c.name,
        health,
        // Failures first: the line is cut to the node's width.
        status: [
          ...c.tasks.filter((t) => t.state === 'FAILED').map((t) => `task ${t.id} FAILED`),
          c.state,
          `${running}/${c.tasks.length} tasks running`,
          ...(writeRate ? [writeRate] : []),
        ].join(' · '),
        rate: measured?.writeRate ?? null,
        link: `/connect/${encodeURIComponent(connect.name)}/${encodeURIComponent(c.name)}`,
        connect: connect.name,
        connector: c.name,
        tasks: c.tasks.map((t) => ({ id: t.id, state: t.state, hasTrace: Boolean(t.trace) })),
        ...(c.trace ? { trace: c.trace } : {}),
      })
      const topics = c.topics && c.topics.length > 0 ? c.topics : configuredTopics(c.type, c.config)
      if (c.type === 'sink') {
        for (const t of topics) edge(topicNode(t), id)
        continue
      }
      const database = databaseOf(c.config)
      const sources = sourceTables(c, topics)
      for (const table of sources) {
        // `public.users` (Debezium's include list) and `users` (a JDBC whitelist) are one table on Postgres.
        const tableName = table.replace(/^public\./, '')
        const tableId = `table:${database ?? connect.name}/${tableName}`
        const freshness = freshnessOf(measured?.freshness, table)
        if (!nodes.has(tableId)) {
          nodes.set(tableId, {
            id: tableId,
            kind: 'table',
            label: tableName,
            health: 'neutral',
            status: [
              database ?? 'source',
              ...(freshness === undefined ? [] : [`freshness ${formatSeconds(freshness)}`]),
            ].join(' · '),
            ...(freshness === undefined ? {} : { freshnessSeconds: freshness }),
          })
        }
        edge(tableId, id)
      }
      for (const t of topics) edge(id, topicNode(t))
    }
  }

  for (const g of input.groups ?? []) {
    const read = Object.keys(g.topics).filter((t) => nodes.has(`topic:${t}`))
    if (read.length === 0) continue
    const id = `group:${g.group}`
    const parts = [g.status ?? 'status not known', `lag ${g.maxLag ?? '?'}`]
    const seconds = formatSeconds(g.maxLagSeconds)
    if (seconds) parts.push(seconds)
    const rate = formatRate(g.consumeRate)
    if (rate) parts.push(rate)
    nodes.set(id, {
      id,
      kind: 'group',
      label: g.group,
      health: groupHealth(g.status),
      status: parts.join(' · '),
      link: `/consumers?group=${encodeURIComponent(g.group)}`,
      lag: { offsets: g.maxLag, seconds: g.maxLagSeconds, status: g.status, rate: g.consumeRate },
    })
    for (const t of read) edge(`topic:${t}`, id)
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] }
}

/** Per-second rates from successive counter readings (e.g. summed log-end offsets); one reading gives no rate. */
export class RateTracker {
  readonly #last = new Map<string, { value: number; atMs: number }>()
  readonly #rates = new Map<string, number>()

  update(key: string, value: number, atMs: number): number | undefined {
    const last = this.#last.get(key)
    // Readings closer than a second apart (two browsers polling) would give a noisy rate: keep the last one.
    if (last && atMs - last.atMs < 1000 && value >= last.value) return this.#rates.get(key)
    this.#last.set(key, { value, atMs })
    if (last && value >= last.value) {
      this.#rates.set(key, ((value - last.value) * 1000) / (atMs - last.atMs))
    } else if (last && value < last.value) {
      this.#rates.delete(key) // the topic was recreated: start again
    }
    return this.#rates.get(key)
  }

  get rates(): Map<string, number> {
    return this.#rates
  }
}
