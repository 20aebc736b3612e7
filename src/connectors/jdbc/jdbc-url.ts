// Connection URLs in, the shared Postgres connection settings out: `jdbc:postgresql://host:port/db?params` (pgjdbc's
// form) and `postgres://` / `postgresql://` (libpq's form). JDBC parameters are mapped to their equivalents.
import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import type { PgConnectionSettings } from '../../postgres/connection.ts'

/** A URL's settings; `display` is the URL with any password masked. */
export interface JdbcUrlSettings extends PgConnectionSettings {
  /** Parameters we recognised but cannot honour, or did not recognise (worth a warning). */
  ignoredParams: string[]
}

const DEFAULT_PORT = 5432

/** Parses a PostgreSQL URL; throws an Error whose message says what is wrong. */
export function parseJdbcUrl(url: string): JdbcUrlSettings {
  const text = url.trim()
  if (text === '') throw new Error('connection.url must not be empty')
  let rest: string
  let libpq = false
  if (text.startsWith('jdbc:postgresql:')) rest = text.slice('jdbc:postgresql:'.length)
  else if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    rest = text.slice(text.indexOf(':') + 1)
    libpq = true
  } else if (text.startsWith('jdbc:')) {
    const kind = text.slice(5, text.indexOf(':', 5) > 0 ? text.indexOf(':', 5) : undefined)
    throw new Error(`Unsupported JDBC URL "${mask(text)}": flowscope reads PostgreSQL only, not "${kind}"`)
  } else {
    throw new Error(
      `Invalid connection.url "${mask(text)}": expected jdbc:postgresql://host:port/database or postgres://host:port/database`,
    )
  }

  const queryAt = rest.indexOf('?')
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : ''
  const main = queryAt >= 0 ? rest.slice(0, queryAt) : rest

  let user: string | undefined
  let password: string | undefined
  let host = 'localhost'
  let port = DEFAULT_PORT
  let database = ''
  const ignoredParams: string[] = []

  if (main.startsWith('//')) {
    const afterSlashes = main.slice(2)
    const slash = afterSlashes.indexOf('/')
    let authority = slash >= 0 ? afterSlashes.slice(0, slash) : afterSlashes
    database = decode(slash >= 0 ? afterSlashes.slice(slash + 1) : '')
    const at = authority.lastIndexOf('@')
    if (at >= 0) {
      const userInfo = authority.slice(0, at)
      authority = authority.slice(at + 1)
      const colon = userInfo.indexOf(':')
      user = decode(colon >= 0 ? userInfo.slice(0, colon) : userInfo)
      if (colon >= 0) password = decode(userInfo.slice(colon + 1))
    }
    // pgjdbc accepts a host list for fail-over; node-postgres connects to one host: the first.
    const hosts = authority.split(',')
    if (hosts.length > 1) ignoredParams.push(`hosts ${hosts.slice(1).join(',')}`)
    const parsed = parseHostPort(hosts[0], text)
    host = parsed.host || 'localhost'
    port = parsed.port ?? DEFAULT_PORT
  } else if (!libpq) {
    // jdbc:postgresql:database (localhost:5432)
    database = decode(main)
  }

  const settings: JdbcUrlSettings = { host, port, database, ignoredParams, display: mask(text) }
  if (user !== undefined && user !== '') settings.user = user
  if (password !== undefined) settings.password = password
  const optionParts: string[] = []
  let sslmode: string | undefined
  let ssl: string | undefined
  const tls: ConnectionOptions = {}

  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair)
    const value = decode(eq >= 0 ? pair.slice(eq + 1) : '')
    switch (key.toLowerCase()) {
      case 'user':
        settings.user = value
        break
      case 'password':
        settings.password = value
        break
      case 'ssl':
        ssl = value === '' ? 'true' : value.toLowerCase()
        break
      case 'sslmode':
        sslmode = value.toLowerCase()
        break
      case 'sslrootcert':
        tls.ca = readPem(key, value)
        break
      case 'sslcert':
        tls.cert = readPem(key, value)
        break
      case 'sslkey':
        tls.key = readPem(key, value)
        break
      case 'currentschema':
        optionParts.push(`-c search_path=${escapeOption(value)}`)
        break
      case 'applicationname':
      case 'application_name':
        settings.applicationName = value
        break
      case 'options':
        optionParts.push(value)
        break
      case 'connecttimeout':
      case 'connect_timeout':
      case 'logintimeout':
        settings.connectTimeoutMs = seconds(key, value) * 1000
        break
      case 'sockettimeout':
        if (seconds(key, value) > 0) settings.queryTimeoutMs = seconds(key, value) * 1000
        break
      case 'dbname':
        settings.database = value
        break
      case 'host':
        settings.host = value
        break
      case 'port':
        settings.port = portNumber(value, text)
        break
      default:
        ignoredParams.push(key)
    }
  }
  if (optionParts.length > 0) settings.options = optionParts.join(' ')
  const resolved = sslSetting(ssl, sslmode, tls)
  if (resolved !== undefined) settings.ssl = resolved
  return settings
}

function sslSetting(
  ssl: string | undefined,
  sslmode: string | undefined,
  tls: ConnectionOptions,
): boolean | ConnectionOptions | undefined {
  const hasMaterial = tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined
  // pgjdbc: ssl=true without sslmode means verify-full.
  const mode = sslmode ?? (ssl === 'true' ? 'verify-full' : ssl === 'false' ? 'disable' : undefined)
  switch (mode) {
    case undefined:
      return hasMaterial ? { ...tls } : undefined
    case 'disable':
    case 'allow':
    case 'prefer':
      // node-postgres cannot fall back from TLS to plain text, so allow/prefer connect without TLS.
      return false
    case 'require':
      return { ...tls, rejectUnauthorized: false }
    case 'verify-ca':
      return { ...tls, rejectUnauthorized: true, checkServerIdentity: () => undefined }
    case 'verify-full':
      return { ...tls, rejectUnauthorized: true }
    default:
      throw new Error(
        `Invalid sslmode "${mode}" in connection.url: use disable, allow, prefer, require, verify-ca or verify-full`,
      )
  }
}

function parseHostPort(hostPort: string, url: string): { host: string; port?: number } {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']')
    if (close < 0) throw new Error(`Invalid IPv6 host in connection.url "${mask(url)}"`)
    const host = hostPort.slice(1, close)
    const after = hostPort.slice(close + 1)
    return after.startsWith(':') ? { host, port: portNumber(after.slice(1), url) } : { host }
  }
  const colon = hostPort.lastIndexOf(':')
  if (colon < 0) return { host: decode(hostPort) }
  return { host: decode(hostPort.slice(0, colon)), port: portNumber(hostPort.slice(colon + 1), url) }
}

function portNumber(text: string, url: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`Invalid port "${text}" in connection.url "${mask(url)}": expected 1-65535`)
  }
  return port
}

function seconds(key: string, value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value)) throw new Error(`Invalid ${key}=${value} in connection.url: expected whole seconds`)
  return n
}

function readPem(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`Cannot read ${key} file ${path} named in connection.url: ${(error as Error).message}`)
  }
}

function escapeOption(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/ /g, '\\ ')
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The URL with passwords (user-info and `password=` parameters) replaced by `****`. */
export function mask(url: string): string {
  return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1****@').replace(/([?&]password=)[^&]*/i, '$1****')
}
