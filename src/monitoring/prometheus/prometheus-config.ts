// Prometheus configuration for a flowscope stack: options (addresses, labels, rule files) in, prometheus.yml text out.
// Job names, static labels and the `hostname` relabel are the seed's, so its dashboards and habits carry over.
import { stringify } from 'yaml'

export interface PrometheusConfigOptions {
  /** host:port of the worker REST listener(s); `/metrics` on it is scraped as job `kafka-connect`. */
  readonly workerAddress?: string | readonly string[]
  /** host:port of the broker's JMX exporter agent(s) (job `kafka-broker`). */
  readonly brokerExporterAddress?: string | readonly string[]
  /** host:port of `flowscope lag-exporter` (job `kafka-lag-exporter`), or null for no such job. */
  readonly lagExporterAddress?: string | readonly string[] | null
  /** host:port of consumers' /metrics such as `flowscope consume` (job `kafka-consumer`), or null for no such job. */
  readonly consumerAddress?: string | readonly string[] | null
  /** host:port of the Node Exporter (job `node-exporter`), or null for no such job. */
  readonly nodeExporterAddress?: string | null
  /** host:port Prometheus itself listens on (job `prometheus`). */
  readonly prometheusAddress?: string
  /** Alertmanager host:port; without it the config has no `alerting` section. */
  readonly alertmanagerAddress?: string
  /** Scrape and rule evaluation interval, a Prometheus duration such as `15s`. */
  readonly scrapeInterval?: string
  /** Rule files, relative to the config file or absolute. */
  readonly ruleFiles?: readonly string[]
  /** The `env` label on the Kafka and worker jobs. */
  readonly env?: string
  /** The `kafka_connect_cluster_id` label on the worker job: the workers' `group.id`. */
  readonly connectClusterId?: string
}

export const prometheusDefaults = {
  workerAddress: 'localhost:8083',
  brokerExporterAddress: 'localhost:9404',
  nodeExporterAddress: 'localhost:9100',
  lagExporterAddress: 'localhost:8000',
  consumerAddress: 'localhost:8001',
  prometheusAddress: 'localhost:9090',
  scrapeInterval: '15s',
  ruleFiles: ['alert-rules.yml'],
  env: 'dev',
  connectClusterId: 'compose-connect-group',
} as const

/** The seed's relabel: the target's host part becomes the `hostname` label. */
const hostnameRelabel = {
  source_labels: ['__address__'],
  target_label: 'hostname',
  regex: '([^:]+)(:[0-9]+)?',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Prometheus' regex group reference, not a JS template
  replacement: '${1}',
}

/**
 * The JMX exporter 1.x strips a trailing `_total` from metric names; the seed's kafka-cluster dashboard queries the
 * request handler idle ratio under its 0.16-era name, so the broker job puts the suffix back.
 */
const brokerMetricRelabels = [
  {
    source_labels: ['__name__'],
    regex: 'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent',
    target_label: '__name__',
    replacement: 'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_total',
  },
]

const durationUnits: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }

/** Seconds in a Prometheus duration (`1m30s`, `15s`, `500ms`); throws on anything else. */
export function durationSeconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new Error(`scrapeInterval: "${duration}" is not a Prometheus duration such as 15s or 1m`)
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * durationUnits[p[2]], 0)
}

function list(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value]
}

function requireTargets(field: string, targets: readonly string[]): void {
  if (targets.length === 0) throw new Error(`${field}: at least one host:port is required`)
  for (const t of targets) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(t)) throw new Error(`${field}: "${t}" is not host:port`)
  }
}

/** prometheus.yml for the given addresses; every option has a local default (see `prometheusDefaults`). */
export function renderPrometheusConfig(options: PrometheusConfigOptions = {}): string {
  const d = prometheusDefaults
  const interval = options.scrapeInterval ?? d.scrapeInterval
  const seconds = durationSeconds(interval)
  const worker = list(options.workerAddress ?? d.workerAddress)
  const broker = list(options.brokerExporterAddress ?? d.brokerExporterAddress)
  const nodeExporter = options.nodeExporterAddress === undefined ? d.nodeExporterAddress : options.nodeExporterAddress
  const optional = (value: string | readonly string[] | null | undefined, fallback: string) =>
    value === null ? null : list(value ?? fallback)
  const lagExporter = optional(options.lagExporterAddress, d.lagExporterAddress)
  const consumer = optional(options.consumerAddress, d.consumerAddress)
  const prometheus = options.prometheusAddress ?? d.prometheusAddress
  const env = options.env ?? d.env
  const clusterId = options.connectClusterId ?? d.connectClusterId
  requireTargets('workerAddress', worker)
  requireTargets('brokerExporterAddress', broker)
  requireTargets('prometheusAddress', [prometheus])
  if (nodeExporter !== null) requireTargets('nodeExporterAddress', [nodeExporter])
  if (lagExporter !== null) requireTargets('lagExporterAddress', lagExporter)
  if (consumer !== null) requireTargets('consumerAddress', consumer)
  if (options.alertmanagerAddress !== undefined) requireTargets('alertmanagerAddress', [options.alertmanagerAddress])

  const scrapeConfigs: Record<string, unknown>[] = [
    { job_name: 'prometheus', static_configs: [{ targets: [prometheus] }] },
  ]
  if (nodeExporter !== null) {
    scrapeConfigs.push({
      job_name: 'node-exporter',
      static_configs: [{ targets: [nodeExporter] }],
      relabel_configs: [hostnameRelabel],
    })
  }
  scrapeConfigs.push(
    {
      job_name: 'kafka-broker',
      static_configs: [{ targets: broker, labels: { env } }],
      relabel_configs: [hostnameRelabel],
      metric_relabel_configs: brokerMetricRelabels,
    },
    {
      job_name: 'kafka-connect',
      metrics_path: '/metrics',
      static_configs: [{ targets: worker, labels: { env, kafka_connect_cluster_id: clusterId } }],
      relabel_configs: [hostnameRelabel],
    },
  )
  // The consumer end: the lag exporter (Kafka Lag Exporter's and kafka_exporter's names) and consumers' own metrics
  // (the Java consumer's names, which the seed's kafka-consumer dashboard reads with env and hostname).
  if (lagExporter !== null) {
    scrapeConfigs.push({
      job_name: 'kafka-lag-exporter',
      static_configs: [{ targets: lagExporter, labels: { env } }],
      relabel_configs: [hostnameRelabel],
    })
  }
  if (consumer !== null) {
    scrapeConfigs.push({
      job_name: 'kafka-consumer',
      static_configs: [{ targets: consumer, labels: { env } }],
      relabel_configs: [hostnameRelabel],
    })
  }

  const config: Record<string, unknown> = {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      // Prometheus requires scrape_timeout <= scrape_interval; its default is 10s.
      scrape_timeout: seconds < 10 ? interval : '10s',
    },
    rule_files: [...(options.ruleFiles ?? d.ruleFiles)],
  }
  if (options.alertmanagerAddress !== undefined) {
    config.alerting = {
      alertmanagers: [{ scheme: 'http', static_configs: [{ targets: [options.alertmanagerAddress] }] }],
    }
  }
  config.scrape_configs = scrapeConfigs
  const header = '# Generated by src/monitoring/export.ts (npm run monitoring:export); do not edit by hand.\n'
  return header + stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })
}
