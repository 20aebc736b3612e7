// The sample consumer's HTTP side: GET /metrics (Prometheus text of its own registry) and GET /health.
import { createServer, type Server } from 'node:http'
import type { ConsumerMetrics } from './metrics.ts'

export function createConsumerServer(metrics: ConsumerMetrics, health: () => Record<string, unknown>): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/'
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' })
      return void response.end(`${request.method} is not allowed; use GET\n`)
    }
    if (path === '/metrics') {
      metrics
        .render()
        .then(({ contentType, body }) => {
          response.writeHead(200, { 'Content-Type': contentType })
          response.end(body)
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'Content-Type': 'text/plain' })
          response.end(`${String(error)}\n`)
        })
      return
    }
    if (path === '/health') {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      return void response.end(JSON.stringify(health()))
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' })
    response.end('Not found: GET /metrics or /health\n')
  })
}

/** Listens on host:port; resolves with the bound port (port 0 = any), rejects naming --metrics-port. */
export function listenOn(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} is already in use: choose another with --metrics-port (0 = any free port)`
            : `Cannot listen on ${host ?? '*'}:${port}: ${error.message}`,
        ),
      )
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
