// The JDBC source's configuration, declared once: raw connector config (strings) in, a typed JdbcSourceConfig or
// per-key errors out. Names, defaults, groups and docs follow Confluent's JdbcSourceConnectorConfig.
import {
  atLeast,
  ConfigDef,
  ConfigTypes,
  type ConfigValue,
  Importance,
  oneOf,
  type RawConfig,
  type Validator,
  Width,
} from '../../config/config-def.ts'
import { ErrorCodes, FlowscopeError } from '../../errors.ts'
import { type QuoteMethod, QuoteMethods } from '../../postgres/dialect.ts'
import { isValidTimeZone } from '../../postgres/time-zone.ts'
import { parseJdbcUrl } from './jdbc-url.ts'

export const Modes = {
  BULK: 'bulk',
  INCREMENTING: 'incrementing',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_INCREMENTING: 'timestamp+incrementing',
} as const
export type Mode = (typeof Modes)[keyof typeof Modes]

export const NumericMappings = {
  NONE: 'none',
  PRECISION_ONLY: 'precision_only',
  BEST_FIT: 'best_fit',
  BEST_FIT_EAGER_DOUBLE: 'best_fit_eager_double',
} as const
export type NumericMapping = (typeof NumericMappings)[keyof typeof NumericMappings]

export const TIMESTAMP_INITIAL_CURRENT = -1

/** flowscope's own key: put the source-time headers (src/record/source-time.ts) on every record. */
export const SOURCE_TIMESTAMP_HEADERS = 'flowscope.source.timestamp.headers'

/** Keys the connector adds to each task config (not user-facing). */
export const TaskKeys = {
  /** JSON array of [database, schema, table] triples this task reads. */
  TABLES: 'tables',
} as const

const DATABASE_GROUP = 'Database'
const MODE_GROUP = 'Mode'
const CONNECTOR_GROUP = 'Connector'

const urlValidator: Validator = (value) => {
  if (typeof value !== 'string') return undefined
  try {
    parseJdbcUrl(value)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

const regexListValidator: Validator = (value) => {
  if (!Array.isArray(value)) return undefined
  for (const pattern of value) {
    try {
      new RegExp(pattern)
    } catch (error) {
      return `Must be a valid comma-separated list of regular expression patterns: ${(error as Error).message}`
    }
  }
  return undefined
}

const topicPrefixValidator: Validator = (value) => {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  if (trimmed.length > 249) return 'Topic prefix length must not exceed max topic name length, 249 chars'
  if (/[^a-zA-Z0-9._-]/.test(trimmed)) {
    return "Topic prefix must not contain any character other than ASCII alphanumerics, '.', '_' and '-'."
  }
  return undefined
}

const timeZoneValidator: Validator = (value) =>
  typeof value === 'string' && !isValidTimeZone(value)
    ? `Invalid time zone identifier "${value}": use an IANA name such as UTC or Europe/Paris`
    : undefined

const timestampInitialValidator: Validator = (value) =>
  typeof value === 'number' && value < TIMESTAMP_INITIAL_CURRENT
    ? 'Must be -1 (current database time) or a non-negative epoch time in milliseconds'
    : undefined

const dialectValidator: Validator = (value) =>
  typeof value === 'string' && value !== '' && value !== 'PostgreSqlDatabaseDialect'
    ? 'flowscope only supports PostgreSQL: leave empty or use PostgreSqlDatabaseDialect'
    : undefined

let order = 0
const next = () => ++order
const restart = () => {
  order = 0
  return next()
}

export const jdbcSourceConfigDef = new ConfigDef()
  // ---- Database ----
  .define({
    name: 'connection.url',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation:
      'JDBC connection URL. For example: ``jdbc:postgresql://localhost:5432/db?sslmode=require``; ' +
      '``postgres://user:password@host:5432/db`` URLs are accepted too.',
    group: DATABASE_GROUP,
    orderInGroup: restart(),
    width: Width.LONG,
    displayName: 'JDBC URL',
    dependents: ['table.whitelist', 'table.blacklist'],
    validator: urlValidator,
  })
  .define({
    name: 'connection.user',
    type: ConfigTypes.STRING,
    default: null,
    importance: Importance.HIGH,
    documentation: 'JDBC connection user.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'JDBC User',
  })
  .define({
    name: 'connection.password',
    type: ConfigTypes.PASSWORD,
    default: null,
    importance: Importance.HIGH,
    documentation: 'JDBC connection password.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'JDBC Password',
  })
  .define({
    name: 'connection.attempts',
    type: ConfigTypes.INT,
    default: 3,
    importance: Importance.LOW,
    documentation: 'Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'JDBC connection attempts',
    validator: atLeast(1),
  })
  .define({
    name: 'connection.backoff.ms',
    type: ConfigTypes.LONG,
    default: 10000,
    importance: Importance.LOW,
    documentation: 'Backoff time in milliseconds between connection attempts.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'JDBC connection backoff in milliseconds',
    validator: atLeast(0),
  })
  .define({
    name: 'table.whitelist',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation:
      'List of tables to include in copying. If specified, ``table.blacklist`` may not be set. Use a ' +
      'comma-separated list to specify multiple tables (for example, ``table.whitelist: "User, Address, Email"``).',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'Table Whitelist',
  })
  .define({
    name: 'table.blacklist',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation:
      'List of tables to exclude from copying. If specified, ``table.whitelist`` may not be set. Use a ' +
      'comma-separated list to specify multiple tables (for example, ``table.blacklist: "User, Address, Email"``).',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'Table Blacklist',
  })
  .define({
    name: 'table.include.list',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation:
      'A comma-separated list of regular expressions that match the fully-qualified names of tables to be ' +
      'copied. Table names are case-sensitive. If specified, the legacy configs of ``table.whitelist``, and ' +
      '``table.blacklist`` cannot be set.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'Tables Included (Regex)',
    validator: regexListValidator,
  })
  .define({
    name: 'table.exclude.list',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation:
      'A comma-separated list of regular expressions that match the fully-qualified names of tables not to be ' +
      'copied. This only applies to tables that match the include list. REQUIRES ``table.include.list``.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'Tables Excluded (Regex)',
    validator: regexListValidator,
  })
  .define({
    name: 'catalog.pattern',
    type: ConfigTypes.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation:
      'Catalog pattern to fetch table metadata from the database. null (default) indicates that the catalog ' +
      'name is not used to narrow the search. In PostgreSQL the catalog is the database connected to.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Schema pattern',
  })
  .define({
    name: 'schema.pattern',
    type: ConfigTypes.STRING,
    default: null,
    importance: Importance.HIGH,
    documentation:
      'Schema pattern to fetch table metadata from the database (SQL LIKE syntax). null (default) indicates ' +
      'that the schema name is not used to narrow the search and that all table metadata is fetched, ' +
      'regardless of the schema.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Schema pattern',
  })
  .define({
    name: 'numeric.precision.mapping',
    type: ConfigTypes.BOOLEAN,
    default: false,
    importance: Importance.LOW,
    documentation:
      'Whether or not to attempt mapping NUMERIC values by precision to integral types. This option is now ' +
      'deprecated. A future version may remove it completely. Please use ``numeric.mapping`` instead.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Map Numeric Values By Precision (deprecated)',
  })
  .define({
    name: 'numeric.mapping',
    type: ConfigTypes.STRING,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Map NUMERIC values by precision and optionally scale to integral or decimal types. ``none``: all NUMERIC ' +
      "columns are Connect's DECIMAL. ``best_fit``: INT8, INT16, INT32, INT64 or FLOAT64 by precision and " +
      'scale, DECIMAL when no native type fits. ``best_fit_eager_double``: like best_fit, but NUMERIC columns ' +
      'with a scale always become FLOAT64. ``precision_only``: by precision only, assuming scale 0.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Map Numeric Values, Integral or Decimal, By Precision and Scale',
    validator: oneOf(Object.values(NumericMappings), true),
    recommendedValues: Object.values(NumericMappings),
  })
  .define({
    name: 'dialect.name',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.LOW,
    documentation: 'The name of the database dialect. flowscope speaks PostgreSQL only; leave empty.',
    group: DATABASE_GROUP,
    orderInGroup: next(),
    width: Width.LONG,
    displayName: 'Database Dialect',
    validator: dialectValidator,
    recommendedValues: ['PostgreSqlDatabaseDialect'],
  })
  // ---- Mode ----
  .define({
    name: 'mode',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation:
      'The mode for updating a table each time it is polled. ``bulk``: perform a bulk load of the entire table ' +
      'each time it is polled. ``incrementing``: use a strictly incrementing column on each table to detect only ' +
      'new rows (modifications and deletions are not detected). ``timestamp``: use a timestamp column to detect ' +
      'new and modified rows. ``timestamp+incrementing``: use a timestamp column for new and modified rows and a ' +
      'strictly incrementing column as a unique id so each row gets a unique stream offset.',
    group: MODE_GROUP,
    orderInGroup: restart(),
    width: Width.MEDIUM,
    displayName: 'Table Loading Mode',
    dependents: ['incrementing.column.name', 'timestamp.column.name', 'validate.non.null'],
    validator: oneOf(Object.values(Modes)),
    recommendedValues: Object.values(Modes),
  })
  .define({
    name: 'incrementing.column.name',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'The name of the strictly incrementing column to use to detect new rows. Any empty value indicates the ' +
      'column should be autodetected by looking for an auto-incrementing column. This column may not be nullable.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Incrementing Column Name',
  })
  .define({
    name: 'timestamp.column.name',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.MEDIUM,
    documentation:
      'Comma separated list of one or more timestamp columns to detect new or modified rows using the COALESCE ' +
      'SQL function. Rows whose first non-null timestamp value is greater than the largest previous timestamp ' +
      'value seen will be discovered with each poll. At least one column should not be nullable.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Timestamp Column Name',
  })
  .define({
    name: 'timestamp.initial',
    type: ConfigTypes.LONG,
    default: null,
    importance: Importance.LOW,
    documentation:
      'The epoch timestamp used for initial queries that use timestamp criteria. Use -1 to use the current ' +
      'time. If not specified, all data will be retrieved.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Unix time value of initial timestamp',
    validator: timestampInitialValidator,
  })
  .define({
    name: 'validate.non.null',
    type: ConfigTypes.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation:
      'By default, the JDBC connector will validate that all incrementing and timestamp tables have NOT NULL set ' +
      "for the columns being used as their ID/timestamp. If the tables don't, JDBC connector will fail to " +
      'start. Setting this to false will disable these checks.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Validate Non Null',
  })
  .define({
    name: 'query',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.MEDIUM,
    documentation:
      'If specified, the query to perform to select new or updated rows. Use this setting if you want to join ' +
      'tables, select subsets of columns in a table, or filter data. If used, this connector will only copy data ' +
      'using this query -- whole-table copying will be disabled. It must be possible to append a WHERE clause to ' +
      'this query in the incremental modes.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Query',
  })
  .define({
    name: 'quote.sql.identifiers',
    type: ConfigTypes.STRING,
    default: 'ALWAYS',
    importance: Importance.MEDIUM,
    documentation:
      'When to quote table names, column names, and other identifiers in SQL statements. For backward ' +
      'compatibility, the default is ``always``.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Quote Identifiers',
    validator: oneOf(Object.values(QuoteMethods), true),
    recommendedValues: ['always', 'never'],
  })
  .define({
    name: 'query.suffix',
    type: ConfigTypes.STRING,
    default: '',
    importance: Importance.LOW,
    documentation: 'Suffix to append at the end of the generated query.',
    group: MODE_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Query suffix',
  })
  // ---- Connector ----
  .define({
    name: 'table.types',
    type: ConfigTypes.LIST,
    default: ['TABLE'],
    importance: Importance.LOW,
    documentation:
      'By default, the JDBC connector will only detect tables with type TABLE from the source Database. This ' +
      'config allows a comma separated list of table types to extract: TABLE, VIEW, MATERIALIZED VIEW, ' +
      'FOREIGN TABLE, PARTITIONED TABLE, SYSTEM TABLE.',
    group: CONNECTOR_GROUP,
    orderInGroup: restart(),
    width: Width.MEDIUM,
    displayName: 'Table Types',
  })
  .define({
    name: 'poll.interval.ms',
    type: ConfigTypes.INT,
    default: 5000,
    importance: Importance.HIGH,
    documentation: 'Frequency in ms to poll for new data in each table.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Poll Interval (ms)',
    validator: atLeast(0),
  })
  .define({
    name: 'batch.max.rows',
    type: ConfigTypes.INT,
    default: 100,
    importance: Importance.LOW,
    documentation:
      'Maximum number of rows to include in a single batch when polling for new data. This setting can be used ' +
      'to limit the amount of data buffered internally in the connector.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Max Rows Per Batch',
    validator: atLeast(1),
  })
  .define({
    name: 'table.poll.interval.ms',
    type: ConfigTypes.LONG,
    default: 60000,
    importance: Importance.LOW,
    documentation:
      'Frequency in ms to poll for new or removed tables, which may result in updated task configurations to ' +
      'start polling for data in added tables or stop polling for data in removed tables.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Metadata Change Monitoring Interval (ms)',
    validator: atLeast(1),
  })
  .define({
    name: 'topic.prefix',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation:
      'Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the ' +
      'case of a custom query, the full name of the topic to publish to.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Topic Prefix',
    validator: topicPrefixValidator,
  })
  .define({
    name: 'timestamp.delay.interval.ms',
    type: ConfigTypes.LONG,
    default: 0,
    importance: Importance.HIGH,
    documentation:
      'How long to wait after a row with certain timestamp appears before we include it in the result. You may ' +
      'choose to add some delay to allow transactions with earlier timestamp to complete. The first execution ' +
      'will fetch all available records (i.e. starting at timestamp 0) until current time minus the delay.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'Delay Interval (ms)',
    validator: atLeast(0),
  })
  .define({
    name: 'db.timezone',
    type: ConfigTypes.STRING,
    default: 'UTC',
    importance: Importance.MEDIUM,
    documentation:
      'Name of the JDBC timezone used in the connector when querying with time-based criteria and when reading ' +
      '``timestamp`` and ``time`` columns without time zone. Defaults to UTC.',
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.MEDIUM,
    displayName: 'DB time zone',
    validator: timeZoneValidator,
  })
  // ---- flowscope (no upstream counterpart) ----
  .define({
    name: SOURCE_TIMESTAMP_HEADERS,
    type: ConfigTypes.BOOLEAN,
    default: true,
    importance: Importance.LOW,
    documentation:
      'Add the headers ``flowscope.source.timestamp`` (epoch ms, decimal text) and ' +
      "``flowscope.source.timestamp.basis`` (``change``: the row's timestamp column, in timestamp and " +
      'timestamp+incrementing modes; ``poll``: when the query round started, in bulk and incrementing modes) to every ' +
      'record, so consumers and the lag exporter can tell how stale they are against the database. Set false for ' +
      "records byte-identical to Confluent's connector.",
    group: CONNECTOR_GROUP,
    orderInGroup: next(),
    width: Width.SHORT,
    displayName: 'Source timestamp headers',
  })

export interface JdbcSourceConfig {
  connectionUrl: string
  connectionUser: string | null
  connectionPassword: string | null
  connectionAttempts: number
  connectionBackoffMs: number
  tableWhitelist: string[]
  tableBlacklist: string[]
  tableIncludeList: string[]
  tableExcludeList: string[]
  catalogPattern: string | null
  schemaPattern: string | null
  tableTypes: string[]
  numericMapping: NumericMapping
  mode: Mode
  incrementingColumnName: string
  timestampColumnNames: string[]
  timestampInitial: number | null
  validateNonNull: boolean
  query: string
  querySuffix: string
  quoteSqlIdentifiers: QuoteMethod
  pollIntervalMs: number
  batchMaxRows: number
  tablePollIntervalMs: number
  topicPrefix: string
  timestampDelayIntervalMs: number
  dbTimezone: string
  sourceTimestampHeaders: boolean
}

export const usesIncrementing = (mode: Mode) => mode === Modes.INCREMENTING || mode === Modes.TIMESTAMP_INCREMENTING
export const usesTimestamp = (mode: Mode) => mode === Modes.TIMESTAMP || mode === Modes.TIMESTAMP_INCREMENTING

function addError(errors: Map<string, string[]>, key: string, message: string): void {
  const list = errors.get(key) ?? []
  list.push(message)
  errors.set(key, list)
}

/** Checks that involve more than one key (upstream's connector-level ConfigExceptions). */
export function crossKeyErrors(values: Map<string, ConfigValue>): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const list = (key: string) => (values.get(key) as string[] | null) ?? []
  const whitelist = list('table.whitelist')
  const blacklist = list('table.blacklist')
  const include = list('table.include.list')
  const exclude = list('table.exclude.list')
  const query = String(values.get('query') ?? '').trim()
  const mode = values.get('mode') as Mode | null
  if (whitelist.length > 0 && blacklist.length > 0) {
    const message = 'table.whitelist and table.blacklist are exclusive: set at most one of them'
    addError(errors, 'table.whitelist', message)
    addError(errors, 'table.blacklist', message)
  }
  if (include.length > 0 && (whitelist.length > 0 || blacklist.length > 0)) {
    addError(
      errors,
      'table.include.list',
      'table.include.list/table.exclude.list cannot be used together with table.whitelist/table.blacklist',
    )
  }
  if (exclude.length > 0 && include.length === 0) {
    addError(errors, 'table.exclude.list', 'table.exclude.list requires table.include.list to be set')
  }
  if (query !== '' && (whitelist.length > 0 || blacklist.length > 0 || include.length > 0)) {
    addError(errors, 'query', 'query cannot be combined with a table list (table.whitelist, table.include.list, …)')
  }
  if (mode && usesTimestamp(mode) && list('timestamp.column.name').filter((c) => c !== '').length === 0) {
    addError(errors, 'timestamp.column.name', `mode=${mode} requires timestamp.column.name to name at least one column`)
  }
  if (mode && usesIncrementing(mode) && query !== '' && String(values.get('incrementing.column.name') ?? '') === '') {
    addError(
      errors,
      'incrementing.column.name',
      `mode=${mode} with a query requires incrementing.column.name (it cannot be auto-detected from a query)`,
    )
  }
  return errors
}

export interface ParsedJdbcSourceConfig {
  config: JdbcSourceConfig | null
  errors: Map<string, string[]>
}

/** Parses and checks a raw config; `config` is null when any key is invalid. */
export function parseJdbcSourceConfig(raw: RawConfig): ParsedJdbcSourceConfig {
  const parsed = jdbcSourceConfigDef.parse(raw)
  const errors = parsed.errors
  for (const [key, messages] of crossKeyErrors(parsed.values)) for (const m of messages) addError(errors, key, m)
  if (errors.size > 0) return { config: null, errors }
  const v = parsed.values
  const str = (key: string) => (v.get(key) as string | null) ?? null
  const num = (key: string) => v.get(key) as number
  const list = (key: string) => ((v.get(key) as string[] | null) ?? []).filter((s) => s !== '')
  const numericMapping = str('numeric.mapping')
  const config: JdbcSourceConfig = {
    connectionUrl: str('connection.url') ?? '',
    connectionUser: str('connection.user'),
    connectionPassword: str('connection.password'),
    connectionAttempts: num('connection.attempts'),
    connectionBackoffMs: num('connection.backoff.ms'),
    tableWhitelist: list('table.whitelist'),
    tableBlacklist: list('table.blacklist'),
    tableIncludeList: list('table.include.list'),
    tableExcludeList: list('table.exclude.list'),
    catalogPattern: str('catalog.pattern'),
    schemaPattern: str('schema.pattern'),
    tableTypes: list('table.types').map((t) => t.toUpperCase()),
    numericMapping:
      numericMapping !== null
        ? (numericMapping.toLowerCase() as NumericMapping)
        : v.get('numeric.precision.mapping') === true
          ? NumericMappings.PRECISION_ONLY
          : NumericMappings.NONE,
    mode: str('mode') as Mode,
    incrementingColumnName: str('incrementing.column.name') ?? '',
    timestampColumnNames: list('timestamp.column.name'),
    timestampInitial: (v.get('timestamp.initial') as number | null) ?? null,
    validateNonNull: v.get('validate.non.null') === true,
    query: (str('query') ?? '').trim(),
    querySuffix: (str('query.suffix') ?? '').trim(),
    quoteSqlIdentifiers: (str('quote.sql.identifiers') ?? 'always').toLowerCase() as QuoteMethod,
    pollIntervalMs: num('poll.interval.ms'),
    batchMaxRows: num('batch.max.rows'),
    tablePollIntervalMs: num('table.poll.interval.ms'),
    topicPrefix: (str('topic.prefix') ?? '').trim(),
    timestampDelayIntervalMs: num('timestamp.delay.interval.ms'),
    dbTimezone: str('db.timezone') ?? 'UTC',
    sourceTimestampHeaders: v.get(SOURCE_TIMESTAMP_HEADERS) !== false,
  }
  return { config, errors }
}

/** Like parseJdbcSourceConfig, but throws an INVALID_CONFIG error listing every problem. */
export function requireJdbcSourceConfig(raw: RawConfig): JdbcSourceConfig {
  const { config, errors } = parseJdbcSourceConfig(raw)
  if (config) return config
  const lines = [...errors].flatMap(([key, messages]) => messages.map((m) => `${key}: ${m}`))
  throw new FlowscopeError(ErrorCodes.INVALID_CONFIG, `Invalid JDBC source configuration: ${lines.join('; ')}`)
}
