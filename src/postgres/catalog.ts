// Questions to the PostgreSQL catalog in, plain facts out: which tables exist (pgjdbc getTables semantics), each
// table's columns (type, nullability, auto-increment, primary key), pg_type facts for type mapping, the database's
// clock and max(incrementing column).
import type pg from 'pg'
import { type QuoteMethod, qualifiedTable, quoteIdentifier, type TableId, TableTypeKinds } from './dialect.ts'
import { type Instant, parseTimestamp } from './pg-text.ts'

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast']

export interface TableListOptions {
  schemaPattern: string | null
  catalogPattern: string | null
  tableTypes: string[]
}

export async function currentDatabase(client: pg.Client): Promise<string> {
  const result = await client.query<{ db: string }>('SELECT current_database() AS db')
  return result.rows[0].db
}

/** Tables (and other relation kinds named in table.types) visible to the user, sorted by schema and name. */
export async function listTables(client: pg.Client, options: TableListOptions): Promise<TableId[]> {
  const database = await currentDatabase(client)
  if (options.catalogPattern !== null && !likeMatches(options.catalogPattern, database)) return []
  const userKinds = new Set<string>()
  const systemKinds = new Set<string>()
  for (const type of options.tableTypes) {
    const kinds = TableTypeKinds[type.toUpperCase()]
    if (!kinds) continue
    for (const k of kinds.relkinds) (kinds.system ? systemKinds : userKinds).add(k)
  }
  const result = await client.query<{ schema: string; table: string; kind: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = ANY($1::"char"[])
        AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
        AND ($2::text IS NULL OR n.nspname LIKE $2)
        AND has_schema_privilege(n.oid, 'USAGE')
      ORDER BY n.nspname, c.relname`,
    [[...new Set([...userKinds, ...systemKinds])], options.schemaPattern],
  )
  return result.rows
    .filter((r) => {
      const system = SYSTEM_SCHEMAS.includes(r.schema) || r.schema.startsWith('pg_toast')
      return system ? systemKinds.has(r.kind) && r.schema !== 'pg_toast' : userKinds.has(r.kind)
    })
    .map((r) => ({ database, schema: r.schema, table: r.table }))
}

function likeMatches(pattern: string, text: string): boolean {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegex(pattern[++i])
    else if (c === '%') re += '.*'
    else if (c === '_') re += '.'
    else re += escapeRegex(c)
  }
  return new RegExp(`^${re}$`, 's').test(text)
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export interface ColumnInfo {
  name: string
  position: number
  typeOid: number
  typmod: number
  typeName: string
  nullable: boolean
  /** serial / identity / nextval default: what pgjdbc reports as auto-increment. */
  autoIncrement: boolean
  primaryKey: boolean
}

/** The table's columns in order; empty when the table does not exist (any more). */
export async function describeColumns(client: pg.Client, id: TableId): Promise<ColumnInfo[]> {
  const result = await client.query<{
    name: string
    position: number
    type_oid: number
    typmod: number
    type_name: string
    not_null: boolean
    auto_increment: boolean
    primary_key: boolean
  }>(
    `SELECT a.attname AS name, a.attnum AS position, a.atttypid::int AS type_oid, a.atttypmod AS typmod,
            format_type(a.atttypid, a.atttypmod) AS type_name, a.attnotnull AS not_null,
            (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS auto_increment,
            EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                     WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY(i.indkey)) AS primary_key
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relname = $2
      ORDER BY a.attnum`,
    [id.schema, id.table],
  )
  return result.rows.map((r) => ({
    name: r.name,
    position: r.position,
    typeOid: r.type_oid,
    typmod: r.typmod,
    typeName: r.type_name,
    nullable: !r.not_null,
    autoIncrement: r.auto_increment,
    primaryKey: r.primary_key,
  }))
}

/** NOT NULL facts for result columns that come straight from a table (RowDescription's tableID/columnID). */
export async function columnNotNull(
  client: pg.Client,
  refs: { tableID: number; columnID: number }[],
): Promise<Map<string, boolean>> {
  const wanted = refs.filter((r) => r.tableID !== 0 && r.columnID > 0)
  const out = new Map<string, boolean>()
  if (wanted.length === 0) return out
  const result = await client.query<{ rel: number; num: number; not_null: boolean }>(
    `SELECT a.attrelid::int AS rel, a.attnum::int AS num, a.attnotnull AS not_null
       FROM pg_catalog.pg_attribute a
       JOIN unnest($1::oid[], $2::int2[]) AS w(rel, num) ON a.attrelid = w.rel AND a.attnum = w.num`,
    [wanted.map((r) => r.tableID), wanted.map((r) => r.columnID)],
  )
  for (const r of result.rows) out.set(`${r.rel}:${r.num}`, r.not_null)
  return out
}

/** What pg_type says about a type. */
export interface PgType {
  oid: number
  /** typname, e.g. int4, _int4, varchar, my_enum */
  name: string
  /** typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange */
  kind: string
  /** typcategory: A array, S string, N numeric, … */
  category: string
  /** Array element type (typelem) for arrays, else 0. */
  elementOid: number
  /** Base type for domains (typbasetype), else 0. */
  baseOid: number
  /** The domain's typmod (typtypmod), -1 when none. */
  baseTypmod: number
  /** Array element delimiter (typdelim of the element type; `;` for box). */
  delimiter: string
}

/** pg_type facts by oid, loaded on demand and kept for the connection's life. */
export class TypeCache {
  readonly #types = new Map<number, PgType>()

  get(oid: number): PgType | undefined {
    return this.#types.get(oid)
  }

  /** Loads `oids` and every element/base type they refer to. */
  async load(client: pg.Client, oids: number[]): Promise<void> {
    let missing = [...new Set(oids)].filter((o) => !this.#types.has(o))
    for (let round = 0; missing.length > 0 && round < 10; round++) {
      const result = await client.query<{
        oid: number
        name: string
        kind: string
        category: string
        element: number
        base: number
        base_typmod: number
        delimiter: string
      }>(
        `SELECT t.oid::int AS oid, t.typname AS name, t.typtype AS kind, t.typcategory AS category,
                t.typelem::int AS element, t.typbasetype::int AS base, t.typtypmod AS base_typmod,
                coalesce(e.typdelim, t.typdelim) AS delimiter
           FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
          WHERE t.oid = ANY($1::oid[])`,
        [missing],
      )
      const next: number[] = []
      for (const r of result.rows) {
        this.#types.set(r.oid, {
          oid: r.oid,
          name: r.name,
          kind: r.kind,
          category: r.category,
          elementOid: r.category === 'A' ? r.element : 0,
          baseOid: r.base,
          baseTypmod: r.base_typmod,
          delimiter: r.delimiter,
        })
        for (const o of [r.category === 'A' ? r.element : 0, r.base]) if (o !== 0 && !this.#types.has(o)) next.push(o)
      }
      missing = next
    }
  }
}

/** The database's current time (upstream's currentTimeOnDB), exact to the microsecond. */
export async function databaseTime(client: pg.Client, zone: string): Promise<Instant> {
  const result = await client.query<{ now: string }>('SELECT now()::text AS now')
  return parseTimestamp(result.rows[0].now, zone)
}

/** max(column) of a table as text (null when empty). */
export async function maxOf(
  client: pg.Client,
  id: TableId,
  column: string,
  quote: QuoteMethod,
): Promise<string | null> {
  const result = await client.query<{ max: string | null }>(
    `SELECT max(${quoteIdentifier(column, quote)})::text AS max FROM ${qualifiedTable(id, quote)}`,
  )
  return result.rows[0]?.max ?? null
}
