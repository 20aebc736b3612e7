// A raw connector config in, key → errors out for what single keys cannot tell: keys that exclude each other, and
// what only the database knows (reachable? tables found? usable incrementing/timestamp columns per table?). Each
// database check is bounded by a timeout so the REST validate call always answers.
import type { RawConfig } from '../../config/config-def.ts'
import { messageOf } from '../../errors.ts'
import { columnNotNull, describeColumns, listTables } from '../../postgres/catalog.ts'
import { type Connection, closeConnection, openConnection } from '../../postgres/connection.ts'
import { tableLabel } from '../../postgres/dialect.ts'
import { crossKeyErrors, jdbcSourceConfigDef, Modes, parseJdbcSourceConfig } from './config.ts'
import { settingsFor } from './connection-settings.ts'
import { resolveOffsetColumns } from './offset-columns.ts'
import { tablePasses, unmatchedWhitelist } from './table-filter.ts'

export const VALIDATE_TIMEOUT_MS = 15_000
/** Tables whose columns are checked at most (validation must stay quick on large databases). */
const MAX_TABLES_CHECKED = 500

function add(errors: Map<string, string[]>, key: string, message: string): void {
  const list = errors.get(key) ?? []
  if (!list.includes(message)) list.push(message)
  errors.set(key, list)
}

export async function validateJdbcSource(
  raw: RawConfig,
  timeoutMs = VALIDATE_TIMEOUT_MS,
): Promise<Map<string, string[]>> {
  const parsed = jdbcSourceConfigDef.parse(raw)
  const errors = crossKeyErrors(parsed.values)
  if (parsed.errors.size > 0 || errors.size > 0) return errors
  const { config } = parseJdbcSourceConfig(raw)
  if (!config) return errors

  let connection: Connection | null = null
  const work = async () => {
    try {
      connection = await openConnection(settingsFor(config), {
        attempts: 1,
        backoffMs: 0,
        zone: config.dbTimezone,
        connectTimeoutMs: Math.min(10_000, timeoutMs),
      })
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      const key = code === '28P01' || code === '28000' ? 'connection.password' : 'connection.url'
      add(errors, key, `Cannot connect to the database: ${messageOf(error)}`)
      return
    }
    const client = connection.client
    if (config.query !== '') {
      let fields: { name: string; tableID: number; columnID: number }[]
      try {
        const probe = await client.query(`SELECT * FROM (${config.query}) AS flowscope_query LIMIT 0`)
        fields = probe.fields
      } catch (error) {
        add(errors, 'query', `The query does not run: ${messageOf(error)}`)
        return
      }
      if (config.mode === Modes.BULK) return
      const notNull = await columnNotNull(client, fields)
      const facts = fields.map((f) => ({ name: f.name, nullable: !notNull.get(`${f.tableID}:${f.columnID}`) }))
      const resolved = resolveOffsetColumns(
        'the query',
        facts,
        config.mode,
        config.incrementingColumnName,
        config.timestampColumnNames,
        config.validateNonNull,
      )
      for (const p of resolved.problems) add(errors, p.key, p.message)
      return
    }
    const all = await listTables(client, {
      schemaPattern: config.schemaPattern,
      catalogPattern: config.catalogPattern,
      tableTypes: config.tableTypes,
    })
    const missing = unmatchedWhitelist(all, config.tableWhitelist)
    if (missing.length > 0) {
      add(
        errors,
        'table.whitelist',
        `Table(s) not found in the database (or excluded by schema.pattern/table.types): ${missing.join(', ')}`,
      )
    }
    if (config.mode === Modes.BULK) return
    const filter = {
      whitelist: config.tableWhitelist,
      blacklist: config.tableBlacklist,
      includeList: config.tableIncludeList,
      excludeList: config.tableExcludeList,
    }
    const selected = all.filter((t) => tablePasses(t, filter)).slice(0, MAX_TABLES_CHECKED)
    for (const table of selected) {
      const columns = await describeColumns(client, table)
      const resolved = resolveOffsetColumns(
        `table ${tableLabel(table)}`,
        columns,
        config.mode,
        config.incrementingColumnName,
        config.timestampColumnNames,
        config.validateNonNull,
      )
      for (const p of resolved.problems) add(errors, p.key, p.message)
    }
  }

  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), timeout])
    if (outcome === 'timeout') {
      add(errors, 'connection.url', `The database did not answer the validation checks within ${timeoutMs} ms`)
    }
  } catch (error) {
    add(errors, 'connection.url', `Validation against the database failed: ${messageOf(error)}`)
  } finally {
    clearTimeout(timer)
    await closeConnection(connection)
  }
  return errors
}
