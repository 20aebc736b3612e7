// All generated monitoring files as {path, content} pairs (paths relative to the repository root): the checked-in
// set with local defaults, or a set with the real ports for a launcher that writes them at runtime.
import { dashboards } from './grafana/dashboards.ts'
import { dashboardJson } from './grafana/panels.ts'
import type { GrafanaProvisioningOptions } from './grafana/provisioning.ts'
import { renderDashboardProvider, renderDatasources } from './grafana/provisioning.ts'
import type { AlertRuleOptions } from './prometheus/alert-rules.ts'
import { renderAlertRules } from './prometheus/alert-rules.ts'
import type { PrometheusConfigOptions } from './prometheus/prometheus-config.ts'
import { renderPrometheusConfig } from './prometheus/prometheus-config.ts'

export interface MonitoringFile {
  readonly path: string
  readonly content: string
}

export interface MonitoringOptions {
  readonly prometheus?: PrometheusConfigOptions
  readonly alerts?: AlertRuleOptions
  readonly grafana?: GrafanaProvisioningOptions
}

export const monitoringPaths = {
  prometheusConfig: 'monitoring/prometheus/prometheus.yml',
  alertRules: 'monitoring/prometheus/alert-rules.yml',
  alertRulesTest: 'monitoring/prometheus/alert-rules.test.yml',
  jmxRules: 'monitoring/jmx/kafka-broker.yml',
  dashboards: 'monitoring/grafana/dashboards',
  datasources: 'monitoring/grafana/provisioning/datasources/prometheus.yml',
  dashboardProvider: 'monitoring/grafana/provisioning/dashboards/flowscope.yml',
} as const

/**
 * The generated files. prometheus.yml refers to `alert-rules.yml` beside it unless `prometheus.ruleFiles` says
 * otherwise; the JMX rules and the promtool tests are hand-written and not part of this set.
 */
export function monitoringFiles(options: MonitoringOptions = {}): MonitoringFile[] {
  const grafana: GrafanaProvisioningOptions = {
    scrapeInterval: options.prometheus?.scrapeInterval,
    prometheusUrl:
      options.prometheus?.prometheusAddress === undefined
        ? undefined
        : `http://${options.prometheus.prometheusAddress}`,
    ...options.grafana,
  }
  return [
    { path: monitoringPaths.prometheusConfig, content: renderPrometheusConfig(options.prometheus) },
    { path: monitoringPaths.alertRules, content: renderAlertRules(options.alerts) },
    ...dashboards.map((d) => ({ path: `${monitoringPaths.dashboards}/${d.file}`, content: dashboardJson(d.spec) })),
    { path: monitoringPaths.datasources, content: renderDatasources(grafana) },
    { path: monitoringPaths.dashboardProvider, content: renderDashboardProvider(grafana) },
  ]
}
