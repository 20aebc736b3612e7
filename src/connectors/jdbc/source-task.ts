// The task: its table list (from the connector) + committed offsets in, SourceRecords out. One connection, one
// querier per table (or one for the query); each poll serves the querier that is mid-round, else the one due
// soonest, waiting until poll.interval.ms after its last round (upstream's nextUpdate). Lost connections are
// re-established with connection.attempts/backoff, then a RetriableError is thrown.
import type { RawConfig } from '../../config/config-def.ts'
import type { SourceTask, SourceTaskContext } from '../../connectors/plugin.ts'
import { FlowscopeError, messageOf, RetriableError } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import { databaseTime, TypeCache } from '../../postgres/catalog.ts'
import {
  type Connection,
  closeConnection,
  isConnectionError,
  openConnection,
  sleep,
} from '../../postgres/connection.ts'
import { type TableId, tableLabel } from '../../postgres/dialect.ts'
import { instantFromOffset } from '../../postgres/pg-text.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../../record/source-record.ts'
import { type JdbcSourceConfig, Modes, requireJdbcSourceConfig, TaskKeys, TIMESTAMP_INITIAL_CURRENT } from './config.ts'
import { settingsFor } from './connection-settings.ts'
import {
  emptyOffset,
  offsetFromMap,
  queryPartition,
  type TimestampIncrementingOffset,
  tablePartition,
  tablePartitionV0,
} from './offsets.ts'
import { TableGoneError, TableQuerier } from './table-querier.ts'

/** Parses the connector-assigned table list (JSON array of [database, schema, table]). */
export function tablesOf(raw: RawConfig): TableId[] {
  const text = raw[TaskKeys.TABLES]
  if (!text) return []
  const parsed = JSON.parse(text) as [string, string, string][]
  return parsed.map(([database, schema, table]) => ({ database, schema, table }))
}

export function tablesToConfig(tables: TableId[]): string {
  return JSON.stringify(tables.map((t) => [t.database, t.schema, t.table]))
}

export class JdbcSourceTask implements SourceTask {
  #config: JdbcSourceConfig | null = null
  #context: SourceTaskContext | null = null
  #log: Logger | null = null
  #queriers: TableQuerier[] = []
  #connection: Connection | null = null
  readonly #types = new TypeCache()
  /** Queriers with no stored offset that wait for the database clock (timestamp.initial = -1). */
  #awaitingNow = new Set<TableQuerier>()
  #stopped = false

  async start(raw: RawConfig, context: SourceTaskContext): Promise<void> {
    const config = requireJdbcSourceConfig(raw)
    this.#config = config
    this.#context = context
    this.#log = context.log
    this.#stopped = false
    const specs: { partitions: SourcePartition[]; make: (offset: TimestampIncrementingOffset) => TableQuerier }[] = []
    const base = { config, log: context.log }
    if (config.query !== '') {
      specs.push({
        partitions: [queryPartition()],
        make: (offset) =>
          new TableQuerier({
            ...base,
            source: { kind: 'query', query: config.query },
            topic: config.topicPrefix,
            partition: queryPartition(),
            label: 'query',
            offset,
          }),
      })
    } else {
      for (const table of tablesOf(raw)) {
        specs.push({
          partitions: [tablePartition(table), tablePartitionV0(table)],
          make: (offset) =>
            new TableQuerier({
              ...base,
              source: { kind: 'table', table },
              topic: config.topicPrefix + table.table,
              partition: tablePartition(table),
              label: tableLabel(table),
              offset,
            }),
        })
      }
    }
    let stored: (SourceOffset | null)[] = []
    if (config.mode !== Modes.BULK && specs.length > 0) {
      stored = await context.offsetReader.offsets(specs.flatMap((s) => s.partitions))
    }
    let at = 0
    for (const spec of specs) {
      // Newest protocol first: an offset under the v1 partition wins over a legacy v0 one.
      const found = spec.partitions.map((_, i) => stored[at + i] ?? null).find((o) => o !== null) ?? null
      at += spec.partitions.length
      let offset = found ? offsetFromMap(found) : emptyOffset()
      const querier = () => spec.make(offset)
      if (!found && config.mode !== Modes.BULK && config.timestampInitial !== null) {
        if (config.timestampInitial === TIMESTAMP_INITIAL_CURRENT) {
          const q = querier()
          this.#awaitingNow.add(q)
          this.#queriers.push(q)
          continue
        }
        offset = { incrementing: null, timestamp: instantFromOffset(config.timestampInitial) }
      }
      this.#queriers.push(querier())
    }
    context.log.info(
      { tables: this.#queriers.map((q) => q.label), mode: config.mode },
      `JDBC source task ${context.taskId} started`,
    )
  }

  async poll(signal: AbortSignal): Promise<SourceRecord[]> {
    const config = this.#config
    const context = this.#context
    if (!config || !context) throw new Error('JDBC source task polled before start')
    if (this.#queriers.length === 0) {
      await sleep(config.pollIntervalMs, signal)
      return []
    }
    const querier = this.#next()
    if (!querier.querying) {
      const wait = querier.lastUpdate + config.pollIntervalMs - Date.now()
      if (!(await sleep(wait, signal))) return []
    }
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted || this.#stopped) return []
      const connection = await this.#connect(signal)
      if (!connection) return []
      try {
        return await querier.poll(connection, this.#types, context.pipeline)
      } catch (error) {
        if (this.#stopped) return []
        context.pipeline.pollError(querier.label, error)
        if (error instanceof TableGoneError) {
          context.log.warn(`${error.message}: the task stops reading it (the connector will reassign tables)`)
          this.#queriers = this.#queriers.filter((q) => q !== querier)
          return []
        }
        // A failed cursor marks its connection broken too (it cannot be closed politely): drop it either way, but
        // only a lost connection is retried and reported as one; an SQL error keeps its own message.
        const lost = isConnectionError(error) || (connection.broken && !hasSqlState(error))
        if (connection.broken || lost) await this.#dropConnection()
        if (lost) {
          if (attempt < 2) continue
          throw new RetriableError(
            `Lost the connection to PostgreSQL while reading ${querier.label}: ${messageOf(error)}`,
            error,
          )
        }
        if (error instanceof FlowscopeError) throw error
        throw new Error(`Reading ${querier.label} failed: ${messageOf(error)}`, { cause: error })
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const querier of this.#queriers) await querier.reset(Date.now(), false)
    await this.#dropConnection()
    this.#queriers = []
  }

  /** The querier mid-round, else the one whose next round is due first. */
  #next(): TableQuerier {
    const active = this.#queriers.find((q) => q.querying)
    if (active) return active
    return this.#queriers.reduce((a, b) => (b.lastUpdate < a.lastUpdate ? b : a))
  }

  async #connect(signal: AbortSignal): Promise<Connection | null> {
    const config = this.#config!
    if (this.#connection && !this.#connection.broken) return this.#connection
    await this.#dropConnection()
    const connection = await openConnection(settingsFor(config), {
      attempts: config.connectionAttempts,
      backoffMs: config.connectionBackoffMs,
      zone: config.dbTimezone,
      log: this.#log ?? undefined,
      signal,
    })
    if (signal.aborted || this.#stopped) {
      await closeConnection(connection)
      return null
    }
    this.#connection = connection
    if (this.#awaitingNow.size > 0) {
      const now = await databaseTime(connection.client, config.dbTimezone)
      for (const q of this.#awaitingNow) q.startFrom({ incrementing: null, timestamp: now })
      this.#awaitingNow.clear()
    }
    return connection
  }

  async #dropConnection(): Promise<void> {
    const connection = this.#connection
    this.#connection = null
    for (const querier of this.#queriers) if (querier.querying) await querier.reset(Date.now(), true)
    await closeConnection(connection)
  }
}

/** Whether the server answered with an SQLSTATE (a statement failed), as opposed to the connection failing. */
function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
}
