// The connector: user config in, task configs out. In table mode it watches the table set (TableMonitor) and
// spreads tables round-robin over at most tasks.max tasks; in query mode there is exactly one task.
import type { RawConfig } from '../../config/config-def.ts'
import type { ConnectorContext, ExactlyOnceSupport, SourceConnector } from '../../connectors/plugin.ts'
import type { TableId } from '../../postgres/dialect.ts'
import { type JdbcSourceConfig, jdbcSourceConfigDef, Modes, requireJdbcSourceConfig, TaskKeys } from './config.ts'
import { tablesToConfig } from './source-task.ts'
import { TableMonitor } from './table-monitor.ts'

/** Tables dealt round-robin into at most `maxTasks` non-empty groups. */
export function assignTables(tables: TableId[], maxTasks: number): TableId[][] {
  const groups = Math.max(1, Math.min(maxTasks, tables.length))
  const out: TableId[][] = Array.from({ length: groups }, () => [])
  tables.forEach((table, i) => {
    out[i % groups].push(table)
  })
  return tables.length === 0 ? [] : out
}

/**
 * Exactly-once with this config (KIP-618's preflight): the offset committed with a transaction's last record must
 * be where a restart resumes with nothing skipped or repeated. It is in incrementing and timestamp+incrementing
 * modes (`id > ?`, `(ts, id) > (?, ?)`: every row has a distinct position). It is not in timestamp mode — rows
 * sharing the last committed timestamp but not yet read are skipped by `ts > ?` — nor in bulk mode, whose records
 * carry no position, so a restart copies the table again.
 */
export function jdbcExactlyOnceSupport(raw: RawConfig): ExactlyOnceSupport {
  const mode = jdbcSourceConfigDef.parse(raw).values.get('mode')
  return mode === Modes.INCREMENTING || mode === Modes.TIMESTAMP_INCREMENTING ? 'SUPPORTED' : 'UNSUPPORTED'
}

export class JdbcSourceConnector implements SourceConnector {
  #raw: RawConfig = {}
  #config: JdbcSourceConfig | null = null
  #monitor: TableMonitor | null = null

  async start(raw: RawConfig, context: ConnectorContext): Promise<void> {
    this.#raw = { ...raw }
    const config = requireJdbcSourceConfig(raw)
    this.#config = config
    if (config.query !== '') return
    const monitor = new TableMonitor({
      config,
      log: context.log,
      onChange: () => context.requestTaskReconfiguration(),
    })
    await monitor.start()
    this.#monitor = monitor
  }

  /** The current monitor (table mode), for tests that trigger a check without waiting. */
  get monitor(): TableMonitor | null {
    return this.#monitor
  }

  async taskConfigs(maxTasks: number): Promise<RawConfig[]> {
    const config = this.#config
    if (!config) throw new Error('JDBC source connector asked for task configs before start')
    if (config.query !== '') return [{ ...this.#raw }]
    const tables = this.#monitor?.tables() ?? []
    return assignTables(tables, maxTasks).map((group) => ({ ...this.#raw, [TaskKeys.TABLES]: tablesToConfig(group) }))
  }

  async stop(): Promise<void> {
    await this.#monitor?.stop()
    this.#monitor = null
  }
}
