// Metric families of components other than the worker (the lag exporter, the CDC connector, …): each declares its
// definitions in the worker's MetricDefinition shape, registers them on its own prom-client registry, and is listed
// in `metricComponents` (documented-components.ts) so docs/metrics.md (src/metrics/docs.ts) documents it next to the
// worker's.
import * as prom from 'prom-client'
import type { MetricDefinition } from './definitions.ts'
import { isNetworkMetric } from './kafka-client-network.ts'

/** A definition as a component writes it: the group is the component's own. */
export type ComponentMetricDefinition = Omit<MetricDefinition, 'group'>

export interface MetricComponent<
  M extends Record<string, ComponentMetricDefinition> = Record<string, MetricDefinition>,
> {
  /** Short id, also the `group` of its definitions: `lag-exporter`, `cdc`. */
  readonly name: string
  /** Section title in docs/metrics.md. */
  readonly title: string
  /** One paragraph for the docs: which process serves these and where. */
  readonly description: string
  readonly metrics: { readonly [K in keyof M]: M[K] & MetricDefinition }
}

/** Declares a component's metric families (names checked: Prometheus syntax, `_total` exactly on counters). */
export function defineMetricComponent<const M extends Record<string, ComponentMetricDefinition>>(spec: {
  name: string
  title: string
  description: string
  metrics: M
}): MetricComponent<M> {
  const metrics = {} as Record<string, MetricDefinition>
  for (const [key, def] of Object.entries(spec.metrics)) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(def.name))
      throw new Error(`${spec.name}.${key}: bad metric name ${def.name}`)
    if ((def.type === 'counter') !== def.name.endsWith('_total')) {
      throw new Error(`${spec.name}.${key}: ${def.name} — counters, and only counters, end in _total`)
    }
    metrics[key] = { ...def, group: spec.name }
  }
  return { name: spec.name, title: spec.title, description: spec.description, metrics } as MetricComponent<M>
}

type Registered<D> = D extends { type: 'counter' }
  ? prom.Counter
  : D extends { type: 'histogram' }
    ? prom.Histogram
    : prom.Gauge

/** The component's families on `registry` (a prom-client Counter, Gauge or Histogram per definition), keyed as declared. */
export function registerComponentMetrics<M extends Record<string, ComponentMetricDefinition>>(
  component: MetricComponent<M>,
  registry: prom.Registry,
): { readonly [K in keyof M]: Registered<M[K]> } {
  const out: Record<string, prom.Counter | prom.Gauge | prom.Histogram> = {}
  for (const [key, def] of Object.entries(component.metrics) as [string, MetricDefinition][]) {
    // Network families are read from the client's connections at scrape time: registerNetworkMetrics serves them.
    if (isNetworkMetric(def)) continue
    out[key] = metricFor(def, {
      name: def.name,
      help: def.help,
      labelNames: [...def.labels],
      registers: [registry],
    })
  }
  return out as { readonly [K in keyof M]: Registered<M[K]> }
}

function metricFor(
  def: MetricDefinition,
  options: prom.MetricConfiguration<string>,
): prom.Counter | prom.Gauge | prom.Histogram {
  if (def.type === 'histogram') return new prom.Histogram({ ...options, buckets: [...(def.buckets ?? [])] })
  return def.type === 'counter' ? new prom.Counter(options) : new prom.Gauge(options)
}

/**
 * Where a plugin's own metric component is served: the worker's registry, so its families appear on the worker's
 * /metrics. A component's state is created once per host (its families registered once, however many connectors
 * and tasks use it) and shared by every connector and task of that plugin.
 */
export interface MetricsHost {
  /** The state of the component named `name` on this host, created by `create(registry)` on first use. */
  component<S>(name: string, create: (registry: prom.Registry) => S): S
}

/** A MetricsHost over `registry`. */
export function metricsHost(registry: prom.Registry): MetricsHost {
  const states = new Map<string, unknown>()
  return {
    component<S>(name: string, create: (registry: prom.Registry) => S): S {
      if (!states.has(name)) states.set(name, create(registry))
      return states.get(name) as S
    },
  }
}
