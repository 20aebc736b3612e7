// The sample consumer's metrics, declared once: the Java consumer's fetch-manager, coordinator and app-info families
// under the names the seed's kafka-consumer dashboard queries (JMX exporter naming: `kafka_consumer_<mbean type>_
// <attribute>`), plus flowscope's freshness and record-age histograms. Rates and averages are windowed as Kafka's
// (2 samples × 30 s, src/metrics/windowed-stat.ts) and computed when /metrics is scraped; an average or maximum over
// an empty window is absent (Kafka reports NaN), never a made-up 0. A rate over an empty window is a true 0.
import * as prom from 'prom-client'
import {
  type ComponentMetricDefinition,
  defineMetricComponent,
  registerComponentMetrics,
} from '../metrics/components.ts'
import { FRESHNESS_BUCKETS } from '../metrics/freshness-buckets.ts'
import { networkMetricDefinitions } from '../metrics/kafka-client-network.ts'
import { KAFKA_WINDOW, type WindowConfig, WindowedStat } from '../metrics/windowed-stat.ts'
import { FLOWSCOPE_VERSION } from '../version.ts'
import type { RecordTiming } from './freshness.ts'

const JAVA = 'Apache Kafka Java consumer (JMX exporter naming)'
const FETCH = 'kafka_consumer_consumer_fetch_manager_metrics'
const COORD = 'kafka_consumer_consumer_coordinator_metrics'

function def(
  upstream: string | undefined,
  name: string,
  labels: readonly string[],
  unit: string,
  help: string,
  type: 'counter' | 'gauge' = 'gauge',
): ComponentMetricDefinition {
  return { name, type, labels, unit, help, ...(upstream ? { upstream } : {}) }
}

const C = ['client_id']
const CT = ['client_id', 'topic']

const definitions = {
  freshness: {
    name: 'flowscope_consumer_freshness_seconds',
    type: 'histogram' as const,
    labels: ['client_id', 'group', 'topic', 'basis'],
    unit: 'seconds',
    buckets: FRESHNESS_BUCKETS,
    help: 'Processing time − the record’s flowscope.source.timestamp header (the Postgres change time with basis="change", the connector’s poll time with basis="poll", e.g. JDBC bulk mode): how stale the data is when the consumer handles it. Only records that carry the header are observed.',
  },
  recordAge: {
    name: 'flowscope_consumer_record_age_seconds',
    type: 'histogram' as const,
    labels: ['client_id', 'group', 'topic'],
    unit: 'seconds',
    buckets: FRESHNESS_BUCKETS,
    help: 'Processing time − the Kafka record timestamp (CreateTime set by the producer, or LogAppendTime).',
  },
  // Connections, authentication and responses of the consumer's own client (src/metrics/kafka-client-network.ts).
  ...networkMetricDefinitions(
    'net',
    {
      prefix: 'kafka_consumer_consumer_metrics',
      upstream: 'kafka.consumer:type=consumer-metrics',
      group: 'consumer',
      subject: 'the sample consumer',
    },
    ['connectionCount', 'failedAuthenticationRate'],
  ),
  ...networkMetricDefinitions(
    'node',
    {
      prefix: 'kafka_consumer_consumer_node_metrics',
      upstream: 'kafka.consumer:type=consumer-node-metrics',
      group: 'consumer',
      subject: 'the sample consumer (all brokers together, not per node)',
    },
    ['responseRate'],
  ),
  appInfo: def(
    JAVA,
    'kafka_consumer_app_info',
    ['client_id', 'version', 'start_time_ms'],
    'info',
    'Value 1; `version` is flowscope’s, `start_time_ms` when the consumer started.',
  ),
  recordsConsumed: def(
    JAVA,
    `${FETCH}_records_consumed_total`,
    CT,
    'records',
    'Records handed to the application (counted when they reach it, before processing, as the Java consumer counts at poll()).',
    'counter',
  ),
  bytesConsumed: def(
    JAVA,
    `${FETCH}_bytes_consumed_total`,
    CT,
    'bytes',
    'Bytes of the record batches fetched for the topic (batch size on the wire, with its 12-byte log overhead).',
    'counter',
  ),
  fetchTotal: def(JAVA, `${FETCH}_fetch_total`, C, 'requests', 'Fetch responses received.', 'counter'),
  fetchLatencyAvg: def(
    JAVA,
    `${FETCH}_fetch_latency_avg`,
    C,
    'ms',
    'Mean time a fetch request took, including the broker’s long-poll wait (up to 500 ms when there is nothing to read, as Java’s fetch.max.wait.ms). Windowed; absent without fetches.',
  ),
  fetchSizeAvg: def(
    JAVA,
    `${FETCH}_fetch_size_avg`,
    CT,
    'bytes',
    'Mean bytes fetched for the topic per fetch response (0 for a response without its records). Windowed; absent without fetches.',
  ),
  fetchThrottleTimeAvg: def(
    JAVA,
    `${FETCH}_fetch_throttle_time_avg`,
    C,
    'ms',
    'Mean throttle time the broker returned in fetch responses (quotas). Windowed; absent without fetches.',
  ),
  recordsLagMax: def(
    JAVA,
    `${FETCH}_records_lag_max`,
    C,
    'records',
    'Largest partition lag seen in a fetch response: high watermark − the fetch position after it (records fetched but not yet processed count as consumed, as in Java). Windowed; absent without fetches.',
  ),
  commitTotal: def(JAVA, `${COORD}_commit_total`, C, 'commits', 'Offset commits that succeeded.', 'counter'),
  commitRate: def(JAVA, `${COORD}_commit_rate`, C, 'commits per second', 'Offset commits per second. Windowed.'),
  commitLatencyAvg: def(
    JAVA,
    `${COORD}_commit_latency_avg`,
    C,
    'ms',
    'Mean time an offset commit took. Windowed; absent without commits.',
  ),
  rebalanceTotal: def(
    JAVA,
    `${COORD}_rebalance_total`,
    C,
    'rebalances',
    'Group joins that ended with an assignment.',
    'counter',
  ),
  rebalanceRatePerHour: def(
    JAVA,
    `${COORD}_rebalance_rate_per_hour`,
    C,
    'rebalances per hour',
    'Successful rebalances, as a per-hour rate over the window.',
  ),
  failedRebalanceTotal: def(
    JAVA,
    `${COORD}_failed_rebalance_total`,
    C,
    'rebalances',
    'Group joins or syncs that failed.',
    'counter',
  ),
  failedRebalanceRatePerHour: def(
    JAVA,
    `${COORD}_failed_rebalance_rate_per_hour`,
    C,
    'rebalances per hour',
    'Failed rebalances, as a per-hour rate over the window.',
  ),
  paused: def(
    undefined,
    'flowscope_consumer_paused',
    ['client_id', 'group'],
    'boolean',
    '1 when the consumer runs with --pause (member of the group, fetching nothing, re-committing its unchanged position); 0 otherwise.',
  ),
  processedOffset: def(
    undefined,
    'flowscope_consumer_processed_offset',
    ['client_id', 'group', 'topic', 'partition'],
    'offset',
    'The offset after the last processed record: what the next commit sends for the partition.',
  ),
}

export const sampleConsumerMetrics = defineMetricComponent({
  name: 'consumer',
  title: 'Sample consumer (`flowscope consume`)',
  description:
    "Served by `flowscope consume` on its own `/metrics` (port 8001 under `npm start`, Prometheus job `kafka-consumer`). The `kafka_consumer_*` families carry the Java consumer's names and meanings, so the seed's kafka-consumer dashboard works unchanged; windowed ones use Kafka's 2 × 30 s window. The freshness histograms use the shared buckets (src/metrics/freshness-buckets.ts); connection count, failed authentication rate and response rate are read from the client's connections (src/metrics/kafka-client-network.ts); the response rate covers all brokers together.",
  metrics: definitions,
})

/** What one fetch response told: its latency and throttle time, bytes per topic, and the largest partition lag. */
export interface FetchObservation {
  readonly latencyMs: number
  readonly throttleTimeMs: number
  readonly bytesByTopic: ReadonlyMap<string, number>
  /** Largest (high watermark − position) over the partitions in the response; undefined when none reported one. */
  readonly lagMax: number | undefined
}

type Registered = ReturnType<typeof registerComponentMetrics<typeof definitions>>

export class ConsumerMetrics {
  readonly registry = new prom.Registry()
  readonly #m: Registered
  readonly #freshness: prom.Histogram
  readonly #age: prom.Histogram
  readonly #client: { client_id: string }
  readonly #group: string
  readonly #now: () => number
  readonly #fetchLatency: WindowedStat
  readonly #fetchThrottle: WindowedStat
  readonly #lag: WindowedStat
  readonly #fetchSize = new Map<string, WindowedStat>()
  readonly #commits: WindowedStat
  readonly #rebalances: WindowedStat
  readonly #failedRebalances: WindowedStat
  readonly #window: WindowConfig

  constructor(o: {
    clientId: string
    groupId: string
    paused: boolean
    startTimeMs: number
    now?: () => number
    window?: WindowConfig
    defaultMetrics?: boolean
  }) {
    this.#client = { client_id: o.clientId }
    this.#group = o.groupId
    this.#now = o.now ?? Date.now
    this.#window = o.window ?? KAFKA_WINDOW
    const w = () => new WindowedStat(this.#window)
    this.#fetchLatency = w()
    this.#fetchThrottle = w()
    this.#lag = w()
    this.#commits = w()
    this.#rebalances = w()
    this.#failedRebalances = w()
    this.#m = registerComponentMetrics(sampleConsumerMetrics, this.registry)
    this.#freshness = this.#m.freshness
    this.#age = this.#m.recordAge
    // process_cpu_seconds_total & co.: the seed dashboard's CPU panel reads them from every job.
    if (o.defaultMetrics !== false) prom.collectDefaultMetrics({ register: this.registry })
    this.#m.appInfo.set({ ...this.#client, version: FLOWSCOPE_VERSION, start_time_ms: String(o.startTimeMs) }, 1)
    this.#m.paused.set({ ...this.#client, group: o.groupId }, o.paused ? 1 : 0)
    for (const counter of [
      this.#m.fetchTotal,
      this.#m.commitTotal,
      this.#m.rebalanceTotal,
      this.#m.failedRebalanceTotal,
    ])
      counter.inc(this.#client, 0)
  }

  /** A record reached the application (before it is processed). */
  recordConsumed(topic: string): void {
    this.#m.recordsConsumed.inc({ ...this.#client, topic })
  }

  /** A record was processed at `timing.processedAtMs`: its age and, when it carries the header, its freshness. */
  recordProcessed(topic: string, partition: number, nextOffset: bigint, timing: RecordTiming): void {
    const labels = { ...this.#client, group: this.#group, topic }
    this.#age.observe(labels, Math.max(0, timing.ageSeconds))
    if (timing.freshness) {
      this.#freshness.observe({ ...labels, basis: timing.freshness.basis }, Math.max(0, timing.freshness.seconds))
    }
    this.#m.processedOffset.set({ ...labels, partition }, Number(nextOffset))
  }

  /** Partitions no longer assigned leave no processed-offset series. */
  forgetPartition(topic: string, partition: number): void {
    this.#m.processedOffset.remove({ ...this.#client, group: this.#group, topic, partition })
  }

  recordFetch(f: FetchObservation): void {
    const now = this.#now()
    this.#m.fetchTotal.inc(this.#client)
    this.#fetchLatency.record(f.latencyMs, now)
    this.#fetchThrottle.record(f.throttleTimeMs, now)
    if (f.lagMax !== undefined) this.#lag.record(f.lagMax, now)
    for (const [topic, bytes] of f.bytesByTopic) {
      if (bytes > 0) this.#m.bytesConsumed.inc({ ...this.#client, topic }, bytes)
      let size = this.#fetchSize.get(topic)
      if (!size) {
        size = new WindowedStat(this.#window)
        this.#fetchSize.set(topic, size)
      }
      size.record(bytes, now)
    }
  }

  recordCommit(latencyMs: number): void {
    this.#m.commitTotal.inc(this.#client)
    this.#commits.record(latencyMs, this.#now())
  }

  recordRebalance(succeeded: boolean): void {
    if (succeeded) {
      this.#m.rebalanceTotal.inc(this.#client)
      this.#rebalances.record(1, this.#now())
    } else {
      this.#m.failedRebalanceTotal.inc(this.#client)
      this.#failedRebalances.record(1, this.#now())
    }
  }

  /** Windowed gauges as of now (called before each scrape). */
  refresh(): void {
    const now = this.#now()
    const c = this.#client
    const avg = (gauge: prom.Gauge, stat: WindowedStat, labels: Record<string, string> = c) => {
      if (stat.count(now) === 0) gauge.remove(labels)
      else gauge.set(labels, stat.avg(now))
    }
    avg(this.#m.fetchLatencyAvg, this.#fetchLatency)
    avg(this.#m.fetchThrottleTimeAvg, this.#fetchThrottle)
    for (const [topic, stat] of this.#fetchSize) avg(this.#m.fetchSizeAvg, stat, { ...c, topic })
    if (this.#lag.count(now) === 0) this.#m.recordsLagMax.remove(c)
    else this.#m.recordsLagMax.set(c, this.#lag.max(now))
    this.#m.commitRate.set(c, this.#commits.countRate(now))
    avg(this.#m.commitLatencyAvg, this.#commits)
    this.#m.rebalanceRatePerHour.set(c, this.#rebalances.countRate(now) * 3600)
    this.#m.failedRebalanceRatePerHour.set(c, this.#failedRebalances.countRate(now) * 3600)
  }

  async render(): Promise<{ contentType: string; body: string }> {
    this.refresh()
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
