// One poll of a Kafka cluster through its admin API, as a plain snapshot: brokers, every topic's partitions with
// their earliest and latest offsets, every consumer group with its members, their assignments and its committed
// offsets; plus, within a fetch budget, the timestamp of the first unconsumed record of each lagging partition (one
// small Fetch per partition at the committed offset) and, with what budget is left, the last record of each partition
// a group has caught up on (for its source-time header: freshness). Nothing here keeps history: exporter.ts does.
import { randomUUID } from 'node:crypto'
import { Admin, Consumer } from '@platformatic/kafka'
import { fetchPartition } from '../kafka/fetch-partition.ts'
import { readSourceTimeHeaders, type SourceTimeBasis } from '../record/source-time.ts'

export interface TopicSnapshot {
  name: string
  id: string
  /** Index = partition number. */
  partitions: { earliest: bigint; latest: bigint; leader: number }[]
}

export interface MemberSnapshot {
  memberId: string
  clientId: string
  host: string
}

export interface GroupSnapshot {
  id: string
  state: string
  /** '' for a group that only commits offsets (no members, no protocol): Kafka Lag Exporter's "simple consumer". */
  protocolType: string
  members: MemberSnapshot[]
  /** `topic:partition` → the member assigned that partition. */
  owners: Map<string, MemberSnapshot>
  /** topic → partition → committed offset (partitions without a commit are absent). */
  commits: Map<string, Map<number, bigint>>
}

export interface RecordTimestamp {
  /** The first surviving record at or after the requested offset. */
  offset: bigint
  timestampMs: number
  /** Its flowscope.source.timestamp header (and basis), when it carries one. */
  source?: { timestampMs: number; basis?: SourceTimeBasis }
}

export interface ClusterSnapshot {
  /** When the poll started (ms since epoch): the time every offset in it is taken at. */
  timeMs: number
  /** How long the poll took. */
  pollMs: number
  brokers: number
  topics: Map<string, TopicSnapshot>
  groups: Map<string, GroupSnapshot>
  /**
   * `topic:partition:offset` → the record read there (fresh or from the cache): the first unconsumed record of
   * lagging partitions, and the last record (log end − 1) of partitions some group has caught up on.
   */
  records: Map<string, RecordTimestamp>
  /** Record reads this poll did, and lagging partitions left to interpolation because the budget was spent. */
  fetches: number
  budgetSkipped: number
}

export interface PollerOptions {
  bootstrapServers: string[]
  clientId?: string
  /** Only groups whose id matches (default: every group). */
  groupAllow?: RegExp
  /** Record reads per poll (default 100); further lagging partitions are interpolated. */
  fetchBudget?: number
  /** Kafka request timeout (ms, default 10 000). */
  requestTimeoutMs?: number
  nowMs?: () => number
}

const LATEST = -1n
const EARLIEST = -2n
const FETCH_MAX_BYTES = 1024
const LOG_APPEND_TIME = 0x08
const CONTROL_BATCH = 0x20

export const recordKey = (topic: string, partition: number, offset: bigint) => `${topic}:${partition}:${offset}`

export class ClusterPoller {
  readonly #options: PollerOptions
  readonly #admin: Admin
  readonly #consumer: Consumer
  readonly #now: () => number
  /** Record timestamps already read: a committed offset's record does not change, so it is read once. */
  #recordCache = new Map<string, RecordTimestamp>()

  constructor(options: PollerOptions) {
    this.#options = options
    this.#now = options.nowMs ?? Date.now
    const clientId = options.clientId ?? 'flowscope-lag-exporter'
    const common = {
      bootstrapBrokers: options.bootstrapServers,
      timeout: options.requestTimeoutMs ?? 10_000,
      retries: 1,
      retryDelay: 250,
    }
    this.#admin = new Admin({ clientId, ...common })
    // Never joins its group: it only sends Fetch requests for single records.
    this.#consumer = new Consumer({ clientId: `${clientId}-reader`, groupId: `${clientId}-${randomUUID()}`, ...common })
  }

  async poll(): Promise<ClusterSnapshot> {
    const timeMs = this.#now()
    const started = performance.now()
    const admin = this.#admin
    const topicNames = await admin.listTopics()
    const [metadata, groupList] = await Promise.all([admin.metadata({ topics: topicNames }), admin.listGroups()])
    const topics = await this.#topics(topicNames, metadata)
    const allow = this.#options.groupAllow
    const groupIds = [...groupList.values()]
      .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
      .map((g) => g.id)
      .filter((id) => !allow || allow.test(id))
      .sort()
    const groups = await this.#groups(groupIds, groupList)
    const { records, fetches, budgetSkipped } = await this.#records(topics, groups)
    return {
      timeMs,
      pollMs: performance.now() - started,
      brokers: metadata.brokers.size,
      topics,
      groups,
      records,
      fetches,
      budgetSkipped,
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#admin.close(), this.#consumer.close(true)])
  }

  async #topics(
    names: string[],
    metadata: Awaited<ReturnType<Admin['metadata']>>,
  ): Promise<Map<string, TopicSnapshot>> {
    const topics = new Map<string, TopicSnapshot>()
    const present = names.filter((name) => metadata.topics.has(name)).sort()
    if (present.length === 0) return topics
    const request = (timestamp: bigint) => (topic: string) => ({
      name: topic,
      partitions: metadata.topics.get(topic)!.partitions.map((_, partitionIndex) => ({ partitionIndex, timestamp })),
    })
    // One request per end for all topics; a topic deleted meanwhile fails the batch, so then ask topic by topic.
    const read = async (list: string[]) => {
      const [latest, earliest] = await Promise.all([
        this.#admin.listOffsets({ topics: list.map(request(LATEST)) }),
        this.#admin.listOffsets({ topics: list.map(request(EARLIEST)) }),
      ])
      return { latest, earliest }
    }
    let ends: Awaited<ReturnType<typeof read>>[]
    try {
      ends = [await read(present)]
    } catch {
      const settled = await Promise.allSettled(present.map((topic) => read([topic])))
      ends = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    }
    for (const { latest, earliest } of ends) {
      for (const topic of latest) {
        const meta = metadata.topics.get(topic.name)
        if (!meta) continue
        const starts = new Map(
          (earliest.find((t) => t.name === topic.name)?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]),
        )
        const partitions: TopicSnapshot['partitions'] = []
        for (const p of topic.partitions) {
          partitions[p.partitionIndex] = {
            latest: p.offset,
            earliest: starts.get(p.partitionIndex) ?? 0n,
            leader: meta.partitions[p.partitionIndex]?.leader ?? -1,
          }
        }
        topics.set(topic.name, { name: topic.name, id: meta.id, partitions })
      }
    }
    return topics
  }

  async #groups(ids: string[], listed: Awaited<ReturnType<Admin['listGroups']>>): Promise<Map<string, GroupSnapshot>> {
    const groups = new Map<string, GroupSnapshot>()
    if (ids.length === 0) return groups
    const [described, offsets] = await Promise.all([
      this.#admin.describeGroups({ groups: ids }),
      this.#groupOffsets(ids),
    ])
    for (const id of ids) {
      const group = described.get(id)
      const members: MemberSnapshot[] = []
      const owners = new Map<string, MemberSnapshot>()
      for (const member of group?.members.values() ?? []) {
        const snapshot = { memberId: member.id, clientId: member.clientId, host: member.clientHost.replace(/^\//, '') }
        members.push(snapshot)
        for (const assignment of member.assignments?.values() ?? []) {
          for (const partition of assignment.partitions) owners.set(`${assignment.topic}:${partition}`, snapshot)
        }
      }
      const commits = new Map<string, Map<number, bigint>>()
      for (const topic of offsets.get(id) ?? []) {
        const partitions = new Map<number, bigint>()
        for (const p of topic.partitions)
          if (p.committedOffset >= 0n) partitions.set(p.partitionIndex, p.committedOffset)
        if (partitions.size > 0) commits.set(topic.name, partitions)
      }
      groups.set(id, {
        id,
        state: group?.state ?? listed.get(id)?.state ?? 'Unknown',
        protocolType: group?.protocolType ?? listed.get(id)?.protocolType ?? '',
        members,
        owners,
        commits,
      })
    }
    return groups
  }

  /** Committed offsets per group: one request for all; a group that fails it (e.g. deleted meanwhile) is asked alone. */
  async #groupOffsets(ids: string[]) {
    type Topics = Awaited<ReturnType<Admin['listConsumerGroupOffsets']>>[number]['topics']
    const result = new Map<string, Topics>()
    try {
      for (const g of await this.#admin.listConsumerGroupOffsets({ groups: ids })) result.set(g.groupId, g.topics)
    } catch {
      const settled = await Promise.allSettled(ids.map((id) => this.#admin.listConsumerGroupOffsets({ groups: [id] })))
      for (const s of settled) if (s.status === 'fulfilled') for (const g of s.value) result.set(g.groupId, g.topics)
    }
    return result
  }

  /**
   * Per lagging partition the first unconsumed record, per caught-up partition the last consumed one (lag 0 here:
   * read after every lagging one): from the cache, else read within the budget.
   */
  async #records(topics: Map<string, TopicSnapshot>, groups: Map<string, GroupSnapshot>) {
    const wanted = new Map<string, { topic: TopicSnapshot; partition: number; offset: bigint; lag: bigint }>()
    for (const group of groups.values()) {
      for (const [name, partitions] of group.commits) {
        const topic = topics.get(name)
        if (!topic) continue
        for (const [partition, committed] of partitions) {
          const ends = topic.partitions[partition]
          if (!ends) continue
          let offset: bigint
          let lag = 0n
          if (committed >= ends.latest) {
            if (ends.latest <= ends.earliest) continue
            offset = ends.latest - 1n
          } else {
            offset = committed < ends.earliest ? ends.earliest : committed
            lag = ends.latest - committed
          }
          const key = recordKey(name, partition, offset)
          const seen = wanted.get(key)
          if (!seen || seen.lag < lag) wanted.set(key, { topic, partition, offset, lag })
        }
      }
    }
    const records = new Map<string, RecordTimestamp>()
    const toFetch: (typeof wanted extends Map<string, infer V> ? V & { key: string } : never)[] = []
    for (const [key, want] of wanted) {
      const cached = this.#recordCache.get(key)
      if (cached) records.set(key, cached)
      else toFetch.push({ ...want, key })
    }
    // Spend the budget on the partitions furthest behind first.
    toFetch.sort((a, b) => (a.lag > b.lag ? -1 : a.lag < b.lag ? 1 : 0))
    const budget = this.#options.fetchBudget ?? 100
    let fetches = 0
    for (const want of toFetch.slice(0, budget)) {
      fetches++
      const record = await this.#readRecord(want.topic, want.partition, want.offset).catch(() => undefined)
      if (record) records.set(want.key, record)
    }
    this.#recordCache = records
    const budgetSkipped = toFetch.slice(budget).filter((want) => want.lag > 0n).length
    return { records, fetches, budgetSkipped }
  }

  /** One Fetch of at most ~1 KiB at `offset` (the broker still returns a whole first batch); sequential by design. */
  async #readRecord(topic: TopicSnapshot, partition: number, offset: bigint): Promise<RecordTimestamp | undefined> {
    const leader = topic.partitions[partition]?.leader ?? -1
    if (leader < 0) return undefined
    const { errorCode, batches } = await fetchPartition(this.#consumer, {
      leader,
      topicId: topic.id,
      partition,
      offset,
      maxBytes: FETCH_MAX_BYTES,
    })
    if (errorCode !== 0) return undefined
    for (const batch of batches) {
      if (batch.attributes & CONTROL_BATCH) continue
      for (const record of batch.records) {
        const at = batch.firstOffset + BigInt(record.offsetDelta)
        if (at < offset) continue
        const ts =
          batch.attributes & LOG_APPEND_TIME ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta
        const source = readSourceTimeHeaders(record.headers ?? [])
        return { offset: at, timestampMs: Number(ts), ...(source ? { source } : {}) }
      }
    }
    return undefined
  }
}
