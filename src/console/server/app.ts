// The console's HTTP server: the JSON API under /api (each route validates its input and answers 4xx
// `{error_code, message}` on bad input; a part that is down answers 502 for that part only), the bundled UI, and
// the page routes (any other GET serves the UI, which routes by URL). Writes are CSRF-safe: they need the
// `X-Flowscope-Console` header (a cross-site form or a simple fetch cannot send it without a preflight, which is
// never granted), a JSON body, and an Origin, when sent, equal to this server's.
import { timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { FLOWSCOPE_VERSION } from '../../version.ts'
import type { Asset } from './assets.ts'
import type { ConnectClient, ConnectorView } from './connect.ts'
import { ApiError, badRequest, errorBody, notFound, type Part, part } from './errors.ts'
import { healthChecks } from './health-checks.ts'
import type { KafkaCluster } from './kafka.ts'
import { type LagClient, pageGroups } from './lag.ts'
import { registerBrokerRoutes } from './routes/brokers.ts'
import { registerGroupRoutes } from './routes/groups.ts'
import { registerHistoryRoutes } from './routes/history.ts'
import { registerTopicRoutes } from './routes/topics.ts'
import { buildPipeline, RateTracker } from './topology.ts'
import {
  connectorAction,
  groupQuery,
  nameParam,
  offsetChanges,
  type Query,
  restartOptions,
  type TopicQuery,
  taskParam,
  topicQuery,
} from './validation.ts'
import type { WebhookTarget } from './webhooks.ts'

export const WRITE_HEADER = 'x-flowscope-console'

export interface ConsoleParts {
  kafka: KafkaCluster[]
  connects: ConnectClient[]
  lag: LagClient | null
  prometheusUrl: string | null
  assets: Map<string, Asset>
  /** Host names the console answers to (DNS-rebinding defence for a console on localhost); absent: any. */
  allowedHostnames?: string[]
  /** Every write is refused by the server (not only hidden in the UI). */
  readOnly?: boolean
  /** Lag in seconds over which a consumer group is reported by the health checks (default 60). */
  lagSecondsThreshold?: number
  /** HTTP basic auth for every request, pages and API alike; absent: none. */
  basicAuth?: { user: string; password: string }
  /** Webhooks the health checks' state changes are sent to (routes/history.ts). */
  webhooks?: WebhookTarget[]
  /** The sample store's sizing and interval (defaults: 720 points a series, 2000 series, every 5 s). */
  history?: { capacity?: number; maxSeries?: number; intervalMs?: number }
}

/** Whether an Authorization header carries these basic-auth credentials (compared in constant time). Pure. */
export function basicAuthorized(header: string | undefined, expected: { user: string; password: string }): boolean {
  if (!header?.startsWith('Basic ')) return false
  const given = Buffer.from(Buffer.from(header.slice(6).trim(), 'base64').toString('utf8'))
  const wanted = Buffer.from(`${expected.user}:${expected.password}`)
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}

export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]']

/** Whether a Host header names one of the allowed host names (any port). Pure. */
export function hostAllowed(host: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true
  if (!host) return false
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
  return allowed.includes(name.toLowerCase())
}

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
}

/** Why a write request is refused, or null when it may go on. Pure (unit-tested). */
export function writeRefusal(headers: Record<string, string | string[] | undefined>, hasBody: boolean): string | null {
  if (headers[WRITE_HEADER] !== '1') return `writes need the header "X-Flowscope-Console: 1" (sent by the console UI)`
  const origin = headers.origin
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string
    try {
      host = new URL(origin).host
    } catch {
      return `the Origin header ${JSON.stringify(origin)} is not a URL`
    }
    if (host !== headers.host) return `cross-origin write refused: Origin ${origin} is not this console`
  } else if (origin === 'null') {
    return 'cross-origin write refused: Origin null'
  }
  const type = headers['content-type']
  if (hasBody && !(typeof type === 'string' && type.split(';')[0].trim() === 'application/json')) {
    return 'the request body must be JSON (Content-Type: application/json)'
  }
  return null
}

export function sortTopics<
  T extends { name: string; partitions: number; replication: number; underReplicated: number },
>(rows: T[], q: TopicQuery & { internalOf?: (row: T) => boolean }): { total: number; items: T[] } {
  const needle = q.search.toLowerCase()
  const filtered = rows.filter(
    (r) => (q.internal || !(q.internalOf?.(r) ?? r.name.startsWith('_'))) && r.name.toLowerCase().includes(needle),
  )
  const key = {
    name: null,
    partitions: (r: T) => r.partitions,
    replication: (r: T) => r.replication,
    under_replicated: (r: T) => r.underReplicated,
  }[q.sort]
  const direction = q.order === 'asc' ? 1 : -1
  filtered.sort((a, b) => direction * ((key ? key(a) - key(b) : 0) || a.name.localeCompare(b.name)))
  const start = (q.page - 1) * q.size
  return { total: filtered.length, items: filtered.slice(start, start + q.size) }
}

const stateCounts = (connectors: ConnectorView[]) => {
  const counts: Record<string, number> = {}
  for (const c of connectors) {
    const failedTask = c.tasks.some((t) => t.state === 'FAILED')
    const state = c.state === 'RUNNING' && failedTask ? 'DEGRADED' : c.state
    counts[state] = (counts[state] ?? 0) + 1
  }
  return counts
}

export async function createConsoleApp(parts: ConsoleParts): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  const rates = new RateTracker()

  const cluster = (raw: unknown) => {
    const name = nameParam('cluster', raw)
    const found = parts.kafka.find((k) => k.name === name)
    if (!found)
      throw notFound(
        `Kafka cluster ${JSON.stringify(name)} is not configured (known: ${parts.kafka.map((k) => k.name).join(', ')})`,
      )
    return found
  }
  const connect = (raw: unknown) => {
    const name = nameParam('Connect cluster', raw)
    const found = parts.connects.find((c) => c.name === name)
    if (!found)
      throw notFound(
        `Connect cluster ${JSON.stringify(name)} is not configured (known: ${parts.connects.map((c) => c.name).join(', ') || 'none'})`,
      )
    return found
  }
  const lag = () => {
    if (!parts.lag) throw notFound('no lag exporter is configured (start the console with --lag-exporter URL)')
    return parts.lag
  }
  const configObject = (body: unknown): Record<string, string> => {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the request body must be a JSON object of config keys to string values')
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string')
        throw badRequest(`config "${key}": values must be strings (got ${value === null ? 'null' : typeof value})`)
    }
    return { ...(body as Record<string, string>) }
  }

  app.addHook('onRequest', async (request, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v)
    // A page on another site that rebinds its DNS name to 127.0.0.1 reaches us with its own name as Host.
    if (!hostAllowed(request.headers.host, parts.allowedHostnames)) {
      return reply.code(403).send(errorBody(403, `host ${JSON.stringify(request.headers.host)} is not this console's`))
    }
    if (parts.basicAuth && !basicAuthorized(request.headers.authorization, parts.basicAuth)) {
      reply.header('WWW-Authenticate', 'Basic realm="flowscope console", charset="UTF-8"')
      return reply.code(401).send(errorBody(401, 'sign in: this console asks for a user name and password'))
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (parts.readOnly) {
        return reply.code(403).send(errorBody(403, 'the console runs in read-only mode: writes are refused'))
      }
      const hasBody =
        Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined
      const refusal = writeRefusal(request.headers, hasBody)
      if (refusal) return reply.code(403).send(errorBody(403, refusal))
    }
  })
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send(errorBody(error.status, error.message))
    const status = (error as { statusCode?: number }).statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(status, (error as Error).message))
    }
    return reply.code(500).send(errorBody(500, `internal error: ${(error as Error).message}`))
  })

  app.get('/api/config', async () => ({
    version: FLOWSCOPE_VERSION,
    clusters: parts.kafka.map((k) => ({ name: k.name, bootstrapServers: k.bootstrapServers })),
    connects: parts.connects.map((c) => ({ name: c.name, url: c.url })),
    lagExporter: parts.lag?.url ?? null,
    prometheus: parts.prometheusUrl,
    readOnly: parts.readOnly === true,
  }))

  // Where the console's own memory goes (RSS, V8 heap, memory outside it): measured by `npm run bench:console`.
  app.get('/api/process', async () => {
    const m = process.memoryUsage()
    return {
      rssBytes: m.rss,
      heapTotalBytes: m.heapTotal,
      heapUsedBytes: m.heapUsed,
      externalBytes: m.external,
      arrayBuffersBytes: m.arrayBuffers,
      uptimeSeconds: Math.round(process.uptime()),
    }
  })

  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/overview', async (request) => {
    const { overview } = await cluster(request.params.cluster).snapshot()
    return overview
  })

  app.get<{ Params: { cluster: string }; Querystring: Query }>('/api/clusters/:cluster/topics', async (request) => {
    const q = topicQuery(request.query)
    const k = cluster(request.params.cluster)
    const { topics } = await k.snapshot()
    return { ...sortTopics(topics, { ...q, internalOf: (t) => t.internal }), page: q.page, size: q.size }
  })

  const connectParts = () =>
    Promise.all(parts.connects.map(async (c) => ({ name: c.name, url: c.url, connectors: await part(c.connectors()) })))
  const connectMetrics = () => Promise.all(parts.connects.map((c) => c.metrics()))

  app.get('/api/connect', async () => ({ clusters: await connectParts() }))

  app.get<{ Params: { connect: string } }>('/api/connect/:connect/connectors', async (request) => ({
    connectors: await connect(request.params.connect).connectors(),
  }))

  app.get<{ Params: { connect: string } }>('/api/connect/:connect/plugins', async (request) =>
    connect(request.params.connect).plugins(),
  )

  app.put<{ Params: { connect: string; plugin: string } }>(
    '/api/connect/:connect/plugins/:plugin/validate',
    async (request) => {
      const c = connect(request.params.connect)
      const plugin = nameParam('plugin', request.params.plugin)
      return c.validate(plugin, configObject(request.body))
    },
  )

  app.put<{ Params: { connect: string; name: string } }>(
    '/api/connect/:connect/connectors/:name/config',
    async (request, reply) => {
      const c = connect(request.params.connect)
      const name = nameParam('connector', request.params.name)
      const config = configObject(request.body)
      if (!config['connector.class']) throw badRequest('config "connector.class" is required')
      const { status } = await c.putConfig(name, config)
      return reply.code(status === 201 ? 201 : 200).send({ name, created: status === 201 })
    },
  )

  app.get<{ Params: { connect: string; name: string } }>(
    '/api/connect/:connect/connectors/:name/offsets',
    async (request) => connect(request.params.connect).offsets(nameParam('connector', request.params.name)),
  )

  app.patch<{ Params: { connect: string; name: string } }>(
    '/api/connect/:connect/connectors/:name/offsets',
    async (request) => {
      const c = connect(request.params.connect)
      const name = nameParam('connector', request.params.name)
      return c.alterOffsets(name, offsetChanges(request.body))
    },
  )

  app.delete<{ Params: { connect: string; name: string } }>(
    '/api/connect/:connect/connectors/:name/offsets',
    async (request) => connect(request.params.connect).resetOffsets(nameParam('connector', request.params.name)),
  )

  app.post<{ Params: { connect: string; name: string; action: string } }>(
    '/api/connect/:connect/connectors/:name/:action',
    async (request) => {
      const c = connect(request.params.connect)
      const name = nameParam('connector', request.params.name)
      const action = connectorAction(request.params.action)
      const restart = action === 'restart' ? restartOptions(request.body) : undefined
      if (action !== 'restart' && request.body !== undefined && request.body !== null) {
        if (typeof request.body !== 'object' || Object.keys(request.body).length > 0) {
          throw badRequest(`${action} takes no request body`)
        }
      }
      const status = await c.act(name, action, restart)
      return { name, action, accepted: true, connect_status: status }
    },
  )

  app.post<{ Params: { connect: string; name: string; task: string } }>(
    '/api/connect/:connect/connectors/:name/tasks/:task/restart',
    async (request) => {
      const c = connect(request.params.connect)
      const name = nameParam('connector', request.params.name)
      const task = taskParam(request.params.task)
      return { name, task, accepted: true, connect_status: await c.restartTask(name, task) }
    },
  )

  app.delete<{ Params: { connect: string; name: string } }>(
    '/api/connect/:connect/connectors/:name',
    async (request) => {
      const c = connect(request.params.connect)
      const name = nameParam('connector', request.params.name)
      return { name, deleted: true, connect_status: await c.remove(name) }
    },
  )

  app.get<{ Querystring: Query }>('/api/consumers', async (request) => {
    const q = groupQuery(request.query)
    const { url, up, groups } = await lag().view()
    return { url, up, ...pageGroups(groups, q) }
  })

  app.get<{ Params: { group: string } }>('/api/consumers/:group', async (request) =>
    lag().groupLag(nameParam('group', request.params.group)),
  )

  app.get('/api/pipeline', async () => {
    const primary = parts.kafka[0]
    const [connects, lagView, snapshot, metrics] = await Promise.all([
      connectParts(),
      parts.lag ? part(parts.lag.view()) : Promise.resolve(null),
      part(primary.snapshot()),
      connectMetrics(),
    ])
    const connectInputs = connects.map((c, i) => ({
      name: c.name,
      connectors: c.connectors.ok ? c.connectors.value : null,
      metrics: metrics[i],
    }))
    const topicNames = snapshot.ok ? new Set(snapshot.value.topics.map((t) => t.name)) : null
    const pipeline = buildPipeline({
      connects: connectInputs,
      topics: topicNames,
      topicRates: new Map(),
      groups: lagView?.ok ? lagView.value.groups : null,
    })
    // Rates of the pipeline's topics from their log-end offsets, measured between refreshes.
    const shown = pipeline.nodes.filter((n) => n.kind === 'topic' && topicNames?.has(n.label)).map((n) => n.label)
    const ends = snapshot.ok ? await part(primary.endOffsets(shown)) : null
    if (ends?.ok) {
      const now = Date.now()
      for (const [topic, sum] of ends.value) rates.update(topic, sum, now)
    }
    const withRates = buildPipeline({
      connects: connectInputs,
      topics: topicNames,
      topicRates: rates.rates,
      groups: lagView?.ok ? lagView.value.groups : null,
    })
    const errors: { part: string; error: Part<unknown> & { ok: false } }[] = []
    for (const c of connects) if (!c.connectors.ok) errors.push({ part: `Connect ${c.name}`, error: c.connectors })
    if (lagView && !lagView.ok) errors.push({ part: 'lag exporter', error: lagView })
    if (!snapshot.ok) errors.push({ part: `Kafka ${primary.name}`, error: snapshot })
    return {
      ...withRates,
      lagExporter: parts.lag ? (lagView?.ok ? 'up' : 'down') : 'not configured',
      problems: errors.map((e) => ({ part: e.part, ...e.error.error })),
    }
  })

  app.get('/api/overview', async () => {
    const [clusters, connects, lagView] = await Promise.all([
      Promise.all(
        parts.kafka.map(async (k) => ({ name: k.name, overview: await part(k.snapshot().then((s) => s.overview)) })),
      ),
      connectParts(),
      parts.lag ? part(parts.lag.view()) : Promise.resolve(null),
    ])
    const groupsByStatus: Record<string, number> = {}
    if (lagView?.ok)
      for (const g of lagView.value.groups)
        groupsByStatus[g.status ?? 'UNKNOWN'] = (groupsByStatus[g.status ?? 'UNKNOWN'] ?? 0) + 1
    return {
      clusters,
      connect: connects.map((c) => ({
        name: c.name,
        connectors: c.connectors.ok ? { ok: true as const, value: stateCounts(c.connectors.value) } : c.connectors,
      })),
      consumers: lagView === null ? null : lagView.ok ? { ok: true as const, value: groupsByStatus } : lagView,
    }
  })

  app.get('/api/alerts', async () => {
    const [clusters, connects, lagView] = await Promise.all([
      Promise.all(
        parts.kafka.map(async (k) => ({ name: k.name, overview: await part(k.snapshot().then((s) => s.overview)) })),
      ),
      connectParts(),
      parts.lag ? part(parts.lag.view()) : Promise.resolve(null),
    ])
    return {
      alerts: healthChecks({ clusters, connects, lag: lagView, lagSecondsThreshold: parts.lagSecondsThreshold ?? 60 }),
    }
  })

  registerBrokerRoutes(app, parts)
  registerGroupRoutes(app, parts)
  registerTopicRoutes(app, parts)
  registerHistoryRoutes(app, parts)

  app.all('/api/*', async (request) => {
    throw notFound(`no API route ${request.method} ${request.url.split('?')[0]}`)
  })

  const sendAsset = (reply: FastifyReply, request: FastifyRequest, a: Asset) => {
    if (request.headers['if-none-match'] === a.etag) return reply.code(304).send()
    return reply.header('Content-Type', a.type).header('ETag', a.etag).header('Cache-Control', 'no-cache').send(a.body)
  }
  app.get('/assets/*', async (request, reply) => {
    const a = parts.assets.get(request.url.split('?')[0])
    if (!a) return reply.code(404).send(errorBody(404, `no asset ${request.url}`))
    return sendAsset(reply, request, a)
  })
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())
  // Every page URL serves the UI, which routes by path (deep links and the back button work).
  app.get('/*', async (request, reply) => sendAsset(reply, request, parts.assets.get('/index.html')!))
  return app
}
