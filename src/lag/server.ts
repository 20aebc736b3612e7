// The lag exporter's HTTP side: GET /metrics (Prometheus text), GET /health, and Burrow's read API for the one
// cluster it watches — /v3/kafka, /v3/kafka/<cluster>/consumer, /v3/kafka/<cluster>/consumer/<group>/status and
// /lag — in Burrow's JSON shape (status lists only the partitions that are not OK, lag lists them all, as Burrow).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { hostname } from 'node:os'
import type { CommitSample, PartitionEvaluation } from './burrow-status.ts'
import type { ExporterHealth, ExporterView, GroupView, PartitionView } from './exporter.ts'
import type { LagMetrics } from './metrics.ts'

export interface LagServerOptions {
  clusterName: string
  metrics: LagMetrics
  view(): ExporterView | undefined
  health(): ExporterHealth
}

export function createLagServer(options: LagServerOptions): Server {
  return createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: true, message: String(error) })
      else response.end()
    })
  })
}

/** Listens on host:port; resolves with the port (useful with port 0), rejects with a message naming --port. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use: choose another with --port`)
          : new Error(`Cannot listen on ${host ?? '*'}:${port}: ${error.message}`),
      )
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

async function handle(o: LagServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const path = url.pathname.replace(/\/+$/, '') || '/'
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD')
    return json(response, 405, { error: true, message: `${request.method} is not allowed; use GET` })
  }
  if (path === '/metrics') {
    const { contentType, body } = await o.metrics.render()
    response.writeHead(200, { 'Content-Type': contentType })
    response.end(body)
    return
  }
  if (path === '/health') {
    const health = o.health()
    return json(response, 200, {
      status: health.up ? 'UP' : 'STALE',
      up: health.up,
      last_success: health.lastSuccessMs === undefined ? null : new Date(health.lastSuccessMs).toISOString(),
      last_error: health.lastError ?? null,
    })
  }
  const req = { url: url.pathname, host: hostname() }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] !== 'v3' || parts[1] !== 'kafka') {
    return json(response, 404, { error: true, message: 'not found: try /metrics, /health or /v3/kafka', request: req })
  }
  if (parts.length === 2) {
    return json(response, 200, {
      error: false,
      message: 'cluster list returned',
      clusters: [o.clusterName],
      request: req,
    })
  }
  if (parts[2] !== o.clusterName) {
    return json(response, 404, { error: true, message: 'cluster not found', request: req })
  }
  const view = o.view()
  if (parts.length === 4 && parts[3] === 'consumer') {
    const consumers = [...(view?.groups.keys() ?? [])].sort()
    return json(response, 200, { error: false, message: 'consumer list returned', consumers, request: req })
  }
  if (parts.length === 6 && parts[3] === 'consumer' && (parts[5] === 'status' || parts[5] === 'lag')) {
    const group = view?.groups.get(parts[4])
    if (!group) return json(response, 404, { error: true, message: 'cluster or consumer not found', request: req })
    const all = parts[5] === 'lag'
    return json(response, 200, {
      error: false,
      message: 'consumer status returned',
      status: burrowStatus(o.clusterName, group, all),
      request: req,
    })
  }
  return json(response, 404, { error: true, message: 'not found', request: req })
}

/** Burrow's ConsumerGroupStatus JSON for one group. */
export function burrowStatus(cluster: string, group: GroupView, allPartitions: boolean) {
  const evaluation = group.status
  const partitions = evaluation.partitions.filter((p) => allPartitions || p.evaluation.status !== 'OK')
  return {
    cluster,
    group: group.id,
    status: evaluation.status,
    complete: evaluation.complete,
    partitions: partitions.map(partitionJson),
    partition_count: evaluation.partitions.length,
    maxlag: evaluation.maxLag ? partitionJson(evaluation.maxLag) : null,
    totallag: Number(evaluation.totalLag),
  }
}

function partitionJson(p: PartitionView) {
  const e: PartitionEvaluation = p.evaluation
  return {
    topic: p.topic,
    partition: p.partition,
    owner: p.owner?.host ?? '',
    client_id: p.owner?.clientId ?? '',
    status: e.status,
    start: offsetJson(e.start),
    end: offsetJson(e.end),
    current_lag: Number(e.currentLag),
    complete: e.complete,
  }
}

function offsetJson(sample: CommitSample | undefined) {
  if (!sample) return null
  return {
    offset: Number(sample.offset),
    timestamp: sample.timestampMs,
    observedAt: sample.timestampMs,
    lag: sample.lag === undefined ? null : Number(sample.lag),
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}
