// The Connect worker dashboard: the seed's Kafka Connect cluster dashboard on flowscope's kafka_connect_* series,
// with the Node.js process (process_*, nodejs_*) in place of the JVM panels.
import { metrics as M, type MetricDefinition } from '../../metrics/definitions.ts'
import { cdcRow } from './cdc.ts'
import type { DashboardSpec, PanelSpec } from './panels.ts'
import { q } from './panels.ts'

const W = 'job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id",instance=~"$instance"'
const C = `${W},connector=~"$connector"`

function perTask(title: string, metric: MetricDefinition, unit?: string): PanelSpec {
  return { kind: 'timeseries', title, queries: [q(`${metric.name}{${C}}`, '{{connector}}-{{task}}')], unit, min: 0 }
}

/** The worker's per-connector task count for each task state the dashboard shows. */
const taskCountMetric = {
  total: M.connectorTotalTaskCount,
  running: M.connectorRunningTaskCount,
  paused: M.connectorPausedTaskCount,
  failed: M.connectorFailedTaskCount,
  unassigned: M.connectorUnassignedTaskCount,
  destroyed: M.connectorDestroyedTaskCount,
} as const satisfies Record<string, MetricDefinition>
type TaskCountState = keyof typeof taskCountMetric

function taskCount(title: string, state: TaskCountState, alarm?: boolean): PanelSpec {
  return {
    kind: 'stat',
    title,
    queries: [q(`sum(${taskCountMetric[state].name}{${C}})`)],
    thresholds: alarm === true ? [[1, 'red']] : undefined,
  }
}

const taskStates: readonly TaskCountState[] = ['running', 'paused', 'failed', 'unassigned', 'destroyed']

export const connectWorker: DashboardSpec = {
  uid: 'flowscope-connect-worker',
  title: 'flowscope / Connect worker',
  description:
    "The seed's Kafka Connect cluster dashboard for flowscope workers: connectors, tasks, rebalances, task and source metrics, and the Node.js process.",
  tags: ['flowscope', 'kafka-connect'],
  variables: [
    {
      name: 'kafka_connect_cluster_id',
      label: 'Connect cluster',
      query: `label_values(${M.connectAppInfo.name}{job="kafka-connect"}, kafka_connect_cluster_id)`,
    },
    {
      name: 'instance',
      label: 'Worker',
      query: `label_values(${M.connectAppInfo.name}{job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id"}, instance)`,
      multi: true,
    },
    {
      name: 'connector',
      label: 'Connector',
      query: `label_values(${M.connectorStatus.name}{job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id"}, connector)`,
      multi: true,
    },
  ],
  rows: [
    {
      title: 'General',
      panels: [
        taskCount('Tasks total', 'total'),
        taskCount('Tasks running', 'running'),
        taskCount('Tasks paused', 'paused'),
        taskCount('Tasks failed', 'failed', true),
        taskCount('Tasks unassigned', 'unassigned'),
        taskCount('Tasks destroyed', 'destroyed'),
        {
          kind: 'piechart',
          title: 'Connectors per status',
          queries: [q(`sum by (status) (${M.connectorStatus.name}{${C}})`, '{{status}}')],
        },
        {
          kind: 'timeseries',
          title: 'Status of connectors',
          queries: [q(`sum by (status) (${M.connectorStatus.name}{${C}})`, '{{status}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Status of tasks',
          queries: taskStates.map((s) => q(`sum(${taskCountMetric[s].name}{${C}})`, s)),
          min: 0,
        },
      ],
    },
    {
      title: 'Worker process (Node.js)',
      panels: [
        {
          kind: 'timeseries',
          title: 'CPU usage',
          queries: [
            q(`rate(process_cpu_seconds_total{${W}}[$__rate_interval])`, '{{kafka_connect_cluster_id}}-{{instance}}'),
          ],
          unit: 'percentunit',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Resident memory',
          queries: [q(`process_resident_memory_bytes{${W}}`, '{{kafka_connect_cluster_id}}-{{instance}}')],
          unit: 'bytes',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'V8 heap used',
          queries: [q(`nodejs_heap_size_used_bytes{${W}}`, '{{kafka_connect_cluster_id}}-{{instance}}')],
          unit: 'bytes',
          min: 0,
          width: 6,
        },
        {
          kind: 'timeseries',
          title: 'Event loop lag p99',
          description: 'Time callbacks wait for the event loop; high values delay polls, sends and REST calls.',
          queries: [q(`nodejs_eventloop_lag_p99_seconds{${W}}`, '{{kafka_connect_cluster_id}}-{{instance}}')],
          unit: 's',
          min: 0,
          width: 6,
        },
      ],
    },
    {
      title: 'Connect worker',
      panels: [
        {
          kind: 'table',
          title: 'Workers',
          queries: [{ expr: `${M.connectAppInfo.name}{${W}}`, table: true }],
          width: 24,
          height: 5,
        },
        {
          kind: 'timeseries',
          title: 'Connectors and tasks per worker',
          queries: [
            q(`sum by (instance) (${M.connectorCount.name}{${W}})`, 'connectors {{instance}}'),
            q(`sum by (instance) (${M.taskCount.name}{${W}})`, 'tasks {{instance}}'),
          ],
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Startups (cumulative)',
          queries: [
            q(`sum by (instance) (${M.connectorStartupSuccess.name}{${W}})`, 'connector ok {{instance}}'),
            q(`sum by (instance) (${M.connectorStartupFailure.name}{${W}})`, 'connector failed {{instance}}'),
            q(`sum by (instance) (${M.taskStartupSuccess.name}{${W}})`, 'task ok {{instance}}'),
            q(`sum by (instance) (${M.taskStartupFailure.name}{${W}})`, 'task failed {{instance}}'),
          ],
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Connector details',
      panels: [
        {
          kind: 'table',
          title: 'Connectors',
          queries: [{ expr: `${M.connectorInfo.name}{${C}}`, table: true }],
          width: 24,
          height: 6,
        },
      ],
    },
    {
      title: 'Rebalances',
      panels: [
        {
          kind: 'timeseries',
          title: 'Rebalance average time',
          queries: [q(`${M.rebalanceAvgTime.name}{${W}}`, '{{kafka_connect_cluster_id}}-{{instance}}')],
          unit: 'ms',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Time since last rebalance',
          queries: [q(`${M.timeSinceLastRebalance.name}{${W}}`, '{{kafka_connect_cluster_id}}-{{instance}}')],
          unit: 'ms',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Assigned per worker',
          queries: [
            q(`${M.assignedConnectors.name}{${W}}`, 'connectors {{instance}}'),
            q(`${M.assignedTasks.name}{${W}}`, 'tasks {{instance}}'),
          ],
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Generation and rebalancing',
          queries: [
            q(`${M.epoch.name}{${W}}`, 'generation {{instance}}'),
            q(`${M.rebalancing.name}{${W}}`, 'rebalancing {{instance}}'),
            q(`increase(${M.completedRebalances.name}{${W}}[5m])`, 'rebalances per 5 min {{instance}}'),
          ],
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Task metrics',
      panels: [
        perTask('Batch size average', M.taskBatchSizeAvg),
        perTask('Batch size max', M.taskBatchSizeMax),
        perTask('Running ratio', M.taskRunningRatio, 'percentunit'),
        perTask('Offset commit success percentage', M.taskCommitSuccessPercentage, 'percentunit'),
        perTask('Offset commit average time', M.taskCommitAvgTime, 'ms'),
        {
          kind: 'timeseries',
          title: 'Offset commit failures (per 5 min)',
          queries: [
            q(
              `sum by (connector, task) (increase(${M.offsetCommitFailures.name}{${C}}[5m]))`,
              '{{connector}}-{{task}}',
            ),
          ],
          min: 0,
        },
      ],
    },
    {
      title: 'Task error metrics',
      panels: [
        perTask('Total record failures', M.totalRecordFailures),
        perTask('Total record errors', M.totalRecordErrors),
        perTask('Total records skipped', M.totalRecordsSkipped),
        perTask('Total errors logged', M.totalErrorsLogged),
        perTask('Total retries', M.totalRetries),
        perTask('Dead letter queue produce requests', M.dlqProduceRequests),
      ],
    },
    {
      title: 'Source metrics',
      panels: [
        perTask('Poll batch average time', M.pollBatchAvgTime, 'ms'),
        perTask('Poll batch max time', M.pollBatchMaxTime, 'ms'),
        perTask('Source record poll rate', M.sourceRecordPollRate, 'rps'),
        perTask('Source record write rate', M.sourceRecordWriteRate, 'rps'),
        perTask('Source record active count average', M.sourceRecordActiveCountAvg),
        perTask('Source record active count max', M.sourceRecordActiveCountMax),
      ],
    },
    cdcRow('CDC connectors (PostgreSQL logical replication)', 'connector=~"$connector"'),
  ],
}
