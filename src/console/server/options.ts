// The console's command-line options, parsed and checked (pure): Kafka clusters and Connect clusters, each
// `[NAME=]ADDRESS` and repeatable, the lag exporter, Prometheus, and where to listen.

export const DEFAULT_CONSOLE_PORT = 9021

export interface ConsoleOptions {
  port: number
  host: string
  kafka: { name: string; bootstrapServers: string[] }[]
  connects: { name: string; url: string }[]
  lagExporter: string | null
  prometheus: string | null
  readOnly: boolean
  lagSecondsThreshold: number
  basicAuth: { user: string; password: string } | null
  /** Where the health checks' firing and resolved notifications go. */
  webhooks: { url: string; kind: 'generic' | 'slack' }[]
}

export interface RawConsoleOptions {
  port?: string
  host?: string
  kafka?: string[]
  connect?: string[]
  'lag-exporter'?: string
  'no-lag-exporter'?: boolean
  prometheus?: string
  'read-only'?: boolean
  'lag-seconds-threshold'?: string
  'basic-auth-user'?: string
  webhook?: string[]
  'slack-webhook'?: string[]
}

const NAME = /^[\w.-]{1,64}$/

function named(flag: string, raw: string, index: number, fallback: string): { name: string; value: string } {
  const eq = raw.indexOf('=')
  // A URL's query may hold '=': only a prefix before "://" or a host list counts as a name.
  const prefix = eq > 0 ? raw.slice(0, eq) : ''
  if (eq > 0 && !prefix.includes('/') && !prefix.includes(':')) {
    if (!NAME.test(prefix))
      throw new Error(`${flag} ${raw}: the name "${prefix}" may use letters, digits, '.', '_' and '-' (at most 64)`)
    return { name: prefix, value: raw.slice(eq + 1) }
  }
  return { name: index === 0 ? fallback : `${fallback}-${index + 1}`, value: raw }
}

function httpUrl(flag: string, raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new Error(`${flag} ${raw}: not a URL; give e.g. http://localhost:8083`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${flag} ${raw}: use an http:// or https:// URL`)
  return raw.replace(/\/+$/, '')
}

/** The `--webhook` and `--slack-webhook` URLs (`flowscope console` and `flowscope up` take both). */
export function webhookTargets(raw: Pick<RawConsoleOptions, 'webhook' | 'slack-webhook'>): ConsoleOptions['webhooks'] {
  return [
    ...(raw.webhook ?? []).map((url) => ({ url: httpUrl('--webhook', url), kind: 'generic' as const })),
    ...(raw['slack-webhook'] ?? []).map((url) => ({ url: httpUrl('--slack-webhook', url), kind: 'slack' as const })),
  ]
}

export function parseConsoleOptions(raw: RawConsoleOptions, env: NodeJS.ProcessEnv = {}): ConsoleOptions {
  let port = DEFAULT_CONSOLE_PORT
  if (raw.port !== undefined) {
    port = Number(raw.port)
    if (!/^\d+$/.test(raw.port) || port > 65_535)
      throw new Error(`--port ${raw.port}: expected a port number from 0 to 65535`)
  }
  const kafkaRaw = raw.kafka?.length ? raw.kafka : [env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092']
  const kafka = kafkaRaw.map((entry, i) => {
    const { name, value } = named('--kafka', entry, i, 'local')
    const servers = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (servers.length === 0 || servers.some((s) => !/^[^:\s/]+:\d{1,5}$/.test(s))) {
      throw new Error(`--kafka ${entry}: expected [NAME=]host:port[,host:port...], e.g. local=localhost:9092`)
    }
    return { name, bootstrapServers: servers }
  })
  const connectRaw = raw.connect?.length ? raw.connect : ['http://localhost:8083']
  const connects = connectRaw.map((entry, i) => {
    const { name, value } = named('--connect', entry, i, 'connect-default')
    return { name, url: httpUrl('--connect', value) }
  })
  for (const list of [kafka, connects]) {
    const seen = new Set<string>()
    for (const { name } of list) {
      if (seen.has(name))
        throw new Error(`the name "${name}" is given twice: name each cluster, e.g. --connect east=http://...`)
      seen.add(name)
    }
  }
  const lagExporter = raw['no-lag-exporter']
    ? null
    : httpUrl('--lag-exporter', raw['lag-exporter'] ?? 'http://localhost:8000')
  const prometheus = raw.prometheus ? httpUrl('--prometheus', raw.prometheus) : null
  let lagSecondsThreshold = 60
  const threshold = raw['lag-seconds-threshold']
  if (threshold !== undefined) {
    lagSecondsThreshold = Number(threshold)
    if (threshold.trim() === '' || !Number.isFinite(lagSecondsThreshold) || lagSecondsThreshold < 0) {
      throw new Error(`--lag-seconds-threshold ${threshold}: expected a number of seconds ≥ 0, e.g. 60`)
    }
  }
  let basicAuth: ConsoleOptions['basicAuth'] = null
  const user = raw['basic-auth-user']
  if (user !== undefined) {
    if (user === '' || user.includes(':')) throw new Error(`--basic-auth-user ${user}: give a user name without ':'`)
    // The password comes from the environment, never from the command line (visible in `ps`).
    const password = env.FLOWSCOPE_CONSOLE_PASSWORD
    if (!password) throw new Error('--basic-auth-user needs the password in FLOWSCOPE_CONSOLE_PASSWORD')
    basicAuth = { user, password }
  }
  const webhooks = webhookTargets(raw)
  return {
    port,
    host: raw.host ?? 'localhost',
    kafka,
    connects,
    lagExporter,
    prometheus,
    readOnly: raw['read-only'] === true,
    lagSecondsThreshold,
    basicAuth,
    webhooks,
  }
}
