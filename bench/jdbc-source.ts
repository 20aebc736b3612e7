// JDBC source read-rate helpers: build a users-shaped table with N rows fast (INSERT … SELECT generate_series), then
// compare how fast the task turns rows into records with how fast Postgres itself streams the same rows
// (COPY (SELECT …) TO STDOUT) — the physical limit measured in the same run. Run directly:
//   node bench/jdbc-source.ts [postgres-url] [rows]
import pg from 'pg'
import { JdbcSourceTask } from '../src/connectors/jdbc/source-task.ts'
import { getLogger } from '../src/logging.ts'

export interface ReadRate {
  rows: number
  seconds: number
  rowsPerSecond: number
}

/** Creates (or replaces) a table shaped like the seed's `users` with `rows` rows. */
export async function createUsersTable(url: string, table: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`)
    await client.query(`CREATE TABLE ${table} (
      id SERIAL PRIMARY KEY, name VARCHAR(256), age INTEGER,
      insert_date TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
      update_date TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)`)
    await client.query(
      `INSERT INTO ${table} (name, age, insert_date, update_date)
       SELECT 'user-' || g, 18 + g % 60, now() - g * interval '1 ms', now() - g * interval '1 ms'
         FROM generate_series(1, $1::int) g`,
      [rows],
    )
    await client.query(`ANALYZE ${table}`)
  } finally {
    await client.end()
  }
}

/**
 * COPY … TO STDOUT as a node-postgres submittable: Postgres sends one CopyData message per row; we count them and
 * drop the bytes (the cheapest way a client can receive the rows).
 */
class CopyOutCounter {
  readonly text: string
  rows = 0
  bytes = 0
  readonly done: Promise<void>
  #resolve: () => void = () => {}
  #reject: (error: unknown) => void = () => {}
  #error: unknown = null

  constructor(text: string) {
    this.text = text
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text)
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    this.rows++
    this.bytes += msg.chunk.length
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}

  handleError(error: unknown): void {
    this.#error = error
  }

  handleReadyForQuery(): void {
    if (this.#error) this.#reject(this.#error)
    else this.#resolve()
  }
}

/** Rows per second Postgres streams the table as text (COPY (SELECT …) TO STDOUT), bytes discarded. */
export async function copyRate(url: string, table: string): Promise<ReadRate> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const started = process.hrtime.bigint()
    const copy = new CopyOutCounter(`COPY (SELECT * FROM ${table} ORDER BY id) TO STDOUT`)
    client.query(copy as unknown as pg.Submittable)
    await copy.done
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    return { rows: copy.rows, seconds, rowsPerSecond: copy.rows / seconds }
  } finally {
    await client.end()
  }
}

/** Rows per second the task reads the table in incrementing mode (records built, nothing sent). */
export async function taskReadRate(url: string, table: string, batchMaxRows = 1000): Promise<ReadRate> {
  const task = new JdbcSourceTask()
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  const { rows: dbRows } = await db.query<{ db: string; n: string }>(
    `SELECT current_database() AS db, count(*)::text AS n FROM ${table}`,
  )
  await db.end()
  const expected = Number(dbRows[0].n)
  await task.start(
    {
      'connection.url': url,
      'topic.prefix': 'bench-',
      mode: 'incrementing',
      'poll.interval.ms': '0',
      'batch.max.rows': String(batchMaxRows),
      tables: JSON.stringify([[dbRows[0].db, 'public', table]]),
    },
    {
      connectorName: 'bench',
      taskId: 0,
      log: getLogger('flowscope.bench.jdbc'),
      offsetReader: { offsets: async (partitions) => partitions.map(() => null) },
      pipeline: { rowsRead: () => {}, pendingRows: () => {}, pollError: () => {} },
    },
  )
  const signal = new AbortController().signal
  const started = process.hrtime.bigint()
  let read = 0
  try {
    while (read < expected) read += (await task.poll(signal)).length
  } finally {
    await task.stop()
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { rows: read, seconds, rowsPerSecond: read / seconds }
}

if (import.meta.main) {
  const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const rows = Number(process.argv[3] ?? 200_000)
  const table = 'bench_jdbc_users'
  await createUsersTable(url, table, rows)
  const limit = await copyRate(url, table)
  const task = await taskReadRate(url, table)
  const fmt = (r: ReadRate) =>
    `${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s (${r.rows} rows in ${r.seconds.toFixed(2)} s)`
  console.log(`COPY TO STDOUT (limit): ${fmt(limit)}`)
  console.log(`JDBC source task:       ${fmt(task)}`)
  console.log(`ratio task/limit:       ${(task.rowsPerSecond / limit.rowsPerSecond).toFixed(2)}`)
  console.log(`heap used after:        ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB`)
}
