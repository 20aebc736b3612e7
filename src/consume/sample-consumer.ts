// The sample consumer: reads its topics in a consumer group and commits as a real at-least-once application does —
// the offset after the last *processed* record of each partition, every commit interval and on shutdown; a record
// fetched but not yet processed is never committed, so a crash re-delivers it instead of skipping it.
// With `pause` it joins the group and keeps its membership (heartbeats) but never reads the stream, so nothing is
// fetched; it re-commits its unchanged start position each interval, as a paused Java consumer with auto-commit does,
// so the group's committed offsets stay visible and still while the topic grows (lag, Burrow STALL).
import { setTimeout as sleep } from 'node:timers/promises'
import type { MessagesStream } from '@platformatic/kafka'
import type { Logger } from '../logging.ts'
import { createConsumerClient, type SampleConsumerClient } from './client.ts'
import { observeFailedRebalances, observeFetches } from './client-events.ts'
import { recordTiming } from './freshness.ts'
import { ConsumerMetrics } from './metrics.ts'
import type { ConsumeSettings } from './options.ts'

interface Position {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly leaderEpoch: number
}

const key = (topic: string, partition: number) => `${topic}:${partition}`

export class SampleConsumer {
  readonly metrics: ConsumerMetrics
  readonly #settings: ConsumeSettings
  readonly #log: Logger
  readonly #out: (line: string) => void
  #client: SampleConsumerClient | undefined
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  /** Offset after the last processed record, per partition: what the next commit sends. */
  readonly #processed = new Map<string, Position>()
  /** Positions already committed (a commit is skipped when nothing changed, except in pause mode). */
  readonly #committed = new Map<string, bigint>()
  readonly #topicNames = new Map<string, string>()
  #assigned: Set<string> | undefined
  #commitTimer: NodeJS.Timeout | undefined
  #commitInflight: Promise<void> | undefined
  #unobserve: (() => void) | undefined
  #loop: Promise<void> | undefined
  #stopping = false
  #processedCount = 0

  readonly #onFailure: (error: Error) => void

  /**
   * `onFailure` is called once when reading fails for good (the stream ends with an error, e.g. the topic was
   * deleted): the consumer then does nothing more, and its process should stop rather than look alive.
   */
  constructor(
    settings: ConsumeSettings,
    log: Logger,
    o: { out?: (line: string) => void; onFailure?: (error: Error) => void } = {},
  ) {
    this.#settings = settings
    this.#log = log
    this.#out = o.out ?? ((line) => console.log(line))
    this.#onFailure = o.onFailure ?? ((error) => log.error({ err: error }, 'consuming failed'))
    this.metrics = new ConsumerMetrics({
      clientId: settings.clientId,
      groupId: settings.groupId,
      paused: settings.pause,
      startTimeMs: Date.now(),
    })
  }

  get processedCount(): number {
    return this.#processedCount
  }

  /** Joins the group and starts reading (or, paused, only holding membership); resolves once the stream is open. */
  async start(): Promise<void> {
    const s = this.#settings
    const client = createConsumerClient(s, this.metrics.registry)
    this.#client = client
    client.on('consumer:group:join', (payload) => {
      this.metrics.recordRebalance(true)
      this.#onAssignment(payload.assignments ?? [])
    })
    this.#unobserve = observeFetches(
      client,
      (id) => this.#topicName(id),
      (f) => this.metrics.recordFetch(f),
    )
    const unobserveGroup = observeFailedRebalances(client, (operation, error) => {
      // A topic not created yet is waited for (#open), not a failed rebalance.
      if (this.#stopping || /Unknown topic/i.test(String((error as Error)?.message))) return
      this.metrics.recordRebalance(false)
      this.#log.warn({ err: error }, `group ${operation} failed`)
    })
    const unobserveFetches = this.#unobserve
    this.#unobserve = () => {
      unobserveFetches()
      unobserveGroup()
    }
    this.#stream = await this.#open(client)
    this.#stream.on('error', (error) => this.#fail(error))
    this.#commitTimer = setInterval(() => void this.commit().catch(() => {}), s.commitIntervalMs)
    if (!s.pause) this.#loop = this.#consume(this.#stream)
  }

  /**
   * Opens the message stream; a topic that does not exist yet (the connector creates it with its first record) is
   * waited for, with one log line, as an application deployed before its producer would.
   */
  async #open(client: SampleConsumerClient): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    const s = this.#settings
    let warned = false
    for (;;) {
      try {
        return await client.consume({
          topics: s.topics,
          mode: 'committed',
          fallbackMode: s.offsetReset,
          autocommit: false,
          // The Java consumer's defaults: fetch.max.wait.ms 500, max.partition.fetch.bytes 1 MiB, fetch.max.bytes
          // 50 MiB. Without a per-partition bound one fetch takes a whole backlog into memory (100k records of the
          // seed's rows: one 16 MB fetch and 450 MB RSS).
          maxWaitTime: 500,
          maxBytesPerPartition: 1_048_576,
          maxBytes: 52_428_800,
          highWaterMark: 64,
        })
      } catch (error) {
        const message = (error as Error).message
        if (this.#stopping || !/Unknown topic/i.test(message)) throw error
        if (!warned) this.#log.warn(`${message} Waiting for it to be created (checking every second)…`)
        warned = true
        await sleep(1000)
        client.clearMetadata()
      }
    }
  }

  /** Processes records one by one until stopped. */
  async #consume(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const s = this.#settings
    try {
      for await (const message of stream) {
        if (this.#stopping) break
        this.metrics.recordConsumed(message.topic)
        const k = key(message.topic, message.partition)
        // A record of a partition taken away by a rebalance is the new owner's: neither processed nor committed here.
        if (this.#assigned && !this.#assigned.has(k)) continue
        if (s.print) {
          this.#out(
            `${message.topic}/${message.partition}@${message.offset} ${message.key?.toString('utf8') ?? 'null'} ${message.value?.toString('utf8') ?? 'null'}`,
          )
        }
        if (s.slowMs > 0) await sleep(s.slowMs)
        const timing = recordTiming(message.headerEntries, Number(message.timestamp), Date.now())
        const next = message.offset + 1n
        this.#processed.set(k, {
          topic: message.topic,
          partition: message.partition,
          offset: next,
          leaderEpoch: message.leaderEpoch,
        })
        this.#processedCount++
        this.metrics.recordProcessed(message.topic, message.partition, next, timing)
        if (this.#stopping) break
      }
    } catch (error) {
      this.#fail(error as Error)
    }
  }

  #failed = false

  #fail(error: Error): void {
    if (this.#stopping || this.#failed) return
    this.#failed = true
    this.#onFailure(error)
  }

  #onAssignment(assignments: readonly { topic: string; partitions: number[] }[]): void {
    const assigned = new Set(assignments.flatMap((a) => a.partitions.map((p) => key(a.topic, p))))
    for (const [k, position] of this.#processed) {
      if (!assigned.has(k)) {
        this.#processed.delete(k)
        this.#committed.delete(k)
        this.metrics.forgetPartition(position.topic, position.partition)
      }
    }
    this.#assigned = assigned
    this.#log.info({ assignments }, 'partitions assigned')
  }

  /** The positions to commit now: processed ones (changed since the last commit), or, paused, the start ones. */
  #toCommit(): Position[] {
    if (this.#settings.pause) {
      const out: Position[] = []
      for (const [k, offset] of this.#stream?.offsetsToFetch ?? []) {
        if (this.#assigned && !this.#assigned.has(k)) continue
        const at = k.lastIndexOf(':')
        out.push({ topic: k.slice(0, at), partition: Number(k.slice(at + 1)), offset, leaderEpoch: -1 })
      }
      return out
    }
    return [...this.#processed.entries()].filter(([k, p]) => this.#committed.get(k) !== p.offset).map(([, p]) => p)
  }

  /** Commits the processed positions (one commit at a time); a failure is logged and retried next interval. */
  async commit(): Promise<void> {
    if (this.#commitInflight) return this.#commitInflight
    const client = this.#client
    const offsets = this.#toCommit()
    if (!client || offsets.length === 0) return
    const started = performance.now()
    this.#commitInflight = client
      .commit({ offsets: offsets.map((o) => ({ ...o })) })
      .then(() => {
        this.metrics.recordCommit(performance.now() - started)
        for (const o of offsets) this.#committed.set(key(o.topic, o.partition), o.offset)
      })
      .catch((error: unknown) => {
        if (!this.#stopping) this.#log.warn({ err: error }, 'offset commit failed; retrying at the next interval')
        throw error
      })
      .finally(() => {
        this.#commitInflight = undefined
      })
    return this.#commitInflight
  }

  /** Stops reading, commits what was processed, leaves the group. */
  async stop(): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    clearInterval(this.#commitTimer)
    const stream = this.#stream
    // Closing the stream ends the for-await loop after the record in hand is processed.
    await stream?.close().catch(() => {})
    await this.#loop
    await this.#commitInflight?.catch(() => {})
    await this.commit().catch((error: unknown) =>
      this.#log.error({ err: error }, 'final offset commit failed: the last records will be re-delivered'),
    )
    this.#unobserve?.()
    await this.#client?.close().catch(() => {})
  }

  async #topicName(id: string): Promise<string | undefined> {
    const known = this.#topicNames.get(id)
    if (known) return known
    const metadata = await this.#client?.metadata({ topics: this.#settings.topics }).catch(() => undefined)
    for (const [name, topic] of metadata?.topics ?? []) this.#topicNames.set(topic.id, name)
    return this.#topicNames.get(id)
  }
}
