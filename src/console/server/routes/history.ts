// History charts and notifications: the sample store fed every 5 s by the sampler, served by /api/history (or, with
// a Prometheus URL configured, Prometheus range queries over the same metrics: `source` says which); the webhook
// notifier's state and Prometheus' firing alerts for the Alerts page; the freshness p99 of a consumer group.
import type { FastifyInstance } from 'fastify'
import type { ConsoleParts } from '../app.ts'
import { ApiError, badRequest, notFound } from '../errors.ts'
import {
  FRESHNESS_P99_PROMQL,
  parseSeriesId,
  RANGES,
  type RangeName,
  SAMPLE_INTERVAL_MS,
  SampleStore,
  SERIES,
  stepFor,
} from '../history.ts'
import { PrometheusClient } from '../prometheus.ts'
import { Sampler } from '../sampler.ts'
import { nameParam } from '../validation.ts'
import { WebhookNotifier } from '../webhooks.ts'

const MAX_SERIES_PER_QUERY = 20
const MAX_POINTS = 400

/** A webhook URL shown without its path (Slack's path is its secret). */
const shownUrl = (url: string) => `${new URL(url).origin}/…`

export function registerHistoryRoutes(app: FastifyInstance, parts: ConsoleParts): void {
  const store = new SampleStore(parts.history?.capacity, parts.history?.maxSeries)
  const notifier = parts.webhooks?.length ? new WebhookNotifier(parts.webhooks) : null
  const sampler = new Sampler(parts, store, notifier)
  const prometheus = parts.prometheusUrl ? new PrometheusClient(parts.prometheusUrl) : null
  app.addHook('onReady', async () => sampler.start(parts.history?.intervalMs ?? SAMPLE_INTERVAL_MS))
  app.addHook('onClose', async () => {
    await sampler.stop()
    await notifier?.settle()
  })

  app.get<{ Querystring: Record<string, string | string[]> }>('/api/history', async (request) => {
    const rawSeries = request.query.series
    const ids = (Array.isArray(rawSeries) ? rawSeries : rawSeries === undefined ? [] : [rawSeries]).filter(Boolean)
    if (ids.length === 0) throw badRequest('series: give one or more, e.g. ?series=group.lag:orders-consumer')
    if (ids.length > MAX_SERIES_PER_QUERY) throw badRequest(`series: at most ${MAX_SERIES_PER_QUERY} per request`)
    const keys = ids.map((id) => {
      try {
        return parseSeriesId(String(id))
      } catch (error) {
        throw badRequest((error as Error).message)
      }
    })
    const range = (request.query.range ?? '1h') as string
    if (!(range in RANGES)) throw badRequest(`range "${range}": expected one of ${Object.keys(RANGES).join(', ')}`)
    const rangeSeconds = RANGES[range as RangeName]
    const toMs = Date.now()
    const fromMs = toMs - rangeSeconds * 1000
    const answer = (
      source: 'prometheus' | 'console',
      series: { id: string; t: number[]; v: number[] }[],
      extra = {},
    ) => ({
      range,
      rangeSeconds,
      from: fromMs / 1000,
      to: toMs / 1000,
      source,
      ...extra,
      series: series.map((s) => ({
        id: s.id,
        unit: SERIES[parseSeriesId(s.id).metric].unit,
        t: s.t.map((ms) => ms / 1000),
        v: s.v,
      })),
    })
    let prometheusError: string | undefined
    if (prometheus) {
      try {
        const step = stepFor(rangeSeconds)
        const series = await Promise.all(
          keys.map(async (k) => ({
            id: k.id,
            ...(await prometheus.range(SERIES[k.metric].promql(k), fromMs / 1000, toMs / 1000, step)),
          })),
        )
        return answer('prometheus', series, { stepSeconds: step })
      } catch (error) {
        // Prometheus down: the console's own samples still answer, and say why they do.
        prometheusError = (error as Error).message
      }
    }
    const stats = store.stats()
    return answer(
      'console',
      keys.map((k) => ({ id: k.id, ...store.points(k.id, fromMs, toMs, MAX_POINTS) })),
      {
        stepSeconds: Math.max(stats.intervalMs / 1000, rangeSeconds / MAX_POINTS),
        // The store holds capacity × interval: a longer range shows only that much (Prometheus shows more).
        heldSeconds: (stats.capacity * stats.intervalMs) / 1000,
        ...(prometheusError ? { prometheusError } : {}),
      },
    )
  })

  app.get('/api/history/stats', async () => ({
    ...store.stats(),
    samples: sampler.samples,
    lastSampleMs: sampler.lastDurationMs,
    prometheus: parts.prometheusUrl,
  }))

  app.get<{ Params: { group: string } }>('/api/consumers/:group/freshness', async (request) => {
    const group = nameParam('group', request.params.group)
    if (prometheus) {
      try {
        const p99 = await prometheus.instant(FRESHNESS_P99_PROMQL(group))
        if (p99 !== null) return { group, source: 'prometheus', quantile: 0.99, seconds: p99 }
      } catch {
        // fall through to the lag exporter's gauge
      }
    }
    if (!parts.lag) throw notFound('neither Prometheus nor a lag exporter is configured')
    const view = await parts.lag.view()
    const g = view.groups.find((x) => x.group === group)
    return { group, source: 'lag-exporter', quantile: null, seconds: g?.freshnessSeconds ?? null }
  })

  app.get('/api/alerts/webhooks', async () => ({
    targets: (parts.webhooks ?? []).map((t) => ({ url: shownUrl(t.url), kind: t.kind })),
    delivered: notifier?.delivered ?? 0,
    failures: [...(notifier?.failures.values() ?? [])].map((f) => ({ ...f, url: shownUrl(f.url) })),
  }))

  app.get('/api/alerts/prometheus', async () => {
    if (!prometheus) return { configured: false, alerts: [] }
    try {
      return { configured: true, alerts: (await prometheus.alerts()).filter((a) => a.state === 'firing') }
    } catch (error) {
      throw error instanceof ApiError ? error : new ApiError(502, String(error))
    }
  })
}
