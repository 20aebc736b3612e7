// A histogram's state kept by the recorder (bucket counts, sum, count) and its samples for prom-client, so the
// worker's histograms are views like its counters and gauges: recording is an array increment, no label hashing.

export class HistogramCounts {
  readonly bounds: readonly number[]
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly counts: number[]
  sum = 0
  count = 0

  constructor(bounds: readonly number[]) {
    this.bounds = bounds
    this.counts = new Array(bounds.length + 1).fill(0)
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > bounds[i]) i++
    this.counts[i]++
    this.sum += value
    this.count++
  }
}

export interface HistogramSample {
  metricName: string
  labels: Record<string, string>
  value: number
}

/** Prometheus' _bucket (cumulative, `le` last), _sum and _count samples of one series. */
export function histogramSamples(name: string, labels: Record<string, string>, h: HistogramCounts): HistogramSample[] {
  const out: HistogramSample[] = []
  let cumulative = 0
  for (let i = 0; i <= h.bounds.length; i++) {
    cumulative += h.counts[i]
    const le = i < h.bounds.length ? String(h.bounds[i]) : '+Inf'
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative })
  }
  out.push({ metricName: `${name}_sum`, labels, value: h.sum })
  out.push({ metricName: `${name}_count`, labels, value: h.count })
  return out
}
