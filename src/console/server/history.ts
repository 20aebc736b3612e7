// The console's own sample store: one bounded ring buffer per series (timestamps and values in typed arrays, so
// its memory is fixed by capacity × series), and the series the history API knows with their PromQL twins for
// when a Prometheus server is configured. Pure: the sampler (sampler.ts) feeds it, routes/history.ts reads it.

/** Ranges the time range picker offers, in seconds. */
export const RANGES = { '15m': 900, '1h': 3600, '6h': 21_600, '24h': 86_400 } as const
export type RangeName = keyof typeof RANGES

export const SAMPLE_INTERVAL_MS = 5000
/** 1 h at 5 s. */
export const DEFAULT_CAPACITY = 720
/** Series beyond this are not recorded (counted in `droppedSeries`): the store's memory stays bounded. */
export const DEFAULT_MAX_SERIES = 2000

export class RingBuffer {
  readonly capacity: number
  readonly #t: Float64Array
  readonly #v: Float64Array
  #next = 0
  #size = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring buffer capacity ${capacity}: expected ≥ 1`)
    this.capacity = capacity
    this.#t = new Float64Array(capacity)
    this.#v = new Float64Array(capacity)
  }

  get size(): number {
    return this.#size
  }

  /** Appends a point (time in ms); the oldest one goes when full. Times must not go backwards. */
  push(atMs: number, value: number): void {
    this.#t[this.#next] = atMs
    this.#v[this.#next] = value
    this.#next = (this.#next + 1) % this.capacity
    this.#size = Math.min(this.#size + 1, this.capacity)
  }

  /** Points with fromMs ≤ t ≤ toMs, oldest first. */
  between(fromMs: number, toMs: number): { t: number[]; v: number[] } {
    const t: number[] = []
    const v: number[] = []
    const start = (this.#next - this.#size + this.capacity) % this.capacity
    for (let i = 0; i < this.#size; i++) {
      const at = (start + i) % this.capacity
      const time = this.#t[at]
      if (time >= fromMs && time <= toMs) {
        t.push(time)
        v.push(this.#v[at])
      }
    }
    return { t, v }
  }
}

/**
 * At most `maxPoints` points: consecutive points averaged in equal-time buckets (each bucket's time is its last
 * point's). Pure.
 */
export function downsample(points: { t: number[]; v: number[] }, maxPoints: number): { t: number[]; v: number[] } {
  if (points.t.length <= maxPoints || points.t.length === 0) return points
  const first = points.t[0]
  const span = points.t[points.t.length - 1] - first || 1
  const t: number[] = []
  const v: number[] = []
  let bucket = -1
  let sum = 0
  let count = 0
  let last = 0
  const flush = () => {
    if (count > 0) {
      t.push(last)
      v.push(sum / count)
    }
  }
  for (let i = 0; i < points.t.length; i++) {
    const b = Math.min(maxPoints - 1, Math.floor(((points.t[i] - first) / span) * maxPoints))
    if (b !== bucket) {
      flush()
      bucket = b
      sum = 0
      count = 0
    }
    sum += points.v[i]
    count++
    last = points.t[i]
  }
  flush()
  return { t, v }
}

export interface StoreStats {
  series: number
  maxSeries: number
  capacity: number
  points: number
  /** Bytes held by the ring buffers (two Float64Arrays each). */
  bytes: number
  droppedSeries: number
  intervalMs: number
}

export class SampleStore {
  readonly capacity: number
  readonly maxSeries: number
  readonly #series = new Map<string, RingBuffer>()
  #dropped = new Set<string>()

  constructor(capacity = DEFAULT_CAPACITY, maxSeries = DEFAULT_MAX_SERIES) {
    this.capacity = capacity
    this.maxSeries = maxSeries
  }

  record(series: string, atMs: number, value: number | null | undefined): void {
    // No value, no point: a gap in the chart rather than a made-up zero.
    if (value === null || value === undefined || !Number.isFinite(value)) return
    let ring = this.#series.get(series)
    if (!ring) {
      if (this.#series.size >= this.maxSeries) {
        if (this.#dropped.size < 10_000) this.#dropped.add(series)
        return
      }
      ring = new RingBuffer(this.capacity)
      this.#series.set(series, ring)
    }
    ring.push(atMs, value)
  }

  has(series: string): boolean {
    return this.#series.has(series)
  }

  points(series: string, fromMs: number, toMs: number, maxPoints: number): { t: number[]; v: number[] } {
    const ring = this.#series.get(series)
    return ring ? downsample(ring.between(fromMs, toMs), maxPoints) : { t: [], v: [] }
  }

  stats(): StoreStats {
    let points = 0
    for (const r of this.#series.values()) points += r.size
    return {
      series: this.#series.size,
      maxSeries: this.maxSeries,
      capacity: this.capacity,
      points,
      bytes: this.#series.size * this.capacity * 16,
      droppedSeries: this.#dropped.size,
      intervalMs: SAMPLE_INTERVAL_MS,
    }
  }
}

/** The series the history API serves: `<metric>:<key>`, the key a connector (`connect/name`), topic or group. */
export const SERIES = {
  'connector.write_rate': {
    unit: 'records/s',
    promql: (k: SeriesKey) => `sum(kafka_connect_source_task_metrics_source_record_write_rate{connector=${q(k.name)}})`,
  },
  'connector.tasks_running': {
    unit: 'tasks',
    promql: (k: SeriesKey) =>
      `sum(kafka_connect_connect_worker_metrics_connector_running_task_count{connector=${q(k.name)}})`,
  },
  'connector.tasks_failed': {
    unit: 'tasks',
    promql: (k: SeriesKey) =>
      `sum(kafka_connect_connect_worker_metrics_connector_failed_task_count{connector=${q(k.name)}})`,
  },
  'topic.append_rate': {
    unit: 'records/s',
    promql: (k: SeriesKey) => `sum(rate(kafka_topic_partition_current_offset{topic=${q(k.name)}}[1m]))`,
  },
  'group.lag': {
    unit: 'offsets',
    promql: (k: SeriesKey) => `max(kafka_consumergroup_group_max_lag{group=${q(k.name)}})`,
  },
  'group.lag_seconds': {
    unit: 'seconds',
    promql: (k: SeriesKey) => `max(kafka_consumergroup_group_max_lag_seconds{group=${q(k.name)}})`,
  },
  'group.freshness': {
    unit: 'seconds',
    promql: (k: SeriesKey) => `max(flowscope_consumergroup_freshness_seconds{group=${q(k.name)}})`,
  },
} as const satisfies Record<string, { unit: string; promql: (k: SeriesKey) => string }>
export type SeriesMetric = keyof typeof SERIES

export interface SeriesKey {
  metric: SeriesMetric
  /** The connector's, topic's or group's name (for a connector, without its Connect cluster). */
  name: string
  id: string
}

/** A PromQL string literal. */
const q = (s: string) => JSON.stringify(s)

export const FRESHNESS_P99_PROMQL = (group: string) =>
  `histogram_quantile(0.99, sum by (le) (rate(flowscope_consumer_freshness_seconds_bucket{group=${q(group)}}[5m])))`

/** Parses a series id `<metric>:<key>`; an Error names what is wrong. Pure. */
export function parseSeriesId(id: string): SeriesKey {
  const colon = id.indexOf(':')
  const metric = colon > 0 ? id.slice(0, colon) : id
  if (!(metric in SERIES)) {
    throw new Error(`series "${id}": expected <metric>:<name> with metric one of ${Object.keys(SERIES).join(', ')}`)
  }
  const key = id.slice(colon + 1)
  if (colon < 0 || key === '' || key.length > 512)
    throw new Error(`series "${id}": the name after "${metric}:" is missing`)
  const name = metric.startsWith('connector.') && key.includes('/') ? key.slice(key.indexOf('/') + 1) : key
  return { metric: metric as SeriesMetric, name, id }
}

/** Prometheus' range-query step for a range: about 240 points a chart, never under the sample interval. */
export function stepFor(rangeSeconds: number): number {
  return Math.max(SAMPLE_INTERVAL_MS / 1000, Math.ceil(rangeSeconds / 240))
}
