// The connector's view of which tables exist: lists tables through the catalog (filters applied) at start and every
// table.poll.interval.ms, and calls `onChange` when the set differs, so tasks are reconfigured (upstream's
// TableMonitorThread). A failed re-check keeps the last known set and is retried next interval.
import type { Logger } from '../../logging.ts'
import { listTables } from '../../postgres/catalog.ts'
import { type Connection, closeConnection, openConnection } from '../../postgres/connection.ts'
import { fullyQualifiedName, type TableId } from '../../postgres/dialect.ts'
import type { JdbcSourceConfig } from './config.ts'
import { settingsFor } from './connection-settings.ts'
import { tablePasses } from './table-filter.ts'

export interface TableMonitorOptions {
  config: JdbcSourceConfig
  log: Logger
  onChange: (tables: TableId[]) => void
}

export class TableMonitor {
  readonly #options: TableMonitorOptions
  #tables: TableId[] = []
  #connection: Connection | null = null
  #timer: NodeJS.Timeout | null = null
  #stopped = false
  #checking: Promise<void> | null = null

  constructor(options: TableMonitorOptions) {
    this.#options = options
  }

  tables(): TableId[] {
    return [...this.#tables]
  }

  /** First listing (connection.attempts tries; throws when the database stays unreachable), then periodic checks. */
  async start(): Promise<void> {
    this.#stopped = false
    this.#tables = await this.#list(this.#options.config.connectionAttempts)
    this.#options.log.info({ tables: this.#tables.map(fullyQualifiedName) }, 'JDBC source found tables')
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#checking?.catch(() => {})
    await closeConnection(this.#connection)
    this.#connection = null
  }

  /** Lists tables now and reports a change; resolves when done (used by the timer and by tests). */
  async check(): Promise<boolean> {
    const tables = await this.#list(1)
    const before = this.#tables.map(fullyQualifiedName).join('\n')
    const after = tables.map(fullyQualifiedName).join('\n')
    this.#tables = tables
    if (before === after) return false
    this.#options.log.info({ tables: tables.map(fullyQualifiedName) }, 'JDBC source table set changed')
    this.#options.onChange(tables)
    return true
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#checking = this.check()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.#options.log.warn({ err: error }, 'Could not re-check the table list; trying again next interval')
        })
        .finally(() => {
          this.#checking = null
          this.#schedule()
        })
    }, this.#options.config.tablePollIntervalMs)
  }

  async #list(attempts: number): Promise<TableId[]> {
    const { config, log } = this.#options
    if (!this.#connection || this.#connection.broken) {
      await closeConnection(this.#connection)
      this.#connection = await openConnection(settingsFor(config), {
        attempts,
        backoffMs: config.connectionBackoffMs,
        zone: config.dbTimezone,
        log,
      })
    }
    try {
      const all = await listTables(this.#connection.client, {
        schemaPattern: config.schemaPattern,
        catalogPattern: config.catalogPattern,
        tableTypes: config.tableTypes,
      })
      const filter = {
        whitelist: config.tableWhitelist,
        blacklist: config.tableBlacklist,
        includeList: config.tableIncludeList,
        excludeList: config.tableExcludeList,
      }
      return all.filter((t) => tablePasses(t, filter))
    } catch (error) {
      if (this.#connection) this.#connection.broken = true
      throw error
    }
  }
}
