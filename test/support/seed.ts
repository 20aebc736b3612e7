// The one way tests reach the seed (the Confluent Platform demo flowscope re-creates): its files are compared against,
// never copied into the repository and never needed to run. They are read from FLOWSCOPE_SEED_DIR (default
// ../shared/seed beside the repository); where that folder is absent, tests that compare against it are reported as
// skipped with `seedMissing` as the reason, and every other test runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { panelQueries, variableQueries } from '../../src/monitoring/panel-queries.ts'

export const SEED_DIR_ENV = 'FLOWSCOPE_SEED_DIR'

const REPO = resolve(import.meta.dirname, '../..')

/** Where the seed is looked for: $FLOWSCOPE_SEED_DIR, else ../shared/seed beside the repository. */
export const seedDir: string = resolve(REPO, process.env[SEED_DIR_ENV] || '../shared/seed')

/** The skip reason for seed comparisons when the seed is not there, else false (the comparison runs). */
export const seedMissing: string | false = existsSync(join(seedDir, 'README.md'))
  ? false
  : `the seed's files are not at ${seedDir}: set ${SEED_DIR_ENV} to the seed folder to run this comparison`

/** Absolute path of a file in the seed, e.g. seedPath('connect/jdbc-postgres-source.json'). */
export function seedPath(relative: string): string {
  if (seedMissing) throw new Error(seedMissing)
  return join(seedDir, relative)
}

export function readSeedJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(seedPath(relative), 'utf8')) as T
}

/** The seed's provisioned Grafana dashboards folder, relative to the seed. */
export const SEED_DASHBOARDS_DIR = 'assets/grafana/provisioning/dashboards'

/** One of the seed's Grafana dashboards, e.g. seedDashboard('kafka-connect-cluster.json'). */
export function seedDashboard(file: string): unknown {
  return readSeedJson(join(SEED_DASHBOARDS_DIR, file))
}

/** Every metric name the seed's dashboards query (panels and template variables) with the label names they filter on. */
export function seedDashboardMetrics(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>()
  for (const file of readdirSync(seedPath(SEED_DASHBOARDS_DIR)).filter((f) => f.endsWith('.json'))) {
    const dashboard = seedDashboard(file)
    const exprs = [...panelQueries(dashboard).map((q) => q.expr), ...variableQueries(dashboard).map((q) => q.query)]
    for (const query of exprs) {
      // Grouping clauses and label_values' label argument name labels, not metrics.
      const expr = query
        .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
        .replace(/label_values\(\s*[a-zA-Z_]\w*\s*\)/g, '')
        .replace(/label_values\(([^,)]*),[^)]*\)/g, '$1')
      // A name followed by a matcher operator is a label (kafka_connect_cluster_id="…"), not a metric.
      for (const m of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*(?:=|!=|=~|!~|\())(\{([^}]*)\})?/g)) {
        const labels = found.get(m[1]) ?? new Set<string>()
        for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(l[1])
        found.set(m[1], labels)
      }
    }
  }
  return found
}
