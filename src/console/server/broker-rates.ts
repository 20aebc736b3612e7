// Network and request rates per broker. They are the brokers' JMX metrics (monitoring/jmx/kafka-broker.yml), which
// the admin API does not give, so they come from Prometheus only — without it there are none, never an estimate.
// Prometheus knows scrape targets (`instance`), not brokers: a target is a broker by the `broker_id` label of
// kafka_server_app_info_start_time_ms (the shipped JMX rules export the node.id), else by its host when exactly one
// broker of the cluster has that host, else — one broker, one target — by being the only one.
import type { BrokerRow } from './brokers.ts'
import type { PrometheusClient } from './prometheus.ts'

/** The rates shown per broker, each with its PromQL (declared once; `instance` is the scrape target). */
export const BROKER_RATE_QUERIES = {
  bytesIn: 'sum by (instance) (rate(kafka_server_brokertopicmetrics_bytesinpersec{topic=""}[1m]))',
  bytesOut: 'sum by (instance) (rate(kafka_server_brokertopicmetrics_bytesoutpersec{topic=""}[1m]))',
  messagesIn: 'sum by (instance) (rate(kafka_server_brokertopicmetrics_messagesinpersec{topic=""}[1m]))',
  requests: 'sum by (instance) (rate(kafka_network_requestmetrics_requestspersec[1m]))',
  // Gauges: their last value within a minute, so that one slow or failed scrape does not blank them. The shipped
  // Prometheus job renames the agent's name back to the seed's `_total` one; a plain scrape has the other.
  requestHandlerIdle:
    'avg by (instance) (last_over_time(kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total[1m]) or last_over_time(kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent[1m]))',
  networkProcessorIdle:
    'avg by (instance) (last_over_time(kafka_network_socketserver_networkprocessoravgidlepercent[1m]))',
} as const

export const REQUESTS_BY_TYPE_QUERY =
  'sum by (instance, request) (rate(kafka_network_requestmetrics_requestspersec[1m]))'
export const BROKER_ID_QUERY = 'max by (instance, broker_id) (last_over_time(kafka_server_app_info_start_time_ms[5m]))'

export type BrokerRateName = keyof typeof BROKER_RATE_QUERIES

export interface BrokerRates {
  broker: number
  /** The Prometheus scrape target the rates are from. */
  instance: string
  /**
   * Per second (bytes, records, requests); idle as a fraction, as Kafka reports it (on a combined broker+controller
   * node both request handler pools mark one meter, which then runs up to 2). null: Prometheus has no such series.
   */
  rates: Record<BrokerRateName, number | null>
  /** Requests per second by Kafka request type (Produce, Fetch, Metadata, …), busiest first; zero rates left out. */
  requestsByType: { request: string; perSecond: number }[]
}

export interface BrokerRatesAnswer {
  configured: boolean
  /** Why there are no rates (no Prometheus configured, or it did not answer). */
  message: string | null
  brokers: BrokerRates[]
  /** Scrape targets with broker metrics that are not a broker of this cluster as far as the console can tell. */
  unmatched: string[]
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** The host of `host:port` or `[v6]:port`, lower-cased, every loopback name as `localhost`. Pure. */
export function hostOf(address: string): string {
  const host = address.startsWith('[') ? address.slice(0, address.indexOf(']') + 1) : address.replace(/:\d+$/, '')
  const lower = host.toLowerCase()
  return LOOPBACK.has(lower) ? 'localhost' : lower
}

/**
 * Which broker each scrape target is (see the header): `ids` from kafka_server_app_info_start_time_ms, then a host
 * only one broker has, then the only broker for the only target. Pure.
 */
export function matchInstances(
  instances: readonly string[],
  brokers: readonly Pick<BrokerRow, 'id' | 'host'>[],
  ids: ReadonlyMap<string, number>,
): Map<string, number> {
  const known = new Set(brokers.map((b) => b.id))
  const matched = new Map<string, number>()
  for (const instance of instances) {
    const id = ids.get(instance)
    if (id !== undefined && known.has(id)) {
      matched.set(instance, id)
      continue
    }
    if (id !== undefined) continue // a broker of another cluster
    const sameHost = brokers.filter((b) => hostOf(b.host) === hostOf(instance))
    const othersOnHost = instances.filter((i) => hostOf(i) === hostOf(instance) && !ids.has(i))
    if (sameHost.length === 1 && othersOnHost.length === 1) matched.set(instance, sameHost[0].id)
  }
  const unknown = instances.filter((i) => !ids.has(i))
  if (matched.size === 0 && brokers.length === 1 && unknown.length === 1 && instances.length === 1) {
    matched.set(unknown[0], brokers[0].id)
  }
  return matched
}

/** Reads the rates of a cluster's brokers from Prometheus (one instant query per rate, at once). */
export async function brokerRates(
  prometheus: PrometheusClient,
  brokers: readonly Pick<BrokerRow, 'id' | 'host'>[],
): Promise<BrokerRatesAnswer> {
  const names = Object.keys(BROKER_RATE_QUERIES) as BrokerRateName[]
  const [idSeries, byType, ...values] = await Promise.all([
    prometheus.vector(BROKER_ID_QUERY),
    prometheus.vector(REQUESTS_BY_TYPE_QUERY),
    ...names.map((name) => prometheus.vector(BROKER_RATE_QUERIES[name])),
  ])
  const ids = new Map<string, number>()
  for (const s of idSeries) {
    const id = Number(s.labels.broker_id)
    if (s.labels.instance && Number.isInteger(id)) ids.set(s.labels.instance, id)
  }
  const instances = new Set<string>(ids.keys())
  for (const list of [byType, ...values]) for (const s of list) if (s.labels.instance) instances.add(s.labels.instance)
  const matched = matchInstances([...instances].sort(), brokers, ids)
  const rows: BrokerRates[] = []
  for (const [instance, broker] of matched) {
    const rates = Object.fromEntries(
      names.map((name, i) => [name, values[i].find((s) => s.labels.instance === instance)?.value ?? null]),
    ) as Record<BrokerRateName, number | null>
    const requestsByType = byType
      .filter((s) => s.labels.instance === instance && s.labels.request && s.value > 0)
      .map((s) => ({ request: s.labels.request, perSecond: s.value }))
      .sort((a, b) => b.perSecond - a.perSecond || a.request.localeCompare(b.request))
    rows.push({ broker, instance, rates, requestsByType })
  }
  rows.sort((a, b) => a.broker - b.broker || a.instance.localeCompare(b.instance))
  const unmatched = [...instances].filter(
    (i) => !matched.has(i) && !(ids.has(i) && !brokers.some((b) => b.id === ids.get(i))),
  )
  return { configured: true, message: null, brokers: rows, unmatched: unmatched.sort() }
}

export const NEEDS_PROMETHEUS =
  "needs Prometheus: network and request rates are the brokers' JMX metrics, which the admin API does not give — " +
  'start the console with --prometheus URL, a Prometheus scraping the brokers’ JMX exporter (monitoring/jmx/kafka-broker.yml)'
