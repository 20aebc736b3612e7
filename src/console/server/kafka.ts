// One Kafka cluster through its admin API: brokers, controller, topics with their partitions' replicas and ISR,
// and end offsets of chosen topics (for rates). Metadata is cached briefly so that paging and sorting a list of
// thousands of topics costs one metadata request per refresh, not one per page.
import { Admin } from '@platformatic/kafka'
import { unreachable } from './errors.ts'

export interface TopicRow {
  name: string
  internal: boolean
  partitions: number
  replication: number
  underReplicated: number
  offline: number
}

export interface ClusterOverview {
  clusterId: string
  brokers: { id: number; host: string; port: number; rack: string | null }[]
  controller: number
  topics: number
  partitions: number
  underReplicated: number
  offline: number
}

interface Snapshot {
  atMs: number
  overview: ClusterOverview
  topics: TopicRow[]
}

/** Topics of tools rather than of data (`__…`, `_schemas`, `_confluent…`): hidden from the list unless asked. */
const INTERNAL = (name: string) => name.startsWith('_')

export class KafkaCluster {
  readonly name: string
  readonly bootstrapServers: string[]
  readonly #admin: Admin
  readonly #maxAgeMs: number
  #snapshot: Promise<Snapshot> | undefined

  constructor(name: string, bootstrapServers: string[], maxAgeMs = 2000) {
    this.name = name
    this.bootstrapServers = bootstrapServers
    this.#maxAgeMs = maxAgeMs
    this.#admin = new Admin({
      clientId: 'flowscope-console',
      bootstrapBrokers: bootstrapServers,
      timeout: 4000,
      retries: 0,
      metadataMaxAge: 0,
    })
  }

  /** The cluster's admin client, for the pages that act on one broker or group (brokers, group offsets). */
  get admin(): Admin {
    return this.#admin
  }

  async #read(): Promise<Snapshot> {
    try {
      // Kafka's own internal topics (__consumer_offsets…) are left out: the client's metadata skips them.
      const names = await this.#admin.listTopics()
      const metadata = await this.#admin.metadata({ topics: names, forceUpdate: true })
      const topics: TopicRow[] = []
      let partitions = 0
      let underReplicated = 0
      let offline = 0
      for (const [name, topic] of metadata.topics) {
        if (!topic) continue // deleted between the list and the metadata
        const under = topic.partitions.filter((p) => p.isr.length < p.replicas.length).length
        const down = topic.partitions.filter((p) => p.leader < 0).length
        partitions += topic.partitions.length
        underReplicated += under
        offline += down
        topics.push({
          name,
          internal: INTERNAL(name),
          partitions: topic.partitions.length,
          replication: topic.partitions[0]?.replicas.length ?? 0,
          underReplicated: under,
          offline: down,
        })
      }
      return {
        atMs: Date.now(),
        topics,
        overview: {
          clusterId: metadata.id,
          brokers: [...metadata.brokers.entries()]
            .map(([id, b]) => ({ id, host: b.host, port: b.port, rack: b.rack ?? null }))
            .sort((a, b) => a.id - b.id),
          controller: metadata.controllerId,
          topics: topics.length,
          partitions,
          underReplicated,
          offline,
        },
      }
    } catch (error) {
      throw unreachable(`Kafka cluster ${this.name} (${this.bootstrapServers.join(',')})`, error)
    }
  }

  async snapshot(): Promise<Snapshot> {
    const current = this.#snapshot
    if (current) {
      const value = await current.catch(() => undefined)
      if (value && Date.now() - value.atMs < this.#maxAgeMs) return value
    }
    const next = this.#read()
    this.#snapshot = next
    return next
  }

  /** Summed log-end offset per topic (for produce rates); topics that do not exist are left out. */
  async endOffsets(topics: string[]): Promise<Map<string, number>> {
    const { topics: rows } = await this.snapshot()
    const known = new Map(rows.map((t) => [t.name, t.partitions]))
    const present = topics.filter((t) => known.has(t))
    const sums = new Map<string, number>()
    if (present.length === 0) return sums
    try {
      const answer = await this.#admin.listOffsets({
        topics: present.map((name) => ({
          name,
          partitions: Array.from({ length: known.get(name)! }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        })),
      })
      for (const t of answer)
        sums.set(
          t.name,
          t.partitions.reduce((sum, p) => sum + Number(p.offset), 0),
        )
    } catch (error) {
      throw unreachable(`Kafka cluster ${this.name}`, error)
    }
    return sums
  }

  async close(): Promise<void> {
    await this.#admin.close().catch(() => {})
  }
}
