// The CDC connector's configuration, declared once with Debezium's Postgres connector keys, meanings and defaults
// (PostgresConnectorConfig / CommonConnectorConfig, 3.6). Keys Debezium has but flowscope does not act on are
// declared too, marked `notActedOn` with the reason, so the validate answer lists them instead of dropping them.
import {
  atLeast,
  ConfigTypes,
  type ConfigValue,
  configDefOf,
  Importance,
  keyTable,
  nonEmptyString,
  oneOf,
  type RawConfig,
  type TableValues,
  type Validator,
} from '../../config/config-def.ts'
import { ErrorCodes, FlowscopeError } from '../../errors.ts'

export const SnapshotModes = ['initial', 'initial_only', 'no_data', 'always', 'when_needed'] as const
export type SnapshotMode = (typeof SnapshotModes)[number]
export const PublicationAutocreateModes = ['all_tables', 'disabled', 'filtered', 'no_tables'] as const
export const DecimalModes = ['precise', 'double', 'string'] as const
export type DecimalMode = (typeof DecimalModes)[number]
export const TimePrecisionModes = ['adaptive', 'adaptive_time_microseconds', 'connect', 'isostring'] as const
export type TimePrecisionMode = (typeof TimePrecisionModes)[number]
export const BinaryModes = ['bytes', 'base64', 'base64-url-safe', 'hex'] as const
export type BinaryMode = (typeof BinaryModes)[number]
export const IntervalModes = ['numeric', 'string'] as const
export type IntervalMode = (typeof IntervalModes)[number]
export const HstoreModes = ['json', 'map'] as const
export type HstoreMode = (typeof HstoreModes)[number]
/** skipped.operations letters: c create, u update, d delete, t truncate; `none` skips nothing. */
export const SkippableOperations = ['c', 'u', 'd', 't', 'none'] as const

const regexList: Validator = (value) => {
  if (!Array.isArray(value)) return undefined
  for (const pattern of value) {
    try {
      new RegExp(pattern)
    } catch (error) {
      return `Must be a comma-separated list of regular expressions: ${(error as Error).message}`
    }
  }
  return undefined
}

const topicPrefix: Validator = (value) => {
  if (typeof value !== 'string') return undefined
  if (value.trim() === '') return 'The topic prefix must not be empty: it names every topic and the offsets partition'
  if (/[^a-zA-Z0-9._-]/.test(value)) {
    return "Topic prefix must not contain any character other than ASCII alphanumerics, '.', '_' and '-'."
  }
  return undefined
}

const topicName: Validator = (value) =>
  typeof value === 'string' && !/^[a-zA-Z0-9._-]+$/.test(value)
    ? "Must be a topic name: ASCII alphanumerics, '.', '_' and '-' only, not empty"
    : undefined

const pluginName: Validator = (value) =>
  typeof value === 'string' && value !== 'pgoutput'
    ? `Only the pgoutput decoder is supported (built into PostgreSQL 10+); ${value} is not: set plugin.name=pgoutput or leave it unset`
    : undefined

const slotName: Validator = (value) =>
  typeof value === 'string' && !/^[a-z0-9_]{1,63}$/.test(value)
    ? 'A replication slot name may contain only lower-case letters, digits and underscores (at most 63)'
    : undefined

const skippedOperations: Validator = (value) => {
  if (!Array.isArray(value)) return undefined
  const bad = value.filter((v) => !(SkippableOperations as readonly string[]).includes(v))
  return bad.length > 0 ? `Unknown operation(s) ${bad.join(', ')}: use c, u, d, t or none` : undefined
}

/** `schema.table:col1,col2;schema.table2:col` (Debezium's message.key.columns). */
const messageKeyColumns: Validator = (value) => {
  if (typeof value !== 'string' || value.trim() === '') return undefined
  return parseMessageKeyColumns(value) === null
    ? 'Expected <fully-qualified table>:<column>[,<column>…] entries separated by ";"'
    : undefined
}

const NOT_CAPTURED = 'flowscope reads tables through pgoutput only'

/** `schema.table` or `db.schema.table` (Debezium's TableId for PostgreSQL); null when unset. */
export function parseSignalDataCollection(text: string | null): { schema: string; table: string } | null {
  const parts = (text ?? '').trim().split('.')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return null
  return { schema: parts[parts.length - 2], table: parts[parts.length - 1] }
}

const signalDataCollection: Validator = (value) => {
  if (typeof value !== 'string' || value.trim() === '') return undefined
  return parseSignalDataCollection(value) === null
    ? `Expected the signalling table as schema.table, got "${value}"`
    : undefined
}

const KEYS = keyTable({
  // ---- connection ----
  'database.hostname': {
    type: ConfigTypes.STRING,
    documentation: 'Resolvable hostname or IP address of the PostgreSQL server.',
    importance: Importance.HIGH,
    validator: nonEmptyString,
  },
  'database.port': {
    type: ConfigTypes.INT,
    default: 5432,
    documentation: 'Port of the PostgreSQL server.',
    validator: atLeast(1),
  },
  'database.user': {
    type: ConfigTypes.STRING,
    documentation: 'Name of the PostgreSQL user: it needs the REPLICATION attribute and SELECT on the captured tables.',
    importance: Importance.HIGH,
    validator: nonEmptyString,
  },
  'database.password': {
    type: ConfigTypes.PASSWORD,
    default: null,
    documentation: 'Password of the PostgreSQL user.',
    importance: Importance.HIGH,
  },
  'database.dbname': {
    type: ConfigTypes.STRING,
    documentation: 'The name of the database to capture changes from.',
    importance: Importance.HIGH,
    validator: nonEmptyString,
  },
  'database.sslmode': {
    type: ConfigTypes.STRING,
    default: 'prefer',
    documentation: 'Whether to use an encrypted connection: disable, allow, prefer, require, verify-ca or verify-full.',
    validator: oneOf(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']),
    recommendedValues: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'],
  },
  'database.connect.timeout.ms': {
    type: ConfigTypes.LONG,
    default: 30000,
    documentation: 'Time to wait for a connection to the server (ms).',
    validator: atLeast(0),
  },
  'topic.prefix': {
    type: ConfigTypes.STRING,
    documentation:
      'Prefix of every topic name (<prefix>.<schema>.<table>) and the source partition of the offsets ({"server": <prefix>}).',
    importance: Importance.HIGH,
    validator: topicPrefix,
  },
  // ---- replication ----
  'plugin.name': {
    type: ConfigTypes.STRING,
    default: 'pgoutput',
    documentation:
      "The logical decoding plugin. Debezium's default is decoderbufs, which is rarely installed; flowscope decodes pgoutput only, so unset means pgoutput.",
    validator: pluginName,
    recommendedValues: ['pgoutput'],
  },
  'slot.name': {
    type: ConfigTypes.STRING,
    default: 'debezium',
    documentation: 'The name of the logical replication slot, created when missing.',
    validator: slotName,
  },
  'slot.drop.on.stop': {
    type: ConfigTypes.BOOLEAN,
    default: false,
    documentation: 'Drop the slot when the task stops cleanly (tests, development; a dropped slot loses the position).',
  },
  'publication.name': {
    type: ConfigTypes.STRING,
    default: 'dbz_publication',
    documentation: 'The name of the PostgreSQL publication streamed through pgoutput.',
    validator: nonEmptyString,
  },
  'publication.autocreate.mode': {
    type: ConfigTypes.STRING,
    default: 'all_tables',
    documentation:
      'all_tables: create the publication FOR ALL TABLES when missing (needs superuser); filtered: create or update it for the captured tables; disabled: the publication must exist; no_tables: create it with no tables.',
    validator: oneOf(PublicationAutocreateModes),
    recommendedValues: [...PublicationAutocreateModes],
  },
  'status.update.interval.ms': {
    type: ConfigTypes.INT,
    default: 10000,
    documentation:
      'How often the replication connection reports its position to the server when nothing else prompts it (ms).',
    validator: atLeast(0),
  },
  // ---- what to capture ----
  'schema.include.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Regular expressions (anchored) matching schema names to capture.',
    validator: regexList,
  },
  'schema.exclude.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Regular expressions (anchored) matching schema names not to capture.',
    validator: regexList,
  },
  'table.include.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Regular expressions (anchored) matching <schema>.<table> names to capture.',
    validator: regexList,
  },
  'table.exclude.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Regular expressions (anchored) matching <schema>.<table> names not to capture.',
    validator: regexList,
  },
  'column.include.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation:
      'Regular expressions (anchored) matching <schema>.<table>.<column> names to include in change events.',
    validator: regexList,
  },
  'column.exclude.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation:
      'Regular expressions (anchored) matching <schema>.<table>.<column> names to leave out of change events.',
    validator: regexList,
  },
  'message.key.columns': {
    type: ConfigTypes.STRING,
    default: null,
    documentation: 'Key columns per table instead of the primary key: <schema>.<table>:<col>[,<col>][;…].',
    validator: messageKeyColumns,
  },
  'skipped.operations': {
    type: ConfigTypes.LIST,
    default: ['t'],
    documentation: 'Operations not emitted: c (create), u (update), d (delete), t (truncate), or none.',
    validator: skippedOperations,
  },
  // ---- snapshot ----
  'snapshot.mode': {
    type: ConfigTypes.STRING,
    default: 'initial',
    documentation:
      'initial: snapshot when no offset exists, then stream; initial_only: snapshot, then stop; no_data: stream only; always: snapshot at every start; when_needed: snapshot when no offset exists or the offset is no longer available in the slot.',
    validator: oneOf(SnapshotModes),
    recommendedValues: [...SnapshotModes],
  },
  'snapshot.fetch.size': {
    type: ConfigTypes.INT,
    default: 10240,
    documentation: 'Rows fetched per round trip while snapshotting a table.',
    validator: atLeast(1),
  },
  // ---- flow ----
  'max.batch.size': {
    type: ConfigTypes.INT,
    default: 2048,
    documentation: 'Most records returned by one poll.',
    validator: atLeast(1),
  },
  'max.queue.size': {
    type: ConfigTypes.INT,
    default: 8192,
    documentation: 'Most decoded changes held between the replication connection and poll(); beyond it reading pauses.',
    validator: atLeast(1),
  },
  'poll.interval.ms': {
    type: ConfigTypes.LONG,
    default: 500,
    documentation: 'How long a poll waits for changes before returning none (ms).',
    validator: atLeast(0),
  },
  'heartbeat.interval.ms': {
    type: ConfigTypes.INT,
    default: 0,
    documentation:
      'Emit a heartbeat record to __debezium-heartbeat.<prefix> this often (ms) so the slot position advances on idle or filtered databases; 0 disables.',
    validator: atLeast(0),
  },
  'heartbeat.action.query': {
    type: ConfigTypes.STRING,
    default: null,
    documentation:
      'SQL run on the database at each heartbeat (e.g. an update of a heartbeat table), so a database with no captured traffic still produces WAL to confirm.',
  },
  'tombstones.on.delete': {
    type: ConfigTypes.BOOLEAN,
    default: true,
    documentation: 'Follow each delete event with a tombstone (same key, null value) for log compaction.',
  },
  'provide.transaction.metadata': {
    type: ConfigTypes.BOOLEAN,
    default: false,
    documentation:
      "Write a BEGIN and an END event per transaction to <topic.prefix>.<topic.transaction> and fill each change event's transaction block {id, total_order, data_collection_order}.",
  },
  'topic.transaction': {
    type: ConfigTypes.STRING,
    default: 'transaction',
    documentation: 'Name of the transaction metadata topic after <topic.prefix>. (provide.transaction.metadata).',
    validator: topicName,
  },
  // ---- value representation ----
  'decimal.handling.mode': {
    type: ConfigTypes.STRING,
    default: 'precise',
    documentation: 'numeric/decimal/money as precise (Connect Decimal), double or string.',
    validator: oneOf(DecimalModes),
    recommendedValues: [...DecimalModes],
  },
  'time.precision.mode': {
    type: ConfigTypes.STRING,
    default: 'adaptive',
    documentation:
      "adaptive: io.debezium.time.* by column precision; adaptive_time_microseconds: time always MicroTime; connect: Connect's Date/Time/Timestamp (milliseconds); isostring: ISO-8601 strings.",
    validator: oneOf(TimePrecisionModes),
    recommendedValues: [...TimePrecisionModes],
  },
  'binary.handling.mode': {
    type: ConfigTypes.STRING,
    default: 'bytes',
    documentation: 'bytea as bytes, base64, base64-url-safe or hex strings.',
    validator: oneOf(BinaryModes),
    recommendedValues: [...BinaryModes],
  },
  'interval.handling.mode': {
    type: ConfigTypes.STRING,
    default: 'numeric',
    documentation:
      'interval as numeric (io.debezium.time.MicroDuration microseconds) or string (io.debezium.time.Interval ISO-8601).',
    validator: oneOf(IntervalModes),
    recommendedValues: [...IntervalModes],
  },
  'money.fraction.digits': {
    type: ConfigTypes.SHORT,
    default: 2,
    documentation: 'Scale of money values as decimals.',
    validator: atLeast(0),
  },
  'unavailable.value.placeholder': {
    type: ConfigTypes.STRING,
    default: '__debezium_unavailable_value',
    documentation: 'Stands for an unchanged TOASTed value the WAL does not carry (REPLICA IDENTITY other than FULL).',
  },
  'signal.data.collection': {
    type: ConfigTypes.STRING,
    default: null,
    documentation:
      'The signalling table, schema.table (a database prefix db.schema.table is accepted and ignored): columns ' +
      '(id varchar, type varchar, data varchar). An inserted execute-snapshot row starts an incremental snapshot, a ' +
      'stop-snapshot row stops it; the connector writes its window watermarks there. Captured (and its changes sent) even when the include lists leave it out, as Debezium does; never read by the initial snapshot.',
    validator: signalDataCollection,
  },
  'incremental.snapshot.chunk.size': {
    type: ConfigTypes.INT,
    default: 1024,
    documentation: 'Rows an incremental snapshot reads per chunk (one watermark window).',
    validator: atLeast(1),
  },
  // ---- Debezium keys accepted but not acted on ----
  'snapshot.isolation.mode': {
    type: ConfigTypes.STRING,
    default: 'serializable',
    documentation: 'Isolation of the snapshot transaction.',
    notActedOn: "the snapshot always reads in the slot's exported snapshot (repeatable read)",
  },
  'snapshot.max.threads': {
    type: ConfigTypes.INT,
    default: 1,
    documentation: 'Threads used for the snapshot.',
    notActedOn: 'tables are snapshotted one after the other',
  },
  'snapshot.include.collection.list': {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Tables to snapshot.',
    notActedOn: 'every captured table is snapshotted',
  },
  'snapshot.select.statement.overrides': {
    type: ConfigTypes.STRING,
    default: null,
    documentation: 'Per-table SELECT for the snapshot.',
    notActedOn: 'the snapshot reads whole tables',
  },
  'hstore.handling.mode': {
    type: ConfigTypes.STRING,
    default: 'json',
    documentation:
      'hstore values as json (an io.debezium.data.Json string) or map (a Connect map of string to optional string).',
    validator: oneOf(HstoreModes),
    recommendedValues: [...HstoreModes],
  },
  'include.unknown.datatypes': {
    type: ConfigTypes.BOOLEAN,
    default: false,
    documentation: 'Include columns of unknown types.',
    notActedOn: 'unknown types are sent as their text',
  },
  'slot.max.retries': {
    type: ConfigTypes.INT,
    default: 6,
    documentation:
      'Attempts to take the slot while another connection holds it (e.g. the walsender of a connection just cut is still exiting).',
    validator: atLeast(0),
  },
  'slot.retry.delay.ms': {
    type: ConfigTypes.LONG,
    default: 10000,
    documentation: 'Longest wait between those attempts (ms); they start at 500 ms and double.',
    validator: atLeast(0),
  },
  'xmin.fetch.interval.ms': {
    type: ConfigTypes.LONG,
    default: 0,
    documentation: 'How often the slot xmin is read.',
    notActedOn: "source.xmin is always null, as with Debezium's default 0",
  },
  'schema.history.internal.kafka.topic': {
    type: ConfigTypes.STRING,
    default: null,
    documentation: 'Schema history topic.',
    notActedOn: 'the Postgres connector keeps no schema history',
  },
  'schema.name.adjustment.mode': {
    type: ConfigTypes.STRING,
    default: 'none',
    documentation: 'Adjust schema names to Avro.',
    notActedOn: NOT_CAPTURED,
  },
  'field.name.adjustment.mode': {
    type: ConfigTypes.STRING,
    default: 'none',
    documentation: 'Adjust field names to Avro.',
    notActedOn: NOT_CAPTURED,
  },
  'event.processing.failure.handling.mode': {
    type: ConfigTypes.STRING,
    default: 'fail',
    documentation: 'What to do with an event that cannot be processed.',
    notActedOn: 'an undecodable event fails the task',
  },
  'database.initial.statements': {
    type: ConfigTypes.STRING,
    default: null,
    documentation: 'SQL run when a connection opens.',
    notActedOn: 'no statements are run on connect',
  },
  'database.tcpKeepAlive': {
    type: ConfigTypes.BOOLEAN,
    default: true,
    documentation: 'TCP keep-alive on connections.',
    notActedOn: 'keep-alive is always on',
  },
  converters: {
    type: ConfigTypes.LIST,
    default: [],
    documentation: 'Custom converters.',
    notActedOn: 'custom converters are Java classes; none are loaded',
  },
})

export type PostgresCdcKeyValues = TableValues<typeof KEYS>

/** Config keys the connector adds to its task config (not user-facing). */
export const TaskKeys = { CONNECTOR_NAME: 'flowscope.cdc.connector.name' } as const

/** Keys flowscope accepts but does not act on say so in their documentation, which the validate answer carries. */
const documented = Object.fromEntries(
  Object.entries(KEYS).map(([name, spec]) => [
    name,
    'notActedOn' in spec && spec.notActedOn
      ? {
          ...spec,
          documentation: `${spec.documentation} Accepted for compatibility, ignored by flowscope: ${spec.notActedOn}.`,
        }
      : spec,
  ]),
)

export const postgresCdcConfigDef = configDefOf(documented)

/**
 * Keys of a connector config this connector ignores: declared ones it does not act on, and unknown ones that look
 * like Debezium's (so a migrated config's leftovers are named, not silently dropped).
 */
export function ignoredKeys(raw: RawConfig, connectorLevel: (key: string) => boolean): string[] {
  return Object.keys(raw)
    .filter((key) => {
      const declared = postgresCdcConfigDef.key(key)
      if (declared) return declared.notActedOn !== undefined
      return !connectorLevel(key)
    })
    .sort()
}

/** The keys declared above that flowscope accepts but does not act on, with why. */
export function notActedOnKeys(): { name: string; reason: string }[] {
  return postgresCdcConfigDef
    .keys()
    .filter((k) => k.notActedOn !== undefined)
    .map((k) => ({ name: k.name, reason: k.notActedOn as string }))
}

export interface PostgresCdcConfig {
  hostname: string
  port: number
  user: string
  password: string | null
  dbname: string
  sslmode: string
  connectTimeoutMs: number
  topicPrefix: string
  slotName: string
  slotDropOnStop: boolean
  slotMaxRetries: number
  slotRetryDelayMs: number
  publicationName: string
  publicationAutocreateMode: (typeof PublicationAutocreateModes)[number]
  statusUpdateIntervalMs: number
  schemaInclude: RegExp[]
  schemaExclude: RegExp[]
  tableInclude: RegExp[]
  tableExclude: RegExp[]
  columnInclude: RegExp[]
  columnExclude: RegExp[]
  /** "schema.table" → key column names, from message.key.columns. */
  messageKeyColumns: Map<string, string[]>
  skippedOperations: Set<string>
  snapshotMode: SnapshotMode
  snapshotFetchSize: number
  maxBatchSize: number
  maxQueueSize: number
  pollIntervalMs: number
  heartbeatIntervalMs: number
  heartbeatActionQuery: string | null
  tombstonesOnDelete: boolean
  provideTransactionMetadata: boolean
  topicTransaction: string
  hstoreMode: HstoreMode
  decimalMode: DecimalMode
  timePrecisionMode: TimePrecisionMode
  binaryMode: BinaryMode
  intervalMode: IntervalMode
  moneyFractionDigits: number
  unavailableValuePlaceholder: string
  /** signal.data.collection; null when unset (no signals, no incremental snapshots). */
  signalTable: { schema: string; table: string } | null
  incrementalSnapshotChunkSize: number
}

/** Debezium's lists are anchored, case-insensitive regular expressions. */
const anchored = (patterns: string[]) => patterns.filter((p) => p !== '').map((p) => new RegExp(`^(?:${p})$`, 'i'))

export function parseMessageKeyColumns(text: string): Map<string, string[]> | null {
  const out = new Map<string, string[]>()
  for (const entry of text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const colon = entry.lastIndexOf(':')
    if (colon <= 0) return null
    const table = entry.slice(0, colon).trim()
    const columns = entry
      .slice(colon + 1)
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '')
    if (columns.length === 0) return null
    out.set(table.includes('.') ? table : `public.${table}`, columns)
  }
  return out
}

function addError(errors: Map<string, string[]>, key: string, message: string): void {
  errors.set(key, [...(errors.get(key) ?? []), message])
}

/** Checks involving more than one key. */
export function crossKeyErrors(values: Map<string, ConfigValue>): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const list = (key: string) => ((values.get(key) as string[] | null) ?? []).filter((s) => s !== '')
  for (const what of ['schema', 'table', 'column']) {
    if (list(`${what}.include.list`).length > 0 && list(`${what}.exclude.list`).length > 0) {
      addError(errors, `${what}.exclude.list`, `${what}.include.list and ${what}.exclude.list cannot both be set`)
    }
  }
  const skipped = list('skipped.operations')
  if (skipped.includes('none') && skipped.length > 1) {
    addError(errors, 'skipped.operations', '"none" cannot be combined with other operations')
  }
  return errors
}

export interface ParsedPostgresCdcConfig {
  config: PostgresCdcConfig | null
  errors: Map<string, string[]>
}

export function parsePostgresCdcConfig(raw: RawConfig): ParsedPostgresCdcConfig {
  const parsed = postgresCdcConfigDef.parse(raw)
  const errors = parsed.errors
  for (const [key, messages] of crossKeyErrors(parsed.values)) for (const m of messages) addError(errors, key, m)
  if (errors.size > 0) return { config: null, errors }
  const v = Object.fromEntries(parsed.values) as unknown as PostgresCdcKeyValues
  const skipped = v['skipped.operations'].filter((s) => s !== '' && s !== 'none')
  const config: PostgresCdcConfig = {
    hostname: v['database.hostname'],
    port: v['database.port'],
    user: v['database.user'],
    password: v['database.password'],
    dbname: v['database.dbname'],
    sslmode: v['database.sslmode'],
    connectTimeoutMs: v['database.connect.timeout.ms'],
    topicPrefix: v['topic.prefix'].trim(),
    slotName: v['slot.name'],
    slotDropOnStop: v['slot.drop.on.stop'],
    slotMaxRetries: v['slot.max.retries'],
    slotRetryDelayMs: v['slot.retry.delay.ms'],
    publicationName: v['publication.name'],
    publicationAutocreateMode: v['publication.autocreate.mode'] as PostgresCdcConfig['publicationAutocreateMode'],
    statusUpdateIntervalMs: v['status.update.interval.ms'],
    schemaInclude: anchored(v['schema.include.list']),
    schemaExclude: anchored(v['schema.exclude.list']),
    tableInclude: anchored(v['table.include.list']),
    tableExclude: anchored(v['table.exclude.list']),
    columnInclude: anchored(v['column.include.list']),
    columnExclude: anchored(v['column.exclude.list']),
    messageKeyColumns: parseMessageKeyColumns(v['message.key.columns'] ?? '') ?? new Map(),
    skippedOperations: new Set(skipped),
    snapshotMode: v['snapshot.mode'] as SnapshotMode,
    snapshotFetchSize: v['snapshot.fetch.size'],
    maxBatchSize: v['max.batch.size'],
    maxQueueSize: v['max.queue.size'],
    pollIntervalMs: v['poll.interval.ms'],
    heartbeatIntervalMs: v['heartbeat.interval.ms'],
    heartbeatActionQuery: v['heartbeat.action.query'] || null,
    tombstonesOnDelete: v['tombstones.on.delete'],
    provideTransactionMetadata: v['provide.transaction.metadata'],
    topicTransaction: v['topic.transaction'],
    hstoreMode: v['hstore.handling.mode'] as HstoreMode,
    decimalMode: v['decimal.handling.mode'] as DecimalMode,
    timePrecisionMode: v['time.precision.mode'] as TimePrecisionMode,
    binaryMode: v['binary.handling.mode'] as BinaryMode,
    intervalMode: v['interval.handling.mode'] as IntervalMode,
    moneyFractionDigits: v['money.fraction.digits'],
    unavailableValuePlaceholder: v['unavailable.value.placeholder'],
    signalTable: parseSignalDataCollection(v['signal.data.collection']),
    incrementalSnapshotChunkSize: v['incremental.snapshot.chunk.size'],
  }
  return { config, errors }
}

export function requirePostgresCdcConfig(raw: RawConfig): PostgresCdcConfig {
  const { config, errors } = parsePostgresCdcConfig(raw)
  if (config) return config
  const lines = [...errors].flatMap(([key, messages]) => messages.map((m) => `${key}: ${m}`))
  throw new FlowscopeError(ErrorCodes.INVALID_CONFIG, `Invalid PostgreSQL CDC configuration: ${lines.join('; ')}`)
}

/**
 * Whether `schema.table` is captured under the include/exclude lists. The signalling table always is (Debezium adds
 * it to the table filter): its changes carry the signals.
 */
export function tableCaptured(config: PostgresCdcConfig, schema: string, table: string): boolean {
  if (isSignalTable(config, schema, table)) return true
  if (schema === 'pg_catalog' || schema === 'information_schema') return false
  if (config.schemaInclude.length > 0 && !config.schemaInclude.some((r) => r.test(schema))) return false
  if (config.schemaExclude.some((r) => r.test(schema))) return false
  const full = `${schema}.${table}`
  if (config.tableInclude.length > 0 && !config.tableInclude.some((r) => r.test(full))) return false
  if (config.tableExclude.some((r) => r.test(full))) return false
  return true
}

export function isSignalTable(config: PostgresCdcConfig, schema: string, table: string): boolean {
  return config.signalTable !== null && config.signalTable.schema === schema && config.signalTable.table === table
}

/** Whether column `schema.table.column` goes into events. */
export function columnCaptured(config: PostgresCdcConfig, schema: string, table: string, column: string): boolean {
  const full = `${schema}.${table}.${column}`
  if (config.columnInclude.length > 0 && !config.columnInclude.some((r) => r.test(full))) return false
  return !config.columnExclude.some((r) => r.test(full))
}
