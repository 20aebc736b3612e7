// Plain connection settings in, a ready node-postgres client out: connects with `attempts` tries spaced by
// `backoffMs` (as the JDBC source's CachedConnectionProvider does), sets the session time zone, and turns a lost
// database into a RetriableError with a clear message. Each connector maps its own config to these settings.
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import pg from 'pg'
import { RetriableError } from '../errors.ts'
import type { Logger } from '../logging.ts'
import { quoteLiteral } from './dialect.ts'

/** Where and as whom to connect. */
export interface PgConnectionSettings {
  host: string
  port: number
  /** Empty when none is named (the server then uses the user name, as libpq and pgjdbc do). */
  database: string
  user?: string
  password?: string
  /** false: plain text; true or TLS options: TLS (sslmode is mapped to these by the connector). */
  ssl?: boolean | TlsOptions
  applicationName?: string
  /** Server options sent at startup (libpq's `options`, e.g. `-c search_path=sales`). */
  options?: string
  /** Bound on each TCP connect + startup; ConnectOptions.connectTimeoutMs (or 30 s) when absent. */
  connectTimeoutMs?: number
  /** Client-side bound on each query (ms); none when absent. */
  queryTimeoutMs?: number
  /** How messages name the server (never with a password). */
  display: string
}

export interface ConnectOptions {
  attempts: number
  backoffMs: number
  /** Session TimeZone (e.g. the JDBC source's db.timezone): how `timestamp` values without a zone are read. */
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
  settings: PgConnectionSettings
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

/** node-postgres' client config for `settings`: only what is set, so the rest keeps node-postgres' defaults. */
function clientConfig(settings: PgConnectionSettings, options: ConnectOptions): pg.ClientConfig {
  const config: pg.ClientConfig = {
    host: settings.host,
    port: settings.port,
    connectionTimeoutMillis: settings.connectTimeoutMs ?? options.connectTimeoutMs ?? 30_000,
    keepAlive: true,
  }
  if (settings.database !== '') config.database = settings.database
  if (settings.user !== undefined) config.user = settings.user
  if (settings.password !== undefined) config.password = settings.password
  if (settings.ssl !== undefined) config.ssl = settings.ssl
  if (settings.applicationName !== undefined) config.application_name = settings.applicationName
  if (settings.options !== undefined) config.options = settings.options
  if (settings.queryTimeoutMs !== undefined) config.query_timeout = settings.queryTimeoutMs
  return config
}

async function connectOnce(settings: PgConnectionSettings, options: ConnectOptions): Promise<Connection> {
  const client = new pg.Client(clientConfig(settings, options))
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
 * thrown at once; when the server stays unreachable a RetriableError names the server, the tries and the last cause.
 */
export async function openConnection(settings: PgConnectionSettings, options: ConnectOptions): Promise<Connection> {
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
