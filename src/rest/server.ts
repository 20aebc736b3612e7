// The worker's REST API (Kafka Connect's paths, status codes and JSON entities) on Fastify, over the Herder.
// In: HTTP requests; out: Connect entities, or `{"error_code", "message"}` for every failure, Fastify's own included.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { badRequest, ErrorCodes, FlowscopeError, messageOf, RequestTargetError } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { Herder } from '../runtime/herder.ts'
import {
  errorBody,
  METHOD_NOT_ALLOWED_MESSAGE,
  NOT_FOUND_MESSAGE,
  toErrorBody,
  UNSUPPORTED_MEDIA_TYPE_MESSAGE,
} from './errors.ts'
import { forwardRequest } from './forward.ts'
import { keepRawBody } from './request.ts'
import { RouteTable } from './route-table.ts'
import { connectorPluginRoutes } from './routes/connector-plugins.ts'
import { connectorRoutes } from './routes/connectors.ts'
import { type LoggerControl, loggerRoutes, processLoggers } from './routes/loggers.ts'
import { type MetricsSource, metricsRoutes } from './routes/metrics.ts'
import { rootRoutes } from './routes/root.ts'

export interface RestServerOptions {
  herder: Herder
  host: string
  port: number
  maxBodyBytes: number
  metrics?: MetricsSource
  loggers?: LoggerControl
  /** How long a /connectors request waits for start-up before a 500 (Connect's REST request timeout, 90 s). */
  startupWaitMs?: number
}

export const STARTUP_WAIT_MS = 90_000

const log = getLogger('flowscope.rest')

/** The configured server, routes registered, not yet listening (use `inject()` or `listen()`). */
export function createRestServer(options: RestServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error, _request, reply) => {
      const body = toErrorBody(error, options.maxBodyBytes)
      // The option is generic over the route's reply schema; this answer is outside any route.
      ;(reply as unknown as FastifyReply).code(body.error_code).send(body)
    },
  })

  const routes = new RouteTable()
  app.addHook('onRoute', (route) => routes.add(route.method, route.url))

  parseBodies(app)

  // As Connect's herder thread: /connectors requests, reads included, wait until start-up has read the internal
  // topics, so none answers from half-read stores (e.g. an empty list).
  const startupWaitMs = options.startupWaitMs ?? STARTUP_WAIT_MS
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.url?.startsWith('/connectors')) return
    await waitForStartup(options.herder, startupWaitMs)
    // Reads answer from this worker's view once it has read the config topic to its end: a change just made
    // through another worker of the group (e.g. the leader) is seen.
    if (request.method === 'GET') await options.herder.catchUp?.()
  })

  app.setErrorHandler((error, request, reply) => {
    // Another worker of the group must handle it (the leader, or the worker running the task): forwarded there.
    if (error instanceof RequestTargetError) return forwardRequest(error, request, reply)
    const body = toErrorBody(error, options.maxBodyBytes)
    if (body.error_code >= 500) log.error({ err: error, method: request.method, url: request.url }, 'REST call failed')
    else log.debug({ method: request.method, url: request.url, status: body.error_code }, body.message)
    return reply.code(body.error_code).send(body)
  })

  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.methodsFor(request.url)
    if (allowed.length === 0) return reply.code(404).send(errorBody(404, NOT_FOUND_MESSAGE))
    return reply.code(405).header('allow', allowed.join(', ')).send(errorBody(405, METHOD_NOT_ALLOWED_MESSAGE))
  })

  rootRoutes(app, options.herder)
  connectorRoutes(app, options.herder)
  connectorPluginRoutes(app, options.herder)
  loggerRoutes(app, options.loggers ?? processLoggers)
  if (options.metrics) metricsRoutes(app, options.metrics)
  return app
}

async function waitForStartup(herder: Herder, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new FlowscopeError(
            ErrorCodes.STARTUP,
            `Request timed out: the worker is still starting up (reading its internal topics) after ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    )
  })
  try {
    await Promise.race([herder.whenStarted(), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/** Starts listening; `url` is where clients reach it (the real port when `port` is 0). */
export async function startRestServer(options: RestServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = createRestServer(options)
  await app.listen({ host: options.host, port: options.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  log.info({ url: `http://${host}:${port}` }, 'REST API listening')
  return { url: `http://${host}:${port}`, close: () => app.close() }
}

/**
 * JSON only (`application/json`, `application/*+json`), as Connect's resources consume; an empty body is "no body"
 * whatever its type, any other non-empty body is 415. Keys named `__proto__` are refused.
 */
function parseBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  const parseJson = (request: object, body: Buffer, done: (error: Error | null, body?: unknown) => void) => {
    keepRawBody(request, body)
    const text = body.toString('utf8')
    if (text.trim() === '') return done(null, undefined)
    let parsed: unknown
    try {
      parsed = JSON.parse(text, refuseProto)
    } catch (error) {
      return done(badRequest(`Request body is not valid JSON: ${messageOf(error)}`))
    }
    done(null, parsed)
  }
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJson)
  app.addContentTypeParser(/^application\/[\w.-]+\+json(\s*;|$)/i, { parseAs: 'buffer' }, parseJson)
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) return done(null, undefined)
    const error = Object.assign(new Error(UNSUPPORTED_MEDIA_TYPE_MESSAGE), { statusCode: 415 })
    done(error)
  })
}

function refuseProto(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('the key "__proto__" is not allowed')
  return value
}
