// Worker properties in (defaults < a launcher's local defaults < `.properties` file < CONNECT_* environment < explicit
// overrides), a validated, typed WorkerConfig out. Names, defaults and meanings are Kafka Connect's (WorkerConfig +
// DistributedConfig), so a Connect worker's properties file or the Confluent image's CONNECT_* variables work
// unchanged. Each key is declared once (WORKER_KEYS); the type of `config.get(key)` is derived from its declaration.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { converterClassNames, resolveConverterClass } from '../convert/converters.ts'
import { ErrorCodes, FlowscopeError } from '../errors.ts'
import { isSupportedAlgorithm, keyLength, SUPPORTED_ALGORITHMS } from '../runtime/request-signature.ts'
import {
  atLeast,
  between,
  ConfigTypes,
  type ConfigValue,
  configDefOf,
  Importance,
  keyTable,
  nonEmptyString,
  oneOf,
  type TableValues,
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

/** Connect's wording for an algorithm the worker cannot compute (its JVM's list there, flowscope's here). */
const unsupportedAlgorithm = (algorithm: string) =>
  `the algorithm ${algorithm} is not supported by flowscope; the supported algorithms are: ${SUPPORTED_ALGORITHMS.join(', ')}`

const macAlgorithm: Validator = (value) =>
  typeof value === 'string' && !isSupportedAlgorithm(value) ? unsupportedAlgorithm(value) : undefined

const macAlgorithms: Validator = (value) => {
  const list = Array.isArray(value) ? value : []
  if (list.length === 0) return 'At least one signature verification algorithm must be provided'
  const bad = list.find((algorithm) => !isSupportedAlgorithm(algorithm))
  return bad === undefined ? undefined : unsupportedAlgorithm(bad)
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

/**
 * Every worker key flowscope knows, once: Connect's names, types and defaults (flowscope's where Connect has none),
 * validators and docs. Keys marked `notActedOn` are accepted and validated as Connect does, but nothing reads them;
 * a worker that is given one says so at start (see notActedOnWarning).
 */
const WORKER_KEYS = keyTable({
  'bootstrap.servers': {
    type: ConfigTypes.LIST,
    documentation: 'host:port pairs used to establish the initial connection to Kafka.',
    default: ['localhost:9092'],
    validator: hostPorts,
    importance: Importance.HIGH,
  },
  'group.id': {
    type: ConfigTypes.STRING,
    documentation: 'A unique string that identifies the Connect cluster group this worker belongs to.',
    default: 'connect-cluster',
    validator: nonEmptyString,
    importance: Importance.HIGH,
  },
  'config.storage.topic': {
    type: ConfigTypes.STRING,
    documentation: 'The name of the Kafka topic where connector configurations are stored.',
    default: 'connect-configs',
    validator: nonEmptyString,
    importance: Importance.HIGH,
  },
  'offset.storage.topic': {
    type: ConfigTypes.STRING,
    documentation: 'The name of the Kafka topic where source connector offsets are stored.',
    default: 'connect-offsets',
    validator: nonEmptyString,
    importance: Importance.HIGH,
  },
  'status.storage.topic': {
    type: ConfigTypes.STRING,
    documentation: 'The name of the Kafka topic where connector and task status are stored.',
    default: 'connect-status',
    validator: nonEmptyString,
    importance: Importance.HIGH,
  },
  'config.storage.replication.factor': {
    type: ConfigTypes.SHORT,
    documentation: 'Replication factor used when creating the configuration storage topic.',
    default: 3,
    validator: replicationFactor,
  },
  'offset.storage.replication.factor': {
    type: ConfigTypes.SHORT,
    documentation: 'Replication factor used when creating the offset storage topic.',
    default: 3,
    validator: replicationFactor,
  },
  'status.storage.replication.factor': {
    type: ConfigTypes.SHORT,
    documentation: 'Replication factor used when creating the status storage topic.',
    default: 3,
    validator: replicationFactor,
  },
  'offset.storage.partitions': {
    type: ConfigTypes.INT,
    documentation: 'The number of partitions used when creating the offset storage topic.',
    default: 25,
    validator: partitions,
  },
  'status.storage.partitions': {
    type: ConfigTypes.INT,
    documentation: 'The number of partitions used when creating the status storage topic.',
    default: 5,
    validator: partitions,
  },
  'offset.flush.interval.ms': {
    type: ConfigTypes.LONG,
    documentation: 'Interval at which to try committing offsets for tasks.',
    default: 60000,
    validator: atLeast(1),
    importance: Importance.LOW,
  },
  'offset.flush.timeout.ms': {
    type: ConfigTypes.LONG,
    documentation:
      'Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt.',
    default: 5000,
    validator: atLeast(0),
    importance: Importance.LOW,
  },
  'task.shutdown.graceful.timeout.ms': {
    type: ConfigTypes.LONG,
    documentation: 'Amount of time to wait for tasks to shutdown gracefully.',
    default: 5000,
    validator: atLeast(0),
    importance: Importance.LOW,
  },
  'key.converter': {
    type: ConfigTypes.CLASS,
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record keys).',
    default: JSON_CONVERTER,
    validator: converterClass,
    importance: Importance.HIGH,
  },
  'value.converter': {
    type: ConfigTypes.CLASS,
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (record values).',
    default: JSON_CONVERTER,
    validator: converterClass,
    importance: Importance.HIGH,
  },
  'header.converter': {
    type: ConfigTypes.CLASS,
    documentation:
      'HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka (accepted; flowscope writes header values as strings/bytes).',
    default: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    importance: Importance.LOW,
    notActedOn: 'record headers are always written as SimpleHeaderConverter writes them; no other class is loaded',
  },
  listeners: {
    type: ConfigTypes.LIST,
    documentation:
      'List of comma-separated URIs the REST API will listen on (http only). Leave hostname empty to bind to all interfaces. Wins over rest.host.name/rest.port.',
    default: ['http://:8083'],
    validator: listenerList,
    importance: Importance.LOW,
  },
  'rest.host.name': {
    type: ConfigTypes.STRING,
    documentation: 'Deprecated (use listeners): hostname for the REST API; used only when listeners is not set.',
    default: null,
    importance: Importance.LOW,
  },
  'rest.port': {
    type: ConfigTypes.INT,
    documentation: 'Deprecated (use listeners): port for the REST API; used only when listeners is not set.',
    default: 8083,
    validator: between(0, 65535),
    importance: Importance.LOW,
  },
  'rest.advertised.host.name': {
    type: ConfigTypes.STRING,
    documentation: 'If set, this is the hostname that will be given out to other workers to connect to.',
    default: null,
    importance: Importance.LOW,
  },
  'rest.advertised.port': {
    type: ConfigTypes.INT,
    documentation: 'If set, this is the port that will be given out to other workers to connect to.',
    default: null,
    validator: between(1, 65535),
    importance: Importance.LOW,
  },
  'rest.advertised.listener': {
    type: ConfigTypes.STRING,
    documentation: 'Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.',
    default: null,
    validator: (value) =>
      value === null || String(value).toLowerCase() === 'http' ? undefined : 'Only http is supported by flowscope',
    importance: Importance.LOW,
  },
  'access.control.allow.origin': {
    type: ConfigTypes.STRING,
    documentation: 'Value to set the Access-Control-Allow-Origin header to for REST API requests. Empty disables CORS.',
    default: '',
    importance: Importance.LOW,
    notActedOn: 'the REST API sends no CORS headers',
  },
  'access.control.allow.methods': {
    type: ConfigTypes.STRING,
    documentation:
      'Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header.',
    default: '',
    importance: Importance.LOW,
    notActedOn: 'the REST API sends no CORS headers',
  },
  'connector.client.config.override.policy': {
    type: ConfigTypes.STRING,
    documentation: 'Which client configurations connectors may override: None, Principal or All.',
    default: OverridePolicies.ALL,
    validator: overridePolicy,
    notActedOn: "connectors' producer.override.* settings are not applied, so there is nothing to allow or deny",
  },
  'client.id': {
    type: ConfigTypes.STRING,
    documentation: 'An id string to pass to the server when making requests.',
    default: '',
    importance: Importance.LOW,
  },
  'plugin.path': {
    type: ConfigTypes.LIST,
    documentation: 'Accepted for compatibility and ignored: flowscope plugins are built in.',
    default: null,
    importance: Importance.LOW,
    notActedOn: "flowscope's connectors, converters and transforms are built in; nothing is loaded from disk",
  },
  'topic.creation.enable': {
    type: ConfigTypes.BOOLEAN,
    documentation:
      'Whether to allow automatic creation of topics used by source connectors (topic.creation.* connector properties).',
    default: true,
    importance: Importance.LOW,
  },
  'topic.tracking.enable': {
    type: ConfigTypes.BOOLEAN,
    documentation: 'Enable tracking the set of active topics per connector during runtime.',
    default: true,
    importance: Importance.LOW,
  },
  'topic.tracking.allow.reset': {
    type: ConfigTypes.BOOLEAN,
    documentation: 'If set to true, it allows user requests to reset the set of active topics per connector.',
    default: true,
    importance: Importance.LOW,
  },
  'session.timeout.ms': {
    type: ConfigTypes.INT,
    documentation: 'The timeout used to detect worker failures.',
    default: 10000,
    validator: atLeast(1),
  },
  'heartbeat.interval.ms': {
    type: ConfigTypes.INT,
    documentation: 'The expected time between heartbeats to the group coordinator.',
    default: 3000,
    validator: atLeast(1),
  },
  'rebalance.timeout.ms': {
    type: ConfigTypes.INT,
    documentation: 'The maximum allowed time for each worker to join the group once a rebalance has begun.',
    default: 60000,
    validator: atLeast(1),
  },
  'scheduled.rebalance.max.delay.ms': {
    type: ConfigTypes.INT,
    documentation:
      'The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks.',
    default: 300000,
    validator: atLeast(0),
    importance: Importance.LOW,
  },
  'connect.protocol': {
    type: ConfigTypes.STRING,
    documentation: 'Compatibility mode for Kafka Connect Protocol: eager, compatible or sessioned.',
    default: 'sessioned',
    validator: oneOf(['eager', 'compatible', 'sessioned'], true),
    importance: Importance.LOW,
  },
  'inter.worker.key.generation.algorithm': {
    type: ConfigTypes.STRING,
    documentation:
      'The algorithm to use for generating internal request keys (the session key the leader writes to the config topic when the group runs the `sessioned` protocol).',
    default: 'HmacSHA256',
    validator: macAlgorithm,
    importance: Importance.LOW,
  },
  'inter.worker.key.size': {
    type: ConfigTypes.INT,
    documentation:
      'The size of the key to use for signing internal requests, in bits. If null, the default key size for the key generation algorithm will be used.',
    default: null,
    importance: Importance.LOW,
  },
  'inter.worker.key.ttl.ms': {
    type: ConfigTypes.INT,
    documentation: 'The TTL of generated session keys used for internal request validation (in milliseconds).',
    default: 3600000,
    validator: between(0, 2147483647),
    importance: Importance.LOW,
  },
  'inter.worker.signature.algorithm': {
    type: ConfigTypes.STRING,
    documentation: 'The algorithm used to sign internal requests.',
    default: 'HmacSHA256',
    validator: macAlgorithm,
    importance: Importance.LOW,
  },
  'inter.worker.verification.algorithms': {
    type: ConfigTypes.LIST,
    documentation:
      'A list of permitted algorithms for verifying internal requests, which must include the algorithm used for the inter.worker.signature.algorithm property.',
    default: ['HmacSHA256'],
    validator: macAlgorithms,
    importance: Importance.LOW,
  },
  'worker.sync.timeout.ms': {
    type: ConfigTypes.INT,
    documentation:
      'When the worker is out of sync with other workers and needs to resynchronize configurations, wait up to this amount of time before giving up, leaving the group, and waiting a backoff period before rejoining.',
    default: 3000,
    validator: atLeast(0),
  },
  'worker.unsync.backoff.ms': {
    type: ConfigTypes.INT,
    documentation:
      'When the worker is out of sync with other workers and fails to catch up within worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining.',
    default: 300000,
    validator: atLeast(0),
  },
  'exactly.once.source.support': {
    type: ConfigTypes.STRING,
    documentation:
      'Whether to enable exactly-once support for source connectors in the cluster: disabled, preparing or enabled.',
    default: 'disabled',
    validator: oneOf(['disabled', 'preparing', 'enabled'], true),
    importance: Importance.HIGH,
  },
  'config.providers': {
    type: ConfigTypes.LIST,
    documentation: 'Comma-separated names of ConfigProvider classes, loaded and used in the order specified.',
    default: [],
    importance: Importance.LOW,
    notActedOn:
      'config values are used as written (provider variables are not resolved); no provider classes are loaded',
  },
  'rest.extension.classes': {
    type: ConfigTypes.LIST,
    documentation: 'Comma-separated names of ConnectRestExtension classes, loaded and called in the order specified.',
    default: [],
    importance: Importance.LOW,
    notActedOn: 'REST extensions are Java classes; none are loaded',
  },
  'response.http.headers.config': {
    type: ConfigTypes.STRING,
    documentation: 'Rules for REST API HTTP response headers.',
    default: '',
    importance: Importance.LOW,
    notActedOn: 'the REST API adds no configured response headers',
  },
  'metric.reporters': {
    type: ConfigTypes.LIST,
    documentation: 'A list of classes to use as metrics reporters.',
    default: [],
    importance: Importance.LOW,
    notActedOn: 'metrics are served in Prometheus format on /metrics; no reporter classes are loaded',
  },
  'flowscope.rest.max.body.bytes': {
    type: ConfigTypes.INT,
    documentation: 'flowscope: the largest REST request body accepted, in bytes.',
    default: 1048576,
    validator: atLeast(1024),
    importance: Importance.LOW,
  },
})

/** A worker key flowscope defines. */
export type WorkerConfigKey = keyof typeof WORKER_KEYS
/** Each worker key's parsed type, derived from its declaration (`offset.flush.interval.ms` → number, …). */
export type WorkerConfigValues = TableValues<typeof WORKER_KEYS>

/** Every worker key with Connect's defaults (flowscope defaults where Connect has none). */
export const workerConfigDef = configDefOf(WORKER_KEYS, { validatorOf: explained })

/**
 * Key prefixes whose sub-keys belong to something else (clients, converters) rather than to this definition; those
 * marked `notActedOn` are accepted but not passed on to anything.
 */
const PASSTHROUGH_PREFIXES: Readonly<Record<string, { notActedOn?: string }>> = {
  'producer.': {},
  'consumer.': { notActedOn: "the worker's consumers of its internal topics take no overrides" },
  'admin.': { notActedOn: "the worker's admin client takes no overrides" },
  'key.converter.': {},
  'value.converter.': {},
  'header.converter.': { notActedOn: 'header.converter is not loaded, so its settings are not read' },
  'listeners.': { notActedOn: 'per-listener settings are for https listeners, which flowscope does not support' },
  'flowscope.': {},
}

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

/** Why flowscope does not act on a worker key (declared so, or under a prefix declared so); undefined if it does. */
export function notActedOnReason(name: string): string | undefined {
  const declared = workerConfigDef.key(name)
  if (declared !== undefined) return declared.notActedOn
  for (const [prefix, { notActedOn }] of Object.entries(PASSTHROUGH_PREFIXES))
    if (name.startsWith(prefix) && name.length > prefix.length) return notActedOn
  return undefined
}

/** Every key (and key prefix, as `prefix*`) flowscope accepts but does not act on, with why: for docs. */
export function notActedOnKeys(): NotActedOnKey[] {
  return [
    ...workerConfigDef.keys().flatMap((k) => (k.notActedOn ? [{ name: k.name, reason: k.notActedOn }] : [])),
    ...Object.entries(PASSTHROUGH_PREFIXES).flatMap(([prefix, { notActedOn }]) =>
      notActedOn ? [{ name: `${prefix}*`, reason: notActedOn }] : [],
    ),
  ]
}

/** The one WARN line a worker logs at start when it was given keys it does not act on; undefined when none. */
export function notActedOnWarning(config: WorkerConfig): string | undefined {
  const keys = config.notActedOn()
  if (keys.length === 0) return undefined
  return `Worker configuration keys accepted but not acted on by flowscope (see docs/configuration.md): ${keys
    .map((k) => `${k.name} (${k.reason})`)
    .join('; ')}`
}

export interface Listener {
  protocol: 'http'
  /** '' binds to all interfaces. */
  host: string
  port: number
}

/** A key given to the worker that flowscope accepts but does not act on, and why. */
export interface NotActedOnKey {
  name: string
  reason: string
}

export class WorkerConfig {
  readonly #raw: Record<string, string>
  readonly #origins: Map<string, string>
  readonly #values: Map<string, ConfigValue>
  readonly #listeners: Listener[]

  /** Validates `raw` (every value as a string, as Connect stores them); `origins` says where each key came from. */
  constructor(raw: Record<string, string>, origins: Map<string, string> = new Map()) {
    this.#raw = { ...raw }
    this.#origins = new Map(origins)
    const parsed = workerConfigDef.parse(this.#raw)
    this.#values = parsed.values
    const listenersValid = !parsed.errors.has('listeners') && !parsed.errors.has('rest.port')
    const listeners = listenersValid ? this.#resolveListeners(parsed.errors) : []
    this.#checkInterWorkerKeys(parsed.errors)
    if (parsed.errors.size > 0) throw new WorkerConfigError(parsed.errors, origins)
    this.#listeners = listeners
  }

  /** Connect's DistributedConfig.validateInterWorkerKeyConfigs: a key can be made, and what signs also verifies. */
  #checkInterWorkerKeys(errors: Map<string, string[]>): void {
    const names = [
      'inter.worker.key.generation.algorithm',
      'inter.worker.key.size',
      'inter.worker.signature.algorithm',
      'inter.worker.verification.algorithms',
    ]
    if (names.some((name) => errors.has(name))) return
    const algorithm = this.get('inter.worker.key.generation.algorithm')
    const size = this.get('inter.worker.key.size')
    try {
      keyLength(algorithm, size)
    } catch (error) {
      errors.set('inter.worker.key.size', [
        `Unable to create key generator with algorithm ${algorithm} and key size ${size}: ${(error as Error).message}`,
      ])
    }
    const signature = this.get('inter.worker.signature.algorithm')
    if (!this.get('inter.worker.verification.algorithms').includes(signature)) {
      errors.set('inter.worker.signature.algorithm', [
        `Invalid value ${signature} for configuration inter.worker.signature.algorithm: Signature algorithm must be present in inter.worker.verification.algorithms list`,
      ])
    }
  }

  /** listeners wins when given; otherwise the deprecated rest.host.name/rest.port; otherwise http://:8083. */
  #resolveListeners(errors: Map<string, string[]>): Listener[] {
    const given = Object.hasOwn(this.#raw, 'listeners')
    const legacy = Object.hasOwn(this.#raw, 'rest.port') || Object.hasOwn(this.#raw, 'rest.host.name')
    let list = this.get('listeners')
    if (!given && legacy) {
      const host = this.get('rest.host.name') ?? ''
      list = [`http://${host.includes(':') ? `[${host}]` : host}:${this.get('rest.port')}`]
    }
    const listeners: Listener[] = []
    for (const entry of list) {
      const m = LISTENER.exec(entry)
      if (m) listeners.push({ protocol: 'http', host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]) })
      else errors.set('rest.host.name', [`Invalid host name ${JSON.stringify(this.get('rest.host.name'))}`])
    }
    return listeners
  }

  /** The parsed value of a worker key, typed by its declaration (e.g. `get('offset.flush.interval.ms')` is a number). */
  get<K extends WorkerConfigKey>(name: K): WorkerConfigValues[K] {
    if (!this.#values.has(name)) throw new Error(`Unknown worker configuration key ${name}`)
    // ConfigDef.parse gives every key a value of its declared type (or null where its default is null).
    return (this.#values.get(name) ?? null) as WorkerConfigValues[K]
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
      (name) =>
        workerConfigDef.key(name) === undefined &&
        !Object.keys(PASSTHROUGH_PREFIXES).some((prefix) => name.startsWith(prefix)),
    )
  }

  /**
   * Keys the user set (file, environment, overrides; not a launcher's local defaults) that flowscope accepts but does
   * not act on, each with the reason, in the order given.
   */
  notActedOn(): NotActedOnKey[] {
    const out: NotActedOnKey[] = []
    for (const name of Object.keys(this.#raw)) {
      if (this.#origins.get(name) === LOCAL_DEFAULT_ORIGIN) continue
      const reason = notActedOnReason(name)
      if (reason !== undefined) out.push({ name, reason })
    }
    return out
  }

  /** connector.client.config.override.policy as its short name (policy class names accepted). */
  get connectorClientConfigOverridePolicy(): OverridePolicy {
    const value = this.get('connector.client.config.override.policy')
    return POLICY_CLASSES[value.slice(value.lastIndexOf('.') + 1)]
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
    return this.get('rest.advertised.host.name') || this.restHost || hostname()
  }
  /** rest.advertised.port, else the listener's port. */
  get advertisedPort(): number {
    return this.get('rest.advertised.port') ?? this.restPort
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
    const port = this.get('rest.advertised.port') ?? boundPort
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
    const given = this.get(`${kind}.converter`)
    return {
      className: resolveConverterClass(given) ?? given,
      config: this.originalsWithPrefix(`${kind}.converter.`),
    }
  }
}
