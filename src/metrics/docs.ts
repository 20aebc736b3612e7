// docs/metrics.md, generated from definitions.ts so the page cannot drift from what /metrics emits.
// `node src/metrics/docs.ts` rewrites the file; test/unit/metrics/docs.test.ts fails when it is out of date.
import { writeFileSync } from 'node:fs'
import type { MetricComponent } from './components.ts'
import { allMetrics, type MetricDefinition, MetricGroups, notApplicable, runtimeMetrics } from './definitions.ts'
import { metricComponents } from './documented-components.ts'

const GROUP_TITLES: Record<string, string> = {
  [MetricGroups.worker]: 'Worker (`kafka.connect:type=connect-worker-metrics`)',
  [MetricGroups.rebalance]: 'Rebalance (`kafka.connect:type=connect-worker-rebalance-metrics`)',
  [MetricGroups.coordinator]: 'Group membership (`kafka.connect:type=connect-coordinator-metrics`)',
  [MetricGroups.connector]: 'Connector (`kafka.connect:type=connector-metrics`)',
  [MetricGroups.task]: 'Connector task (`kafka.connect:type=connector-task-metrics`)',
  [MetricGroups.sourceTask]: 'Source task (`kafka.connect:type=source-task-metrics`)',
  [MetricGroups.taskError]: 'Task errors (`kafka.connect:type=task-error-metrics`)',
  [MetricGroups.app]: 'App info (`kafka.connect:type=app-info`, `kafka.producer:type=app-info`)',
  [MetricGroups.producer]: "The worker's producer (`kafka.producer:type=producer-metrics`)",
  [MetricGroups.producerTopic]: "The worker's producer, per topic (`kafka.producer:type=producer-topic-metrics`)",
  [MetricGroups.connectClients]: "The worker's Kafka clients' network (`kafka.connect:type=connect-metrics`)",
  [MetricGroups.pipeline]: 'flowscope pipeline metrics (new)',
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

/** A Markdown table laid out as Biome formats one (cells padded to the column width), so `biome ci` accepts it. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

function table(defs: readonly MetricDefinition[]): string[] {
  return markdownTable(
    ['name', 'type', 'labels', 'unit', 'meaning'],
    defs.map((def) => [
      `\`${def.name}\``,
      def.type,
      def.labels.length === 0 ? '—' : def.labels.map((l) => `\`${l}\``).join(', '),
      cell(def.unit),
      cell(def.help),
    ]),
  )
}

/** The whole of docs/metrics.md: the worker's metrics, then each component's (default: `metricComponents`). */
export function renderMetricsDoc(components: readonly MetricComponent[] = metricComponents): string {
  const out: string[] = [
    '# flowscope worker metrics',
    '',
    '<!-- Generated from src/metrics/definitions.ts by `node src/metrics/docs.ts`; do not edit by hand. -->',
    '',
    "The worker serves these on `/metrics`: Prometheus text by default, OpenMetrics 1.0 when the scraper's `Accept`",
    'header prefers `application/openmetrics-text` (series names are the same in both). Names, labels and units of the',
    "`kafka_connect_*` / `kafka_producer_*` series are those the seed's JMX exporter produced for a Java worker, so its",
    'Grafana dashboards work unchanged. Prometheus adds `job`, `instance` and the static labels of the scrape config',
    '(`env`, `hostname`, `kafka_connect_cluster_id`); the worker does not emit them.',
    '',
    '## Conventions',
    '',
    "- `*_rate`, `*_avg`, `*_max` and `*_percentage` are windowed as Kafka's metrics are: 2 samples × 30 s. A rate is",
    '  per second over the elapsed window (at least one full sample); avg and max cover the recorded values still in the',
    '  window. An empty window reads **0** (Kafka reports NaN for avg and -Infinity for max; 0 keeps panels plottable).',
    "- `*_percentage` values are fractions between 0 and 1, as Kafka's `Frequencies` stat reports them.",
    "- Names ending in `_total` are Prometheus counters. Kafka's cumulative task-error metrics (`total_record_errors`, …)",
    '  keep their upstream names, so they are typed gauge (their names lack the `_total` suffix counters need).',
    '- Info-style series (`unit` = info) have value 1 and carry facts as labels; when a status changes the old series',
    '  disappears and the new one appears, so there is exactly one series per connector or task.',
    '- Every connector and task series exists (at 0) from the moment the runtime creates the connector or task, and',
    '  disappears when it is removed (`DELETE /connectors/…`): no stale series.',
    '- Per-table `flowscope_source_*` series appear when the source first reports the table. Timestamps, freshness',
    '  and pending rows appear once known: a missing series means "not known", never a made-up 0.',
    '',
  ]
  const groups = Object.values(MetricGroups)
  for (const group of groups) {
    const defs = allMetrics.filter((d) => d.group === group)
    if (defs.length === 0) continue
    out.push(`## ${GROUP_TITLES[group] ?? group}`, '', ...table(defs), '')
  }
  out.push(
    '## Process and runtime',
    '',
    "prom-client's default collectors, on the same registry. The seed's `jvm_*` panels have no counterpart in a Node.js",
    'process; `process_cpu_seconds_total` is shared with the JVM exporters and keeps working.',
    '',
    ...markdownTable(
      ['name', 'meaning'],
      runtimeMetrics.map((m) => [`\`${m.name}\``, cell(m.help)]),
    ),
    '',
    "@platformatic/kafka's own metrics (`kafka_producers`, `kafka_produced_messages`, …) join the same registry when the",
    "runtime passes `kafkaClientMetrics` as the client's `metrics` option.",
    '',
    '## Seed dashboard names not emitted',
    '',
    "These names appear in the seed's dashboards (`kafka_connect_*`, `kafka_producer_*`) but have no meaning for this",
    'worker. A name ending in `*` stands for every name with that prefix.',
    '',
    ...markdownTable(
      ['name', 'why not'],
      notApplicable.map((n) => [`\`${n.name}\``, cell(n.reason)]),
    ),
    '',
  )
  // Other components' metrics (served by their own processes or registries), after everything the worker serves.
  for (const component of components) {
    out.push(`## ${component.title}`, '', component.description, '', ...table(Object.values(component.metrics)), '')
  }
  return out.join('\n')
}

/** Rewrites docs/metrics.md (or `path`). */
export function writeMetricsDoc(path: string | URL = new URL('../../docs/metrics.md', import.meta.url)): void {
  writeFileSync(path, renderMetricsDoc())
}

if (import.meta.main) writeMetricsDoc()
