// The captured tables, the publication pgoutput streams (created or updated per publication.autocreate.mode, as
// Debezium does) and the replication slot's state.
import type pg from 'pg'
import { type PostgresCdcConfig, tableCaptured } from './config.ts'
import { quoteIdent } from './connections.ts'
import { type Lsn, parseLsn } from './lsn.ts'

export interface TableName {
  schema: string
  table: string
}

/** Ordinary and partitioned tables the filters capture, sorted by schema then name. */
export async function capturedTables(client: pg.Client, config: PostgresCdcConfig): Promise<TableName[]> {
  const r = await client.query(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY n.nspname, c.relname`,
  )
  return (r.rows as TableName[]).filter((t) => tableCaptured(config, t.schema, t.table))
}

const qualified = (t: TableName) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`

/** Makes sure the publication exists (and, in filtered mode, holds exactly the captured tables). */
export async function ensurePublication(client: pg.Client, config: PostgresCdcConfig): Promise<void> {
  const name = quoteIdent(config.publicationName)
  const existing = await client.query('SELECT puballtables FROM pg_publication WHERE pubname = $1', [
    config.publicationName,
  ])
  const mode = config.publicationAutocreateMode
  if (existing.rows.length === 0) {
    if (mode === 'disabled') {
      throw new Error(
        `Publication ${config.publicationName} does not exist and publication.autocreate.mode=disabled: create it (CREATE PUBLICATION ${name} FOR TABLE …) or change the mode`,
      )
    }
    if (mode === 'all_tables') await client.query(`CREATE PUBLICATION ${name} FOR ALL TABLES`)
    else if (mode === 'no_tables') await client.query(`CREATE PUBLICATION ${name}`)
    else {
      const tables = await capturedTables(client, config)
      if (tables.length === 0)
        throw new Error('publication.autocreate.mode=filtered but no table matches the include/exclude lists')
      await client.query(`CREATE PUBLICATION ${name} FOR TABLE ${tables.map(qualified).join(', ')}`)
    }
    return
  }
  if (mode === 'filtered' && (existing.rows[0] as { puballtables: string }).puballtables !== 't') {
    const tables = await capturedTables(client, config)
    if (tables.length > 0) await client.query(`ALTER PUBLICATION ${name} SET TABLE ${tables.map(qualified).join(', ')}`)
  }
}

export interface SlotState {
  exists: boolean
  active: boolean
  plugin: string | null
  database: string | null
  confirmedFlushLsn: Lsn | null
}

export async function slotState(client: pg.Client, slot: string): Promise<SlotState> {
  const r = await client.query(
    'SELECT plugin, database, active, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  )
  const row = r.rows[0] as { plugin: string; database: string; active: string; confirmed: string | null } | undefined
  if (!row) return { exists: false, active: false, plugin: null, database: null, confirmedFlushLsn: null }
  return {
    exists: true,
    active: row.active === 't',
    plugin: row.plugin,
    database: row.database,
    confirmedFlushLsn: row.confirmed ? parseLsn(row.confirmed) : null,
  }
}
