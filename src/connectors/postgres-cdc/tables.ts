// A captured table as events need it: its columns (from pgoutput's Relation message or the catalog), their
// Debezium mappings, nullability, defaults and key columns from the catalog, and the Connect schemas Debezium
// names <prefix>.<schema>.<table>.Key / .Value / .Envelope.
import type pg from 'pg'
import type { Schema } from '../../record/schema.ts'
import { type ColumnMapping, type ColumnType, mapColumnType } from './column-types.ts'
import { columnCaptured, type PostgresCdcConfig } from './config.ts'
import { envelopeSchema } from './source-info.ts'

export interface TableColumn {
  name: string
  mapping: ColumnMapping
  /** Whether this column goes into events (column.include/exclude.list). */
  captured: boolean
}

export interface TableModel {
  schema: string
  table: string
  topic: string
  /** Every column in the order of the relation (pgoutput tuples follow it). */
  columns: TableColumn[]
  /** Indexes into `columns` of the key columns, in key order. */
  keyIndexes: number[]
  keySchema: Schema | null
  valueSchema: Schema
  envelopeSchema: Schema
  /** 'd' default, 'f' full, 'n' nothing, 'i' index. */
  replicaIdentity: string
}

interface CatalogColumn {
  name: string
  notNull: boolean
  defaultText: string | null
  type: ColumnType
}

interface CatalogTable {
  columns: Map<string, CatalogColumn>
  ordered: CatalogColumn[]
  primaryKey: string[]
  replicaIdentity: string
}

/** Topic names allow [a-zA-Z0-9._-]; Debezium replaces anything else with '_'. */
export function topicFor(prefix: string, schema: string, table: string): string {
  return `${prefix}.${schema}.${table}`.replace(/[^a-zA-Z0-9._-]/g, '_')
}

async function typeOf(client: pg.Client, oid: number, typmod: number): Promise<ColumnType> {
  const r = await client.query(
    `SELECT t.oid::int AS oid, t.typname, t.typtype, t.typelem::int AS typelem, t.typbasetype::int AS typbasetype,
            t.typtypmod, t.typcategory,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
       FROM pg_type t WHERE t.oid = $1`,
    [oid],
  )
  const row = r.rows[0] as
    | {
        oid: string
        typname: string
        typtype: string
        typelem: string
        typbasetype: string
        typtypmod: string
        typcategory: string
        labels: string | null
      }
    | undefined
  if (!row) return { oid, name: String(oid), typmod }
  if (row.typtype === 'd') return typeOf(client, Number(row.typbasetype), typmod >= 0 ? typmod : Number(row.typtypmod))
  const type: ColumnType = { oid: Number(row.oid), name: row.typname, typmod }
  if (row.typtype === 'e' && row.labels) type.enumValues = parseTextArray(row.labels)
  if (row.typcategory === 'A' && Number(row.typelem) !== 0) type.element = await typeOf(client, Number(row.typelem), -1)
  return type
}

/** A text[] in text form ({a,"b c"}) → strings. */
function parseTextArray(text: string): string[] {
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|([^,{}]+)/g
  for (const m of text.slice(1, -1).matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2])
  return out
}

export async function readCatalog(client: pg.Client, schema: string, table: string): Promise<CatalogTable | null> {
  const rel = await client.query(
    `SELECT c.oid::int AS oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  )
  if (rel.rows.length === 0) return null
  const { oid, relreplident } = rel.rows[0] as { oid: string; relreplident: string }
  const cols = await client.query(
    `SELECT a.attname, a.atttypid::int AS atttypid, a.atttypmod, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  )
  const ordered: CatalogColumn[] = []
  for (const row of cols.rows as {
    attname: string
    atttypid: string
    atttypmod: string
    attnotnull: string
    def: string | null
  }[]) {
    ordered.push({
      name: row.attname,
      notNull: row.attnotnull === 't',
      defaultText: row.def,
      type: await typeOf(client, Number(row.atttypid), Number(row.atttypmod)),
    })
  }
  const pk = await client.query(
    `SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary AND a.attrelid = i.indrelid ORDER BY k.ord`,
    [oid],
  )
  return {
    columns: new Map(ordered.map((c) => [c.name, c])),
    ordered,
    primaryKey: (pk.rows as { attname: string }[]).map((r) => r.attname),
    replicaIdentity: relreplident,
  }
}

/** A column default Debezium would put in the schema: plain literals only ('x'::text, 42, true). */
function literalDefault(expression: string | null): string | null {
  if (expression === null) return null
  const quoted = /^'((?:[^']|'')*)'(?:::[\w\s."[\]()]+)?$/.exec(expression)
  if (quoted) return quoted[1].replaceAll("''", "'")
  const plain = /^\(?(-?\d+(?:\.\d+)?|true|false)\)?(?:::[\w\s."[\]()]+)?$/.exec(expression)
  return plain ? plain[1] : null
}

export interface RelationColumnSpec {
  name: string
  typeOid: number
  typeModifier: number
}

/**
 * The model of a table. `relationColumns` (from a Relation message) fix the columns and their types as the WAL has
 * them; without them (snapshot) the catalog's columns are used.
 */
export async function buildTableModel(
  client: pg.Client,
  config: PostgresCdcConfig,
  schema: string,
  table: string,
  relationColumns: RelationColumnSpec[] | null,
  replicaIdentity?: string,
): Promise<TableModel> {
  const catalog = await readCatalog(client, schema, table)
  const specs: { name: string; type: ColumnType; notNull: boolean; defaultText: string | null }[] = []
  if (relationColumns) {
    for (const c of relationColumns) {
      const known = catalog?.columns.get(c.name)
      const type =
        known && known.type.oid === c.typeOid
          ? { ...known.type, typmod: c.typeModifier }
          : await typeOf(client, c.typeOid, c.typeModifier)
      specs.push({ name: c.name, type, notNull: known?.notNull ?? false, defaultText: known?.defaultText ?? null })
    }
  } else {
    if (!catalog) throw new Error(`Table ${schema}.${table} does not exist`)
    for (const c of catalog.ordered)
      specs.push({ name: c.name, type: c.type, notNull: c.notNull, defaultText: c.defaultText })
  }
  const keyNames = config.messageKeyColumns.get(`${schema}.${table}`) ?? catalog?.primaryKey ?? []
  const columns: TableColumn[] = specs.map((s) => ({
    name: s.name,
    mapping: mapColumnType(s.type, config),
    captured: columnCaptured(config, schema, table, s.name),
  }))
  const fieldOf = (index: number) => {
    const spec = specs[index]
    const mapping = columns[index].mapping
    const field: Schema = { ...mapping.schema, optional: !spec.notNull }
    const literal = literalDefault(spec.defaultText)
    if (literal !== null) {
      try {
        field.defaultValue = mapping.convert(literal)
      } catch {
        // A default the mapping cannot read is left out, as Debezium leaves out defaults it cannot parse.
      }
    }
    return { name: spec.name, schema: field }
  }
  const keyIndexes = keyNames.map((name) => specs.findIndex((s) => s.name === name)).filter((i) => i >= 0)
  const base = `${config.topicPrefix}.${schema}.${table}`
  const valueFields = columns.flatMap((c, i) => (c.captured ? [fieldOf(i)] : []))
  const valueSchema: Schema = {
    type: 'struct',
    optional: true,
    name: `${base}.Value`,
    fields: valueFields.map((f, index) => ({ ...f, index })),
  }
  const keySchema: Schema | null =
    keyIndexes.length === 0
      ? null
      : {
          type: 'struct',
          optional: false,
          name: `${base}.Key`,
          fields: keyIndexes.map((i, index) => ({ ...fieldOf(i), index })),
        }
  return {
    schema,
    table,
    topic: topicFor(config.topicPrefix, schema, table),
    columns,
    keyIndexes,
    keySchema,
    valueSchema,
    envelopeSchema: envelopeSchema(`${base}.Envelope`, valueSchema),
    replicaIdentity: replicaIdentity ?? catalog?.replicaIdentity ?? 'd',
  }
}
