// Reads PromQL back out of Grafana dashboard JSON (flowscope's or the seed's): every panel target's expression, the
// template variables' queries, and template-variable substitution so a test can run each query against Prometheus.

export interface PanelQuery {
  readonly dashboard: string
  readonly panel: string
  readonly expr: string
  readonly panelId?: number
  readonly refId?: string
}

export interface VariableQuery {
  readonly dashboard: string
  readonly name: string
  readonly query: string
}

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function children(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : []
}

function titleOf(dashboardJson: unknown): string {
  if (!isObject(dashboardJson)) throw new Error('dashboard: expected a JSON object')
  return typeof dashboardJson.title === 'string' ? dashboardJson.title : '(untitled)'
}

/** Every non-empty `expr` of every panel target, rows' nested panels included, in reading order. */
export function panelQueries(dashboardJson: unknown): PanelQuery[] {
  const dashboard = titleOf(dashboardJson)
  const out: PanelQuery[] = []
  const walk = (panels: Json[]): void => {
    for (const p of panels) {
      const panelId = typeof p.id === 'number' ? p.id : undefined
      const panel = typeof p.title === 'string' && p.title !== '' ? p.title : `#${panelId ?? '?'}`
      for (const t of children(p.targets)) {
        if (typeof t.expr !== 'string' || t.expr.trim() === '') continue
        out.push({ dashboard, panel, expr: t.expr, panelId, refId: typeof t.refId === 'string' ? t.refId : undefined })
      }
      walk(children(p.panels))
    }
  }
  walk(children((dashboardJson as Json).panels))
  return out
}

/** The query of every `query`-type template variable (string or `{query}` form). */
export function variableQueries(dashboardJson: unknown): VariableQuery[] {
  const dashboard = titleOf(dashboardJson)
  const templating = (dashboardJson as Json).templating
  const list = isObject(templating) ? children(templating.list) : []
  const out: VariableQuery[] = []
  for (const v of list) {
    if (v.type !== 'query' || typeof v.name !== 'string') continue
    const query = isObject(v.query) ? v.query.query : v.query
    if (typeof query === 'string' && query !== '') out.push({ dashboard, name: v.name, query })
  }
  return out
}

/** `label_values(selector, label)` / `label_values(label)` split into its parts; undefined for other queries. */
export function parseLabelValues(query: string): { readonly selector?: string; readonly label: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.*\S)\s*,\s*)?([a-zA-Z_]\w*)\s*\)\s*$/s.exec(query)
  if (m === null) return undefined
  return m[1] === undefined ? { label: m[2] } : { selector: m[1], label: m[2] }
}

export interface BuiltinIntervals {
  /** `$__rate_interval` (default 1m). */
  readonly rateInterval?: string
  /** `$__interval` (default 15s). */
  readonly interval?: string
  /** `$__range` (default 1h). */
  readonly range?: string
}

function seconds(duration: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(duration)
  if (m === null) throw new Error(`interval: "${duration}" must be a single-unit duration such as 1m`)
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }
  return Number(m[1]) * unit[m[2]]
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&')
}

/**
 * Replaces Grafana variables (`$name`, `${name}`, `${name:format}`, `[[name]]`) with the given values, as Grafana's
 * Prometheus datasource does: a single value is inserted as is, several become a regex alternation `(a|b)` of
 * escaped values. Built-ins `$__rate_interval`, `$__interval`, `$__range` (and `_ms`/`_s` forms) get fixed
 * durations. Throws naming any variable without a value.
 */
export function substituteVariables(
  expr: string,
  values: Readonly<Record<string, string | readonly string[]>>,
  intervals: BuiltinIntervals = {},
): string {
  const rate = intervals.rateInterval ?? '1m'
  const interval = intervals.interval ?? '15s'
  const range = intervals.range ?? '1h'
  const builtins: Record<string, string> = {
    __rate_interval: rate,
    __interval: interval,
    __interval_ms: String(seconds(interval) * 1000),
    __range: range,
    __range_s: String(seconds(range)),
    __range_ms: String(seconds(range) * 1000),
  }
  const lookup = (name: string): string => {
    if (name in builtins) return builtins[name]
    const v = values[name]
    if (v === undefined) throw new Error(`variable $${name} has no value (in: ${expr})`)
    if (typeof v === 'string') return v
    if (v.length === 1) return v[0]
    return `(${v.map(escapeRegex).join('|')})`
  }
  return expr.replace(
    /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g,
    (_m, braced: string | undefined, bracketed: string | undefined, plain: string | undefined) =>
      lookup(braced ?? bracketed ?? plain ?? ''),
  )
}
