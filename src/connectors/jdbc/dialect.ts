// PostgreSQL naming rules: table ids in, quoted SQL identifiers, upstream's fully-qualified names and table-filter
// decisions (whitelist/blacklist, include/exclude regexes) out.
import type { QuoteMethod } from './config.ts'

export interface TableId {
  /** The database (JDBC catalog). */
  database: string
  schema: string
  table: string
}

/** Quotes an identifier with double quotes (inner quotes doubled); `never` passes it through. */
export function quoteIdentifier(name: string, method: QuoteMethod = 'always'): string {
  return method === 'never' ? name : `"${name.replaceAll('"', '""')}"`
}

/** `"schema"."table"` (the database is implied by the connection). */
export function qualifiedTable(id: TableId, method: QuoteMethod = 'always'): string {
  return `${quoteIdentifier(id.schema, method)}.${quoteIdentifier(id.table, method)}`
}

/** `db.schema.table`, unquoted: upstream's name in source partitions and regex filters. */
export function fullyQualifiedName(id: TableId): string {
  return `${id.database}.${id.schema}.${id.table}`
}

/** `schema.table`, unquoted: the label flowscope reports pipeline facts under. */
export function tableLabel(id: TableId): string {
  return `${id.schema}.${id.table}`
}

export function sameTable(a: TableId, b: TableId): boolean {
  return a.database === b.database && a.schema === b.schema && a.table === b.table
}

/** A string literal for SQL text (standard_conforming_strings on). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

export interface TableFilter {
  whitelist: string[]
  blacklist: string[]
  includeList: string[]
  excludeList: string[]
}

/** The names a list entry may use for a table: db.schema.table (plain or quoted), schema.table, or table. */
function namesOf(id: TableId): string[] {
  return [
    fullyQualifiedName(id),
    `${quoteIdentifier(id.database)}.${quoteIdentifier(id.schema)}.${quoteIdentifier(id.table)}`,
    tableLabel(id),
    qualifiedTable(id),
    id.table,
  ]
}

function fullMatch(pattern: string, text: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(text)
}

/** Whether a discovered table passes the configured filters (upstream's TableMonitorThread rules). */
export function tablePasses(id: TableId, filter: TableFilter): boolean {
  if (filter.includeList.length > 0) {
    const names = [fullyQualifiedName(id), tableLabel(id)]
    const included = filter.includeList.some((p) => names.some((n) => fullMatch(p, n)))
    const excluded = filter.excludeList.some((p) => names.some((n) => fullMatch(p, n)))
    return included && !excluded
  }
  if (filter.whitelist.length > 0) return namesOf(id).some((n) => filter.whitelist.includes(n))
  if (filter.blacklist.length > 0) return !namesOf(id).some((n) => filter.blacklist.includes(n))
  return true
}

/** Whitelist entries that match none of `tables` (validation reports these). */
export function unmatchedWhitelist(tables: TableId[], whitelist: string[]): string[] {
  return whitelist.filter((entry) => !tables.some((t) => namesOf(t).includes(entry)))
}

/** pgjdbc's table type names and the pg_class.relkind each stands for. */
export const TableTypeKinds: Record<string, { relkinds: string[]; system: boolean }> = {
  TABLE: { relkinds: ['r'], system: false },
  'PARTITIONED TABLE': { relkinds: ['p'], system: false },
  VIEW: { relkinds: ['v'], system: false },
  'MATERIALIZED VIEW': { relkinds: ['m'], system: false },
  'FOREIGN TABLE': { relkinds: ['f'], system: false },
  'SYSTEM TABLE': { relkinds: ['r', 'p'], system: true },
  'SYSTEM VIEW': { relkinds: ['v'], system: true },
}
