// Settings + credentials in, a ready node-postgres client out: connects with connection.attempts tries spaced by
// connection.backoff.ms (upstream's CachedConnectionProvider), sets the session time zone to db.timezone, and
// turns a lost database into a RetriableError with a clear message.
import pg from 'pg'
import { RetriableError } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import type { JdbcSourceConfig } from './config.ts'
import { quoteLiteral } from './dialect.ts'
import { type PgSettings, parseJdbcUrl } from './jdbc-url.ts'

export interface ConnectOptions {
  attempts: number
  backoffMs: number
  /** Session TimeZone: how `timestamp` columns compare with the timestamptz bounds we bind. */
  zone: string
  log?: Logger
  signal?: AbortSignal
  /** Bound on each TCP connect + startup (ms). */
  connectTimeoutMs?: number
}

/** A client with a flag set when its socket died, so callers drop it instead of reusing it. */
export interface Connection {
  client: pg.Client
  broken: boolean
  settings: PgSettings
}

export function settingsFor(config: JdbcSourceConfig): PgSettings {
  const settings = parseJdbcUrl(config.connectionUrl)
  // Explicit connection.user / connection.password win over values embedded in the URL.
  if (config.connectionUser !== null && config.connectionUser !== '') settings.user = config.connectionUser
  if (config.connectionPassword !== null) settings.password = config.connectionPassword
  return settings
}

/** Waits `ms`; resolves false early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  if (ms <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
])

/** Whether an error means the database is unreachable (worth reconnecting), not that a statement is wrong. */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof RetriableError) return true
    const e = current as { code?: unknown; message?: unknown; cause?: unknown }
    const code = typeof e.code === 'string' ? e.code : ''
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true
    const message = typeof e.message === 'string' ? e.message : ''
    if (
      /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message)
    ) {
      return true
    }
    current = e.cause
  }
  return false
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0])
  const e = error as { code?: string; message?: string }
  const message = e?.message || String(error)
  return e?.code && !message.includes(e.code) ? `${e.code} ${message}` : message
}

async function connectOnce(settings: PgSettings, options: ConnectOptions): Promise<Connection> {
  const { ignoredParams: _ignored, display: _display, ...clientConfig } = settings
  const client = new pg.Client({
    ...clientConfig,
    database: settings.database === '' ? undefined : settings.database,
    connectionTimeoutMillis: settings.connectionTimeoutMillis ?? options.connectTimeoutMs ?? 30_000,
    keepAlive: true,
  })
  const connection: Connection = { client, broken: false, settings }
  client.on('error', (error) => {
    connection.broken = true
    options.log?.warn({ err: error }, 'PostgreSQL connection lost')
  })
  client.on('end', () => {
    connection.broken = true
  })
  try {
    await client.connect()
    await client.query(`SET TIME ZONE ${quoteLiteral(options.zone)}`)
  } catch (error) {
    connection.broken = true
    await client.end().catch(() => {})
    throw error
  }
  return connection
}

/**
 * Connects, trying `attempts` times with `backoffMs` between tries. Authentication or configuration errors are
 * thrown at once; when the server stays unreachable a RetriableError names the URL, the tries and the last cause.
 */
export async function openConnection(settings: PgSettings, options: ConnectOptions): Promise<Connection> {
  let lastError: unknown
  const attempts = Math.max(1, options.attempts)
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) break
    try {
      return await connectOnce(settings, options)
    } catch (error) {
      lastError = error
      if (!isConnectionError(error)) throw error
      options.log?.warn(
        { attempt, attempts, err: describe(error) },
        `Unable to connect to ${settings.display} (attempt ${attempt} of ${attempts})`,
      )
      if (attempt < attempts && !(await sleep(options.backoffMs, options.signal))) break
    }
  }
  throw new RetriableError(
    `Could not connect to ${settings.display} after ${attempts} attempt(s) with ${options.backoffMs} ms backoff: ${describe(lastError)}`,
    lastError,
  )
}

export async function closeConnection(connection: Connection | null): Promise<void> {
  if (!connection) return
  connection.broken = true
  await connection.client.end().catch(() => {})
}
