// Network metrics of @platformatic/kafka clients, as Kafka's Java clients report them per client (the Selector's
// `*-metrics` MBeans: connection count, connection creations/closes, requests, responses, bytes, authentication).
// The client library publishes its connections' life and every API request on `node:diagnostics_channel`
// (`plt:kafka:connections:connects`, `plt:kafka:connections:api`); this module listens there once per process and
// hands each event to the KafkaClientNetwork that watches the connection's owner. Bytes are the socket's own
// counters (bytesWritten / bytesRead), so they are the bytes on the wire, protocol framing included.
//
// Usage, from any flowscope process (test/unit/metrics/kafka-client-network.test.ts does exactly this):
//
//   const network = new KafkaClientNetwork()      // one per client_id series ({ window, nowMs } optional)
//   network.watch(consumer)                        // a Producer / Consumer / Admin: every connection it opens from now
//   network.watchConnection(connection)            // or a raw Connection, before connect() (the group membership)
//   network.onApi((e) => …)                        // optional: each request written / response read (apiKey, bytes,
//                                                  // parsed response, broker) — for per-API or per-broker figures
//
//   // The family under a Java client's Prometheus prefix; pick the statistics (keys of networkStats) you serve:
//   const net = networkMetricDefinitions('net', {
//     prefix: 'kafka_consumer_consumer_metrics', upstream: 'kafka.consumer:type=consumer-metrics',
//     group: 'consumer', subject: 'the sample consumer',
//   }, ['connectionCount', 'failedAuthenticationRate'])          // → net.netConnectionCount, …
//   const component = defineMetricComponent({ name, title, description, metrics: { ...net, ...others } })
//   registerNetworkMetrics(registry, component.metrics, () => [{ labels: { client_id }, network }])
//
// registerNetworkMetrics serves the definitions made here (isNetworkMetric; it skips the others) as gauges/counters
// read at scrape time; a value the client cannot know yet (metadata age before the first Metadata response) is an
// absent series. Throttle times per API key are on network.throttle(ApiKeys.fetch) (avg/max) once network.hasThrottle(ApiKeys.fetch).
// The worker declares its families in definitions.ts with networkMetricDefinitions and reads them with
// networkStatValue. Not measurable in Node, so not offered: Java NIO's io-ratio, io-wait-*, io-time-*, select-rate —
// a Node client has no I/O thread of its own (libuv's event loop serves every socket of the process).
import { tracingChannel } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import * as prom from 'prom-client'
import type { MetricDefinition, MetricType } from './definitions.ts'
import { KAFKA_WINDOW, type WindowConfig, WindowedStat } from './windowed-stat.ts'

/** Kafka API keys this module gives meaning to. */
export const ApiKeys = { produce: 0, fetch: 1, metadata: 3 } as const

/** What the module needs of a client library connection (a @platformatic/kafka Connection). */
export interface WatchedConnection {
  readonly ownerId?: number
  readonly socket: Socket | undefined
  once(event: 'close', listener: () => void): unknown
}

/** One API request written, or one response read, on a watched connection. */
export interface ApiEvent {
  readonly kind: 'request' | 'response'
  readonly apiKey: number
  /** Bytes written for the request / read since the previous read on this connection. */
  readonly bytes: number
  /** The parsed response (responses only; undefined when it failed to parse). */
  readonly result?: unknown
  /** `host:port` of the broker. */
  readonly broker: string
}

interface ConnectionState {
  readonly network: KafkaClientNetwork
  readonly broker: string
  written: number
  read: number
  open: boolean
}

/**
 * Per-client network statistics, windowed as Kafka's (2 × 30 s samples by default). Recording methods are public so
 * the diagnostics dispatcher below — and unit tests — can feed them; readers take `nowMs`.
 */
export class KafkaClientNetwork {
  readonly requests: WindowedStat
  readonly responses: WindowedStat
  readonly incoming: WindowedStat
  readonly creations: WindowedStat
  readonly closes: WindowedStat
  readonly successfulAuthentications: WindowedStat
  readonly failedAuthentications: WindowedStat
  /** throttle_time_ms of responses, per API key (produce and fetch responses carry it). */
  readonly #throttle = new Map<number, WindowedStat>()
  readonly #window: WindowConfig
  readonly #listeners = new Set<(event: ApiEvent) => void>()
  readonly #owners = new Set<number>()
  readonly #now: () => number
  connectionCount = 0
  requestTotal = 0
  responseTotal = 0
  outgoingByteTotal = 0
  incomingByteTotal = 0
  creationTotal = 0
  closeTotal = 0
  successfulAuthenticationTotal = 0
  failedAuthenticationTotal = 0
  /** When the last Metadata response arrived (ms since epoch); null before the first. */
  lastMetadataMs: number | null = null

  constructor(options: { window?: WindowConfig; nowMs?: () => number } = {}) {
    this.#window = options.window ?? KAFKA_WINDOW
    this.#now = options.nowMs ?? Date.now
    this.requests = new WindowedStat(this.#window)
    this.responses = new WindowedStat(this.#window)
    this.incoming = new WindowedStat(this.#window)
    this.creations = new WindowedStat(this.#window)
    this.closes = new WindowedStat(this.#window)
    this.successfulAuthentications = new WindowedStat(this.#window)
    this.failedAuthentications = new WindowedStat(this.#window)
  }

  /** Every connection `client` (a @platformatic/kafka Producer, Consumer or Admin) opens from now on. */
  watch(client: { readonly instanceId: number }): () => void {
    this.#owners.add(client.instanceId)
    const set = ownerWatchers.get(client.instanceId) ?? new Set()
    set.add(this)
    ownerWatchers.set(client.instanceId, set)
    ensureSubscribed()
    return () => {
      this.#owners.delete(client.instanceId)
      set.delete(this)
      if (set.size === 0) ownerWatchers.delete(client.instanceId)
    }
  }

  /** A connection made outside a client (new Connection(…)): watch it before connect(). */
  watchConnection(connection: WatchedConnection): void {
    connectionWatchers.set(connection, this)
    ensureSubscribed()
  }

  /** Called for every request written and response read on this client's connections. */
  onApi(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  recordConnectionCreated(): void {
    this.connectionCount += 1
    this.creationTotal += 1
    this.creations.record(1, this.#now())
    // As Java's Selector: a connection that becomes ready has authenticated (PLAINTEXT connections included).
    this.successfulAuthenticationTotal += 1
    this.successfulAuthentications.record(1, this.#now())
  }

  recordConnectionClosed(): void {
    this.connectionCount = Math.max(0, this.connectionCount - 1)
    this.closeTotal += 1
    this.closes.record(1, this.#now())
  }

  recordFailedAuthentication(): void {
    this.failedAuthenticationTotal += 1
    this.failedAuthentications.record(1, this.#now())
  }

  recordRequest(apiKey: number, bytes: number, broker = ''): void {
    this.requestTotal += 1
    this.outgoingByteTotal += bytes
    this.requests.record(bytes, this.#now())
    this.#emit({ kind: 'request', apiKey, bytes, broker })
  }

  recordResponse(apiKey: number, bytes: number, result: unknown, broker = ''): void {
    const now = this.#now()
    this.responseTotal += 1
    this.incomingByteTotal += bytes
    this.responses.record(bytes, now)
    if (bytes > 0) this.incoming.recordMany(bytes, 0, now)
    if (result !== undefined) {
      if (apiKey === ApiKeys.metadata) this.lastMetadataMs = now
      const throttle = (result as { throttleTimeMs?: unknown } | null)?.throttleTimeMs
      if (typeof throttle === 'number') this.throttle(apiKey).record(throttle, now)
    }
    this.#emit({ kind: 'response', apiKey, bytes, result, broker })
  }

  /** Bytes read that belong to no response (the tail of a closed connection). */
  recordIncomingBytes(bytes: number): void {
    if (bytes <= 0) return
    this.incomingByteTotal += bytes
    this.incoming.recordMany(bytes, 0, this.#now())
  }

  /** throttle_time_ms of `apiKey`'s responses over the window. */
  throttle(apiKey: number): WindowedStat {
    let stat = this.#throttle.get(apiKey)
    if (stat === undefined) {
      stat = new WindowedStat(this.#window)
      this.#throttle.set(apiKey, stat)
    }
    return stat
  }

  /** Whether `apiKey` has had a response carrying throttle_time_ms. */
  hasThrottle(apiKey: number): boolean {
    return this.#throttle.has(apiKey)
  }

  /** Outgoing bytes per second over the window (request bytes; responses' bytes are in `incoming`). */
  outgoingByteRate(nowMs: number): number {
    return this.requests.rate(nowMs)
  }

  /** Incoming bytes per second: response bytes plus any trailing bytes. */
  incomingByteRate(nowMs: number): number {
    return this.incoming.rate(nowMs)
  }

  /** Reads and writes per second: Java's network-io-rate counts completed sends and receives. */
  networkIoRate(nowMs: number): number {
    return this.requests.countRate(nowMs) + this.responses.countRate(nowMs)
  }

  /** Seconds since the last metadata response, or null before the first (Java's metadata-age). */
  metadataAgeSeconds(nowMs: number): number | null {
    return this.lastMetadataMs === null ? null : Math.max(0, nowMs - this.lastMetadataMs) / 1000
  }

  #emit(event: ApiEvent): void {
    for (const listener of this.#listeners) listener(event)
  }
}

// --- the process-wide dispatcher -----------------------------------------------------------------------------------

const ownerWatchers = new Map<number, Set<KafkaClientNetwork>>()
const connectionWatchers = new WeakMap<object, KafkaClientNetwork>()
const states = new WeakMap<object, ConnectionState[]>()
let subscribed = false

interface ConnectContext {
  connection?: WatchedConnection
  host?: string
  port?: number
  error?: unknown
}
interface ApiContext {
  connection?: WatchedConnection
  apiKey?: number
  result?: unknown
  error?: unknown
}

// Held here so the channels (weakly referenced by node:diagnostics_channel) live as long as the process.
const connects = tracingChannel('plt:kafka:connections:connects')
const apis = tracingChannel('plt:kafka:connections:api')

function networksOf(connection: WatchedConnection): KafkaClientNetwork[] {
  const direct = connectionWatchers.get(connection)
  const owned = connection.ownerId === undefined ? undefined : ownerWatchers.get(connection.ownerId)
  if (direct === undefined) return owned === undefined ? [] : [...owned]
  return owned === undefined ? [direct] : [direct, ...owned]
}

function ensureSubscribed(): void {
  if (subscribed) return
  subscribed = true
  // asyncStart follows the outcome of connect(): ready, or failed (error set first).
  connects.asyncStart.subscribe((message) => {
    const ctx = message as ConnectContext
    const connection = ctx.connection
    if (connection === undefined) return
    const networks = networksOf(connection)
    if (networks.length === 0) return
    if (ctx.error !== undefined) {
      if (isAuthenticationFailure(ctx.error)) for (const n of networks) n.recordFailedAuthentication()
      return
    }
    if (states.has(connection)) return // reauthentication of a live connection: not a new one
    const socket = connection.socket
    const broker = `${ctx.host ?? ''}:${ctx.port ?? ''}`
    const list = networks.map((network) => ({
      network,
      broker,
      written: socket?.bytesWritten ?? 0,
      read: socket?.bytesRead ?? 0,
      open: true,
    }))
    states.set(connection, list)
    // Traffic is counted from here: bytes of a SASL handshake before the connection is ready are not requests.
    for (const s of list) s.network.recordConnectionCreated()
    connection.once('close', () => {
      const read = connection.socket?.bytesRead ?? 0
      for (const s of list) {
        if (!s.open) continue
        s.open = false
        s.network.recordIncomingBytes(read - s.read)
        s.read = read
        s.network.recordConnectionClosed()
      }
    })
  })
  // end: the request has just been written to the socket (synchronously after start), or refused unwritten.
  apis.end.subscribe((message) => {
    const ctx = message as ApiContext
    const connection = ctx.connection
    if (connection === undefined) return
    const list = states.get(connection)
    if (list === undefined) return
    const written = connection.socket?.bytesWritten ?? 0
    for (const s of list) {
      const bytes = written - s.written
      s.written = written
      if (bytes > 0) s.network.recordRequest(ctx.apiKey ?? -1, bytes, s.broker)
    }
  })
  // asyncStart: a response was read and parsed (result) or failed to parse (error).
  apis.asyncStart.subscribe((message) => {
    const ctx = message as ApiContext
    const connection = ctx.connection
    if (connection === undefined) return
    const list = states.get(connection)
    if (list === undefined) return
    const read = connection.socket?.bytesRead ?? 0
    for (const s of list) {
      const bytes = read - s.read
      s.read = read
      s.network.recordResponse(ctx.apiKey ?? -1, bytes, ctx.error === undefined ? ctx.result : undefined, s.broker)
    }
  })
}

function isAuthenticationFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (typeof e !== 'object') return false
    const { name, code } = e as { name?: unknown; code?: unknown }
    if (name === 'AuthenticationError' || code === 'PLT_KFK_AUTHENTICATION') return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

// --- names and /metrics --------------------------------------------------------------------------------------------

/** The statistics a family can expose, each with its Java attribute, type, unit and meaning. */
export const networkStats = {
  connectionCount: ['connection-count', 'gauge', 'connections', 'The current number of open connections.'],
  connectionCreationTotal: [
    'connection-creation-total',
    'counter',
    'connections',
    'The total number of connections established.',
  ],
  connectionCreationRate: [
    'connection-creation-rate',
    'gauge',
    'connections/s',
    'New connections established per second, over the window.',
  ],
  connectionCloseTotal: ['connection-close-total', 'counter', 'connections', 'The total number of connections closed.'],
  connectionCloseRate: [
    'connection-close-rate',
    'gauge',
    'connections/s',
    'Connections closed per second, over the window.',
  ],
  networkIoTotal: [
    'network-io-total',
    'counter',
    'operations',
    'The total number of network operations: requests written plus responses read.',
  ],
  networkIoRate: [
    'network-io-rate',
    'gauge',
    'operations/s',
    'Network operations (requests written plus responses read) per second, over the window.',
  ],
  outgoingByteTotal: [
    'outgoing-byte-total',
    'counter',
    'bytes',
    'The total number of bytes written to the brokers (requests on the wire, framing included).',
  ],
  outgoingByteRate: [
    'outgoing-byte-rate',
    'gauge',
    'bytes/s',
    'Bytes written to the brokers per second (requests on the wire), over the window.',
  ],
  incomingByteTotal: [
    'incoming-byte-total',
    'counter',
    'bytes',
    'The total number of bytes read from the brokers (responses on the wire, framing included).',
  ],
  incomingByteRate: [
    'incoming-byte-rate',
    'gauge',
    'bytes/s',
    'Bytes read from the brokers per second, over the window.',
  ],
  requestTotal: ['request-total', 'counter', 'requests', 'The total number of requests written (every API).'],
  requestRate: ['request-rate', 'gauge', 'requests/s', 'Requests written per second (every API), over the window.'],
  requestSizeAvg: [
    'request-size-avg',
    'gauge',
    'bytes',
    'The average size of the requests written (every API, bytes on the wire), over the window.',
  ],
  requestSizeMax: [
    'request-size-max',
    'gauge',
    'bytes',
    'The largest request written (bytes on the wire), over the window.',
  ],
  responseTotal: ['response-total', 'counter', 'responses', 'The total number of responses read.'],
  responseRate: ['response-rate', 'gauge', 'responses/s', 'Responses read per second, over the window.'],
  successfulAuthenticationTotal: [
    'successful-authentication-total',
    'counter',
    'connections',
    'Connections that authenticated and became ready (as Java, PLAINTEXT connections count: they need no credentials).',
  ],
  successfulAuthenticationRate: [
    'successful-authentication-rate',
    'gauge',
    'connections/s',
    'Connections that authenticated and became ready per second, over the window.',
  ],
  failedAuthenticationTotal: [
    'failed-authentication-total',
    'counter',
    'connections',
    'Connections that failed SASL authentication.',
  ],
  failedAuthenticationRate: [
    'failed-authentication-rate',
    'gauge',
    'connections/s',
    'Connections that failed SASL authentication per second, over the window.',
  ],
  metadataAge: [
    'metadata-age',
    'gauge',
    'seconds',
    'Seconds since the client last received cluster metadata (absent before the first Metadata response).',
  ],
} as const satisfies Record<string, readonly [string, MetricType, string, string]>

export type NetworkStat = keyof typeof networkStats

/** The value of `stat` for `network` at `nowMs`; null when the client cannot know it yet (absent series). */
export function networkStatValue(stat: NetworkStat, network: KafkaClientNetwork, nowMs: number): number | null {
  switch (stat) {
    case 'connectionCount':
      return network.connectionCount
    case 'connectionCreationTotal':
      return network.creationTotal
    case 'connectionCreationRate':
      return network.creations.countRate(nowMs)
    case 'connectionCloseTotal':
      return network.closeTotal
    case 'connectionCloseRate':
      return network.closes.countRate(nowMs)
    case 'networkIoTotal':
      return network.requestTotal + network.responseTotal
    case 'networkIoRate':
      return network.networkIoRate(nowMs)
    case 'outgoingByteTotal':
      return network.outgoingByteTotal
    case 'outgoingByteRate':
      return network.outgoingByteRate(nowMs)
    case 'incomingByteTotal':
      return network.incomingByteTotal
    case 'incomingByteRate':
      return network.incomingByteRate(nowMs)
    case 'requestTotal':
      return network.requestTotal
    case 'requestRate':
      return network.requests.countRate(nowMs)
    case 'requestSizeAvg':
      return network.requests.avg(nowMs)
    case 'requestSizeMax':
      return network.requests.max(nowMs)
    case 'responseTotal':
      return network.responseTotal
    case 'responseRate':
      return network.responses.countRate(nowMs)
    case 'successfulAuthenticationTotal':
      return network.successfulAuthenticationTotal
    case 'successfulAuthenticationRate':
      return network.successfulAuthentications.countRate(nowMs)
    case 'failedAuthenticationTotal':
      return network.failedAuthenticationTotal
    case 'failedAuthenticationRate':
      return network.failedAuthentications.countRate(nowMs)
    case 'metadataAge':
      return network.metadataAgeSeconds(nowMs)
  }
}

export interface NetworkFamilySpec {
  /** Prometheus prefix of the Java MBean: `kafka_consumer_consumer_metrics`. */
  readonly prefix: string
  /** The MBean: `kafka.consumer:type=consumer-metrics`. */
  readonly upstream: string
  /** docs/metrics.md section (a MetricGroup, or the component's name). */
  readonly group: string
  /** Whose connections, for the help text: `the worker's Kafka clients`. */
  readonly subject: string
  readonly labels?: readonly string[]
}

/** A definition made by networkMetricDefinitions: it names the statistic it reads. */
export interface NetworkMetricDefinition extends MetricDefinition {
  readonly stat: NetworkStat
}

type Keyed<P extends string, S extends NetworkStat> = {
  readonly [K in S as `${P}${Capitalize<K>}`]: NetworkMetricDefinition
}

/**
 * Definitions of `stats` under a Java client's prefix, keyed `${keyPrefix}${Stat}` (connectionCount → e.g.
 * `connectConnectionCount`), to spread into definitions.ts or a component's defineMetricComponent.
 */
export function networkMetricDefinitions<P extends string, S extends NetworkStat>(
  keyPrefix: P,
  spec: NetworkFamilySpec,
  stats: readonly S[],
): Keyed<P, S> {
  const out: Record<string, NetworkMetricDefinition> = {}
  for (const stat of stats) {
    const [attribute, type, unit, help] = networkStats[stat]
    out[`${keyPrefix}${stat[0].toUpperCase()}${stat.slice(1)}`] = {
      name: `${spec.prefix}_${attribute.replaceAll('-', '_')}`,
      type,
      labels: spec.labels ?? ['client_id'],
      unit,
      help: `${help} Measured on the connections of ${spec.subject}.`,
      group: spec.group,
      upstream: `${spec.upstream} ${attribute}`,
      stat,
    }
  }
  return out as Keyed<P, S>
}

/** Whether `def` was made by networkMetricDefinitions (it survives defineMetricComponent, which copies fields). */
export function isNetworkMetric(def: MetricDefinition): def is NetworkMetricDefinition {
  const stat = (def as { stat?: unknown }).stat
  return typeof stat === 'string' && stat in networkStats
}

/**
 * Registers the network metrics among `definitions` (made by networkMetricDefinitions) on `registry`; each scrape reads every client `clients()`
 * returns, one series per client (`labels` must hold the definitions' labels).
 */
export function registerNetworkMetrics(
  registry: prom.Registry,
  definitions: Readonly<Record<string, MetricDefinition>>,
  clients: () => Iterable<{ readonly labels: Readonly<Record<string, string>>; readonly network: KafkaClientNetwork }>,
  nowMs: () => number = Date.now,
): void {
  for (const def of Object.values(definitions)) {
    if (!isNetworkMetric(def)) continue
    const stat = def.stat
    const collect = (set: (labels: Record<string, string>, value: number) => void) => {
      const now = nowMs()
      for (const client of clients()) {
        const value = networkStatValue(stat, client.network, now)
        if (value !== null) set({ ...client.labels }, value)
      }
    }
    const options = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] }
    if (def.type === 'counter') {
      new prom.Counter({
        ...options,
        collect() {
          this.reset()
          collect((labels, value) => this.inc(labels, value))
        },
      })
    } else {
      new prom.Gauge({
        ...options,
        collect() {
          this.reset()
          collect((labels, value) => this.set(labels, value))
        },
      })
    }
  }
}
