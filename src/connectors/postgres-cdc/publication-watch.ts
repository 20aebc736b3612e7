// The publication pgoutput streams, checked while the task streams. PostgreSQL (18) decodes on when a publication
// named in START_REPLICATION is dropped (it skips it, with a WARNING in the server log only) and sends nothing for
// a table removed from the publication: either way changes would stop arriving while the task looks healthy. The
// check fails the task instead, naming what changed.
import type pg from 'pg'
import { ErrorCodes, FlowscopeError } from '../../errors.ts'
import { isConnectionError } from '../../postgres/connection.ts'
import type { TableName } from './publication.ts'

/** How often the publication is checked: changes made after it lost a table are missed until the task fails. */
export const PUBLICATION_CHECK_INTERVAL_MS = 2000

const qualifiedName = (t: TableName) => `${t.schema}.${t.table}`

/** The captured tables the publication holds (all of them for FOR ALL TABLES); null when it does not exist. */
async function publishedTables(client: pg.Client, publication: string): Promise<Set<string> | null> {
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])
  if (exists.rows.length === 0) return null
  const r = await client.query('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [
    publication,
  ])
  return new Set((r.rows as { schemaname: string; tablename: string }[]).map((t) => `${t.schemaname}.${t.tablename}`))
}

/** Which of the `schema.table` names still name a table. */
async function stillExisting(client: pg.Client, names: string[]): Promise<string[]> {
  if (names.length === 0) return []
  const parts = names.map((n) => {
    const dot = n.indexOf('.')
    return [n.slice(0, dot), n.slice(dot + 1)]
  })
  const r = await client.query(
    `SELECT s || '.' || t AS name FROM unnest($1::text[], $2::text[]) AS x(s, t)
      WHERE to_regclass(quote_ident(s) || '.' || quote_ident(t)) IS NOT NULL`,
    [parts.map((p) => p[0]), parts.map((p) => p[1])],
  )
  return (r.rows as { name: string }[]).map((row) => row.name)
}

export class PublicationWatch {
  readonly #publication: string
  /** Captured tables that were in the publication when streaming started. */
  readonly #watched: string[]
  #nextCheckAt = 0

  private constructor(publication: string, watched: string[]) {
    this.#publication = publication
    this.#watched = watched
  }

  /** Watches the captured tables the publication holds now (set up by ensurePublication, or the user's own). */
  static async start(client: pg.Client, publication: string, captured: TableName[]): Promise<PublicationWatch> {
    const published = (await publishedTables(client, publication)) ?? new Set<string>()
    return new PublicationWatch(
      publication,
      captured.map(qualifiedName).filter((t) => published.has(t)),
    )
  }

  /**
   * Throws when the publication is gone or lost a watched table; checks at most every PUBLICATION_CHECK_INTERVAL_MS.
   * A lost connection is left to the task's reconnect (the check runs again on the next connection).
   */
  async verify(client: pg.Client): Promise<void> {
    if (Date.now() < this.#nextCheckAt) return
    this.#nextCheckAt = Date.now() + PUBLICATION_CHECK_INTERVAL_MS
    let published: Set<string> | null
    let removed: string[] = []
    try {
      const tables = await publishedTables(client, this.#publication)
      published = tables
      // A dropped (or renamed) table leaves the publication with it: that is not the publication's doing.
      if (tables)
        removed = await stillExisting(
          client,
          this.#watched.filter((t) => !tables.has(t)),
        )
    } catch (error) {
      if (isConnectionError(error)) return
      throw error
    }
    if (published === null) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `publication "${this.#publication}" does not exist (dropped while streaming): PostgreSQL streams no change ` +
          'through a missing publication. Changes made since were not captured; restart the task (publication.autocreate.mode ' +
          'filtered/all_tables creates it again) and take a new snapshot to recover them.',
      )
    }
    if (removed.length > 0) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `Table(s) ${removed.join(', ')} no longer in publication ${this.#publication} (removed while streaming): ` +
          'PostgreSQL streams none of their changes. Changes made since were not captured; add them back (ALTER ' +
          `PUBLICATION ${this.#publication} ADD TABLE …, or restart the task with publication.autocreate.mode=filtered) ` +
          'and take a new snapshot to recover them.',
      )
    }
  }
}
