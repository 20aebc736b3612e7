// One table (or the custom query) read in rounds: a round starts a server-side cursor from the querier's offset and
// hands out at most batch.max.rows records per poll until the cursor is drained; each record carries the table's
// partition and the offset just past it. Errors roll the in-memory offset back to the last one handed out.

import type pg from 'pg'
import type { FieldDef } from 'pg'
import Cursor from 'pg-cursor'
import type { PipelineReporter } from '../../connectors/plugin.ts'
import { ErrorCodes, FlowscopeError } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import { columnNotNull, databaseTime, describeColumns, maxOf, type TypeCache } from '../../postgres/catalog.ts'
import { type Connection, isConnectionError, sleep } from '../../postgres/connection.ts'
import { tableLabel } from '../../postgres/dialect.ts'
import { compareInstants, type Instant, instantToMs } from '../../postgres/pg-text.ts'
import type { Schema, Struct } from '../../record/schema.ts'
import { structSchema } from '../../record/schema.ts'
import type { SourcePartition, SourceRecord } from '../../record/source-record.ts'
import { type SourceTime, SourceTimeBases, sourceTimeHeaders } from '../../record/source-time.ts'
import { type JdbcSourceConfig, type Mode, Modes, usesIncrementing, usesTimestamp } from './config.ts'
import { buildQueryText, type QuerySource, roundValues } from './criteria.ts'
import { type OffsetColumnFacts, resolveOffsetColumns } from './offset-columns.ts'
import { offsetToMap, type TimestampIncrementingOffset } from './offsets.ts'
import { type ColumnMapping, mapType } from './type-mapping.ts'

/** The table was dropped (or renamed) while the task runs: stop reading it, do not fail. */
export class TableGoneError extends Error {
  constructor(label: string, cause?: unknown) {
    super(`Table ${label} no longer exists`, cause === undefined ? undefined : { cause })
    this.name = 'TableGoneError'
  }
}

export interface QuerierSpec {
  source: QuerySource
  topic: string
  partition: SourcePartition
  /** Label for pipeline facts and logs: schema.table, or `query`. */
  label: string
  offset: TimestampIncrementingOffset
  config: JdbcSourceConfig
  log: Logger
}

interface RowMapping {
  signature: string
  schema: Schema
  names: string[]
  columns: ColumnMapping[]
  incrementingIndex: number
  timestampIndexes: number[]
}

const rawText = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
}

interface Batch {
  rows: (string | null)[][]
  fields: FieldDef[]
}

function readCursor(cursor: Cursor<(string | null)[]>, maxRows: number): Promise<Batch> {
  return new Promise((resolve, reject) => {
    cursor.read(maxRows, (error, rows, result) => {
      if (error) reject(error)
      else resolve({ rows, fields: result?.fields ?? [] })
    })
  })
}

const UNDEFINED_TABLE = '42P01'
const CLOSE_TIMEOUT_MS = 5000

export class TableQuerier {
  readonly label: string
  readonly partition: SourcePartition
  readonly #spec: QuerierSpec
  readonly #mode: Mode
  #offset: TimestampIncrementingOffset
  #committed: TimestampIncrementingOffset
  #cursor: Cursor<(string | null)[]> | null = null
  #cursorConnection: Connection | null = null
  #prepared = false
  #incrementing: string | null = null
  #timestamps: string[] = []
  /** Nullability by column name (table mode) for schema building. */
  #nullable = new Map<string, boolean>()
  #mapping: RowMapping | null = null
  #maxId: number | null = null
  /** When the current round's query started (ms): the `poll` source time of rows without a change time. */
  #roundStartMs = 0
  /** When the last round finished (ms); the next one starts poll.interval.ms later. */
  lastUpdate = 0

  constructor(spec: QuerierSpec) {
    this.#spec = spec
    this.#mode = spec.config.mode
    this.label = spec.label
    this.partition = spec.partition
    this.#offset = spec.offset
    this.#committed = spec.offset
  }

  /** True while a round's cursor is open (the next poll continues it without waiting). */
  get querying(): boolean {
    return this.#cursor !== null
  }

  /** Sets the starting offset of a querier that has not read yet (timestamp.initial = -1). */
  startFrom(offset: TimestampIncrementingOffset): void {
    if (this.#cursor !== null) return
    this.#offset = offset
    this.#committed = offset
  }

  get offset(): TimestampIncrementingOffset {
    return this.#offset
  }

  /**
   * Reads the next batch (≤ batch.max.rows). Starts a round when none is open. When the round is drained the
   * cursor closes and lastUpdate is set, so the caller waits poll.interval.ms before the next round.
   */
  async poll(connection: Connection, types: TypeCache, pipeline: PipelineReporter): Promise<SourceRecord[]> {
    this.#committed = this.#offset
    try {
      if (this.#cursor === null) await this.#startRound(connection, types, pipeline)
      const cursor = this.#cursor
      if (cursor === null) return []
      const maxRows = this.#spec.config.batchMaxRows
      const batch = await readCursor(cursor, maxRows)
      const mapping = this.#mappingFor(batch.fields, types)
      const records: SourceRecord[] = []
      let newest: Instant | null = null
      for (const row of batch.rows) {
        records.push(this.#toRecord(mapping, row))
        const changed = this.#mode === Modes.BULK ? null : this.#offset.timestamp
        if (changed && (newest === null || compareInstants(changed, newest) > 0)) newest = changed
      }
      // These records are handed out now: a later failure must not roll back before them.
      this.#committed = this.#offset
      if (batch.rows.length < maxRows) await this.#endRound()
      // Every successful read counts as a poll (last_poll), even an empty one. Only the timestamp modes know when a
      // row changed; bulk and incrementing report no change time, so no freshness is made up for them.
      pipeline.rowsRead(this.label, records.length, newest ? instantToMs(newest) : undefined)
      if (records.length > 0 && this.#maxId !== null && this.#offset.incrementing !== null) {
        pipeline.pendingRows(this.label, Math.max(0, this.#maxId - this.#offset.incrementing))
      }
      return records
    } catch (error) {
      if (isConnectionError(error)) connection.broken = true
      await this.reset(Date.now(), true)
      if ((error as { code?: string }).code === UNDEFINED_TABLE && this.#spec.source.kind === 'table') {
        throw new TableGoneError(this.label, error)
      }
      throw error
    }
  }

  /** Closes any open cursor; `rollback` returns the offset to the last one handed out in a completed poll. */
  async reset(now: number, rollback: boolean): Promise<void> {
    this.lastUpdate = now
    if (rollback) this.#offset = this.#committed
    await this.#closeCursor()
  }

  async #endRound(): Promise<void> {
    this.lastUpdate = Date.now()
    await this.#closeCursor()
  }

  /**
   * Closes the round's portal. A cursor that failed, or whose connection died, cannot be closed politely (pg-cursor
   * would wait for a ReadyForQuery that never comes): its connection is marked broken and dropped instead.
   */
  async #closeCursor(): Promise<void> {
    const cursor = this.#cursor
    const connection = this.#cursorConnection
    this.#cursor = null
    this.#cursorConnection = null
    if (!cursor || !connection || connection.broken) return
    const state = (cursor as unknown as { state?: string }).state
    if (state === 'error') {
      connection.broken = true
      return
    }
    const closed = await Promise.race([
      cursor.close().then(
        () => true,
        () => false,
      ),
      sleep(CLOSE_TIMEOUT_MS).then(() => false),
    ])
    if (!closed) connection.broken = true
  }

  async #prepare(client: pg.Client, types: TypeCache): Promise<void> {
    const { config, source } = this.#spec
    let facts: OffsetColumnFacts[]
    let oids: number[]
    if (source.kind === 'table') {
      const columns = await describeColumns(client, source.table)
      if (columns.length === 0) throw new TableGoneError(this.label)
      facts = columns.map((c) => ({
        name: c.name,
        nullable: c.nullable,
        autoIncrement: c.autoIncrement,
        primaryKey: c.primaryKey,
        typeName: c.typeName,
      }))
      this.#nullable = new Map(columns.map((c) => [c.name, c.nullable]))
      oids = columns.map((c) => c.typeOid)
    } else {
      const probe = await client.query({ text: `SELECT * FROM (${source.query}) AS flowscope_query LIMIT 0` })
      const notNull = await columnNotNull(client, probe.fields)
      facts = probe.fields.map((f) => ({ name: f.name, nullable: !notNull.get(`${f.tableID}:${f.columnID}`) }))
      this.#nullable = new Map(facts.map((f) => [f.name, f.nullable]))
      oids = probe.fields.map((f) => f.dataTypeID)
    }
    const where = source.kind === 'table' ? `table ${tableLabel(source.table)}` : 'the query'
    const resolved = resolveOffsetColumns(
      where,
      facts,
      config.mode,
      config.incrementingColumnName,
      config.timestampColumnNames,
      config.validateNonNull,
    )
    if (resolved.problems.length > 0) {
      throw new FlowscopeError(
        ErrorCodes.INVALID_CONFIG,
        resolved.problems.map((p) => `${p.key}: ${p.message}`).join('; '),
      )
    }
    this.#incrementing = resolved.incrementing
    this.#timestamps = resolved.timestamps
    await types.load(client, oids)
    this.#prepared = true
  }

  async #startRound(connection: Connection, types: TypeCache, pipeline: PipelineReporter): Promise<void> {
    const { config, source } = this.#spec
    const client = connection.client
    if (!this.#prepared) await this.#prepare(client, types)
    // Rows the round returns were committed by the time its query starts (its snapshot is taken after this).
    this.#roundStartMs = Date.now()
    let end: Instant = { epochSecond: 0, nano: 0 }
    if (usesTimestamp(this.#mode)) {
      const now = await databaseTime(client, config.dbTimezone)
      const endMs = instantToMs(now) - config.timestampDelayIntervalMs
      end =
        config.timestampDelayIntervalMs === 0
          ? now
          : { epochSecond: Math.floor(endMs / 1000), nano: (((endMs % 1000) + 1000) % 1000) * 1_000_000 }
    }
    if (usesIncrementing(this.#mode) && source.kind === 'table' && this.#incrementing !== null) {
      const max = await maxOf(client, source.table, this.#incrementing, config.quoteSqlIdentifiers)
      this.#maxId = max === null ? null : Number(max)
      const from = Math.max(this.#offset.incrementing ?? 0, 0)
      pipeline.pendingRows(this.label, this.#maxId === null ? 0 : Math.max(0, this.#maxId - from))
    }
    const text = buildQueryText(
      source,
      this.#mode,
      { incrementing: this.#incrementing, timestamps: this.#timestamps },
      config.quoteSqlIdentifiers,
      config.querySuffix,
    )
    const values = roundValues(this.#mode, this.#offset, end)
    this.#spec.log.debug({ table: this.label, sql: text, values }, 'Starting query round')
    this.#cursorConnection = connection
    this.#cursor = client.query(new Cursor<(string | null)[]>(text, values, { rowMode: 'array', types: rawText }))
  }

  #mappingFor(fields: FieldDef[], types: TypeCache): RowMapping {
    const signature = fields.map((f) => `${f.name}:${f.dataTypeID}:${f.dataTypeModifier}`).join('|')
    if (this.#mapping?.signature === signature) return this.#mapping
    const { config, source } = this.#spec
    const options = { numericMapping: config.numericMapping, zone: config.dbTimezone }
    const lookup = (oid: number) => types.get(oid)
    const columns = fields.map((f) =>
      mapType(f.dataTypeID, f.dataTypeModifier, this.#nullable.get(f.name) ?? true, lookup, options),
    )
    const names = fields.map((f) => f.name)
    const schemaName = source.kind === 'table' ? source.table.table : undefined
    const built = structSchema(
      schemaName ?? '',
      names.map((name, i) => ({ name, schema: columns[i].schema })),
    )
    if (schemaName === undefined) delete built.name
    const indexOf = (name: string | null) => {
      if (name === null) return -1
      const exact = names.indexOf(name)
      return exact >= 0 ? exact : names.findIndex((n) => n.toLowerCase() === name.toLowerCase())
    }
    const incrementingIndex = usesIncrementing(this.#mode) ? indexOf(this.#incrementing) : -1
    const timestampIndexes = usesTimestamp(this.#mode) ? this.#timestamps.map((t) => indexOf(t)) : []
    if (usesIncrementing(this.#mode) && incrementingIndex < 0) {
      throw new Error(`Incrementing column ${this.#incrementing} not found in the columns read from ${this.label}`)
    }
    if (timestampIndexes.some((i) => i < 0)) {
      throw new Error(
        `Timestamp columns ${this.#timestamps.join(', ')} not all found in the columns read from ${this.label}`,
      )
    }
    this.#mapping = { signature, schema: built, names, columns, incrementingIndex, timestampIndexes }
    return this.#mapping
  }

  /** One row as a record; in non-bulk modes it also moves the querier's offset to that row's. */
  #toRecord(mapping: RowMapping, row: (string | null)[]): SourceRecord {
    const value: Struct = {}
    for (let i = 0; i < mapping.names.length; i++) {
      const raw = row[i]
      value[mapping.names[i]] = raw === null ? null : mapping.columns[i].convert(raw)
    }
    let changed: Instant | null = null
    if (this.#mode !== Modes.BULK) {
      let incrementing: number | null = null
      if (mapping.incrementingIndex >= 0) {
        const raw = row[mapping.incrementingIndex]
        if (raw === null) throw new Error(`Null value for incrementing column ${this.#incrementing} in ${this.label}`)
        incrementing = Number(raw)
        if (!Number.isSafeInteger(incrementing)) {
          throw new Error(
            `Incrementing column ${this.#incrementing} of ${this.label} holds ${raw}, which is not an integer below 2^53`,
          )
        }
      }
      for (const index of mapping.timestampIndexes) {
        const raw = row[index]
        if (raw !== null) {
          changed = mapping.columns[index].instant?.(raw) ?? null
          break
        }
      }
      this.#offset = { incrementing, timestamp: changed }
    }
    const sourceTime: SourceTime = changed
      ? { table: this.label, timestampMs: instantToMs(changed), basis: SourceTimeBases.CHANGE }
      : { table: this.label, timestampMs: this.#roundStartMs, basis: SourceTimeBases.POLL }
    return {
      sourcePartition: this.partition,
      sourceOffset: this.#mode === Modes.BULK ? {} : offsetToMap(this.#offset),
      topic: this.#spec.topic,
      keySchema: null,
      key: null,
      valueSchema: mapping.schema,
      value,
      ...(this.#spec.config.sourceTimestampHeaders ? { headers: sourceTimeHeaders(sourceTime) } : {}),
      sourceTime,
    }
  }
}
