// GET / (worker version and Kafka cluster id) and GET /health (KIP-1017: 200 healthy, 503 starting, 500 unhealthy).
import type { FastifyInstance } from 'fastify'
import type { HealthStatus, Herder } from '../../runtime/herder.ts'

const healthStatusCode: Record<HealthStatus['status'], number> = { healthy: 200, starting: 503, unhealthy: 500 }

export function rootRoutes(app: FastifyInstance, herder: Herder): void {
  app.get('/', async () => herder.serverInfo())

  app.get('/health', async (_request, reply) => {
    const health = herder.health()
    return reply.code(healthStatusCode[health.status] ?? 500).send({ status: health.status, message: health.message })
  })
}
