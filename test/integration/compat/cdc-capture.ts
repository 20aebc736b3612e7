// The differential CDC test's fixed input and capture: a table with every common Postgres type, rows that exist
// before a connector starts (its snapshot), a fixed script of changes (its stream), the Debezium-style connector
// config both connectors get, and reads of the change topic and of Connect's offsets topic with kcat. Also the
// transaction-metadata run's input: three tables and a script of multi-table transactions.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { CapturedEvent } from '../../support/cdc-event-diff.ts'
import { testStack } from '../../support/stack.ts'
import { sql } from '../worker/helpers.ts'

const run = promisify(execFile)

export const DEBEZIUM_CLASS = 'io.debezium.connector.postgresql.PostgresConnector'
export const FLOWSCOPE_CDC_CLASS = 'io.flowscope.connect.postgres.PostgresCdcConnector'

/** `ALTER TABLE … ADD COLUMN` in the script adds this column. */
export const ADDED_COLUMN = 'c_added'

/** The enum type the table's `c_enum` column uses (one per test run, shared by the tables of that run). */
export async function createEnum(name: string): Promise<void> {
  await sql(`CREATE TYPE ${name} AS ENUM ('new', 'shipped', 'returned')`)
}

/** The contrib extensions whose types the table has (shipped with PostgreSQL; Debezium maps their types). */
export async function createExtensions(): Promise<void> {
  for (const extension of ['hstore', 'ltree', 'citext']) await sql(`CREATE EXTENSION IF NOT EXISTS ${extension}`)
}

export async function createTypesTable(table: string, enumType: string): Promise<void> {
  await sql(`CREATE TABLE ${table} (
    id integer PRIMARY KEY,
    c_int2 smallint, c_int4 integer, c_int8 bigint, c_float4 real, c_float8 double precision,
    c_numeric numeric(12, 3), c_numeric_any numeric, c_money money, c_bool boolean,
    c_text text, c_varchar varchar(40), c_char char(5),
    c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval,
    c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea, c_enum ${enumType},
    c_int_array integer[], c_text_array text[],
    c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
    c_int4range int4range, c_int8range int8range, c_numrange numrange, c_tsrange tsrange, c_tstzrange tstzrange,
    c_daterange daterange, c_point point, c_tsvector tsvector, c_hstore hstore, c_ltree ltree, c_citext citext,
    c_big text
  )`)
  // Uncompressed out-of-line storage: the 12.8 kB value is TOASTed, so an update that leaves it alone does not send it.
  await sql(`ALTER TABLE ${table} ALTER COLUMN c_big SET STORAGE EXTERNAL`)
}

/** An INSERT of a row whose every column is set, with values that vary with `id`. */
function insertFull(table: string, id: number, extra = ''): string {
  return `INSERT INTO ${table} (id, c_int2, c_int4, c_int8, c_float4, c_float8, c_numeric, c_numeric_any, c_money,
      c_bool, c_text, c_varchar, c_char, c_date, c_time, c_timetz, c_timestamp, c_timestamptz, c_interval, c_uuid,
      c_json, c_jsonb, c_bytea, c_enum, c_int_array, c_text_array, c_inet, c_cidr, c_macaddr, c_macaddr8, c_int4range,
      c_int8range, c_numrange, c_tsrange, c_tstzrange, c_daterange, c_point, c_tsvector, c_hstore, c_ltree, c_citext,
      c_big${extra ? `, ${ADDED_COLUMN}` : ''})
    VALUES (${id}, ${id}, -${id}00000, ${id}000000000000, ${id}.25, -${id}.125e10, ${id}234.567, ${id}.000100200300,
      '${id}2.34', ${id % 2 === 0}, 'text ${id} ''quoted'' é', 'varchar ${id}', 'ch${id}',
      '2024-0${id}-1${id}', '1${id}:34:56.789012', '0${id}:02:03.5+05:30', '2024-05-06 07:08:09.12345${id}',
      '2024-05-06 07:08:09.12345${id}+02', '1 year ${id} months 3 days 04:05:06.7', '00000000-0000-4000-8000-00000000000${id}',
      '{"id": ${id}, "tags": ["a", "b"]}', '{"id": ${id}, "nested": {"k": null}}', '\\x0${id}ff', 'shipped',
      '{${id}, 2, NULL}', '{"a ${id}", NULL, "c,d"}', '192.168.${id}.1/24', '10.${id}.0.0/16', '08:00:2b:01:02:0${id}',
      '08:00:2b:01:02:03:04:0${id}', '[${id},1${id})', '(${id}0000000000,)', '[${id}.5,${id}0.25]',
      '[2024-01-0${id} 10:00,2024-02-01)', '[2024-01-0${id} 10:00+02,)', '[2024-01-0${id},2024-01-2${id}]',
      '(${id}.5,-${id}.25)', 'the quick brown fox ${id}', '"a"=>"${id}", "b"=>NULL, "key ${id}"=>"say \\"hi\\"", "zz"=>""',
      'Top.Science.N${id}', 'MiXeD Case ${id}', repeat(md5('${id}'), 400)${extra ? `, ${extra}` : ''})`
}

/** The rows in the table before a connector starts: read by its snapshot (op `r`). */
export async function insertInitialRows(table: string): Promise<void> {
  await sql(`${insertFull(table, 1)}; ${insertFull(table, 2)}`)
  await sql(`INSERT INTO ${table} (id) VALUES (3)`)
}

/** The snapshot's events: one `r` per initial row. */
export const SNAPSHOT_OPS = ['r', 'r', 'r']

/** The script of changes, each string one transaction, run after the snapshot. */
export function changeScript(table: string): string[] {
  return [
    insertFull(table, 4),
    // Leaves the TOASTed c_big alone: pgoutput sends it as "unchanged", Debezium as its placeholder.
    `UPDATE ${table} SET c_int4 = c_int4 + 1, c_text = 'updated', c_numeric = -0.5 WHERE id = 1`,
    `UPDATE ${table} SET c_big = repeat(md5('2b'), 400), c_jsonb = '[1, 2]', c_enum = 'returned',
       c_hstore = c_hstore || '"new"=>"1"', c_point = '(0,0)', c_inet = '::1' WHERE id = 2`,
    `DELETE FROM ${table} WHERE id = 3`,
    `ALTER TABLE ${table} ADD COLUMN ${ADDED_COLUMN} integer`,
    insertFull(table, 5, '42'),
    `UPDATE ${table} SET ${ADDED_COLUMN} = 7 WHERE id = 4`,
    // One transaction of many rows, with a key change (Debezium: delete, tombstone, create).
    `BEGIN;
     ${insertFull(table, 6, '6')};
     ${insertFull(table, 7, '7')};
     UPDATE ${table} SET c_text = NULL, c_bool = NULL WHERE id = 6;
     DELETE FROM ${table} WHERE id = 7;
     UPDATE ${table} SET id = 10 WHERE id = 1;
     COMMIT`,
  ]
}

/** The script's events in order; `T` is a tombstone. */
export const SCRIPT_OPS = ['c', 'u', 'u', 'd', 'T', 'c', 'u', 'c', 'c', 'u', 'd', 'T', 'd', 'T', 'c']

export async function applyChangeScript(table: string): Promise<void> {
  for (const statement of changeScript(table)) await sql(statement)
}

export interface CdcNames {
  table: string
  prefix: string
  slot: string
  publication: string
}

/** The config both connectors get: Debezium's keys, pgoutput, a filtered publication, JsonConverter with schemas. */
export function cdcConfig(connectorClass: string, names: CdcNames): Record<string, string> {
  const url = new URL(testStack().postgresUrl)
  return {
    'connector.class': connectorClass,
    'tasks.max': '1',
    'database.hostname': url.hostname,
    'database.port': url.port,
    'database.user': decodeURIComponent(url.username) || 'postgres',
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1) || 'postgres',
    'topic.prefix': names.prefix,
    'plugin.name': 'pgoutput',
    'slot.name': names.slot,
    'publication.name': names.publication,
    'publication.autocreate.mode': 'filtered',
    'snapshot.mode': 'initial',
    'table.include.list': `public.${names.table}`,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  }
}

export function changeTopic(names: CdcNames): string {
  return `${names.prefix}.public.${names.table}`
}

interface KcatMessage {
  topic: string
  key: string | null
  payload: string | null
}

/** Every record of `topic` from the beginning (kcat -J), key and value parsed; [] when the topic does not exist. */
export async function readEvents(topic: string): Promise<CapturedEvent[]> {
  try {
    const { stdout } = await run(
      'kcat',
      ['-b', testStack().bootstrapServers, '-t', topic, '-C', '-o', 'beginning', '-e', '-q', '-J'],
      // kcat exits 0 on SIGTERM, which would pass a timed-out, truncated read off as complete: kill it hard.
      { timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
    )
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const message = JSON.parse(line) as KcatMessage
        return {
          topic: message.topic,
          key: message.key === null ? null : (JSON.parse(message.key) as unknown),
          value: message.payload === null ? null : (JSON.parse(message.payload) as unknown),
        }
      })
  } catch (error) {
    if (/Unknown topic|not available|UNKNOWN_TOPIC/i.test(String((error as { stderr?: string }).stderr ?? error))) {
      return []
    }
    throw error
  }
}

/** `c`/`u`/`d`/`r` of each event, `T` for a tombstone. */
export function opsOf(events: CapturedEvent[]): string[] {
  return events.map((event) => (event.value === null ? 'T' : String(payloadOf(event).op)))
}

/** The envelope payload of a change event (not a tombstone). */
export function payloadOf(event: CapturedEvent): Record<string, unknown> & {
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  source: Record<string, unknown>
} {
  const value = event.value as { payload?: unknown } | null
  if (!value?.payload) throw new Error(`not a change event: ${JSON.stringify(event.value)?.slice(0, 300)}`)
  return value.payload as ReturnType<typeof payloadOf>
}

/** The last value Connect's offsets topic holds for a source partition `{"server": prefix}` of `connector`. */
export async function committedOffset(
  offsetsTopic: string,
  connector: string,
  prefix: string,
): Promise<Record<string, unknown> | undefined> {
  const wanted = JSON.stringify([connector, { server: prefix }])
  let last: Record<string, unknown> | undefined
  for (const record of await readEvents(offsetsTopic)) {
    if (JSON.stringify(record.key) === wanted) last = (record.value ?? undefined) as Record<string, unknown> | undefined
  }
  return last
}

/** Drops a replication slot once no connection holds it (a stopped connector's task may still be closing). */
export async function dropSlot(slot: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { rows } = await sql('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])
    if (rows.length === 0) return
    if (!rows[0].active) {
      await sql('SELECT pg_drop_replication_slot($1)', [slot])
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`replication slot ${slot} is still active: it was not dropped and retains WAL`)
}

/** The transaction-metadata run: three tables of its own per connector, and what both connectors are given. */
export interface TxNames extends CdcNames {
  /** The three captured tables; `table` is the first. */
  tables: [string, string, string]
}

export async function createTxTables(names: TxNames): Promise<void> {
  // hstore under hstore.handling.mode=map here (the types table has the default, json).
  for (const table of names.tables) await sql(`CREATE TABLE ${table} (id integer PRIMARY KEY, v text, h hstore)`)
  // One row for the snapshot: snapshot reads carry no transaction block and make no BEGIN/END.
  await sql(`INSERT INTO ${names.tables[0]} VALUES (0, 'snapshot')`)
}

/**
 * Each string one transaction over the three tables, with a delete, a key change (two events, one change) and a
 * truncate (an event too, with skipped.operations=none).
 */
export function txScript([a, b, c]: TxNames['tables']): string[] {
  return [
    `BEGIN;
     INSERT INTO ${a} VALUES (1, 'a1', '"x"=>"1", "y"=>NULL, "key"=>"v"'); INSERT INTO ${b} VALUES (1, 'b1');
     INSERT INTO ${a} VALUES (2, 'a2'); INSERT INTO ${c} VALUES (1, 'c1', ''); UPDATE ${a} SET v = 'a1 updated' WHERE id = 1;
     COMMIT`,
    `BEGIN; DELETE FROM ${b} WHERE id = 1; UPDATE ${a} SET id = 20 WHERE id = 2; COMMIT`,
    `BEGIN; INSERT INTO ${c} VALUES (2, 'c2'); TRUNCATE ${c}; COMMIT`,
  ]
}

/** Per table, the script's events after the snapshot's (`T` a tombstone); and the transaction topic's. */
export const TX_TABLE_OPS: [string[], string[], string[]] = [
  ['r', 'c', 'c', 'u', 'd', 'T', 'c'],
  ['c', 'd', 'T'],
  ['c', 'c', 't'],
]
export const TX_STATUSES = ['BEGIN', 'END', 'BEGIN', 'END', 'BEGIN', 'END']

export function txConfig(connectorClass: string, names: TxNames): Record<string, string> {
  return {
    ...cdcConfig(connectorClass, names),
    'table.include.list': names.tables.map((t) => `public.${t}`).join(','),
    'provide.transaction.metadata': 'true',
    'skipped.operations': 'none',
    'hstore.handling.mode': 'map',
  }
}

export function transactionTopicOf(names: CdcNames): string {
  return `${names.prefix}.transaction`
}
