// One Kafka cluster's topics up close, for the topic page: a topic's partitions with leader, replicas, ISR, offsets and
// size, its configs; create / alter config / add partitions / delete; and the message browser's scan, which reads with
// Fetch requests straight to each partition's leader (no consumer group, nothing committed), one bounded response at
// a time, so a topic is never held in memory: records that match are handed on as they are found.

import { randomUUID } from 'node:crypto'
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  ProtocolError,
} from '@platformatic/kafka'
import { fetchPartition } from '../../kafka/fetch-partition.ts'
import { ApiError, badRequest, notFound, type Part, part, unreachable } from './errors.ts'
import {
  backwardWindow,
  clampOffset,
  encodeCursor,
  hasFilter,
  matches,
  type Positions,
  type RawRecord,
  type Shown,
  show,
} from './messages.ts'
import type { BrowseQuery, ConfigChange, NewTopic } from './topic-input.ts'

/** A record as the scan reads it: its offset and timestamp worked out from its batch. */
interface ReadRecord {
  offset: bigint
  timestamp: number
  record: RawRecord & { length: number }
  size: number
}

export interface PartitionDetails {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
  offline: number[]
  earliest: string
  latest: string
  /** Bytes on the leader's log dir (DescribeLogDirs); null when the broker did not say. */
  sizeBytes: number | null
}

export interface TopicConfigEntry {
  name: string
  /** null for a sensitive value (never sent) or one with no value. */
  value: string | null
  /** Set on the topic itself (not the broker's or Kafka's default). */
  override: boolean
  source: string
  readOnly: boolean
  sensitive: boolean
}

export interface TopicDetails {
  name: string
  id: string
  partitions: PartitionDetails[]
  configs: Part<TopicConfigEntry[]>
}

export interface ShownRecord {
  partition: number
  offset: string
  timestamp: number
  key: Shown | null
  value: Shown | null
  headers: { key: string; value: Shown | null }[]
}

export type StopReason = 'limit' | 'end' | 'max-records' | 'max-bytes' | 'max-seconds' | 'cancelled'

export type ScanEvent =
  | { type: 'start'; partitions: number[]; total: number; direction: 'forward' | 'backward' }
  | { type: 'progress'; scanned: number; total: number; matched: number; bytes: number }
  | { type: 'record'; record: ShownRecord }
  | {
      type: 'end'
      scanned: number
      total: number
      matched: number
      bytes: number
      stoppedBy: StopReason
      /** Read on from here (seek=cursor&direction=…); every partition's position. */
      cursor: string
      /** Partitions the broker refused to read, with its reason. */
      errors: { partition: number; message: string }[]
      elapsedMs: number
    }

const LOG_APPEND_TIME = 0x08
const CONTROL_BATCH = 0x20
const FETCH_MAX_BYTES = 1024 * 1024
const PROGRESS_EVERY_MS = 250
/** Records between two reads of the clock for the scan's time budget and progress events. */
const CLOCK_EVERY = 64
/** Offsets a backward window covers when filtering (fewer for a plain page: just the page). */
const BACKWARD_WINDOW = 2000

const SOURCE_NAMES = Object.fromEntries(Object.entries(ConfigSources).map(([k, v]) => [v, k]))

/** Kafka's refusal (a protocol error) becomes a 4xx with its message; anything else means Kafka did not answer. */
export function kafkaFailure(what: string, error: unknown): ApiError {
  const found: ProtocolError[] = []
  const walk = (e: unknown, depth: number) => {
    if (depth > 4 || !e) return
    if (e instanceof ProtocolError) found.push(e)
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) walk(inner, depth + 1)
  }
  walk(error, 0)
  const first = found[0] as (ProtocolError & { apiId?: string; serverErrorMessage?: string | null }) | undefined
  if (first) {
    const id = first.apiId ?? 'ERROR'
    const status = id === 'TOPIC_ALREADY_EXISTS' ? 409 : id === 'UNKNOWN_TOPIC_OR_PARTITION' ? 404 : 400
    return new ApiError(status, `${what}: Kafka refused (${id}): ${first.serverErrorMessage || first.message}`)
  }
  if (error instanceof ApiError) return error
  return unreachable(what, error)
}

interface TopicMeta {
  id: string
  leaders: number[]
}

export class TopicTools {
  readonly #admin: Admin
  readonly #consumer: Consumer
  readonly #label: string

  constructor(label: string, bootstrapServers: string[]) {
    this.#label = label
    const common = { bootstrapBrokers: bootstrapServers, timeout: 5000, retries: 0 }
    this.#admin = new Admin({ clientId: 'flowscope-console-topics', ...common, metadataMaxAge: 0 })
    // Never joins its group: it only sends Fetch requests.
    this.#consumer = new Consumer({
      clientId: 'flowscope-console-browser',
      groupId: `flowscope-console-${randomUUID()}`,
      ...common,
    })
  }

  async #meta(topic: string): Promise<TopicMeta & { partitions: PartitionDetails[] }> {
    let metadata: Awaited<ReturnType<Admin['metadata']>>
    try {
      const names = await this.#admin.listTopics({ includeInternals: true })
      if (!names.includes(topic)) throw notFound(`topic ${JSON.stringify(topic)} does not exist in ${this.#label}`)
      metadata = await this.#admin.metadata({ topics: [topic], forceUpdate: true })
    } catch (error) {
      throw kafkaFailure(this.#label, error)
    }
    const t = metadata.topics.get(topic)
    if (!t) throw notFound(`topic ${JSON.stringify(topic)} does not exist in ${this.#label}`)
    const partitions = t.partitions.map((p, partition) => ({
      partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offline: p.offlineReplicas ?? [],
      earliest: '0',
      latest: '0',
      sizeBytes: null,
    }))
    return { id: t.id, leaders: t.partitions.map((p) => p.leader), partitions }
  }

  /** Per partition the offset listOffsets gives for `timestamp` (-2 earliest, -1 latest, else epoch ms). */
  async #offsets(topic: string, partitions: number[], timestamp: bigint): Promise<Map<number, bigint>> {
    try {
      const answer = await this.#admin.listOffsets({
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      })
      const out = new Map<number, bigint>()
      for (const t of answer) for (const p of t.partitions) out.set(p.partitionIndex, p.offset)
      return out
    } catch (error) {
      throw kafkaFailure(this.#label, error)
    }
  }

  async details(topic: string): Promise<TopicDetails> {
    const meta = await this.#meta(topic)
    const all = meta.partitions.map((p) => p.partition)
    const [earliest, latest, sizes, configs] = await Promise.all([
      this.#offsets(topic, all, -2n),
      this.#offsets(topic, all, -1n),
      this.#sizes(topic, meta.partitions).catch(() => new Map<number, number>()),
      part(this.configs(topic)),
    ])
    for (const p of meta.partitions) {
      p.earliest = String(earliest.get(p.partition) ?? 0n)
      p.latest = String(latest.get(p.partition) ?? 0n)
      p.sizeBytes = sizes.get(p.partition) ?? null
    }
    return { name: topic, id: meta.id, partitions: meta.partitions, configs }
  }

  /** Bytes per partition on its leader's log dir (or the largest replica when the leader did not say). */
  async #sizes(topic: string, partitions: PartitionDetails[]): Promise<Map<number, number>> {
    const answer = await this.#admin.describeLogDirs({
      topics: [{ name: topic, partitions: partitions.map((p) => p.partition) }],
    })
    const byLeader = new Map<number, number>()
    const largest = new Map<number, number>()
    for (const broker of answer) {
      for (const dir of broker.results) {
        for (const t of dir.topics) {
          if (t.name !== topic) continue
          for (const p of t.partitions) {
            if (p.isFutureKey) continue
            const size = Number(p.partitionSize)
            largest.set(p.partitionIndex, Math.max(largest.get(p.partitionIndex) ?? 0, size))
            if (partitions[p.partitionIndex]?.leader === broker.broker) byLeader.set(p.partitionIndex, size)
          }
        }
      }
    }
    for (const [p, size] of largest) if (!byLeader.has(p)) byLeader.set(p, size)
    return byLeader
  }

  async configs(topic: string): Promise<TopicConfigEntry[]> {
    try {
      const [described] = await this.#admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
      })
      return (described?.configs ?? [])
        .map((c) => ({
          name: c.name,
          value: c.isSensitive ? null : (c.value ?? null),
          override: c.configSource === ConfigSources.DYNAMIC_TOPIC_CONFIG,
          source: SOURCE_NAMES[c.configSource] ?? String(c.configSource),
          readOnly: c.readOnly,
          sensitive: c.isSensitive,
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
    } catch (error) {
      throw kafkaFailure(`${this.#label}: the configs of topic ${topic}`, error)
    }
  }

  async create(t: NewTopic): Promise<void> {
    try {
      await this.#admin.createTopics({
        topics: [t.name],
        partitions: t.partitions,
        replicas: t.replicationFactor,
        configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
      })
    } catch (error) {
      throw kafkaFailure(`creating topic ${t.name}`, error)
    }
  }

  async alterConfig(topic: string, change: ConfigChange): Promise<void> {
    await this.#meta(topic)
    try {
      await this.#admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configs: [
              ...Object.entries(change.set).map(([name, value]) => ({
                name,
                configOperation: IncrementalAlterConfigOperationTypes.SET,
                value,
              })),
              ...change.reset.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
            ],
          },
        ],
      })
    } catch (error) {
      throw kafkaFailure(`altering the config of topic ${topic}`, error)
    }
  }

  async addPartitions(topic: string, count: number): Promise<void> {
    const meta = await this.#meta(topic)
    if (count <= meta.partitions.length)
      throw badRequest(
        `field "count": topic ${topic} has ${meta.partitions.length} partitions; give a larger total (partitions cannot be removed)`,
      )
    try {
      await this.#admin.createPartitions({ topics: [{ name: topic, count }] })
    } catch (error) {
      throw kafkaFailure(`adding partitions to topic ${topic}`, error)
    }
  }

  async remove(topic: string): Promise<void> {
    await this.#meta(topic)
    try {
      await this.#admin.deleteTopics({ topics: [topic] })
    } catch (error) {
      throw kafkaFailure(`deleting topic ${topic}`, error)
    }
  }

  /** One Fetch at `offset` of one partition: the batches the broker returns (at most FETCH_MAX_BYTES, or one batch). */
  async #fetch(meta: TopicMeta, partition: number, offset: bigint) {
    const leader = meta.leaders[partition] ?? -1
    if (leader < 0) throw new Error(`partition ${partition} has no leader`)
    const { errorCode, batches } = await fetchPartition(this.#consumer, {
      leader,
      topicId: meta.id,
      partition,
      offset,
      maxBytes: FETCH_MAX_BYTES,
    })
    if (errorCode !== 0) throw new ProtocolError(errorCode)
    return batches
  }

  /**
   * Records of one partition in [from, to), in offset order: one array per bounded Fetch response (not one await
   * per record, which cost the scan more than reading the records).
   */
  async *#read(meta: TopicMeta, partition: number, from: bigint, to: bigint): AsyncGenerator<ReadRecord[]> {
    let next = from
    while (next < to) {
      const batches = await this.#fetch(meta, partition, next)
      let advanced = false
      const read: ReadRecord[] = []
      for (const batch of batches) {
        const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
        if (batch.attributes & CONTROL_BATCH) {
          if (batchEnd > next) {
            next = batchEnd
            advanced = true
          }
          continue
        }
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta)
          if (offset < next) continue
          if (offset >= to) {
            if (read.length > 0) yield read
            return
          }
          const timestamp =
            batch.attributes & LOG_APPEND_TIME ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta
          read.push({ offset, timestamp: Number(timestamp), record, size: record.length })
          next = offset + 1n
          advanced = true
        }
        // Compaction and aborted transactions leave gaps: go on after the batch.
        if (batchEnd > next && batchEnd <= to) {
          next = batchEnd
          advanced = true
        }
      }
      if (read.length > 0) yield read
      if (!advanced) return // nothing more the broker will give (e.g. below the high watermark of a lagging ISR)
    }
  }

  /** One record in full (values cut at `preview` characters), or 404. */
  async record(topic: string, partition: number, offset: bigint, preview: number): Promise<ShownRecord> {
    const meta = await this.#meta(topic)
    if (partition >= meta.partitions.length)
      throw notFound(`topic ${topic} has no partition ${partition} (it has ${meta.partitions.length})`)
    try {
      for await (const read of this.#read(meta, partition, offset, offset + 1n)) {
        for (const r of read)
          if (r.offset === offset) return shownRecord(partition, r.offset, r.timestamp, r.record, preview)
      }
    } catch (error) {
      throw kafkaFailure(`${this.#label}: reading ${topic}/${partition}@${offset}`, error)
    }
    throw notFound(`no record at offset ${offset} of ${topic}/${partition} (deleted, compacted or not written yet)`)
  }

  /**
   * The message browser's scan. Forward: from the seek position up to the log end as it was when the scan began,
   * at most `limit` matches per partition. Backward (newest first): windows below the position, newest first, at most
   * `limit` matches per partition. Stops at the budget (records, bytes, seconds) or when `signal` aborts, and always
   * ends with the cursor to read on from.
   */
  async *scan(topic: string, q: BrowseQuery, signal: AbortSignal): AsyncGenerator<ScanEvent> {
    const started = performance.now()
    const meta = await this.#meta(topic)
    const count = meta.partitions.length
    if (q.partition !== null && q.partition >= count)
      throw notFound(`topic ${topic} has no partition ${q.partition} (it has ${count})`)
    const partitions = q.partition === null ? meta.partitions.map((p) => p.partition) : [q.partition]
    const [starts, ends] = await Promise.all([
      this.#offsets(topic, partitions, -2n),
      this.#offsets(topic, partitions, -1n),
    ])
    const at = q.seek === 'timestamp' ? await this.#offsets(topic, partitions, BigInt(q.timestampMs)) : null
    const positions: Positions = new Map()
    for (const p of partitions) {
      const start = starts.get(p) ?? 0n
      const end = ends.get(p) ?? 0n
      const wanted = {
        newest: end,
        latest: end,
        earliest: start,
        offset: q.offset,
        // -1: no record at or after the timestamp
        timestamp: at && (at.get(p) ?? -1n) >= 0n ? at.get(p)! : end,
        cursor: q.cursor?.get(p) ?? (q.direction === 'forward' ? start : end),
      }[q.seek]
      positions.set(p, clampOffset(wanted, start, end))
    }
    const backward = q.direction === 'backward'
    let total = 0
    for (const p of partitions) {
      const pos = positions.get(p)!
      total += Number(backward ? pos - starts.get(p)! : ends.get(p)! - pos)
    }
    yield { type: 'start', partitions, total, direction: q.direction }

    let scanned = 0
    let bytes = 0
    let matched = 0
    let stoppedBy: StopReason | null = null
    const errors: { partition: number; message: string }[] = []
    const filtering = hasFilter(q.filter)
    const deadline = started + q.budget.maxMs
    let lastProgress = performance.now()
    // Per record the clock is read every CLOCK_EVERY calls (once a record, it cost as much as the filter); between
    // Fetch responses it is read every time.
    let now = lastProgress
    let sinceClock = 0
    const clock = (fresh: boolean) => {
      if (fresh || ++sinceClock >= CLOCK_EVERY) {
        sinceClock = 0
        now = performance.now()
      }
      return now
    }
    const overBudget = (fresh = false): StopReason | null =>
      signal.aborted
        ? 'cancelled'
        : scanned >= q.budget.maxRecords
          ? 'max-records'
          : bytes >= q.budget.maxBytes
            ? 'max-bytes'
            : clock(fresh) >= deadline
              ? 'max-seconds'
              : null
    const progress = (): ScanEvent | null => {
      const now = clock(false)
      if (now - lastProgress < PROGRESS_EVERY_MS) return null
      lastProgress = now
      return { type: 'progress', scanned, total, matched, bytes }
    }
    const found = new Map(partitions.map((p) => [p, 0]))
    const done = new Set<number>(q.seek === 'latest' ? partitions : [])

    while (stoppedBy === null && done.size < partitions.length) {
      for (const p of partitions) {
        if (done.has(p) || stoppedBy !== null) continue
        const pos = positions.get(p)!
        if (!backward) {
          // One Fetch response's worth per partition per round, so every partition moves.
          const end = ends.get(p)!
          if (pos >= end) {
            done.add(p)
            continue
          }
          let moved = false
          let last = pos
          try {
            const batchLimit = pos + 100_000n < end ? pos + 100_000n : end
            reading: for await (const read of this.#read(meta, p, pos, batchLimit)) {
              for (const r of read) {
                scanned++
                bytes += r.size
                last = r.offset
                moved = true
                if (!filtering || matches(r.record, q.filter)) {
                  matched++
                  found.set(p, found.get(p)! + 1)
                  yield { type: 'record', record: shownRecord(p, r.offset, r.timestamp, r.record, q.preview) }
                  if (found.get(p)! >= q.limit) {
                    done.add(p)
                    break reading
                  }
                }
                stoppedBy = overBudget()
                if (stoppedBy) break reading
                const tick = progress()
                if (tick) yield tick
              }
            }
          } catch (error) {
            errors.push({ partition: p, message: kafkaFailure(`partition ${p}`, error).message })
            done.add(p)
          } finally {
            if (moved) positions.set(p, last + 1n)
          }
          if (!moved && !done.has(p)) done.add(p) // the broker gives nothing more below the end seen at the start
        } else {
          // Never wider than the records the budget has left, so a window that starts is read to its top.
          const width = Math.min(filtering ? BACKWARD_WINDOW : q.limit - found.get(p)!, q.budget.maxRecords - scanned)
          const window = backwardWindow(pos, starts.get(p)!, Math.max(1, width))
          if (!window) {
            done.add(p)
            continue
          }
          // Matches of the window, newest kept: at most what this partition still needs (bounded memory).
          const need = q.limit - found.get(p)!
          const kept: ShownRecord[] = []
          let interrupted: StopReason | null = null
          try {
            reading: for await (const read of this.#read(meta, p, window.from, window.to)) {
              for (const r of read) {
                interrupted = overBudget()
                if (interrupted) break reading
                scanned++
                bytes += r.size
                if (!filtering || matches(r.record, q.filter)) {
                  kept.push(shownRecord(p, r.offset, r.timestamp, r.record, q.preview))
                  if (kept.length > need) kept.shift()
                }
                const tick = progress()
                if (tick) yield tick
              }
            }
          } catch (error) {
            errors.push({ partition: p, message: kafkaFailure(`partition ${p}`, error).message })
            done.add(p)
            continue
          }
          if (interrupted) {
            // The window was not read to its top: its matches are not shown, and the cursor stays above it.
            stoppedBy = interrupted
            break
          }
          kept.reverse()
          for (const record of kept) {
            matched++
            found.set(p, found.get(p)! + 1)
            yield { type: 'record', record }
          }
          if (found.get(p)! >= q.limit) {
            positions.set(p, BigInt(kept[kept.length - 1].offset))
            done.add(p)
          } else {
            positions.set(p, window.from)
          }
        }
      }
      stoppedBy ??= overBudget(true)
    }
    const limitReached = partitions.some((p) => found.get(p)! >= q.limit)
    yield {
      type: 'end',
      scanned,
      total,
      matched,
      bytes,
      stoppedBy: stoppedBy ?? (limitReached ? 'limit' : 'end'),
      cursor: encodeCursor(positions),
      errors,
      elapsedMs: Math.round(performance.now() - started),
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#admin.close(), this.#consumer.close(true)])
  }
}

function shownRecord(partition: number, offset: bigint, timestamp: number, r: RawRecord, preview: number): ShownRecord {
  return {
    partition,
    offset: offset.toString(),
    timestamp,
    key: show(r.key, preview),
    value: show(r.value, preview),
    headers: r.headers.map(([k, v]) => ({ key: k?.toString('utf8') ?? '', value: show(v, preview) })),
  }
}
