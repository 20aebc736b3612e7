// A Prometheus server's HTTP API, for the history charts (range queries over the shipped metric names), the
// freshness p99 of the pipeline's consumer hop (instant query) and the Alerts page (its firing alerts).
import { ApiError, unreachable } from './errors.ts'

export interface PromAlert {
  name: string
  state: string
  severity: string | null
  labels: Record<string, string>
  summary: string | null
  activeAt: string | null
}

export class PrometheusClient {
  readonly url: string
  readonly #timeoutMs: number

  constructor(url: string, timeoutMs = 5000) {
    this.url = url.replace(/\/+$/, '')
    this.#timeoutMs = timeoutMs
  }

  async #get(path: string, params: Record<string, string>): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (error) {
      throw unreachable(`Prometheus at ${this.url}`, error)
    }
    const body = (await response.json().catch(() => null)) as { status?: string; data?: unknown; error?: string }
    if (!response.ok || body?.status !== 'success') {
      throw new ApiError(502, `Prometheus at ${this.url}: ${body?.error ?? `HTTP ${response.status} on ${path}`}`)
    }
    return body.data
  }

  /** One series (the first the query returns) over [start, end] in seconds; empty when it has none. */
  async range(promql: string, startS: number, endS: number, stepS: number): Promise<{ t: number[]; v: number[] }> {
    const data = (await this.#get('/api/v1/query_range', {
      query: promql,
      start: String(startS),
      end: String(endS),
      step: String(stepS),
    })) as { result: { values: [number, string][] }[] }
    const t: number[] = []
    const v: number[] = []
    for (const [at, raw] of data.result[0]?.values ?? []) {
      const value = Number(raw)
      if (!Number.isFinite(value)) continue // NaN from a quantile over no samples: no point, not a made-up one
      t.push(at * 1000)
      v.push(value)
    }
    return { t, v }
  }

  /** The query's first value now, or null when it has none. */
  async instant(promql: string): Promise<number | null> {
    const data = (await this.#get('/api/v1/query', { query: promql })) as { result: { value: [number, string] }[] }
    const value = Number(data.result[0]?.value[1])
    return data.result.length > 0 && Number.isFinite(value) ? value : null
  }

  /** Every series of an instant query with its labels; a value that is not a finite number is left out. */
  async vector(promql: string): Promise<{ labels: Record<string, string>; value: number }[]> {
    const data = (await this.#get('/api/v1/query', { query: promql })) as {
      result: { metric: Record<string, string>; value: [number, string] }[]
    }
    return data.result
      .map((r) => ({ labels: r.metric, value: Number(r.value[1]) }))
      .filter((r) => Number.isFinite(r.value))
  }

  async alerts(): Promise<PromAlert[]> {
    const data = (await this.#get('/api/v1/alerts', {})) as {
      alerts: {
        labels: Record<string, string>
        annotations?: Record<string, string>
        state: string
        activeAt?: string
      }[]
    }
    return data.alerts.map((a) => ({
      name: a.labels.alertname ?? '(unnamed)',
      state: a.state,
      severity: a.labels.severity ?? null,
      labels: a.labels,
      summary: a.annotations?.summary ?? a.annotations?.description ?? null,
      activeAt: a.activeAt ?? null,
    }))
  }
}
