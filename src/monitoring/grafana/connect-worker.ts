// The Connect worker dashboard: the seed's Kafka Connect cluster dashboard on flowscope's kafka_connect_* series,
// with the Node.js process (process_*, nodejs_*) in place of the JVM panels.
import type { DashboardSpec, PanelSpec } from './panels.ts'
import { q } from './panels.ts'

const W = 'job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id",instance=~"$instance"'
const C = `${W},connector=~"$connector"`

function perTask(title: string, metric: string, unit?: string): PanelSpec {
  return { kind: 'timeseries', title, queries: [q(`${metric}{${C}}`, '{{connector}}-{{task}}')], unit, min: 0 }
}

function taskCount(title: string, state: string, alarm?: boolean): PanelSpec {
  return {
    kind: 'stat',
    title,
    queries: [q(`sum(kafka_connect_connect_worker_metrics_connector_${state}_task_count{${C}})`)],
    thresholds: alarm === true ? [[1, 'red']] : undefined,
  }
}

const taskStates = ['running', 'paused', 'failed', 'unassigned', 'destroyed'] as const

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
      query: 'label_values(kafka_connect_app_info{job="kafka-connect"}, kafka_connect_cluster_id)',
    },
    {
      name: 'instance',
      label: 'Worker',
      query:
        'label_values(kafka_connect_app_info{job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id"}, instance)',
      multi: true,
    },
    {
      name: 'connector',
      label: 'Connector',
      query:
        'label_values(kafka_connect_connector_metrics{job="kafka-connect",kafka_connect_cluster_id=~"$kafka_connect_cluster_id"}, connector)',
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
          queries: [q(`sum by (status) (kafka_connect_connector_metrics{${C}})`, '{{status}}')],
        },
        {
          kind: 'timeseries',
          title: 'Status of connectors',
          queries: [q(`sum by (status) (kafka_connect_connector_metrics{${C}})`, '{{status}}')],
          min: 0,
        },
        {
          kind: 'timeseries',
          title: 'Status of tasks',
          queries: taskStates.map((s) =>
            q(`sum(kafka_connect_connect_worker_metrics_connector_${s}_task_count{${C}})`, s),
          ),
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
          queries: [{ expr: `kafka_connect_app_info{${W}}`, table: true }],
          width: 24,
          height: 5,
        },
        {
          kind: 'timeseries',
          title: 'Connectors and tasks per worker',
          queries: [
            q(
              `sum by (instance) (kafka_connect_connect_worker_metrics_connector_count{${W}})`,
              'connectors {{instance}}',
            ),
            q(`sum by (instance) (kafka_connect_connect_worker_metrics_task_count{${W}})`, 'tasks {{instance}}'),
          ],
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Startups (cumulative)',
          queries: [
            q(
              `sum by (instance) (kafka_connect_connect_worker_metrics_connector_startup_success_total{${W}})`,
              'connector ok {{instance}}',
            ),
            q(
              `sum by (instance) (kafka_connect_connect_worker_metrics_connector_startup_failure_total{${W}})`,
              'connector failed {{instance}}',
            ),
            q(
              `sum by (instance) (kafka_connect_connect_worker_metrics_task_startup_success_total{${W}})`,
              'task ok {{instance}}',
            ),
            q(
              `sum by (instance) (kafka_connect_connect_worker_metrics_task_startup_failure_total{${W}})`,
              'task failed {{instance}}',
            ),
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
          queries: [{ expr: `kafka_connect_connector_info{${C}}`, table: true }],
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
          queries: [
            q(
              `kafka_connect_connect_worker_rebalance_metrics_rebalance_avg_time_ms{${W}}`,
              '{{kafka_connect_cluster_id}}-{{instance}}',
            ),
          ],
          unit: 'ms',
          min: 0,
          width: 12,
        },
        {
          kind: 'timeseries',
          title: 'Time since last rebalance',
          queries: [
            q(
              `kafka_connect_connect_worker_rebalance_metrics_time_since_last_rebalance_ms{${W}}`,
              '{{kafka_connect_cluster_id}}-{{instance}}',
            ),
          ],
          unit: 'ms',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Task metrics',
      panels: [
        perTask('Batch size average', 'kafka_connect_connector_task_metrics_batch_size_avg'),
        perTask('Batch size max', 'kafka_connect_connector_task_metrics_batch_size_max'),
        perTask('Running ratio', 'kafka_connect_connector_task_metrics_running_ratio', 'percentunit'),
        perTask(
          'Offset commit success percentage',
          'kafka_connect_connector_task_metrics_offset_commit_success_percentage',
          'percentunit',
        ),
        perTask('Offset commit average time', 'kafka_connect_connector_task_metrics_offset_commit_avg_time_ms', 'ms'),
        {
          kind: 'timeseries',
          title: 'Offset commit failures (per 5 min)',
          queries: [
            q(
              `sum by (connector, task) (increase(flowscope_offset_commit_failures_total{${C}}[5m]))`,
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
        perTask('Total record failures', 'kafka_connect_task_error_metrics_total_record_failures'),
        perTask('Total record errors', 'kafka_connect_task_error_metrics_total_record_errors'),
        perTask('Total records skipped', 'kafka_connect_task_error_metrics_total_records_skipped'),
        perTask('Total errors logged', 'kafka_connect_task_error_metrics_total_errors_logged'),
        perTask('Total retries', 'kafka_connect_task_error_metrics_total_retries'),
        perTask(
          'Dead letter queue produce requests',
          'kafka_connect_task_error_metrics_deadletterqueue_produce_requests',
        ),
      ],
    },
    {
      title: 'Source metrics',
      panels: [
        perTask('Poll batch average time', 'kafka_connect_source_task_metrics_poll_batch_avg_time_ms', 'ms'),
        perTask('Poll batch max time', 'kafka_connect_source_task_metrics_poll_batch_max_time_ms', 'ms'),
        perTask('Source record poll rate', 'kafka_connect_source_task_metrics_source_record_poll_rate', 'rps'),
        perTask('Source record write rate', 'kafka_connect_source_task_metrics_source_record_write_rate', 'rps'),
        perTask(
          'Source record active count average',
          'kafka_connect_source_task_metrics_source_record_active_count_avg',
        ),
        perTask('Source record active count max', 'kafka_connect_source_task_metrics_source_record_active_count_max'),
      ],
    },
  ],
}
