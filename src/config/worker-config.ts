// Worker properties in (defaults < a launcher's local defaults < `.properties` file < CONNECT_* environment < explicit
// overrides), a validated, typed WorkerConfig out. Names, defaults and meanings are Kafka Connect's (WorkerConfig + DistributedConfig), so a
// Connect worker's properties file or the Confluent image's CONNECT_* variables work unchanged.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { converterClassNames, resolveConverterClass } from '../convert/converters.ts'
import { ErrorCodes, FlowscopeError } from '../errors.ts'
import {
  atLeast,
  between,
  ConfigDef,
  type ConfigKey,
  ConfigTypes,
  type ConfigValue,
  Importance,
  nonEmptyString,
  type Validator,
} from './config-def.ts'
import { parseProperties } from './properties.ts'

export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter'

export const OverridePolicies = { NONE: 'None', PRINCIPAL: 'Principal', ALL: 'All' } as const
export type OverridePolicy = (typeof OverridePolicies)[keyof typeof OverridePolicies]
const POLICY_CLASSES: Record<string, OverridePolicy> = {
  None: 'None',
  Principal: 'Principal',
  All: 'All',
  NoneConnectorClientConfigOverridePolicy: 'None',
  PrincipalConnectorClientConfigOverridePolicy: 'Principal',
  AllConnectorClientConfigOverridePolicy: 'All',
}

const replicationFactor: Validator = (value) =>
  typeof value === 'number' && value !== -1 && value < 1
    ? "Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default"
    : undefined

const partitions: Validator = (value) =>
  typeof value === 'number' && value !== -1 && value < 1
    ? "Number of partitions must be positive, or -1 to use the broker's default"
    : undefined

const hostPorts: Validator = (value) => {
  const bad = (Array.isArray(value) ? value : []).filter((s) => !/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(s))
  if (Array.isArray(value) && value.length === 0) return 'At least one host:port is required'
  return bad.length > 0 ? `Expected host:port entries, got ${bad.map((s) => JSON.stringify(s)).join(', ')}` : undefined
}

const converterClass: Validator = (value) =>
  typeof value === 'string' && resolveConverterClass(value) === undefined
    ? `Converter class ${value} is not supported by flowscope; supported: ${converterClassNames.join(', ')}`
    : undefined

const overridePolicy: Validator = (value) => {
  const short = typeof value === 'string' ? value.slice(value.lastIndexOf('.') + 1) : ''
  return POLICY_CLASSES[short] === undefined
    ? 'Must be one of None, Principal, All (or their policy class names)'
    : undefined
}

const LISTENER = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]*):(\d{1,5})\/?$/i

const listenerList: Validator = (value) => {
  const list = Array.isArray(value) ? value : []
  if (list.length === 0) return 'At least one listener is required, e.g. http://:8083'
  for (const entry of list) {
    const m = LISTENER.exec(entry)
    if (!m) return `Invalid listener ${JSON.stringify(entry)}; expected PROTOCOL://[host]:port, e.g. http://:8083`
    if (m[1].toLowerCase() !== 'http') return `Listener ${entry}: only http listeners are supported by flowscope`
    if (Number(m[3]) > 65535) return `Listener ${entry}: port must be between 0 and 65535`
  }
  return undefined
}

type KeyOptions = Omit<ConfigKey, 'name' | 'type' | 'documentation' | 'importance'> & {
  importance?: ConfigKey['importance']
}
/** Connect's message shape: "Invalid value X for configuration NAME: why". */
const explained =
  (validator: Validator): Validator =>
  (value, name) => {
    const why = validator(value, name)
    return why === undefined
      ? undefined
      : `Invalid value ${Array.isArray(value) ? value.join(',') : value} for configuration ${name}: ${why}`
  }

const key = (name: string, type: ConfigKey['type'], documentation: string, options: KeyOptions = {}): ConfigKey => ({
  name,
  type,
  documentation,
  importance: options.importance ?? Importance.MEDIUM,
  ...options,
  validator: options.validator && explained(options.validator),
})

/** Every worker key flowscope reads, with Connect's defaults (flowscope defaults where Connect has none). */
export const workerConfigDef = new ConfigDef()
  .define(
    key('bootstrap.servers', ConfigTypes.LIST, 'host:port pairs used to establish the initial connection to Kafka.', {
      default: ['localhost:9092'],
      validator: hostPorts,
      importance: Importance.HIGH,
    }),
  )
  .define(
    key(
      'group.id',
      ConfigTypes.STRING,
      'A unique string that identifies the Connect cluster group this worker belongs to.',
      {
        default: 'connect-cluster',
        validator: nonEmptyString,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'config.storage.topic',
      ConfigTypes.STRING,
      'The name of the Kafka topic where connector configurations are stored.',
      {
        default: 'connect-configs',
        validator: nonEmptyString,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'offset.storage.topic',
      ConfigTypes.STRING,
      'The name of the Kafka topic where source connector offsets are stored.',
      {
        default: 'connect-offsets',
        validator: nonEmptyString,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'status.storage.topic',
      ConfigTypes.STRING,
      'The name of the Kafka topic where connector and task status are stored.',
      {
        default: 'connect-status',
        validator: nonEmptyString,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'config.storage.replication.factor',
      ConfigTypes.SHORT,
      'Replication factor used when creating the configuration storage topic.',
      {
        default: 3,
        validator: replicationFactor,
      },
    ),
  )
  .define(
    key(
      'offset.storage.replication.factor',
      ConfigTypes.SHORT,
      'Replication factor used when creating the offset storage topic.',
      {
        default: 3,
        validator: replicationFactor,
      },
    ),
  )
  .define(
    key(
      'status.storage.replication.factor',
      ConfigTypes.SHORT,
      'Replication factor used when creating the status storage topic.',
      {
        default: 3,
        validator: replicationFactor,
      },
    ),
  )
  .define(
    key(
      'offset.storage.partitions',
      ConfigTypes.INT,
      'The number of partitions used when creating the offset storage topic.',
      {
        default: 25,
        validator: partitions,
      },
    ),
  )
  .define(
    key(
      'status.storage.partitions',
      ConfigTypes.INT,
      'The number of partitions used when creating the status storage topic.',
      {
        default: 5,
        validator: partitions,
      },
    ),
  )
  .define(
    key('offset.flush.interval.ms', ConfigTypes.LONG, 'Interval at which to try committing offsets for tasks.', {
      default: 60000,
      validator: atLeast(1),
      importance: Importance.LOW,
    }),
  )
  .define(
    key(
      'offset.flush.timeout.ms',
      ConfigTypes.LONG,
      'Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt.',
      {
        default: 5000,
        validator: atLeast(0),
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'task.shutdown.graceful.timeout.ms',
      ConfigTypes.LONG,
      'Amount of time to wait for tasks to shutdown gracefully.',
      {
        default: 5000,
        validator: atLeast(0),
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'key.converter',
      ConfigTypes.CLASS,
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record keys).',
      {
        default: JSON_CONVERTER,
        validator: converterClass,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'value.converter',
      ConfigTypes.CLASS,
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record values).',
      {
        default: JSON_CONVERTER,
        validator: converterClass,
        importance: Importance.HIGH,
      },
    ),
  )
  .define(
    key(
      'header.converter',
      ConfigTypes.CLASS,
      'HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (accepted; flowscope writes header values as strings/bytes).',
      {
        default: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'listeners',
      ConfigTypes.LIST,
      'List of comma-separated URIs the REST API will listen on (http only). Leave hostname empty to bind to all interfaces. Wins over rest.host.name/rest.port.',
      {
        default: ['http://:8083'],
        validator: listenerList,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'rest.host.name',
      ConfigTypes.STRING,
      'Deprecated (use listeners): hostname for the REST API; used only when listeners is not set.',
      {
        default: null,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'rest.port',
      ConfigTypes.INT,
      'Deprecated (use listeners): port for the REST API; used only when listeners is not set.',
      {
        default: 8083,
        validator: between(0, 65535),
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'rest.advertised.host.name',
      ConfigTypes.STRING,
      'If set, this is the hostname that will be given out to other workers to connect to.',
      {
        default: null,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'rest.advertised.port',
      ConfigTypes.INT,
      'If set, this is the port that will be given out to other workers to connect to.',
      {
        default: null,
        validator: between(1, 65535),
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'rest.advertised.listener',
      ConfigTypes.STRING,
      'Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.',
      {
        default: null,
        validator: (value) =>
          value === null || String(value).toLowerCase() === 'http' ? undefined : 'Only http is supported by flowscope',
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'access.control.allow.origin',
      ConfigTypes.STRING,
      'Value to set the Access-Control-Allow-Origin header to for REST API requests. Empty disables CORS.',
      {
        default: '',
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'access.control.allow.methods',
      ConfigTypes.STRING,
      'Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header.',
      {
        default: '',
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'connector.client.config.override.policy',
      ConfigTypes.STRING,
      'Which client configurations connectors may override: None, Principal or All.',
      {
        default: OverridePolicies.ALL,
        validator: overridePolicy,
      },
    ),
  )
  .define(
    key('client.id', ConfigTypes.STRING, 'An id string to pass to the server when making requests.', {
      default: '',
      importance: Importance.LOW,
    }),
  )
  .define(
    key('plugin.path', ConfigTypes.LIST, 'Accepted for compatibility and ignored: flowscope plugins are built in.', {
      default: null,
      importance: Importance.LOW,
    }),
  )
  .define(
    key(
      'topic.creation.enable',
      ConfigTypes.BOOLEAN,
      'Whether to allow automatic creation of topics used by source connectors (topic.creation.* connector properties).',
      {
        default: true,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'topic.tracking.enable',
      ConfigTypes.BOOLEAN,
      'Enable tracking the set of active topics per connector during runtime.',
      {
        default: true,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'topic.tracking.allow.reset',
      ConfigTypes.BOOLEAN,
      'If set to true, it allows user requests to reset the set of active topics per connector.',
      {
        default: true,
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key('session.timeout.ms', ConfigTypes.INT, 'The timeout used to detect worker failures.', {
      default: 10000,
      validator: atLeast(1),
    }),
  )
  .define(
    key('heartbeat.interval.ms', ConfigTypes.INT, 'The expected time between heartbeats to the group coordinator.', {
      default: 3000,
      validator: atLeast(1),
    }),
  )
  .define(
    key(
      'rebalance.timeout.ms',
      ConfigTypes.INT,
      'The maximum allowed time for each worker to join the group once a rebalance has begun.',
      {
        default: 60000,
        validator: atLeast(1),
      },
    ),
  )
  .define(
    key(
      'scheduled.rebalance.max.delay.ms',
      ConfigTypes.INT,
      'The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks.',
      {
        default: 300000,
        validator: atLeast(0),
        importance: Importance.LOW,
      },
    ),
  )
  .define(
    key(
      'flowscope.rest.max.body.bytes',
      ConfigTypes.INT,
      'flowscope: the largest REST request body accepted, in bytes.',
      {
        default: 1048576,
        validator: atLeast(1024),
        importance: Importance.LOW,
      },
    ),
  )

/** Key prefixes whose sub-keys belong to something else (clients, converters) rather than to this definition. */
const PASSTHROUGH_PREFIXES = [
  'producer.',
  'consumer.',
  'admin.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'listeners.',
  'flowscope.',
]

/** Confluent images' variables that configure logging/JVM, not the worker. */
const EXCLUDED_ENV = /^CONNECT_(LOG4J_|JMX_|HEAP_OPTS$|OPTS$)/

/**
 * CONNECT_* variables as Confluent's images map them (`dub` env_to_props): strip the prefix, lower-case, a single
 * `_` → `.`, `___` → `-`, `__` → `_`. E.g. CONNECT_OFFSET_FLUSH_INTERVAL_MS → offset.flush.interval.ms.
 */
export function envToProperties(env: NodeJS.ProcessEnv, prefix = 'CONNECT_'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || EXCLUDED_ENV.test(name)) continue
    out[envNameToProperty(name.slice(prefix.length))] = value
  }
  return out
}

export function envNameToProperty(name: string): string {
  return name
    .toLowerCase()
    .replace(/(?<=[^_])_(?=[^_])/g, '.')
    .split('___')
    .join('-')
    .split('__')
    .join('_')
}

export interface LoadWorkerConfigOptions {
  /** A Connect worker `.properties` file. */
  file?: string
  /** Read for CONNECT_* variables; defaults to process.env (pass `{}` to ignore the environment). */
  env?: NodeJS.ProcessEnv
  /**
   * Defaults of the program starting the worker (e.g. `flowscope up`'s group.id), above the definition's defaults
   * and below everything the user gives: the file, the environment and the overrides all win over them.
   */
  localDefaults?: Record<string, string>
  /** Highest precedence (e.g. command-line flags, or what the launcher must force). */
  overrides?: Record<string, string>
}

/** Where a value from `localDefaults` came from, in error messages. */
export const LOCAL_DEFAULT_ORIGIN = 'local default'

export class WorkerConfigError extends FlowscopeError {
  /** Key → every problem with it. */
  readonly problems: Map<string, string[]>

  constructor(problems: Map<string, string[]>, origins: Map<string, string> = new Map()) {
    const lines = [...problems].flatMap(([name, list]) => {
      const origin = origins.get(name)
      return list.map((problem) => `  ${name}${origin ? ` (from ${origin})` : ''}: ${problem}`)
    })
    super(ErrorCodes.INVALID_CONFIG, `Invalid worker configuration:\n${lines.join('\n')}`)
    this.name = 'WorkerConfigError'
    this.problems = problems
  }
}

/** Merges defaults < localDefaults < file < env < overrides and validates; throws one WorkerConfigError listing every problem. */
export function loadWorkerConfig(options: LoadWorkerConfigOptions = {}): WorkerConfig {
  const raw: Record<string, string> = {}
  const origins = new Map<string, string>()
  const layer = (entries: Record<string, string>, origin: (name: string) => string) => {
    for (const [name, value] of Object.entries(entries)) {
      raw[name] = value
      origins.set(name, origin(name))
    }
  }
  layer(options.localDefaults ?? {}, () => LOCAL_DEFAULT_ORIGIN)
  if (options.file !== undefined) {
    let text: string
    try {
      text = readFileSync(options.file, 'utf8')
    } catch (error) {
      throw new FlowscopeError(
        ErrorCodes.INVALID_CONFIG,
        `Cannot read worker properties file ${options.file}: ${(error as Error).message}`,
        { cause: error },
      )
    }
    const file = options.file
    layer(parseProperties(text), () => file)
  }
  const env = options.env ?? process.env
  const envNames = new Map<string, string>()
  for (const name of Object.keys(env))
    if (name.startsWith('CONNECT_')) envNames.set(envNameToProperty(name.slice(8)), name)
  layer(envToProperties(env), (name) => `env ${envNames.get(name) ?? ''}`.trim())
  layer(options.overrides ?? {}, () => 'override')
  return new WorkerConfig(raw, origins)
}

export interface Listener {
  protocol: 'http'
  /** '' binds to all interfaces. */
  host: string
  port: number
}

export class WorkerConfig {
  readonly #raw: Record<string, string>
  readonly #values: Map<string, ConfigValue>
  readonly #listeners: Listener[]

  /** Validates `raw` (every value as a string, as Connect stores them). */
  constructor(raw: Record<string, string>, origins: Map<string, string> = new Map()) {
    this.#raw = { ...raw }
    const parsed = workerConfigDef.parse(this.#raw)
    this.#values = parsed.values
    const listenersValid = !parsed.errors.has('listeners') && !parsed.errors.has('rest.port')
    const listeners = listenersValid ? this.#resolveListeners(parsed.errors) : []
    if (parsed.errors.size > 0) throw new WorkerConfigError(parsed.errors, origins)
    this.#listeners = listeners
  }

  #get<T extends ConfigValue>(name: string): T {
    return this.#values.get(name) as T
  }

  /** listeners wins when given; otherwise the deprecated rest.host.name/rest.port; otherwise http://:8083. */
  #resolveListeners(errors: Map<string, string[]>): Listener[] {
    const given = Object.hasOwn(this.#raw, 'listeners')
    const legacy = Object.hasOwn(this.#raw, 'rest.port') || Object.hasOwn(this.#raw, 'rest.host.name')
    let list = this.#get<string[]>('listeners')
    if (!given && legacy) {
      const host = this.#get<string | null>('rest.host.name') ?? ''
      list = [`http://${host.includes(':') ? `[${host}]` : host}:${this.#get<number>('rest.port')}`]
    }
    const listeners: Listener[] = []
    for (const entry of list) {
      const m = LISTENER.exec(entry)
      if (m) listeners.push({ protocol: 'http', host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]) })
      else errors.set('rest.host.name', [`Invalid host name ${JSON.stringify(this.#get('rest.host.name'))}`])
    }
    return listeners
  }

  /** Typed value of any defined key (for keys without a getter). */
  get(name: string): ConfigValue {
    if (!this.#values.has(name)) throw new Error(`Unknown worker configuration key ${name}`)
    return this.#values.get(name) ?? null
  }

  /** Every key as given (defaults not included), unknown keys kept. */
  originals(): Record<string, string> {
    return { ...this.#raw }
  }

  /** Given keys starting with `prefix`, with the prefix removed (Connect's originalsWithPrefix). */
  originalsWithPrefix(prefix: string): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(this.#raw)) {
      if (name.startsWith(prefix) && name.length > prefix.length) out[name.slice(prefix.length)] = value
    }
    return out
  }

  /** Given keys flowscope neither defines nor passes on (Connect logs these as "supplied but isn't a known config"). */
  unknownKeys(): string[] {
    return Object.keys(this.#raw).filter(
      (name) => workerConfigDef.key(name) === undefined && !PASSTHROUGH_PREFIXES.some((p) => name.startsWith(p)),
    )
  }

  get bootstrapServers(): string[] {
    return this.#get<string[]>('bootstrap.servers')
  }
  get groupId(): string {
    return this.#get<string>('group.id')
  }
  get clientId(): string {
    return this.#get<string>('client.id')
  }
  get configStorageTopic(): string {
    return this.#get<string>('config.storage.topic')
  }
  get offsetStorageTopic(): string {
    return this.#get<string>('offset.storage.topic')
  }
  get statusStorageTopic(): string {
    return this.#get<string>('status.storage.topic')
  }
  /** -1 means the broker's default. */
  get configStorageReplicationFactor(): number {
    return this.#get<number>('config.storage.replication.factor')
  }
  get offsetStorageReplicationFactor(): number {
    return this.#get<number>('offset.storage.replication.factor')
  }
  get statusStorageReplicationFactor(): number {
    return this.#get<number>('status.storage.replication.factor')
  }
  /** -1 means the broker's default. */
  get offsetStoragePartitions(): number {
    return this.#get<number>('offset.storage.partitions')
  }
  get statusStoragePartitions(): number {
    return this.#get<number>('status.storage.partitions')
  }
  get offsetFlushIntervalMs(): number {
    return this.#get<number>('offset.flush.interval.ms')
  }
  get offsetFlushTimeoutMs(): number {
    return this.#get<number>('offset.flush.timeout.ms')
  }
  get taskShutdownGracefulTimeoutMs(): number {
    return this.#get<number>('task.shutdown.graceful.timeout.ms')
  }
  get sessionTimeoutMs(): number {
    return this.#get<number>('session.timeout.ms')
  }
  get heartbeatIntervalMs(): number {
    return this.#get<number>('heartbeat.interval.ms')
  }
  get rebalanceTimeoutMs(): number {
    return this.#get<number>('rebalance.timeout.ms')
  }
  get scheduledRebalanceMaxDelayMs(): number {
    return this.#get<number>('scheduled.rebalance.max.delay.ms')
  }
  get headerConverter(): string {
    return this.#get<string>('header.converter')
  }
  get connectorClientConfigOverridePolicy(): OverridePolicy {
    const value = this.#get<string>('connector.client.config.override.policy')
    return POLICY_CLASSES[value.slice(value.lastIndexOf('.') + 1)]
  }
  get topicCreationEnable(): boolean {
    return this.#get<boolean>('topic.creation.enable')
  }
  get topicTrackingEnable(): boolean {
    return this.#get<boolean>('topic.tracking.enable')
  }
  get topicTrackingAllowReset(): boolean {
    return this.#get<boolean>('topic.tracking.allow.reset')
  }
  get accessControlAllowOrigin(): string {
    return this.#get<string>('access.control.allow.origin')
  }
  get accessControlAllowMethods(): string {
    return this.#get<string>('access.control.allow.methods')
  }
  get restMaxBodyBytes(): number {
    return this.#get<number>('flowscope.rest.max.body.bytes')
  }

  /** The REST listeners, first one first. */
  get listeners(): Listener[] {
    return this.#listeners.map((l) => ({ ...l }))
  }
  /** Host of the first listener; '' means all interfaces. */
  get restHost(): string {
    return this.#listeners[0].host
  }
  /** Port of the first listener (0 = pick a free port; see advertisedUrlFor). */
  get restPort(): number {
    return this.#listeners[0].port
  }
  /** rest.advertised.host.name, else the listener's host, else this machine's hostname. */
  get advertisedHost(): string {
    return this.#get<string | null>('rest.advertised.host.name') || this.restHost || hostname()
  }
  /** rest.advertised.port, else the listener's port. */
  get advertisedPort(): number {
    return this.#get<number | null>('rest.advertised.port') ?? this.restPort
  }
  /** The URL other workers and clients use to reach this worker, e.g. `http://connect:8083`. */
  get advertisedUrl(): string {
    return this.advertisedUrlFor(this.restPort)
  }
  /** Connect's worker_id in status answers: `host:port`. */
  get workerId(): string {
    return `${this.advertisedHost}:${this.advertisedPort}`
  }
  /** The advertised URL once the server is bound (needed when restPort is 0). */
  advertisedUrlFor(boundPort: number): string {
    const port = this.#get<number | null>('rest.advertised.port') ?? boundPort
    const host = this.advertisedHost
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  }

  /** `producer.*` worker keys without the prefix, for every source task's producer. */
  producerOverrides(): Record<string, string> {
    return this.originalsWithPrefix('producer.')
  }
  consumerOverrides(): Record<string, string> {
    return this.originalsWithPrefix('consumer.')
  }
  adminOverrides(): Record<string, string> {
    return this.originalsWithPrefix('admin.')
  }

  /** The converter class (fully qualified) and its settings without the `key.converter.` prefix. */
  converterConfig(kind: 'key' | 'value'): { className: string; config: Record<string, string> } {
    const given = this.#get<string>(`${kind}.converter`)
    return {
      className: resolveConverterClass(given) ?? given,
      config: this.originalsWithPrefix(`${kind}.converter.`),
    }
  }
}
