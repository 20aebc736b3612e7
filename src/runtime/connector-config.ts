// Keys every connector accepts, whatever its plugin (Connect's ConnectorConfig + SourceConnectorConfig): the
// runtime's own settings — class, task count, converters, transforms, error handling, topic creation.
import {
  atLeast,
  ConfigDef,
  ConfigTypes,
  type ConfigValue,
  Importance,
  nonEmptyString,
  oneOf,
  type Validator,
} from '../config/config-def.ts'

const COMMON = 'Common'
const TRANSFORMS = 'Transforms'
const PREDICATES = 'Predicates'
const ERRORS = 'Error Handling'
const TOPIC_CREATION = 'Topic Creation'

/** Connect's alias validator: each alias once. */
const uniqueAliases: Validator = (value, name) =>
  Array.isArray(value) && new Set(value).size < value.length
    ? `Invalid value [${value.join(', ')}] for configuration ${name}: Duplicate alias provided.`
    : undefined

const noControlChars: Validator = (value: ConfigValue) =>
  typeof value === 'string' &&
  [...value].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f))
    ? 'Connector name contains ISO control characters'
    : undefined

export const connectorConfigDef = new ConfigDef()
  .define({
    name: 'name',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation: 'Globally unique name to use for this connector.',
    group: COMMON,
    orderInGroup: 1,
    width: 'MEDIUM',
    displayName: 'Connector name',
    validator: (v, n) => nonEmptyString(v, n) ?? noControlChars(v, n),
  })
  .define({
    name: 'connector.class',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation:
      'Name or alias of the class for this connector, e.g. io.confluent.connect.jdbc.JdbcSourceConnector or JdbcSourceConnector.',
    group: COMMON,
    orderInGroup: 2,
    width: 'LONG',
    displayName: 'Connector class',
  })
  .define({
    name: 'tasks.max',
    type: ConfigTypes.INT,
    default: 1,
    importance: Importance.HIGH,
    documentation: 'Maximum number of tasks to use for this connector.',
    group: COMMON,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Tasks max',
    validator: atLeast(1),
  })
  .define({
    name: 'key.converter',
    type: ConfigTypes.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Defaults to the worker’s key.converter.',
    group: COMMON,
    orderInGroup: 4,
    width: 'SHORT',
    displayName: 'Key converter class',
  })
  .define({
    name: 'value.converter',
    type: ConfigTypes.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. Defaults to the worker’s value.converter.',
    group: COMMON,
    orderInGroup: 5,
    width: 'SHORT',
    displayName: 'Value converter class',
  })
  .define({
    name: 'header.converter',
    type: ConfigTypes.CLASS,
    default: null,
    importance: Importance.LOW,
    documentation: 'HeaderConverter class used to convert between Kafka Connect format and the serialized form.',
    group: COMMON,
    orderInGroup: 6,
    width: 'SHORT',
    displayName: 'Header converter class',
  })
  .define({
    name: 'transforms',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.LOW,
    documentation: 'Aliases for the transformations to be applied to records, in order.',
    group: TRANSFORMS,
    orderInGroup: 1,
    width: 'LONG',
    displayName: 'Transforms',
    validator: uniqueAliases,
  })
  .define({
    name: 'predicates',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.LOW,
    documentation: 'Aliases for the predicates used by transformations.',
    group: PREDICATES,
    orderInGroup: 2,
    width: 'LONG',
    displayName: 'Predicates',
    validator: uniqueAliases,
  })
  .define({
    name: 'errors.retry.timeout',
    type: ConfigTypes.LONG,
    default: 0,
    importance: Importance.MEDIUM,
    documentation:
      'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    group: ERRORS,
    orderInGroup: 1,
    width: 'MEDIUM',
    displayName: 'Retry Timeout for Errors',
    validator: atLeast(-1),
  })
  .define({
    name: 'errors.retry.delay.max.ms',
    type: ConfigTypes.LONG,
    default: 60000,
    importance: Importance.MEDIUM,
    documentation: 'The maximum duration in milliseconds between consecutive retry attempts.',
    group: ERRORS,
    orderInGroup: 2,
    width: 'MEDIUM',
    displayName: 'Maximum Delay Between Retries for Errors',
    validator: atLeast(1),
  })
  .define({
    name: 'errors.tolerance',
    type: ConfigTypes.STRING,
    default: 'none',
    importance: Importance.MEDIUM,
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    group: ERRORS,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Error Tolerance',
    validator: oneOf(['none', 'all']),
    recommendedValues: ['none', 'all'],
  })
  .define({
    name: 'errors.log.enable',
    type: ConfigTypes.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation:
      'If true, write each error and the details of the failed operation and problematic record to the log.',
    group: ERRORS,
    orderInGroup: 4,
    width: 'SHORT',
    displayName: 'Log Errors',
  })
  .define({
    name: 'errors.log.include.messages',
    type: ConfigTypes.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation: 'Whether to include in the log the Connect record that resulted in a failure.',
    group: ERRORS,
    orderInGroup: 5,
    width: 'SHORT',
    displayName: 'Log Error Details',
  })
  .define({
    name: 'topic.creation.groups',
    type: ConfigTypes.LIST,
    default: [],
    importance: Importance.LOW,
    documentation: 'Groups of configurations for topics created by source connectors.',
    group: TOPIC_CREATION,
    orderInGroup: 1,
    width: 'LONG',
    displayName: 'Topic Creation Groups',
  })
  .define({
    name: 'topic.creation.default.replication.factor',
    type: ConfigTypes.SHORT,
    default: null,
    importance: Importance.LOW,
    documentation:
      'Replication factor for new topics this connector writes to (-1 = broker default). When unset, topics are left to the broker’s auto-creation.',
    group: TOPIC_CREATION,
    orderInGroup: 2,
    width: 'SHORT',
    displayName: 'Default replication factor',
    validator: (v) => (typeof v === 'number' && (v === 0 || v < -1) ? 'Value must be -1 or at least 1' : undefined),
  })
  .define({
    name: 'topic.creation.default.partitions',
    type: ConfigTypes.INT,
    default: null,
    importance: Importance.LOW,
    documentation: 'Partitions for new topics this connector writes to (-1 = broker default).',
    group: TOPIC_CREATION,
    orderInGroup: 3,
    width: 'SHORT',
    displayName: 'Default partitions',
    validator: (v) => (typeof v === 'number' && (v === 0 || v < -1) ? 'Value must be -1 or at least 1' : undefined),
  })

/**
 * Connect's SourceConnectorConfig `offsets.storage.topic` (KIP-618), in Connect's group `offsets.topic`: the
 * connector's own offsets topic (storage/connector-offsets.ts).
 */
export const connectorOffsetsTopicConfigDef = new ConfigDef().define({
  name: 'offsets.storage.topic',
  type: ConfigTypes.STRING,
  default: null,
  importance: Importance.LOW,
  documentation:
    "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker's global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist, with the partitions and replication factor of the worker's offset.storage.* settings. The connector reads offsets from it first and from the worker's global offsets topic for partitions it does not hold, and writes offsets to it first, then to the global one.",
  group: 'offsets.topic',
  orderInGroup: 1,
  width: 'LONG',
  displayName: 'Offsets topic',
  // Connect's NonEmptyString: only "" is refused, with its message.
  validator: (v, n) => (v === '' ? `Invalid value  for configuration ${n}: String must be non-empty` : undefined),
})

export interface ConnectorSettings {
  name: string
  connectorClass: string
  tasksMax: number
  keyConverter: string | null
  valueConverter: string | null
  transforms: string[]
  retryTimeoutMs: number
  retryDelayMaxMs: number
  toleranceAll: boolean
  logErrors: boolean
  topicReplicationFactor: number | null
  topicPartitions: number | null
}

/** Typed view of the common keys; call only on a config that validated. */
export function connectorSettings(raw: Record<string, string>): ConnectorSettings {
  const { values } = connectorConfigDef.parse(raw)
  return {
    name: String(values.get('name')),
    connectorClass: String(values.get('connector.class')),
    tasksMax: Number(values.get('tasks.max')),
    keyConverter: (values.get('key.converter') as string | null) ?? null,
    valueConverter: (values.get('value.converter') as string | null) ?? null,
    transforms: (values.get('transforms') as string[]) ?? [],
    retryTimeoutMs: Number(values.get('errors.retry.timeout')),
    retryDelayMaxMs: Number(values.get('errors.retry.delay.max.ms')),
    toleranceAll: values.get('errors.tolerance') === 'all',
    logErrors: values.get('errors.log.enable') === true,
    topicReplicationFactor: (values.get('topic.creation.default.replication.factor') as number | null) ?? null,
    topicPartitions: (values.get('topic.creation.default.partitions') as number | null) ?? null,
  }
}
