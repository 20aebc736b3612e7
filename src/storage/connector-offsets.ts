// A source connector's offsets (Connect's ConnectorOffsetBackingStore, KIP-618). A connector whose config names its
// own offsets topic (`offsets.storage.topic`) reads each partition's offset from that topic first and falls back to
// the worker's global offsets topic for partitions it does not hold there (e.g. offsets written before the key was
// set), and writes to its own topic first, then to the global one, so a worker or tool reading only the global
// topic still sees them. Without the key (or naming the worker's topic) the global store is used alone.
import { getLogger } from '../logging.ts'
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import type { OffsetBackingStore, OffsetWriter } from './backing-stores.ts'
import { canonicalJson } from './offset-store.ts'

/** One connector's view of its offsets. */
export interface ConnectorOffsets extends OffsetBackingStore {
  /** The topic written first (in a task's transaction with exactly-once delivery): the connector's own, or the worker's. */
  readonly primaryTopic: string
  /** The worker's global store when the connector has a topic of its own (written after the primary); else null. */
  readonly secondary: OffsetWriter | null
}

/** Finds (opening on first use) the offsets of a connector from its config. */
export interface ConnectorOffsetsLookup {
  forConnector(config: Record<string, string>): Promise<ConnectorOffsets>
}

type OffsetEntry = { partition: SourcePartition; offset: SourceOffset | null }

const log = getLogger('flowscope.storage.offsets')

export class ConnectorOffsetStore implements ConnectorOffsets {
  readonly primaryTopic: string
  readonly #primary: OffsetBackingStore
  readonly #secondary: OffsetBackingStore | null

  constructor(primaryTopic: string, primary: OffsetBackingStore, secondary: OffsetBackingStore | null) {
    this.primaryTopic = primaryTopic
    this.#primary = primary
    this.#secondary = secondary
  }

  get secondary(): OffsetWriter | null {
    return this.#secondary
  }

  get(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.#primary.get(connector, partition) ?? this.#secondary?.get(connector, partition) ?? null
  }

  /** Every partition either topic holds; the connector's own topic wins where both do. */
  all(connector: string): { partition: SourcePartition; offset: SourceOffset }[] {
    const merged = new Map<string, { partition: SourcePartition; offset: SourceOffset }>()
    for (const entry of this.#secondary?.all(connector) ?? []) merged.set(canonicalJson(entry.partition), entry)
    for (const entry of this.#primary.all(connector)) merged.set(canonicalJson(entry.partition), entry)
    return [...merged.values()]
  }

  /**
   * As Connect (KAFKA-15018): tombstones go to the global topic first — a reset partition must not reappear there as
   * the fallback — then everything to the connector's topic (what the caller waits for), then the other offsets to
   * the global topic, whose failure is only logged (the connector's topic holds them).
   */
  async write(connector: string, offsets: readonly OffsetEntry[]): Promise<void> {
    const secondary = this.#secondary
    if (!secondary) return this.#primary.write(connector, offsets)
    const tombstones = offsets.filter((o) => o.offset === null)
    if (tombstones.length > 0) await secondary.write(connector, tombstones)
    await this.#primary.write(connector, offsets)
    const regular = offsets.filter((o) => o.offset !== null)
    if (regular.length > 0) {
      await secondary
        .write(connector, regular)
        .catch((error) => log.warn({ err: error, connector }, 'writing offsets to the worker offsets topic failed'))
    }
  }

  async readToEnd(): Promise<void> {
    await Promise.all([this.#primary.readToEnd(), this.#secondary?.readToEnd()])
  }
}

/**
 * The worker's lookup: connectors without `offsets.storage.topic` (or naming the worker's topic) share the global
 * store; each other topic is opened once (created if missing, read to its end) and shared by the connectors naming it.
 */
export class ConnectorOffsetStores implements ConnectorOffsetsLookup {
  readonly #global: OffsetBackingStore
  readonly #globalTopic: string
  readonly #open: (topic: string) => Promise<OffsetBackingStore>
  readonly #opened = new Map<string, Promise<OffsetBackingStore>>()

  constructor(options: {
    global: OffsetBackingStore
    globalTopic: string
    /** Creates the topic if missing and returns its store, read to its end. */
    open(topic: string): Promise<OffsetBackingStore>
  }) {
    this.#global = options.global
    this.#globalTopic = options.globalTopic
    this.#open = options.open
  }

  async forConnector(config: Record<string, string>): Promise<ConnectorOffsets> {
    const topic = connectorOffsetsTopic(config)
    if (topic === null || topic === this.#globalTopic) {
      return new ConnectorOffsetStore(this.#globalTopic, this.#global, null)
    }
    let opening = this.#opened.get(topic)
    if (!opening) {
      opening = this.#open(topic)
      this.#opened.set(topic, opening)
      // A failed opening (e.g. the topic could not be created) is tried again by the next caller.
      opening.catch(() => this.#opened.delete(topic))
    }
    return new ConnectorOffsetStore(topic, await opening, this.#global)
  }
}

/** The connector's own offsets topic (`offsets.storage.topic`), or null when it uses the worker's. */
export function connectorOffsetsTopic(config: Record<string, string>): string | null {
  const topic = config['offsets.storage.topic']?.trim()
  return topic ? topic : null
}
