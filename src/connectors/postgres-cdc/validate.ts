// Checks only the database can answer, each named on the key it concerns: reachable with these credentials,
// wal_level=logical, the REPLICATION attribute, a free replication slot of the pgoutput plugin, the publication
// (when autocreate is disabled), captured tables and their keys. Bounded by a timeout so validate always answers.
import type pg from 'pg'
import type { RawConfig } from '../../config/config-def.ts'
import { messageOf } from '../../errors.ts'
import { parsePostgresCdcConfig } from './config.ts'
import { closeQuietly, connect } from './connections.ts'
import { capturedTables, slotState, type TableName } from './publication.ts'

export const VALIDATE_TIMEOUT_MS = 15_000
/** Tables checked for a replica identity at most (validation must stay quick on large databases). */
const MAX_TABLES_CHECKED = 500

/** Captured tables whose UPDATE/DELETE PostgreSQL would refuse once published: no key and identity DEFAULT/NOTHING. */
async function keylessTables(client: pg.Client, tables: TableName[]): Promise<string[]> {
  if (tables.length === 0) return []
  const r = await client.query(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        AND c.relkind = 'r'
        AND (c.relreplident = 'n'
             OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))
      ORDER BY 1`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  )
  return (r.rows as { name: string }[]).map((row) => row.name)
}

function add(errors: Map<string, string[]>, key: string, message: string): void {
  const list = errors.get(key) ?? []
  if (!list.includes(message)) list.push(message)
  errors.set(key, list)
}

export async function validatePostgresCdc(
  raw: RawConfig,
  timeoutMs = VALIDATE_TIMEOUT_MS,
): Promise<Map<string, string[]>> {
  const { config, errors } = parsePostgresCdcConfig(raw)
  if (!config) return errors
  let client: pg.Client | null = null
  const work = async () => {
    try {
      client = await connect({ ...config, connectTimeoutMs: Math.min(config.connectTimeoutMs, timeoutMs) })
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      const key =
        code === '28P01' || code === '28000'
          ? 'database.password'
          : code === '3D000'
            ? 'database.dbname'
            : 'database.hostname'
      add(errors, key, `Cannot connect to the database: ${messageOf(error)}`)
      return
    }
    const c = client as pg.Client
    const settings = await c.query(
      `SELECT current_setting('wal_level') AS wal_level, r.rolreplication, r.rolsuper
         FROM pg_roles r WHERE r.rolname = current_user`,
    )
    const row = settings.rows[0] as { wal_level: string; rolreplication: string; rolsuper: string }
    if (row.wal_level !== 'logical') {
      add(
        errors,
        'database.hostname',
        `The server's wal_level is ${row.wal_level}; logical decoding needs wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)`,
      )
    }
    if (row.rolreplication !== 't' && row.rolsuper !== 't') {
      add(
        errors,
        'database.user',
        `User ${config.user} lacks the REPLICATION attribute needed to stream changes (ALTER ROLE ${config.user} WITH REPLICATION)`,
      )
    }
    const slot = await slotState(c, config.slotName)
    if (slot.exists && slot.plugin !== 'pgoutput') {
      add(
        errors,
        'slot.name',
        `Replication slot ${config.slotName} exists with the ${slot.plugin} plugin; flowscope needs pgoutput`,
      )
    }
    if (slot.exists && slot.database !== config.dbname) {
      add(
        errors,
        'slot.name',
        `Replication slot ${config.slotName} belongs to database ${slot.database}, not ${config.dbname}`,
      )
    }
    if (slot.active) {
      add(
        errors,
        'slot.name',
        `Replication slot ${config.slotName} is in use by another connection; each connector needs its own slot`,
      )
    }
    const publication = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [config.publicationName])
    if (publication.rows.length === 0 && config.publicationAutocreateMode === 'disabled') {
      add(
        errors,
        'publication.name',
        `Publication ${config.publicationName} does not exist and publication.autocreate.mode=disabled`,
      )
    }
    if (publication.rows.length === 0 && config.publicationAutocreateMode === 'all_tables' && row.rolsuper !== 't') {
      add(
        errors,
        'publication.autocreate.mode',
        `Creating publication ${config.publicationName} FOR ALL TABLES needs a superuser; create it beforehand or use publication.autocreate.mode=filtered`,
      )
    }
    const tables = await capturedTables(c, config)
    if (tables.length === 0) {
      add(errors, 'table.include.list', 'No table in the database matches the schema/table include and exclude lists')
    }
    const keyless = await keylessTables(c, tables.slice(0, MAX_TABLES_CHECKED))
    if (keyless.length > 0) {
      add(
        errors,
        'table.include.list',
        `Table(s) without a primary key or replica identity: ${keyless.join(', ')}. Once published, PostgreSQL rejects ` +
          'their UPDATEs and DELETEs; add a primary key or ALTER TABLE … REPLICA IDENTITY FULL (or exclude them)',
      )
    }
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), timeout])
    if (outcome === 'timeout')
      add(errors, 'database.hostname', `The database did not answer the validation checks within ${timeoutMs} ms`)
  } catch (error) {
    add(errors, 'database.hostname', `Validation against the database failed: ${messageOf(error)}`)
  } finally {
    clearTimeout(timer)
    await closeQuietly(client)
  }
  return errors
}
