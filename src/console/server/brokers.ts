// The brokers of one Kafka cluster through the admin API: per broker its address, rack, whether it is the
// controller, how many partition replicas it holds and leads, its log dirs with disk use per topic
// (DescribeLogDirs), and its configs (DescribeConfigs on the broker resource), whose dynamic ones can be changed
// (IncrementalAlterConfigs). Sensitive values are never sent to the browser.
import {
  type Admin,
  ConfigResourceTypes,
  ConfigSources,
  IncrementalAlterConfigOperationTypes,
} from '@platformatic/kafka'
import { badRequest, notFound, unreachable } from './errors.ts'
import { kafkaErrorIds } from './groups.ts'

export interface BrokerRow {
  id: number
  host: string
  port: number
  rack: string | null
  controller: boolean
  replicas: number
  leaders: number
  /** Bytes of partition data in its log dirs; null when the broker did not answer DescribeLogDirs. */
  sizeBytes: number | null
}

export interface LogDirView {
  dir: string
  error: string | null
  totalBytes: number | null
  usableBytes: number | null
  topics: { name: string; partitions: number; sizeBytes: number }[]
}

export interface BrokerConfigView {
  name: string
  /** null: unset, or sensitive (never sent). */
  value: string | null
  source: string
  isDefault: boolean
  readOnly: boolean
  sensitive: boolean
  documentation: string | null
}

const SOURCE_NAMES = new Map<number, string>(
  Object.entries(ConfigSources)
    .filter(([name]) => name !== 'TOPIC_CONFIG')
    .map(([name, value]) => [value, name]),
)

/** A broker config as the browser sees it: sensitive values withheld, defaults marked. Pure. */
export function configView(c: {
  name: string
  value?: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
  documentation?: string | null
}): BrokerConfigView {
  return {
    name: c.name,
    value: c.isSensitive ? null : (c.value ?? null),
    source: SOURCE_NAMES.get(c.configSource) ?? 'UNKNOWN',
    isDefault: c.configSource === ConfigSources.DEFAULT_CONFIG,
    readOnly: c.readOnly,
    sensitive: c.isSensitive,
    documentation: c.documentation ?? null,
  }
}

/** The body of a broker config change: `{set?: {key: value}, delete?: [key]}`. Pure. */
export function configChange(body: unknown): { set: Record<string, string>; remove: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be {"set": {key: value}, "delete": [key]}')
  const record = body as Record<string, unknown>
  for (const key of Object.keys(record))
    if (key !== 'set' && key !== 'delete') throw badRequest(`unknown field "${key}": a change takes set and delete`)
  const set = record.set ?? {}
  if (typeof set !== 'object' || set === null || Array.isArray(set))
    throw badRequest('"set" must be an object of config keys to string values')
  for (const [key, value] of Object.entries(set))
    if (typeof value !== 'string') throw badRequest(`"set.${key}": values must be strings`)
  const remove = record.delete ?? []
  if (!Array.isArray(remove) || remove.some((k) => typeof k !== 'string' || k === ''))
    throw badRequest('"delete" must be a list of config keys')
  const both = (remove as string[]).filter((k) => k in set)
  if (both.length > 0) throw badRequest(`config "${both[0]}" is both set and deleted`)
  if (Object.keys(set).length === 0 && remove.length === 0)
    throw badRequest('nothing to change: "set" and "delete" are empty')
  return { set: { ...(set as Record<string, string>) }, remove: remove as string[] }
}

export class BrokerAdmin {
  readonly #admin: Admin
  readonly #cluster: string
  constructor(admin: Admin, cluster: string) {
    this.#admin = admin
    this.#cluster = cluster
  }

  async #call<T>(work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (error) {
      throw unreachable(`Kafka cluster ${this.#cluster}`, error)
    }
  }

  async #metadata() {
    const names = await this.#call(this.#admin.listTopics({ includeInternals: true }))
    return this.#call(this.#admin.metadata({ topics: names, forceUpdate: true }))
  }

  async #logDirs(topics: { name: string; partitions: number[] }[]) {
    if (topics.length === 0) return []
    return this.#call(this.#admin.describeLogDirs({ topics }))
  }

  async list(): Promise<BrokerRow[]> {
    const metadata = await this.#metadata()
    const replicas = new Map<number, number>()
    const leaders = new Map<number, number>()
    const topics: { name: string; partitions: number[] }[] = []
    for (const [name, t] of metadata.topics) {
      if (!t) continue
      topics.push({ name, partitions: t.partitions.map((_, i) => i) })
      for (const p of t.partitions) {
        if (p.leader >= 0) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1)
        for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1)
      }
    }
    const sizes = new Map<number, number>()
    const dirs = await this.#logDirs(topics).catch(() => [])
    for (const b of dirs) {
      let sum = 0
      for (const r of b.results) for (const t of r.topics) for (const p of t.partitions) sum += Number(p.partitionSize)
      sizes.set(b.broker, sum)
    }
    return [...metadata.brokers.entries()]
      .map(([id, b]) => ({
        id,
        host: b.host,
        port: b.port,
        rack: b.rack ?? null,
        controller: id === metadata.controllerId,
        replicas: replicas.get(id) ?? 0,
        leaders: leaders.get(id) ?? 0,
        sizeBytes: sizes.get(id) ?? null,
      }))
      .sort((a, b) => a.id - b.id)
  }

  async #broker(id: number): Promise<BrokerRow> {
    const row = (await this.list()).find((b) => b.id === id)
    if (!row) throw notFound(`broker ${id} is not in Kafka cluster ${this.#cluster}`)
    return row
  }

  async detail(id: number): Promise<{ broker: BrokerRow; logDirs: LogDirView[]; configs: BrokerConfigView[] }> {
    const broker = await this.#broker(id)
    const metadata = await this.#metadata()
    const topics = [...metadata.topics]
      .filter(([, t]) => t)
      .map(([name, t]) => ({ name, partitions: t!.partitions.map((_, i) => i) }))
    const dirs = (await this.#logDirs(topics)).find((b) => b.broker === id)
    const logDirs: LogDirView[] = (dirs?.results ?? []).map((r) => ({
      dir: r.logDir,
      error: null,
      // -1: the broker does not report volume sizes (an old protocol version) — shown as unknown, not 0.
      totalBytes: r.totalBytes >= 0n ? Number(r.totalBytes) : null,
      usableBytes: r.usableBytes >= 0n ? Number(r.usableBytes) : null,
      topics: r.topics
        .map((t) => ({
          name: t.name,
          partitions: t.partitions.length,
          sizeBytes: t.partitions.reduce((s, p) => s + Number(p.partitionSize), 0),
        }))
        .sort((a, b) => b.sizeBytes - a.sizeBytes || a.name.localeCompare(b.name)),
    }))
    return { broker, logDirs, configs: await this.configs(id) }
  }

  async configs(id: number): Promise<BrokerConfigView[]> {
    const [answer] = await this.#call(
      this.#admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: String(id) }],
        includeDocumentation: true,
      }),
    )
    return (answer?.configs ?? []).map(configView).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Changes dynamic configs; a read-only (static) or unknown key is refused before Kafka is asked. */
  async alter(id: number, change: { set: Record<string, string>; remove: string[] }): Promise<BrokerConfigView[]> {
    await this.#broker(id)
    const known = new Map((await this.configs(id)).map((c) => [c.name, c]))
    for (const key of [...Object.keys(change.set), ...change.remove]) {
      const c = known.get(key)
      if (!c) throw badRequest(`config "${key}" is not a config of broker ${id}`)
      if (c.readOnly)
        throw badRequest(
          `config "${key}" is read-only on a running broker: set it in the broker's server.properties and restart it`,
        )
    }
    try {
      await this.#admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.BROKER,
            resourceName: String(id),
            configs: [
              ...Object.entries(change.set).map(([name, value]) => ({
                name,
                value,
                configOperation: IncrementalAlterConfigOperationTypes.SET,
              })),
              ...change.remove.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
            ],
          },
        ],
      })
    } catch (error) {
      const ids = kafkaErrorIds(error)
      if (ids.includes('INVALID_CONFIG') || ids.includes('INVALID_REQUEST'))
        throw badRequest(`Kafka refused the change: ${serverMessage(error) ?? ids.join(', ')}`)
      throw unreachable(`Kafka cluster ${this.#cluster}`, error)
    }
    return this.configs(id)
  }
}

/** Kafka's own explanation inside a client error, when it sent one. */
export function serverMessage(error: unknown, depth = 0): string | null {
  if (typeof error !== 'object' || error === null || depth > 5) return null
  const e = error as { serverErrorMessage?: unknown; errors?: unknown[] }
  if (typeof e.serverErrorMessage === 'string' && e.serverErrorMessage) return e.serverErrorMessage
  for (const inner of Array.isArray(e.errors) ? e.errors : []) {
    const m = serverMessage(inner, depth + 1)
    if (m) return m
  }
  return null
}
