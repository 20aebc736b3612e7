// Routes of the Brokers page: the brokers of a cluster, one broker's log dirs and configs, and changes to its
// dynamic configs (a write: CSRF-guarded and refused in read-only mode by the app's hook).
import type { FastifyInstance } from 'fastify'
import type { ConsoleParts } from '../app.ts'
import { type BrokerRatesAnswer, brokerRates, NEEDS_PROMETHEUS } from '../broker-rates.ts'
import { BrokerAdmin, configChange } from '../brokers.ts'
import { ApiError, badRequest, notFound } from '../errors.ts'
import type { KafkaCluster } from '../kafka.ts'
import { PrometheusClient } from '../prometheus.ts'
import { nameParam } from '../validation.ts'

/** The configured Kafka cluster a path names, or a 404 listing the known ones. */
export function clusterOf(parts: ConsoleParts, raw: unknown): KafkaCluster {
  const name = nameParam('cluster', raw)
  const found = parts.kafka.find((k) => k.name === name)
  if (!found)
    throw notFound(
      `Kafka cluster ${JSON.stringify(name)} is not configured (known: ${parts.kafka.map((k) => k.name).join(', ')})`,
    )
  return found
}

export function brokerParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw))
    throw badRequest(`broker ${JSON.stringify(raw)} is not a broker id`)
  return Number(raw)
}

export function registerBrokerRoutes(app: FastifyInstance, parts: ConsoleParts): void {
  const of = (raw: unknown) => {
    const k = clusterOf(parts, raw)
    return new BrokerAdmin(k.admin, k.name)
  }

  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/brokers', async (request) => ({
    brokers: await of(request.params.cluster).list(),
  }))

  const prometheus = parts.prometheusUrl ? new PrometheusClient(parts.prometheusUrl) : null

  // Network and request rates per broker, from Prometheus only (broker-rates.ts); without it: none, and why.
  app.get<{ Params: { cluster: string } }>(
    '/api/clusters/:cluster/brokers/rates',
    async (request): Promise<BrokerRatesAnswer> => {
      const k = clusterOf(parts, request.params.cluster)
      if (!prometheus) return { configured: false, message: NEEDS_PROMETHEUS, brokers: [], unmatched: [] }
      const { brokers } = (await k.snapshot()).overview
      try {
        return await brokerRates(prometheus, brokers)
      } catch (error) {
        const message = error instanceof ApiError ? error.message : String(error)
        return { configured: true, message, brokers: [], unmatched: [] }
      }
    },
  )

  app.get<{ Params: { cluster: string; id: string } }>('/api/clusters/:cluster/brokers/:id', async (request) =>
    of(request.params.cluster).detail(brokerParam(request.params.id)),
  )

  app.put<{ Params: { cluster: string; id: string } }>(
    '/api/clusters/:cluster/brokers/:id/configs',
    async (request) => {
      const b = of(request.params.cluster)
      const id = brokerParam(request.params.id)
      return { configs: await b.alter(id, configChange(request.body)) }
    },
  )
}
