// PostgreSQL naming rules: table ids in, quoted SQL identifiers and literals, fully-qualified names out.

/** Whether SQL text quotes identifiers (the JDBC source's quote.sql.identifiers). */
export const QuoteMethods = { ALWAYS: 'always', NEVER: 'never' } as const
export type QuoteMethod = (typeof QuoteMethods)[keyof typeof QuoteMethods]

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
