// The state of an incremental snapshot, as Debezium's AbstractIncrementalSnapshotContext keeps it and stores it in
// every offset while the snapshot runs: the tables still to read (incremental_snapshot_collections, JSON), the key
// of the last snapshot row handed out (incremental_snapshot_primary_key) and the table's largest key when its
// reading began (incremental_snapshot_maximum_key), both Java-serialized; the requesting signal's id
// (incremental_snapshot_correlation_id). Debezium 3.6.1's collection entries carry id, additional condition and
// surrogate key (later versions add a per-table correlation id, ignored on reading). Plus the open chunk's window: rows read between the watermarks, dropped
// when a streamed change of the same key arrives while the window is open (DBLog's de-duplication).
import type { SourceOffset } from '../../record/source-record.ts'
import { deserializeKey, type JavaKeyValue, serializeKey } from './java-serialized-key.ts'

export const IncrementalOffsetKeys = {
  COLLECTIONS: 'incremental_snapshot_collections',
  PRIMARY_KEY: 'incremental_snapshot_primary_key',
  MAXIMUM_KEY: 'incremental_snapshot_maximum_key',
  CORRELATION_ID: 'incremental_snapshot_correlation_id',
} as const

const COLLECTION_ID = 'incremental_snapshot_collections_id'
const COLLECTION_CONDITION = 'incremental_snapshot_collections_additional_condition'
const COLLECTION_SURROGATE_KEY = 'incremental_snapshot_collections_surrogate_key'

export interface DataCollection {
  /** schema.table */
  id: string
  /** The additional condition in parentheses, as Debezium's DataCollection gives it; null when none. */
  condition: string | null
  surrogateKey: string | null
}

export type ChunkKey = JavaKeyValue[]

export class IncrementalSnapshotContext {
  /** Tables still to read; the first is being read. */
  collections: DataCollection[] = []
  correlationId: string | null = null
  /** Where the next chunk starts (exclusive); null: at the table's start. */
  chunkEnd: ChunkKey | null = null
  /** The table's largest key when its reading began; null until read. */
  maximumKey: ChunkKey | null = null
  /** Key of the last snapshot row handed out (what a restart resumes after). */
  lastKeySent: ChunkKey | null = null
  /** Id of the chunk whose watermarks are awaited. */
  chunkId: string | null = null
  windowOpen = false
  /** The chunk's rows by key (JSON of the event key), in key order, until emitted or de-duplicated. */
  readonly window = new Map<string, unknown>()
  /** stop-snapshot requests, applied before the next chunk (as Debezium's checkAndProcessStopFlag). */
  stopRequests: string[] = []

  get running(): boolean {
    return this.collections.length > 0
  }

  get current(): DataCollection | null {
    return this.collections[0] ?? null
  }

  /** Debezium's SignalBasedIncrementalSnapshotContext.load; an offset with no incremental fields gives an idle one. */
  static load(offset: SourceOffset | null): IncrementalSnapshotContext {
    const context = new IncrementalSnapshotContext()
    if (!offset) return context
    const text = offset[IncrementalOffsetKeys.COLLECTIONS]
    if (typeof text !== 'string' || text === '') return context
    let entries: Record<string, string | null>[]
    try {
      entries = JSON.parse(text) as Record<string, string | null>[]
      if (!Array.isArray(entries)) throw new Error('not an array')
    } catch (error) {
      throw new Error(`Offset field ${IncrementalOffsetKeys.COLLECTIONS} is not Debezium's JSON list: ${String(error)}`)
    }
    context.collections = entries.map((e) => ({
      id: String(e[COLLECTION_ID]),
      condition: e[COLLECTION_CONDITION] || null,
      surrogateKey: e[COLLECTION_SURROGATE_KEY] || null,
    }))
    const key = (field: string): ChunkKey | null => {
      const hex = offset[field]
      if (typeof hex !== 'string') return null
      try {
        return deserializeKey(hex)
      } catch (error) {
        throw new Error(`Offset field ${field} cannot be read: ${(error as Error).message}`)
      }
    }
    context.chunkEnd = key(IncrementalOffsetKeys.PRIMARY_KEY)
    // Debezium forgets the last key sent here (a second restart before any row would start the table over); kept.
    context.lastKeySent = context.chunkEnd
    context.maximumKey = key(IncrementalOffsetKeys.MAXIMUM_KEY)
    const correlation = offset[IncrementalOffsetKeys.CORRELATION_ID]
    context.correlationId = typeof correlation === 'string' ? correlation : null
    return context
  }

  /** Adds the incremental fields to `offset` while a snapshot runs (Debezium's store()); mutates and returns it. */
  store(offset: SourceOffset): SourceOffset {
    if (!this.running) return offset
    offset[IncrementalOffsetKeys.PRIMARY_KEY] = serializeKey(this.lastKeySent)
    offset[IncrementalOffsetKeys.MAXIMUM_KEY] = serializeKey(this.maximumKey)
    offset[IncrementalOffsetKeys.COLLECTIONS] = JSON.stringify(
      this.collections.map((c) => ({
        [COLLECTION_ID]: c.id,
        [COLLECTION_CONDITION]: c.condition,
        [COLLECTION_SURROGATE_KEY]: c.surrogateKey,
      })),
    )
    offset[IncrementalOffsetKeys.CORRELATION_ID] = this.correlationId
    return offset
  }

  /** Queues tables (an execute-snapshot signal); true when no snapshot was running, i.e. reading must start. */
  add(collections: DataCollection[], correlationId: string): boolean {
    const start = !this.running
    this.collections.push(...collections)
    if (collections.length > 0) this.correlationId = correlationId
    return start && this.running
  }

  /** The current table is done (or skipped): the next one starts from its beginning. */
  nextCollection(): void {
    this.collections.shift()
    this.chunkEnd = null
    this.maximumKey = null
    this.lastKeySent = null
    this.window.clear()
    this.windowOpen = false
    if (!this.running) this.correlationId = null
  }

  /** A watermark row seen in the stream; false when it belongs to another (older) chunk and is ignored. */
  openWindow(id: string): boolean {
    if (this.chunkId === null || !id.startsWith(this.chunkId)) return false
    this.windowOpen = true
    return true
  }

  closeWindow(id: string): boolean {
    if (this.chunkId === null || !id.startsWith(this.chunkId)) return false
    this.windowOpen = false
    return true
  }

  /** A streamed change of `table` with event key `key` (JSON): inside the window it wins over the chunk's read. */
  deduplicate(table: string, key: string): boolean {
    if (!this.windowOpen || this.current?.id !== table) return false
    return this.window.delete(key)
  }
}
