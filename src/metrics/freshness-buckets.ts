// Histogram buckets (seconds) shared by every freshness and latency histogram of the flow, so that one SLO threshold
// (a bucket bound) can be queried across the worker, the lag exporter and consumers.
export const FRESHNESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const
