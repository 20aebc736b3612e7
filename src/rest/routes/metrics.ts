// GET /metrics: the worker's Prometheus exposition (OpenMetrics when the scraper's Accept header asks for it).
import type { FastifyInstance } from 'fastify'

export interface MetricsSource {
  render(accept?: string): Promise<{ contentType: string; body: string }>
}

export function metricsRoutes(app: FastifyInstance, metrics: MetricsSource): void {
  app.get('/metrics', async (request, reply) => {
    const { contentType, body } = await metrics.render(request.headers.accept)
    return reply.type(contentType).send(body)
  })
}
