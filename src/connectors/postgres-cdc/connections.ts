// Connections to the captured database: ordinary ones (catalog, snapshot, slot administration) and the replication
// one. Every session runs with the settings the text parsers of column-types.ts rely on, and values come back as
// PostgreSQL's text (no node-postgres type parsing), exactly as pgoutput sends them.
import pg from 'pg'
import type { PostgresCdcConfig } from './config.ts'

/** Session settings: UTC instants, ISO dates, postgres-style intervals, round-trip floats. */
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3'

const rawText = { getTypeParser: () => (value: string) => value }

export type ConnectionSettings = Pick<
  PostgresCdcConfig,
  'hostname' | 'port' | 'user' | 'password' | 'dbname' | 'sslmode' | 'connectTimeoutMs'
>

export function clientConfig(config: ConnectionSettings, replication = false): pg.ClientConfig {
  const ssl =
    config.sslmode === 'require'
      ? { rejectUnauthorized: false }
      : config.sslmode === 'verify-ca' || config.sslmode === 'verify-full'
        ? { rejectUnauthorized: true }
        : false
  return {
    host: config.hostname,
    port: config.port,
    user: config.user,
    password: config.password ?? undefined,
    database: config.dbname,
    ssl,
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
    options: SESSION_OPTIONS,
    types: rawText,
    application_name: replication ? 'flowscope-cdc-replication' : 'flowscope-cdc',
    ...(replication ? { replication: 'database' } : {}),
  } as pg.ClientConfig
}

/** An ordinary connection; closed by the caller. */
export async function connect(config: ConnectionSettings): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(config))
  // An error event without a listener would crash the process; the next query reports it instead.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
  return client
}

export async function closeQuietly(client: pg.Client | null | undefined): Promise<void> {
  await client?.end().catch(() => {})
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
