// The JDBC source's table filters (upstream's TableMonitorThread rules): a discovered table and the configured
// whitelist/blacklist or include/exclude regexes in, whether the connector reads it out.
import {
  fullyQualifiedName,
  qualifiedTable,
  quoteIdentifier,
  type TableId,
  tableLabel,
} from '../../postgres/dialect.ts'

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
