// Every metric the worker exposes on /metrics, declared once: name, type, labels, unit, meaning and the Kafka
// attribute it mirrors. worker-metrics.ts registers exactly these; docs.ts renders docs/metrics.md from them; the
// seed-dashboard names we deliberately do not emit are listed here too, each with its reason.
import { FRESHNESS_BUCKETS } from './freshness-buckets.ts'
import { type NetworkStat, networkMetricDefinitions, networkStats } from './kafka-client-network.ts'

export type MetricType = 'counter' | 'gauge' | 'histogram'

export interface MetricDefinition {
  readonly name: string
  readonly type: MetricType
  readonly labels: readonly string[]
  /** What one unit of the value is: ms, seconds, bytes, records, ratio (0–1), per-second rates, info (always 1), … */
  readonly unit: string
  readonly help: string
  /** The section of docs/metrics.md: a MetricGroup for the worker, the component's name for others (components.ts). */
  readonly group: string
  /** The Kafka MBean attribute this mirrors, when it mirrors one. */
  readonly upstream?: string
  /** Histograms only: the bucket upper bounds (freshness-buckets.ts for every freshness/latency histogram). */
  readonly buckets?: readonly number[]
}

export const MetricGroups = {
  worker: 'connect-worker-metrics',
  rebalance: 'connect-worker-rebalance-metrics',
  coordinator: 'connect-coordinator-metrics',
  connector: 'connector-metrics',
  task: 'connector-task-metrics',
  sourceTask: 'source-task-metrics',
  taskError: 'task-error-metrics',
  app: 'app-info',
  producer: 'producer-metrics',
  producerTopic: 'producer-topic-metrics',
  connectClients: 'connect-metrics',
  pipeline: 'flowscope',
} as const
export type MetricGroup = (typeof MetricGroups)[keyof typeof MetricGroups]

const CONNECTOR = ['connector'] as const
const TASK = ['connector', 'task'] as const
const TABLE = ['connector', 'table'] as const
const CLIENT = ['client_id'] as const
const TOPIC = ['client_id', 'topic'] as const

/** A JMX metric of a Connect worker or its producer, under the name the JMX exporter gives it. */
function fromMBean(
  domain: 'connect' | 'producer',
  group: MetricGroup,
  mbeanType: string,
  attribute: string,
  type: MetricType,
  labels: readonly string[],
  unit: string,
  help: string,
): MetricDefinition {
  const name = `kafka_${domain}_${mbeanType.replaceAll('-', '_')}_${attribute.replaceAll('-', '_')}`
  return { name, type, labels, unit, help, group, upstream: `kafka.${domain}:type=${mbeanType} ${attribute}` }
}

type MBeanArgs = Parameters<typeof fromMBean> extends [unknown, ...infer Rest] ? Rest : never
const connect = (...args: MBeanArgs) => fromMBean('connect', ...args)
const producer = (...args: MBeanArgs) => fromMBean('producer', ...args)

function flowscope(name: string, type: MetricType, labels: readonly string[], unit: string, help: string) {
  return { name: `flowscope_${name}`, type, labels, unit, help, group: MetricGroups.pipeline }
}

const W = MetricGroups.worker
const R = MetricGroups.rebalance
const CG = MetricGroups.coordinator
const TG = MetricGroups.task
const SG = MetricGroups.sourceTask
const EG = MetricGroups.taskError
const PG = MetricGroups.producer
const PTG = MetricGroups.producerTopic
const worker = 'connect-worker-metrics'
const rebalance = 'connect-worker-rebalance-metrics'
const coordinator = 'connect-coordinator-metrics'
const task = 'connector-task-metrics'
const source = 'source-task-metrics'
const errors = 'task-error-metrics'
const pm = 'producer-metrics'
const ptm = 'producer-topic-metrics'
const STATUS = 'Info-style: value 1, the current status (unassigned, running, paused, failed, restarting) in `status`.'

const ALL_NETWORK_STATS = Object.keys(networkStats) as NetworkStat[]
/** The producer's own request/response/outgoing-byte counts are produce requests only (defined below). */
const PRODUCER_NETWORK_STATS = [
  'connectionCount',
  'connectionCreationTotal',
  'connectionCreationRate',
  'connectionCloseTotal',
  'connectionCloseRate',
  'networkIoTotal',
  'networkIoRate',
  'incomingByteTotal',
  'incomingByteRate',
  'successfulAuthenticationTotal',
  'successfulAuthenticationRate',
  'failedAuthenticationTotal',
  'failedAuthenticationRate',
  'metadataAge',
] as const satisfies readonly NetworkStat[]

export const metrics = {
  // connect-worker-metrics
  connectorCount: connect(
    W,
    worker,
    'connector-count',
    'gauge',
    [],
    'connectors',
    'The number of connectors run in this worker.',
  ),
  taskCount: connect(W, worker, 'task-count', 'gauge', [], 'tasks', 'The number of tasks run in this worker.'),
  connectorStartupAttempts: connect(
    W,
    worker,
    'connector-startup-attempts-total',
    'counter',
    [],
    'startups',
    'The total number of connector startups that this worker has attempted.',
  ),
  connectorStartupSuccess: connect(
    W,
    worker,
    'connector-startup-success-total',
    'counter',
    [],
    'startups',
    'The total number of connector starts that succeeded.',
  ),
  connectorStartupFailure: connect(
    W,
    worker,
    'connector-startup-failure-total',
    'counter',
    [],
    'startups',
    'The total number of connector starts that failed.',
  ),
  connectorStartupSuccessPercentage: connect(
    W,
    worker,
    'connector-startup-success-percentage',
    'gauge',
    [],
    'ratio',
    "The fraction (0–1, as Kafka reports it) of this worker's connector starts in the window that succeeded.",
  ),
  connectorStartupFailurePercentage: connect(
    W,
    worker,
    'connector-startup-failure-percentage',
    'gauge',
    [],
    'ratio',
    "The fraction (0–1) of this worker's connector starts in the window that failed.",
  ),
  taskStartupAttempts: connect(
    W,
    worker,
    'task-startup-attempts-total',
    'counter',
    [],
    'startups',
    'The total number of task startups that this worker has attempted.',
  ),
  taskStartupSuccess: connect(
    W,
    worker,
    'task-startup-success-total',
    'counter',
    [],
    'startups',
    'The total number of task starts that succeeded.',
  ),
  taskStartupFailure: connect(
    W,
    worker,
    'task-startup-failure-total',
    'counter',
    [],
    'startups',
    'The total number of task starts that failed.',
  ),
  taskStartupSuccessPercentage: connect(
    W,
    worker,
    'task-startup-success-percentage',
    'gauge',
    [],
    'ratio',
    "The fraction (0–1) of this worker's task starts in the window that succeeded.",
  ),
  taskStartupFailurePercentage: connect(
    W,
    worker,
    'task-startup-failure-percentage',
    'gauge',
    [],
    'ratio',
    "The fraction (0–1) of this worker's task starts in the window that failed.",
  ),
  connectorTotalTaskCount: connect(
    W,
    worker,
    'connector-total-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of tasks of the connector on the worker.',
  ),
  connectorRunningTaskCount: connect(
    W,
    worker,
    'connector-running-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of running tasks of the connector on the worker.',
  ),
  connectorPausedTaskCount: connect(
    W,
    worker,
    'connector-paused-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of paused tasks of the connector on the worker.',
  ),
  connectorFailedTaskCount: connect(
    W,
    worker,
    'connector-failed-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of failed tasks of the connector on the worker.',
  ),
  connectorUnassignedTaskCount: connect(
    W,
    worker,
    'connector-unassigned-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of unassigned tasks of the connector on the worker.',
  ),
  connectorDestroyedTaskCount: connect(
    W,
    worker,
    'connector-destroyed-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of destroyed tasks of the connector on the worker (always 0: a removed task drops its series at once).',
  ),
  connectorRestartingTaskCount: connect(
    W,
    worker,
    'connector-restarting-task-count',
    'gauge',
    CONNECTOR,
    'tasks',
    'The number of restarting tasks of the connector on the worker.',
  ),

  // connect-worker-rebalance-metrics
  completedRebalances: connect(
    R,
    rebalance,
    'completed-rebalances-total',
    'counter',
    [],
    'rebalances',
    'The total number of rebalances (assignments of connectors and tasks) completed by this worker.',
  ),
  rebalancing: connect(
    R,
    rebalance,
    'rebalancing',
    'gauge',
    [],
    'boolean',
    'Whether this worker is currently rebalancing (1) or not (0).',
  ),
  rebalanceAvgTime: connect(
    R,
    rebalance,
    'rebalance-avg-time-ms',
    'gauge',
    [],
    'ms',
    'The average time in milliseconds spent by this worker to rebalance, over the window.',
  ),
  rebalanceMaxTime: connect(
    R,
    rebalance,
    'rebalance-max-time-ms',
    'gauge',
    [],
    'ms',
    'The maximum time in milliseconds spent by this worker to rebalance, over the window.',
  ),
  timeSinceLastRebalance: connect(
    R,
    rebalance,
    'time-since-last-rebalance-ms',
    'gauge',
    [],
    'ms',
    'The time in milliseconds since this worker completed the most recent rebalance (+Inf before the first, as Kafka).',
  ),
  epoch: connect(
    R,
    rebalance,
    'epoch',
    'gauge',
    [],
    'generation',
    "The epoch or generation number of this worker: its group's generation (0 before its first assignment).",
  ),
  // Connect's string attributes, as this project exports every string attribute: a series of value 1 named after the
  // attribute, its value in a label of the same name (as kafka_connect_connector_task_metrics_status).
  leaderName: connect(
    R,
    rebalance,
    'leader-name',
    'gauge',
    ['leader_name'],
    'info',
    "The name of the group leader: its REST URL, in `leader_name` on a series of value 1. Absent before this worker's first assignment.",
  ),
  connectProtocol: connect(
    R,
    rebalance,
    'connect-protocol',
    'gauge',
    ['connect_protocol'],
    'info',
    "The Connect protocol the group agreed on (EAGER, COMPATIBLE or SESSIONED, as Connect names `default`, `compatible` and `sessioned`), in `connect_protocol` on a series of value 1. Absent before this worker's first assignment.",
  ),

  // connect-coordinator-metrics (client_id: the worker's group membership)
  assignedConnectors: connect(
    CG,
    coordinator,
    'assigned-connectors',
    'gauge',
    CLIENT,
    'connectors',
    'The number of connector instances currently assigned to this worker (absent before its first assignment).',
  ),
  assignedTasks: connect(
    CG,
    coordinator,
    'assigned-tasks',
    'gauge',
    CLIENT,
    'tasks',
    'The number of tasks currently assigned to this worker (absent before its first assignment).',
  ),

  // connector-metrics
  connectorStatus: {
    name: 'kafka_connect_connector_metrics',
    type: 'gauge',
    labels: ['connector', 'status'],
    unit: 'info',
    help: 'The status of the connector. Info-style: value 1, the current status (unassigned, running, paused, stopped, failed, restarting) in `status`; exactly one series per connector.',
    group: MetricGroups.connector,
    upstream: 'kafka.connect:type=connector-metrics status',
  },
  connectorInfo: {
    name: 'kafka_connect_connector_info',
    type: 'gauge',
    labels: ['connector', 'connector_class', 'connector_type', 'connector_version', 'status'],
    unit: 'info',
    help: 'The connector class, type (source or sink), version and current status, as labels on a series of value 1; one series per connector.',
    group: MetricGroups.connector,
    upstream: 'kafka.connect:type=connector-metrics connector-class, connector-type, connector-version, status',
  },

  // connector-task-metrics
  taskStatus: connect(
    TG,
    task,
    'status',
    'gauge',
    ['connector', 'task', 'status'],
    'info',
    `The status of the connector task. ${STATUS}`,
  ),
  taskRunningRatio: connect(
    TG,
    task,
    'running-ratio',
    'gauge',
    TASK,
    'ratio',
    'The fraction of time this task has spent in the running state since it was created on this worker.',
  ),
  taskPauseRatio: connect(
    TG,
    task,
    'pause-ratio',
    'gauge',
    TASK,
    'ratio',
    'The fraction of time this task has spent in the pause state since it was created on this worker.',
  ),
  taskBatchSizeAvg: connect(
    TG,
    task,
    'batch-size-avg',
    'gauge',
    TASK,
    'records',
    'The average size of the (non-empty) batches processed by the task, over the window.',
  ),
  taskBatchSizeMax: connect(
    TG,
    task,
    'batch-size-max',
    'gauge',
    TASK,
    'records',
    'The maximum size of the (non-empty) batches processed by the task, over the window.',
  ),
  taskCommitAvgTime: connect(
    TG,
    task,
    'offset-commit-avg-time-ms',
    'gauge',
    TASK,
    'ms',
    'The average time in milliseconds taken by this task to commit offsets (successful commits), over the window.',
  ),
  taskCommitMaxTime: connect(
    TG,
    task,
    'offset-commit-max-time-ms',
    'gauge',
    TASK,
    'ms',
    'The maximum time in milliseconds taken by this task to commit offsets (successful commits), over the window.',
  ),
  taskCommitSuccessPercentage: connect(
    TG,
    task,
    'offset-commit-success-percentage',
    'gauge',
    TASK,
    'ratio',
    "The fraction (0–1, as Kafka reports it) of this task's offset commit attempts in the window that succeeded.",
  ),
  taskCommitFailurePercentage: connect(
    TG,
    task,
    'offset-commit-failure-percentage',
    'gauge',
    TASK,
    'ratio',
    "The fraction (0–1) of this task's offset commit attempts in the window that failed.",
  ),

  // source-task-metrics
  sourceRecordPollRate: connect(
    SG,
    source,
    'source-record-poll-rate',
    'gauge',
    TASK,
    'records/s',
    'The average per-second number of records polled (before transformation) by this task, over the window.',
  ),
  sourceRecordPollTotal: connect(
    SG,
    source,
    'source-record-poll-total',
    'counter',
    TASK,
    'records',
    'The total number of records polled (before transformation) by this task.',
  ),
  sourceRecordWriteRate: connect(
    SG,
    source,
    'source-record-write-rate',
    'gauge',
    TASK,
    'records/s',
    'The average per-second number of records written to Kafka (acknowledged) for this task, over the window.',
  ),
  sourceRecordWriteTotal: connect(
    SG,
    source,
    'source-record-write-total',
    'counter',
    TASK,
    'records',
    'The number of records written to Kafka (acknowledged) for this task since it was last (re)started.',
  ),
  pollBatchAvgTime: connect(
    SG,
    source,
    'poll-batch-avg-time-ms',
    'gauge',
    TASK,
    'ms',
    'The average time in milliseconds taken by this task to poll for a (non-empty) batch of source records, over the window.',
  ),
  pollBatchMaxTime: connect(
    SG,
    source,
    'poll-batch-max-time-ms',
    'gauge',
    TASK,
    'ms',
    'The maximum time in milliseconds taken by this task to poll for a (non-empty) batch of source records, over the window.',
  ),
  sourceRecordActiveCount: connect(
    SG,
    source,
    'source-record-active-count',
    'gauge',
    TASK,
    'records',
    'The number of records polled by this task but not yet acknowledged by Kafka.',
  ),
  sourceRecordActiveCountAvg: connect(
    SG,
    source,
    'source-record-active-count-avg',
    'gauge',
    TASK,
    'records',
    'The average number of records polled but not yet acknowledged, over the window.',
  ),
  sourceRecordActiveCountMax: connect(
    SG,
    source,
    'source-record-active-count-max',
    'gauge',
    TASK,
    'records',
    'The maximum number of records polled but not yet acknowledged, over the window.',
  ),

  // task-error-metrics (cumulative, typed gauge: their names carry no _total suffix, as Kafka's)
  totalRecordErrors: connect(
    EG,
    errors,
    'total-record-errors',
    'gauge',
    TASK,
    'records',
    'The number of record processing errors in this task (cumulative).',
  ),
  totalRecordFailures: connect(
    EG,
    errors,
    'total-record-failures',
    'gauge',
    TASK,
    'records',
    'The number of record processing failures in this task (cumulative).',
  ),
  totalRecordsSkipped: connect(
    EG,
    errors,
    'total-records-skipped',
    'gauge',
    TASK,
    'records',
    'The number of records skipped due to errors (cumulative).',
  ),
  totalRetries: connect(
    EG,
    errors,
    'total-retries',
    'gauge',
    TASK,
    'operations',
    'The number of operations retried (cumulative): polls of the source retried after a retriable error. Produce requests are retried inside the Kafka client: see kafka_producer_producer_metrics_record_retry_total.',
  ),
  totalErrorsLogged: connect(
    EG,
    errors,
    'total-errors-logged',
    'gauge',
    TASK,
    'errors',
    'The number of errors that were logged (cumulative): one per record error logged under errors.log.enable=true (records skipped under errors.tolerance=all).',
  ),
  dlqProduceRequests: connect(
    EG,
    errors,
    'deadletterqueue-produce-requests',
    'gauge',
    TASK,
    'requests',
    'The number of attempted writes to the dead letter queue (cumulative).',
  ),
  dlqProduceFailures: connect(
    EG,
    errors,
    'deadletterqueue-produce-failures',
    'gauge',
    TASK,
    'requests',
    'The number of failed writes to the dead letter queue (cumulative).',
  ),
  lastErrorTimestamp: connect(
    EG,
    errors,
    'last-error-timestamp',
    'gauge',
    TASK,
    'ms since epoch',
    'The epoch timestamp in milliseconds when this task last encountered a record error or failure (0 if never).',
  ),

  // app-info
  connectAppInfo: {
    name: 'kafka_connect_app_info',
    type: 'gauge',
    labels: ['client_id', 'version', 'commit_id', 'start_time_ms'],
    unit: 'info',
    help: 'The worker: its client id, flowscope version, commit and start time (ms since epoch) as labels on a series of value 1.',
    group: MetricGroups.app,
    upstream: 'kafka.connect:type=app-info version, commit-id, start-time-ms',
  },
  producerAppInfo: {
    name: 'kafka_producer_app_info',
    type: 'gauge',
    labels: ['client_id', 'version'],
    unit: 'info',
    help: "The worker's Kafka producer: client id and client library (@platformatic/kafka) version, on a series of value 1.",
    group: MetricGroups.app,
    upstream: 'kafka.producer:type=app-info version',
  },

  // producer-metrics
  recordSendTotal: producer(
    PG,
    pm,
    'record-send-total',
    'counter',
    CLIENT,
    'records',
    'The total number of records sent and acknowledged.',
  ),
  recordSendRate: producer(
    PG,
    pm,
    'record-send-rate',
    'gauge',
    CLIENT,
    'records/s',
    'The average per-second number of records sent, over the window.',
  ),
  recordErrorTotal: producer(
    PG,
    pm,
    'record-error-total',
    'counter',
    CLIENT,
    'records',
    'The total number of record sends that resulted in errors.',
  ),
  recordErrorRate: producer(
    PG,
    pm,
    'record-error-rate',
    'gauge',
    CLIENT,
    'records/s',
    'The average per-second number of record sends that resulted in errors, over the window.',
  ),
  recordRetryTotal: producer(
    PG,
    pm,
    'record-retry-total',
    'counter',
    CLIENT,
    'requests',
    "The total number of produce requests the Kafka client retried. Kafka's producer counts the records of each retried batch; @platformatic/kafka reports a retry per request to one broker without its records, so this counts requests. Writes to the worker's internal topics share the client and are included.",
  ),
  recordRetryRate: producer(
    PG,
    pm,
    'record-retry-rate',
    'gauge',
    CLIENT,
    'requests/s',
    'The average per-second number of produce requests the Kafka client retried, over the window (requests, as record_retry_total).',
  ),
  outgoingByteTotal: producer(
    PG,
    pm,
    'outgoing-byte-total',
    'counter',
    CLIENT,
    'bytes',
    'The total number of record bytes (keys, values, headers) sent; protocol framing is not counted.',
  ),
  outgoingByteRate: producer(
    PG,
    pm,
    'outgoing-byte-rate',
    'gauge',
    CLIENT,
    'bytes/s',
    'The average per-second number of record bytes sent, over the window.',
  ),
  batchSizeAvg: producer(
    PG,
    pm,
    'batch-size-avg',
    'gauge',
    CLIENT,
    'bytes',
    'The average number of record bytes per topic per produce request, over the window.',
  ),
  recordSizeAvg: producer(
    PG,
    pm,
    'record-size-avg',
    'gauge',
    CLIENT,
    'bytes',
    'The average record size in bytes, over the window.',
  ),
  requestLatencyAvg: producer(
    PG,
    pm,
    'request-latency-avg',
    'gauge',
    CLIENT,
    'ms',
    'The average produce request latency in milliseconds (send to acknowledgement), over the window.',
  ),
  requestLatencyMax: producer(
    PG,
    pm,
    'request-latency-max',
    'gauge',
    CLIENT,
    'ms',
    'The maximum produce request latency in milliseconds, over the window.',
  ),
  requestTotal: producer(
    PG,
    pm,
    'request-total',
    'counter',
    CLIENT,
    'requests',
    'The total number of produce requests sent.',
  ),
  responseTotal: producer(
    PG,
    pm,
    'response-total',
    'counter',
    CLIENT,
    'responses',
    'The total number of produce responses (or request failures) received.',
  ),
  requestsInFlight: producer(
    PG,
    pm,
    'requests-in-flight',
    'gauge',
    CLIENT,
    'requests',
    'The current number of produce requests awaiting a response.',
  ),

  requestSizeAvg: producer(
    PG,
    pm,
    'request-size-avg',
    'gauge',
    CLIENT,
    'bytes',
    'The average size of the produce requests written (bytes on the wire: records, batch headers and request framing), over the window.',
  ),
  requestSizeMax: producer(
    PG,
    pm,
    'request-size-max',
    'gauge',
    CLIENT,
    'bytes',
    'The largest produce request written (bytes on the wire), over the window.',
  ),
  produceThrottleTimeAvg: producer(
    PG,
    pm,
    'produce-throttle-time-avg',
    'gauge',
    CLIENT,
    'ms',
    'The average throttle_time_ms the broker returned in produce responses (a client quota at work), over the window. Absent before the first produce response.',
  ),
  produceThrottleTimeMax: producer(
    PG,
    pm,
    'produce-throttle-time-max',
    'gauge',
    CLIENT,
    'ms',
    'The largest throttle_time_ms of the produce responses, over the window. Absent before the first produce response.',
  ),
  recordQueueTimeAvg: producer(
    PG,
    pm,
    'record-queue-time-avg',
    'gauge',
    CLIENT,
    'ms',
    "The average time a produce request's records waited in the producer before the request was written to the socket (buffer.memory space, metadata, the connection's in-flight limit), over the window. The client writes one produce request per send and broker, in order, so requests are matched to writes in order; a retried request or one spanning several brokers writes more than once, and those extra writes end later waits early (the figure errs low, never high).",
  ),
  recordQueueTimeMax: producer(
    PG,
    pm,
    'record-queue-time-max',
    'gauge',
    CLIENT,
    'ms',
    'The longest time records waited in the producer before their request was written, over the window.',
  ),
  bufferTotalBytes: producer(
    PG,
    pm,
    'buffer-total-bytes',
    'gauge',
    CLIENT,
    'bytes',
    'producer.buffer.memory: the record bytes the producer holds at most (sent, not yet acknowledged) before send() waits.',
  ),
  bufferAvailableBytes: producer(
    PG,
    pm,
    'buffer-available-bytes',
    'gauge',
    CLIENT,
    'bytes',
    'buffer.memory minus the (estimated, uncompressed) bytes of the records sent and not yet acknowledged.',
  ),
  compressionRateAvg: producer(
    PG,
    pm,
    'compression-rate-avg',
    'gauge',
    CLIENT,
    'ratio',
    'Compressed over uncompressed batch size: 1 with compression.type=none (batches go out as built). With a compression codec the client does not report batch sizes, so the series is absent.',
  ),
  ...networkMetricDefinitions(
    'producer',
    {
      prefix: 'kafka_producer_producer_metrics',
      upstream: 'kafka.producer:type=producer-metrics',
      group: PG,
      subject: "the worker's producer",
    },
    PRODUCER_NETWORK_STATS,
  ),

  // connect-metrics: every Kafka client of the worker, one client_id each
  ...networkMetricDefinitions(
    'connect',
    {
      prefix: 'kafka_connect_connect_metrics',
      upstream: 'kafka.connect:type=connect-metrics',
      group: MetricGroups.connectClients,
      subject:
        "the worker's Kafka client with this client_id (producer, internal-topic readers and writer, admin, group membership)",
    },
    ALL_NETWORK_STATS,
  ),

  // producer-topic-metrics
  topicRecordSendTotal: producer(
    PTG,
    ptm,
    'record-send-total',
    'counter',
    TOPIC,
    'records',
    'The total number of records sent to the topic.',
  ),
  topicByteTotal: producer(
    PTG,
    ptm,
    'byte-total',
    'counter',
    TOPIC,
    'bytes',
    'The total number of record bytes sent to the topic.',
  ),
  topicRecordErrorTotal: producer(
    PTG,
    ptm,
    'record-error-total',
    'counter',
    TOPIC,
    'records',
    'The total number of record sends to the topic that resulted in errors.',
  ),

  // flowscope pipeline metrics
  rowsRead: flowscope('source_rows_read_total', 'counter', TABLE, 'rows', 'Rows the source read from the table.'),
  lastPoll: flowscope(
    'source_last_poll_timestamp_seconds',
    'gauge',
    TABLE,
    'seconds since epoch',
    'When the source last polled the table successfully, rows or none (absent until the first successful poll). The JDBC source reports it in every mode; in bulk and incrementing modes it is the only time there is.',
  ),
  newestChange: flowscope(
    'source_newest_change_timestamp_seconds',
    'gauge',
    TABLE,
    'seconds since epoch',
    'The commit/change time of the newest row the source captured from the table (absent until the source reports one). The JDBC source knows it in timestamp and timestamp+incrementing modes only (the timestamp column); bulk and incrementing modes have no change time, so the series stays absent.',
  ),
  freshness: flowscope(
    'source_freshness_seconds',
    'gauge',
    TABLE,
    'seconds',
    'Now minus the newest change captured from the table, computed at scrape time. It also grows while the table is idle: read it with flowscope_source_pending_rows. Absent where no change time is known (JDBC bulk and incrementing modes: see flowscope_source_last_poll_timestamp_seconds instead).',
  ),
  pendingRows: flowscope(
    'source_pending_rows',
    'gauge',
    TABLE,
    'rows',
    'Rows known to be waiting in the source for the table (absent when the source cannot know).',
  ),
  pollErrors: flowscope('source_poll_errors_total', 'counter', TABLE, 'polls', 'Polls of the table that failed.'),
  // End-to-end freshness, worker hop (a histogram; the lag exporter has the consumer hop)
  sourceToKafka: {
    ...flowscope(
      'source_to_kafka_seconds',
      'histogram',
      [...TABLE, 'basis'],
      'seconds',
      'Per record, Kafka acknowledgement time minus the source time the record carries (its flowscope.source.timestamp header), observed when Kafka acknowledges it. basis="change": from the row\'s change time (JDBC timestamp and timestamp+incrementing modes: the timestamp column), i.e. Postgres change → Kafka append, poll interval included; basis="poll": from the start of the query round that read the row (bulk and incrementing modes have no change time), i.e. read → Kafka append only, a lower bound of the true freshness.',
    ),
    buckets: FRESHNESS_BUCKETS,
  },
  offsetCommitFailures: flowscope(
    'offset_commit_failures_total',
    'counter',
    TASK,
    'commits',
    'Offset commits of this task that failed.',
  ),
  taskState: flowscope(
    'task_state',
    'gauge',
    ['connector', 'task', 'state'],
    'boolean',
    'One series per task and state (unassigned, running, paused, failed, restarting): 1 for the current state, 0 for the others.',
  ),
} as const satisfies Record<string, MetricDefinition>

export type MetricKey = keyof typeof metrics
export const allMetrics: readonly MetricDefinition[] = Object.values(metrics)

/** Series families prom-client's collectDefaultMetrics adds to the same registry (names documented, not defined here). */
export const runtimeMetrics: readonly { name: string; help: string }[] = [
  {
    name: 'process_cpu_seconds_total',
    help: 'CPU time of the worker process (user + system), seconds; shared with JVM exporters.',
  },
  { name: 'process_resident_memory_bytes', help: 'Resident memory of the worker process.' },
  { name: 'process_start_time_seconds', help: 'Start time of the process since epoch.' },
  { name: 'process_open_fds', help: 'Open file descriptors.' },
  {
    name: 'nodejs_heap_size_used_bytes / nodejs_heap_size_total_bytes',
    help: 'V8 heap in use / allocated (the JVM panels’ counterpart).',
  },
  { name: 'nodejs_heap_space_size_used_bytes{space}', help: 'V8 heap per space.' },
  {
    name: 'nodejs_eventloop_lag_seconds, nodejs_eventloop_lag_p99_seconds, …',
    help: 'Event-loop delay: a busy worker shows it here first.',
  },
  { name: 'nodejs_gc_duration_seconds{kind}', help: 'Garbage-collection pauses (histogram).' },
  {
    name: 'nodejs_active_handles, nodejs_active_requests, nodejs_version_info',
    help: 'libuv handles, requests, Node version.',
  },
]

const NIO_ONLY =
  "Java NIO selector statistic: the share/time of the client's I/O thread spent in select() or in reads and writes. A Node client has no I/O thread of its own: libuv's event loop does every socket's I/O for the whole process, so there is no per-client figure (see nodejs_eventloop_lag_* for the loop's health)."

/**
 * Names the seed's dashboards query under kafka_connect_* / kafka_producer_* that this worker does not emit, and why.
 * A name ending in `*` covers every name with that prefix.
 */
export const notApplicable: readonly { readonly name: string; readonly reason: string }[] = [
  {
    name: 'kafka_connect_sink_task_metrics_*',
    reason: 'Sink-task metrics: flowscope runs source connectors only.',
  },
  {
    name: 'kafka_connect_connect_metrics_io_ratio',
    reason: NIO_ONLY,
  },
  {
    name: 'kafka_producer_producer_metrics_io_ratio',
    reason: NIO_ONLY,
  },
  {
    name: 'kafka_producer_producer_metrics_io_time_ns_avg',
    reason: NIO_ONLY,
  },
  {
    name: 'kafka_producer_producer_metrics_io_wait_ratio',
    reason: NIO_ONLY,
  },
  {
    name: 'kafka_producer_producer_metrics_io_wait_time_ns_avg',
    reason: NIO_ONLY,
  },
  {
    name: 'kafka_producer_producer_metrics_select_rate',
    reason: NIO_ONLY,
  },
]

/** Whether `name` is covered by the not-applicable list. */
export function isNotApplicable(name: string): boolean {
  return notApplicable.some((entry) =>
    entry.name.endsWith('*') ? name.startsWith(entry.name.slice(0, -1)) : name === entry.name,
  )
}
