// Incremental snapshots triggered through the signalling table, as Debezium's signal-based incremental snapshot
// (the DBLog algorithm) runs them alongside streaming:
//   execute-snapshot row seen in the WAL → tables queued → read a chunk:
//     INSERT <chunk>-open watermark · SELECT the next incremental.snapshot.chunk.size rows by key order · INSERT
//     <chunk>-close watermark (each committed on its own);
//   while the stream is between the two watermarks, a streamed change of a key in the chunk drops that row from
//   the chunk (the change is newer than, or as new as, the read);
//   at the close watermark the rows left are emitted as op "r" (source.snapshot "incremental"), then the next chunk
//   is read — until every queued table was read up to the largest key it had when its reading began.
// Every offset written while the snapshot runs carries its context (incremental-context.ts), so a restart goes on
// after the last row handed out. Reads happen on a connection of their own, in read-committed transactions.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { messageOf } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import { isConnectionError } from '../../postgres/connection.ts'
import type { SourceOffset, SourceRecord } from '../../record/source-record.ts'
import type { ChangeEventBuilder } from './change-events.ts'
import { isSignalTable, type PostgresCdcConfig } from './config.ts'
import { closeQuietly, connect, quoteIdent } from './connections.ts'
import { type ChunkKey, type DataCollection, IncrementalSnapshotContext } from './incremental-context.ts'
import type { JavaKeyValue } from './java-serialized-key.ts'
import type { Lsn } from './lsn.ts'
import type { CdcTaskMetrics } from './metrics.ts'
import { OffsetKeys } from './offsets.ts'
import type { TupleValue } from './pgoutput.ts'
import { capturedTables } from './publication.ts'
import { expandDataCollections, parseSignal, windowMetadata } from './signals.ts'
import { buildTableModel, type TableModel } from './tables.ts'

/** Where the stream is when a signal row arrives: the change that carried it. */
export interface StreamPosition {
  lsn: Lsn
  lastCommitLsn: Lsn | null
  /** The streaming offset of that change (the window's rows are emitted at it). */
  offset: SourceOffset
}

interface WindowRow {
  values: string[]
  key: ChunkKey
}

/** PostgreSQL types whose JDBC value Debezium serializes as Integer / Long; everything else is written as text. */
const INTEGER_OIDS = new Set([21, 23])
const LONG_OIDS = new Set([20, 26])

const jsonSafe = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? value.toString() : Buffer.isBuffer(value) ? value.toString('hex') : value

/** The JSON of an event key: how a chunk row and a streamed change of the same row are matched. */
export const eventKeyOf = (key: unknown): string => JSON.stringify(key, jsonSafe)

/**
 * Debezium's chunk bounds over key columns k1..kn: (k1 > ?) OR (k1 = ? AND k2 > ?) OR …, and NOT of that for the
 * upper bound; parameters numbered from `first`.
 */
export function keyBound(columns: string[], first: number): string {
  const parts: string[] = []
  let n = first
  for (let i = 0; i < columns.length; i++) {
    const terms: string[] = []
    for (let j = 0; j <= i; j++) terms.push(`${quoteIdent(columns[j])} ${j === i ? '>' : '='} $${n++}`)
    parts.push(`(${terms.join(' AND ')})`)
  }
  return columns.length > 1 ? `(${parts.join(' OR ')})` : parts[0]
}

/** The parameters keyBound's placeholders take, in order. */
export function keyBoundParams(key: ChunkKey): (string | null)[] {
  const out: (string | null)[] = []
  for (let i = 0; i < key.length; i++) for (let j = 0; j <= i; j++) out.push(key[j]?.text ?? null)
  return out
}

export class IncrementalSnapshot {
  readonly #config: PostgresCdcConfig
  readonly #events: ChangeEventBuilder
  readonly #log: Logger
  readonly #metrics: CdcTaskMetrics | null
  readonly context: IncrementalSnapshotContext
  #client: pg.Client | null = null
  #model: { id: string; model: TableModel; keyColumns: number[] } | null = null
  /** A snapshot found running in the stored offset still has to read its next chunk once streaming starts. */
  #resumePending: boolean
  /** When a chunk read that lost its connection is tried again; null when none is due. */
  #retryAt: number | null = null
  readonly #rowsRead = new Map<string, number>()
  /** Chunks read by this task (the poll loop hands out what it has after each). */
  chunksRead = 0

  constructor(
    config: PostgresCdcConfig,
    events: ChangeEventBuilder,
    log: Logger,
    metrics: CdcTaskMetrics | null,
    stored: SourceOffset | null,
  ) {
    this.#config = config
    this.#events = events
    this.#log = log
    this.#metrics = metrics
    this.context = IncrementalSnapshotContext.load(stored)
    this.#resumePending = this.context.running
  }

  /** A chunk read is due outside a signal: after a restart mid-snapshot, or a retry after a lost connection. */
  get resumePending(): boolean {
    return this.#resumePending || (this.#retryAt !== null && Date.now() >= this.#retryAt)
  }

  /** Reads the chunk after the stored (or last sent) key: at streaming start, Debezium's init(); or as a retry. */
  async resume(): Promise<void> {
    if (this.#resumePending) {
      this.#resumePending = false
      if (!this.context.running) return
      this.#log.info(
        { tables: this.context.collections.map((c) => c.id) },
        'incremental snapshot in progress: reading the chunk after the stored key',
      )
      this.#metrics?.snapshotStarted(this.context.collections.map((c) => c.id))
    }
    this.#retryAt = null
    await this.#nextChunk()
  }

  /**
   * Reads the next chunk. A table that fails is skipped with a warning, as Debezium does; a lost connection is not
   * the table's fault: the chunk is read again (from the last key sent) a second later, on a new connection.
   */
  async #nextChunk(): Promise<void> {
    while (this.context.running) {
      try {
        await this.#readChunk()
        return
      } catch (error) {
        await this.close()
        // Debezium's revertChunk: the window is gone, the next read starts after the last row sent.
        this.context.window.clear()
        this.context.windowOpen = false
        this.context.chunkEnd = this.context.lastKeySent
        if (isConnectionError(error)) {
          this.#log.warn({ err: messageOf(error) }, 'incremental snapshot lost its connection; reading the chunk again')
          this.#retryAt = Date.now() + 1000
          return
        }
        this.#log.warn(
          { err: messageOf(error), table: this.context.current?.id },
          'incremental snapshot failed for the table; skipping it and streaming on',
        )
        this.#nextCollection()
      }
    }
  }

  /** Adds the running snapshot's context to an offset produced now. */
  decorate(offset: SourceOffset): void {
    this.context.store(offset)
  }

  isSignal(model: TableModel): boolean {
    return isSignalTable(this.#config, model.schema, model.table)
  }

  /**
   * An inserted row of the signalling table (its captured columns: id, type, data). Window rows to emit go to
   * `out` (before the signal's own record, as Debezium dispatches them).
   */
  async signal(model: TableModel, after: TupleValue[], position: StreamPosition, out: SourceRecord[]): Promise<void> {
    const columns = model.columns.map((c, i) => (c.captured ? i : -1)).filter((i) => i >= 0)
    if (columns.length !== 3) {
      this.#log.warn(
        { table: `${model.schema}.${model.table}`, columns: columns.length },
        'a signal row needs exactly 3 columns (id, type, data); ignored',
      )
      return
    }
    const [id, type, data] = columns.map((i) => (typeof after[i] === 'string' ? (after[i] as string) : null))
    const signal = parseSignal(id, type, data)
    try {
      switch (signal.kind) {
        case 'ignored':
          this.#log.warn({ signal: signal.id }, signal.reason)
          return
        case 'window-open':
          this.context.openWindow(signal.id)
          return
        case 'window-close':
          if (!this.context.closeWindow(signal.id)) return
          this.#emitWindow(position, out)
          await this.#nextChunk()
          return
        case 'stop-snapshot':
          this.#log.info(
            { signal: signal.id, tables: signal.dataCollections },
            'stop of the incremental snapshot requested',
          )
          if (this.context.running)
            this.context.stopRequests.push(...(signal.dataCollections.length ? signal.dataCollections : ['.*']))
          return
        case 'execute-snapshot': {
          const known = await this.#knownTables()
          const ids = expandDataCollections(signal.dataCollections, known)
          const collections: DataCollection[] = ids.map((tableId) => {
            const filter = signal.additionalConditions.find((c) => c.dataCollection.test(tableId))?.filter ?? ''
            return {
              id: tableId,
              condition: filter === '' ? null : `(${filter})`,
              surrogateKey: signal.surrogateKey,
            }
          })
          this.#log.info({ signal: signal.id, tables: ids }, 'incremental snapshot requested')
          if (this.context.add(collections, signal.id)) {
            this.#rowsRead.clear()
            this.#metrics?.snapshotStarted(ids)
            await this.#nextChunk()
          }
          return
        }
      }
    } catch (error) {
      // Only looking up the requested tables gets here (chunk reads handle their errors): the signal is lost.
      await this.close()
      this.#log.warn({ err: messageOf(error), signal: signal.id }, 'the signal could not be processed')
    }
  }

  /** Records of a streamed change: inside the window their keys win over the chunk's rows. */
  streamed(model: TableModel, records: SourceRecord[]): void {
    if (!this.context.windowOpen) return
    const table = `${model.schema}.${model.table}`
    for (const r of records)
      if (r.key !== null && r.key !== undefined) this.context.deduplicate(table, eventKeyOf(r.key))
  }

  /**
   * A TRUNCATE of the table inside the window empties the chunk: its rows were read before and would otherwise come
   * back after the truncate event. (Debezium de-duplicates by key only, and a truncate has none.)
   */
  truncated(model: TableModel): void {
    if (this.context.windowOpen && this.context.current?.id === `${model.schema}.${model.table}`) {
      this.context.window.clear()
    }
  }

  async close(): Promise<void> {
    await closeQuietly(this.#client)
    this.#client = null
  }

  /** The rows left in the window as op "r" records at the close watermark's position. */
  #emitWindow(position: StreamPosition, out: SourceRecord[]): void {
    const current = this.#model
    if (!current || this.context.window.size === 0) return
    const { model } = current
    for (const row of this.context.window.values() as IterableIterator<WindowRow>) {
      this.context.lastKeySent = row.key
      const timeMicros = BigInt(Date.now()) * 1000n
      // Debezium: the streaming offset of the close watermark with the snapshot marked INCREMENTAL, at read time
      // (3.6.1 writes snapshot_completed false there unless an initial snapshot ran in the same task).
      const offset: SourceOffset = {
        ...position.offset,
        [OffsetKeys.TS_USEC]: Number(timeMicros),
        [OffsetKeys.SNAPSHOT]: 'INCREMENTAL',
        [OffsetKeys.LAST_SNAPSHOT_RECORD]: false,
        [OffsetKeys.SNAPSHOT_COMPLETED]: false,
      }
      this.context.store(offset)
      const [record] = this.#events.change(
        model,
        'r',
        null,
        row.values,
        {
          db: this.#config.dbname,
          timeMicros,
          snapshot: 'incremental',
          txId: null,
          lsn: position.lsn,
          lastCommitLsn: position.lastCommitLsn,
        },
        offset,
        null,
      )
      out.push(record)
    }
    this.context.window.clear()
  }

  async #connection(): Promise<pg.Client> {
    if (!this.#client) {
      const client = await connect(this.#config)
      // Named apart from the catalog connection, for whoever reads pg_stat_activity.
      await client.query("SET application_name = 'flowscope-cdc-incremental'")
      this.#client = client
    }
    return this.#client
  }

  async #knownTables(): Promise<string[]> {
    const tables = await capturedTables(await this.#connection(), this.#config)
    return tables.filter((t) => !isSignalTable(this.#config, t.schema, t.table)).map((t) => `${t.schema}.${t.table}`)
  }

  async #insertSignal(id: string, type: string, data: string): Promise<void> {
    const signal = this.#config.signalTable as { schema: string; table: string }
    await (await this.#connection()).query(
      `INSERT INTO ${quoteIdent(signal.schema)}.${quoteIdent(signal.table)} VALUES ($1, $2, $3)`,
      [id, type, data],
    )
  }

  #nextCollection(): void {
    const done = this.context.current
    this.context.nextCollection()
    this.#model = null
    if (done) this.#metrics?.snapshotProgress(this.#rowsRead, this.context.collections.length)
    if (!this.context.running) {
      this.#metrics?.snapshotFinished(true)
      if (done) this.#log.info({ rows: Object.fromEntries(this.#rowsRead) }, 'incremental snapshot completed')
    }
  }

  /** Removes the tables stop-snapshot signals named (regexes; none: all of them). */
  #applyStops(): void {
    const requests = this.context.stopRequests
    if (requests.length === 0) return
    this.context.stopRequests = []
    const patterns = requests.map((r) => new RegExp(`^(?:${r})$`))
    const stopped = (id: string) => patterns.some((p) => p.test(id))
    const current = this.context.current
    this.context.collections = this.context.collections.filter((c, i) => i === 0 || !stopped(c.id))
    if (current && stopped(current.id)) {
      this.context.nextCollection()
      this.#model = null
      if (!this.context.running) this.#metrics?.snapshotFinished(false)
    }
    this.#log.info({ remaining: this.context.collections.map((c) => c.id) }, 'incremental snapshot tables stopped')
  }

  /** The current table's model and chunk key columns; null (after a warning) when it cannot be read. */
  async #currentModel(collection: DataCollection): Promise<{ model: TableModel; keyColumns: number[] } | null> {
    if (this.#model?.id === collection.id) return this.#model
    const dot = collection.id.indexOf('.')
    const [schema, table] =
      dot > 0 ? [collection.id.slice(0, dot), collection.id.slice(dot + 1)] : ['public', collection.id]
    let model: TableModel
    try {
      model = await buildTableModel(await this.#connection(), this.#config, schema, table, null)
    } catch (error) {
      this.#log.warn({ table: collection.id, err: messageOf(error) }, 'incremental snapshot: table skipped')
      return null
    }
    let keyColumns = model.keyIndexes
    if (collection.surrogateKey) {
      const index = model.columns.findIndex((c) => c.name === collection.surrogateKey)
      if (index < 0) {
        this.#log.warn(
          { table: collection.id, surrogateKey: collection.surrogateKey },
          'incremental snapshot: the surrogate key is no column of the table; table skipped',
        )
        return null
      }
      keyColumns = [index]
    }
    if (keyColumns.length === 0) {
      this.#log.warn({ table: collection.id }, 'incremental snapshot skipped for a table with no primary key')
      return null
    }
    this.#model = { id: collection.id, model, keyColumns }
    return this.#model
  }

  /** Debezium's readChunk: open watermark, the next chunk of the current table (skipping finished ones), close. */
  async #readChunk(): Promise<void> {
    this.#applyStops()
    if (!this.context.running) return
    this.chunksRead++
    const signalOpenedAt = new Date()
    this.context.chunkId = randomUUID()
    this.context.windowOpen = false
    await this.#insertSignal(
      `${this.context.chunkId}-open`,
      'snapshot-window-open',
      windowMetadata(signalOpenedAt, null),
    )
    while (this.context.running) {
      const collection = this.context.current as DataCollection
      const current = await this.#currentModel(collection)
      if (!current) {
        this.#nextCollection()
        continue
      }
      if (this.context.maximumKey === null) {
        const max = await this.#query(current, collection, 'max')
        if (max.length === 0) {
          this.#log.info({ table: collection.id }, 'incremental snapshot: table empty')
          this.#nextCollection()
          continue
        }
        this.context.maximumKey = max[0].key
      }
      const rows = await this.#query(current, collection, 'chunk')
      const label = collection.id
      this.#rowsRead.set(label, (this.#rowsRead.get(label) ?? 0) + rows.length)
      this.#metrics?.snapshotProgress(this.#rowsRead, this.context.collections.length)
      if (rows.length === 0) {
        this.#nextCollection()
        continue
      }
      for (const row of rows) {
        // A table without an event key (a surrogate key over a keyless table) cannot be de-duplicated: rows are kept
        // apart by their chunk key.
        const eventKey = this.#events.key(current.model, row.values)
        this.context.window.set(eventKey === null ? `chunk:${JSON.stringify(row.key)}` : eventKeyOf(eventKey), row)
      }
      this.context.chunkEnd = rows[rows.length - 1].key
      break
    }
    await this.#insertSignal(
      `${this.context.chunkId}-close`,
      'snapshot-window-close',
      windowMetadata(signalOpenedAt, new Date()),
    )
  }

  /** The chunk after chunkEnd up to maximumKey (bounds from the second chunk on, as Debezium), or the largest key. */
  async #query(
    current: { model: TableModel; keyColumns: number[] },
    collection: DataCollection,
    what: 'chunk' | 'max',
  ): Promise<WindowRow[]> {
    const { model, keyColumns } = current
    const keyNames = keyColumns.map((i) => model.columns[i].name)
    const conditions: string[] = []
    const params: (string | null)[] = []
    const chunkEnd = this.context.chunkEnd
    if (what === 'chunk' && chunkEnd !== null && this.context.maximumKey !== null) {
      conditions.push(keyBound(keyNames, 1))
      params.push(...keyBoundParams(chunkEnd))
      conditions.push(`NOT ${keyBound(keyNames, params.length + 1)}`)
      params.push(...keyBoundParams(this.context.maximumKey))
    }
    if (collection.condition) conditions.push(collection.condition)
    const order = keyNames.map((k) => `${quoteIdent(k)}${what === 'max' ? ' DESC' : ''}`).join(', ')
    const text =
      `SELECT ${model.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${quoteIdent(model.schema)}.${quoteIdent(model.table)}` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
      ` ORDER BY ${order} LIMIT ${what === 'max' ? 1 : this.#config.incrementalSnapshotChunkSize}`
    const r = await (await this.#connection()).query({ text, values: params, rowMode: 'array' })
    const oids = r.fields.map((f) => f.dataTypeID)
    return (r.rows as (string | null)[][]).map((values) => ({
      values: values as string[],
      key: keyColumns.map((i): JavaKeyValue => {
        const text = values[i]
        if (text === null) return null
        return { java: INTEGER_OIDS.has(oids[i]) ? 'Integer' : LONG_OIDS.has(oids[i]) ? 'Long' : 'String', text }
      }),
    }))
  }
}
