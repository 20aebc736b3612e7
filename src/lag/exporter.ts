// The lag exporter's memory and loop: polls the cluster every interval (never two polls at once), keeps what needs
// history — each partition's offset→time table, each group partition's commit window and consume-rate samples — and
// turns every snapshot into a view (lag in offsets and seconds, drain ETA, Burrow status) that metrics.ts and
// server.ts render. A failed poll keeps the last view, marked stale; one log line when the cluster goes away, one
// when it comes back. With a state file the offset→time tables survive a restart (state-file.ts).
import type { Logger } from '../logging.ts'
import {
  type BurrowOptions,
  DEFAULT_BURROW_OPTIONS,
  evaluateGroup,
  evaluatePartition,
  type GroupEvaluation,
  type PartitionEvaluation,
  PartitionWindow,
} from './burrow-status.ts'
import { type GroupFreshness, groupFreshness } from './freshness.ts'
import { consumeRate, drainEtaSeconds, OffsetTimeTable, type PartitionLag, partitionLag } from './lag-seconds.ts'
import { type ClusterSnapshot, type MemberSnapshot, recordKey, type TopicSnapshot } from './poller.ts'
import { loadTables, type SavedTable, saveTables } from './state-file.ts'

export interface PartitionView {
  group: string
  topic: string
  partition: number
  committed: bigint
  /** The assigned member, when the group has one for this partition. */
  owner?: MemberSnapshot
  /** Undefined when the topic (or partition) no longer exists. */
  earliest?: bigint
  latest?: bigint
  lag?: PartitionLag
  /** Offsets per second the group consumed recently; undefined when unknown. */
  rate?: number
  etaSeconds?: number
  /** How stale the group's position is against the source database (freshness.ts); undefined when unknown. */
  freshness?: GroupFreshness
  evaluation: PartitionEvaluation
}

export interface GroupView {
  id: string
  state: string
  simple: boolean
  members: MemberSnapshot[]
  /** Every committed partition, including those of deleted topics (no lag for them). */
  partitions: PartitionView[]
  /** Burrow's evaluation over the partitions whose topic exists. */
  status: GroupEvaluation<PartitionView>
  sumLag: bigint
  maxLag: bigint
  maxLagSeconds?: number
  etaSeconds?: number
}

export interface ExporterView {
  timeMs: number
  pollMs: number
  brokers: number
  topics: Map<string, TopicSnapshot>
  groups: Map<string, GroupView>
  fetches: number
  budgetSkipped: number
}

export interface ExporterHealth {
  up: boolean
  /** When the last successful poll started (ms since epoch), or undefined before the first. */
  lastSuccessMs?: number
  lastError?: string
  pollErrors: number
}

export interface LagExporterOptions {
  poller: { poll(): Promise<ClusterSnapshot>; close(): Promise<void> }
  pollIntervalMs: number
  /** Said in the log lines (e.g. the bootstrap servers). */
  describeCluster: string
  log: Logger
  burrow?: BurrowOptions
  /** Points per partition in the offset→time table (default 60). */
  tableCapacity?: number
  /** Called after every poll, successful or not. */
  onPoll?(view: ExporterView | undefined, health: ExporterHealth): void
  /** Where the offset→time tables persist (read before the first poll); none when undefined. */
  stateFile?: string
  /** Successful polls between two writes of the state file (default 3); it is also written on stop. */
  saveEveryPolls?: number
}

interface TableEntry {
  table: OffsetTimeTable
  topic: string
  topicId: string
  partition: number
}

interface PartitionHistory {
  window: PartitionWindow
  rateSamples: { offset: bigint; timeMs: number }[]
}

export class LagExporter {
  readonly #o: LagExporterOptions
  readonly #burrow: BurrowOptions
  readonly #tables = new Map<string, TableEntry>()
  /** Tables read from the state file, taken over when their topic (same id) shows up in a poll. */
  #restored: Map<string, SavedTable> | undefined
  #pollsSinceSave = 0
  #saving: Promise<void> = Promise.resolve()
  #saveFailed = false
  readonly #history = new Map<string, PartitionHistory>()
  #view: ExporterView | undefined
  #health: ExporterHealth = { up: false, pollErrors: 0 }
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  #polling: Promise<boolean> | undefined
  #everFailed = false

  constructor(options: LagExporterOptions) {
    this.#o = options
    this.#burrow = options.burrow ?? DEFAULT_BURROW_OPTIONS
  }

  get view(): ExporterView | undefined {
    return this.#view
  }

  get health(): ExporterHealth {
    return this.#health
  }

  /** Polls now, then every interval after each poll ends. */
  start(): void {
    const loop = async () => {
      await this.pollOnce()
      if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.pollIntervalMs)
    }
    void loop()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#polling
    if (this.#pollsSinceSave > 0) this.#save()
    await this.#saving
    await this.#o.poller.close()
  }

  /** The tables as the state file holds them. */
  savedTables(): SavedTable[] {
    return [...this.#tables.values()].map((e) => ({
      topic: e.topic,
      topicId: e.topicId,
      partition: e.partition,
      points: e.table.points,
    }))
  }

  #save(): void {
    const path = this.#o.stateFile
    if (path === undefined) return
    this.#pollsSinceSave = 0
    const tables = this.savedTables()
    this.#saving = this.#saving.then(() =>
      saveTables(path, tables, Date.now()).then(
        () => {
          if (this.#saveFailed) this.#o.log.info(`offset→time state written to ${path} again`)
          this.#saveFailed = false
        },
        (error: unknown) => {
          if (!this.#saveFailed) {
            this.#o.log.warn(`cannot write offset→time state ${path} (${describeError(error)}); retrying later`)
          }
          this.#saveFailed = true
        },
      ),
    )
  }

  /** One poll; true when it reached the cluster. Concurrent calls share the poll in flight. */
  pollOnce(): Promise<boolean> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = undefined
    })
    return this.#polling
  }

  async #pollOnce(): Promise<boolean> {
    if (this.#restored === undefined) {
      const path = this.#o.stateFile
      const saved = path === undefined ? [] : await loadTables(path, this.#o.log)
      this.#restored = new Map(saved.map((t) => [`${t.topic}:${t.partition}`, t]))
    }
    let snapshot: ClusterSnapshot
    try {
      snapshot = await this.#o.poller.poll()
    } catch (error) {
      const message = describeError(error)
      if (this.#health.up || !this.#everFailed) {
        const since = this.#health.lastSuccessMs
        this.#o.log.error(
          `cannot reach Kafka at ${this.#o.describeCluster} (${message}); ${
            since === undefined ? 'no values yet' : `serving the values of ${new Date(since).toISOString()} as stale`
          }; flowscope_lag_exporter_up is 0; retrying every ${this.#o.pollIntervalMs} ms`,
        )
      }
      this.#everFailed = true
      this.#health = { ...this.#health, up: false, lastError: message, pollErrors: this.#health.pollErrors + 1 }
      this.#o.onPoll?.(this.#view, this.#health)
      return false
    }
    if (this.#everFailed && !this.#health.up) {
      this.#o.log.info(`reached Kafka at ${this.#o.describeCluster} again; values are current`)
    }
    this.#view = this.#update(snapshot)
    this.#health = { up: true, lastSuccessMs: snapshot.timeMs, pollErrors: this.#health.pollErrors }
    if (++this.#pollsSinceSave >= (this.#o.saveEveryPolls ?? 3)) this.#save()
    this.#o.onPoll?.(this.#view, this.#health)
    return true
  }

  #update(snapshot: ClusterSnapshot): ExporterView {
    const now = snapshot.timeMs
    // Offset→time tables: one point per partition per poll; tables of deleted topics go.
    const liveTables = new Set<string>()
    for (const topic of snapshot.topics.values()) {
      topic.partitions.forEach((ends, partition) => {
        const key = `${topic.name}:${partition}`
        liveTables.add(key)
        let entry = this.#tables.get(key)
        if (entry && entry.topicId !== topic.id) entry = undefined
        if (!entry) {
          const table = new OffsetTimeTable(this.#o.tableCapacity)
          const saved = this.#restored?.get(key)
          if (saved && saved.topicId === topic.id) for (const p of saved.points) table.add(p.offset, p.timeMs)
          entry = { table, topic: topic.name, topicId: topic.id, partition }
          this.#tables.set(key, entry)
        }
        this.#restored?.delete(key)
        entry.table.add(ends.latest, now)
      })
    }
    for (const key of this.#tables.keys()) if (!liveTables.has(key)) this.#tables.delete(key)

    const liveHistory = new Set<string>()
    const groups = new Map<string, GroupView>()
    for (const group of snapshot.groups.values()) {
      const partitions: PartitionView[] = []
      for (const [topicName, committedByPartition] of group.commits) {
        const topic = snapshot.topics.get(topicName)
        for (const [partition, committed] of committedByPartition) {
          const key = `${group.id}\u0000${topicName}:${partition}`
          liveHistory.add(key)
          const owner = group.owners.get(`${topicName}:${partition}`)
          const ends = topic?.partitions[partition]
          const history = this.#historyFor(key)
          if (!ends) {
            partitions.push({
              group: group.id,
              topic: topicName,
              partition,
              committed,
              owner,
              evaluation: { status: 'OK', complete: 0, currentLag: 0n },
            })
            continue
          }
          const offset = committed < ends.earliest ? ends.earliest : committed
          const lag = partitionLag({
            committed,
            earliest: ends.earliest,
            latest: ends.latest,
            nowMs: now,
            record: snapshot.records.get(recordKey(topicName, partition, offset)),
            table: this.#tables.get(`${topicName}:${partition}`)!.table,
          })
          const freshness = groupFreshness({
            committed,
            earliest: ends.earliest,
            latest: ends.latest,
            nowMs: now,
            record: snapshot.records.get(
              recordKey(topicName, partition, committed >= ends.latest ? ends.latest - 1n : offset),
            ),
          })
          // Burrow's window holds commits. The admin API shows the committed offset, not each commit, so a poll
          // counts as a commit when the offset moved or a member owns the partition (a live consumer commits);
          // an unowned, unmoving offset adds nothing, and Burrow's STOP rule sees the commits age.
          const last = history.window.commits.at(-1)
          if (!last || last.offset !== committed || owner) {
            history.window.addCommit({ offset: committed, timestampMs: now, lag: lag.offsets })
          }
          history.window.addBrokerOffset(ends.latest)
          history.rateSamples.push({ offset: committed, timeMs: now })
          if (history.rateSamples.length > this.#burrow.intervals) history.rateSamples.shift()
          const rate = consumeRate(history.rateSamples)
          const evaluation = evaluatePartition(history.window, lag.offsets, now, this.#burrow)
          const etaSeconds = drainEtaSeconds([{ lag: lag.offsets, rate }])
          partitions.push({
            group: group.id,
            topic: topicName,
            partition,
            committed,
            owner,
            earliest: ends.earliest,
            latest: ends.latest,
            lag,
            rate,
            etaSeconds,
            freshness,
            evaluation,
          })
        }
      }
      partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
      const measured = partitions.filter((p) => p.lag)
      let sumLag = 0n
      let maxLag = 0n
      let maxLagSeconds: number | undefined
      for (const p of measured) {
        const lag = p.lag!
        sumLag += lag.offsets
        if (lag.offsets > maxLag) maxLag = lag.offsets
        if (lag.seconds !== undefined) maxLagSeconds = Math.max(maxLagSeconds ?? 0, lag.seconds)
      }
      groups.set(group.id, {
        id: group.id,
        state: group.state,
        simple: group.protocolType === '',
        members: group.members,
        partitions,
        status: evaluateGroup(measured),
        sumLag,
        maxLag,
        maxLagSeconds,
        etaSeconds: drainEtaSeconds(measured.map((p) => ({ lag: p.lag!.offsets, rate: p.rate }))),
      })
    }
    // A group or commit that is gone takes its history with it (it starts afresh if it comes back).
    for (const key of this.#history.keys()) if (!liveHistory.has(key)) this.#history.delete(key)
    return {
      timeMs: now,
      pollMs: snapshot.pollMs,
      brokers: snapshot.brokers,
      topics: snapshot.topics,
      groups,
      fetches: snapshot.fetches,
      budgetSkipped: snapshot.budgetSkipped,
    }
  }

  #historyFor(key: string): PartitionHistory {
    let history = this.#history.get(key)
    if (!history) {
      history = { window: new PartitionWindow(this.#burrow.intervals), rateSamples: [] }
      this.#history.set(key, history)
    }
    return history
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0])
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}
