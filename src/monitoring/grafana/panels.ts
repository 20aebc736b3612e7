// Dashboards as data → Grafana JSON through the foundation SDK: a spec of rows, panels and PromQL queries goes in,
// a dashboard model with fixed ids, the `prometheus` datasource uid and SDK-computed grid positions comes out.

import * as common from '@grafana/grafana-foundation-sdk/common'
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common'
import type { Dashboard, Threshold, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard'
import {
  DashboardBuilder,
  DashboardCursorSync,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import * as piechart from '@grafana/grafana-foundation-sdk/piechart'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline'
import * as table from '@grafana/grafana-foundation-sdk/table'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'

/** Every panel, query and variable uses this datasource (provisioned with this uid). */
export const datasource = { type: 'prometheus', uid: 'prometheus' } as const

export interface QuerySpec {
  readonly expr: string
  readonly legend?: string
  /** Instant query in table format (tables). */
  readonly table?: boolean
}

export type PanelKind = 'stat' | 'timeseries' | 'table' | 'piechart' | 'state-timeline'

export interface PanelSpec {
  readonly kind: PanelKind
  readonly title: string
  readonly description?: string
  readonly queries: readonly QuerySpec[]
  readonly unit?: string
  readonly min?: number
  readonly max?: number
  /** Grid width (of 24); defaults: stat 4, others 8. */
  readonly width?: number
  readonly height?: number
  /** Threshold steps after the base color: [value, color] pairs. */
  readonly thresholds?: readonly (readonly [number, string])[]
  /** Base color of the thresholds (default green). */
  readonly baseColor?: string
  /** Stat panels: show the series name (e.g. a status label) instead of the value. */
  readonly showName?: boolean
  /** Values shown as text in a color (e.g. Burrow's status codes): value → [text, color]. */
  readonly valueNames?: Readonly<Record<number, readonly [string, string]>>
}

export interface RowSpec {
  readonly title: string
  readonly panels: readonly PanelSpec[]
}

export interface VariableSpec {
  readonly name: string
  readonly label?: string
  /** A `label_values(...)` query. */
  readonly query: string
  readonly multi?: boolean
  /** Optional regex applied to the values (e.g. hide internal topics). */
  readonly regex?: string
}

export interface DashboardSpec {
  readonly uid: string
  readonly title: string
  readonly description: string
  readonly tags: readonly string[]
  readonly variables: readonly VariableSpec[]
  readonly rows: readonly RowSpec[]
}

/** A query with a legend (shorthand used by the dashboard modules). */
export function q(expr: string, legend?: string): QuerySpec {
  return { expr, legend }
}

function thresholdsOf(spec: PanelSpec): ThresholdsConfigBuilder | undefined {
  if (spec.thresholds === undefined) return undefined
  const steps: Threshold[] = [{ value: null, color: spec.baseColor ?? 'green' }]
  for (const [value, color] of spec.thresholds) steps.push({ value, color })
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps)
}

function query(spec: QuerySpec, index: number): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .datasource(datasource)
    .refId(String.fromCharCode(65 + index))
    .expr(spec.expr)
  if (spec.legend !== undefined) b.legendFormat(spec.legend)
  if (spec.table === true) b.instant().format(PromQueryFormat.Table)
  return b
}

type Built =
  | stat.PanelBuilder
  | timeseries.PanelBuilder
  | table.PanelBuilder
  | piechart.PanelBuilder
  | statetimeline.PanelBuilder

function mappings(names: Readonly<Record<number, readonly [string, string]>>): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {}
  Object.entries(names).forEach(([value, [text, color]], index) => {
    options[value] = { text, color, index }
  })
  return [{ type: MappingType.ValueToText, options }]
}

function panel(spec: PanelSpec, id: number): Built {
  const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false)
  let b: Built
  switch (spec.kind) {
    case 'stat':
      b = new stat.PanelBuilder()
        .reduceOptions(lastValue())
        .graphMode(common.BigValueGraphMode.Area)
        .colorMode(common.BigValueColorMode.Value)
        .textMode(spec.showName === true ? common.BigValueTextMode.Name : common.BigValueTextMode.Auto)
      break
    case 'timeseries':
      b = new timeseries.PanelBuilder()
      break
    case 'table':
      b = new table.PanelBuilder()
      break
    case 'piechart':
      b = new piechart.PanelBuilder().reduceOptions(lastValue()).pieType(piechart.PieChartType.Pie)
      break
    case 'state-timeline':
      b = new statetimeline.PanelBuilder().showValue(common.VisibilityMode.Auto).mergeValues(true)
      break
  }
  b.id(id)
    .title(spec.title)
    .datasource(datasource)
    .span(spec.width ?? (spec.kind === 'stat' ? 4 : 8))
    .height(spec.height ?? (spec.kind === 'stat' ? 4 : 8))
  if (spec.description !== undefined) b.description(spec.description)
  if (spec.unit !== undefined) b.unit(spec.unit)
  if (spec.min !== undefined) b.min(spec.min)
  if (spec.max !== undefined) b.max(spec.max)
  const th = thresholdsOf(spec)
  if (th !== undefined) b.thresholds(th)
  if (spec.valueNames !== undefined) b.mappings(mappings(spec.valueNames))
  spec.queries.forEach((qs, i) => {
    b.withTarget(query(qs, i))
  })
  return b
}

function variable(spec: VariableSpec): QueryVariableBuilder {
  const v = new QueryVariableBuilder(spec.name)
    .label(spec.label ?? spec.name)
    .datasource(datasource)
    .query(spec.query)
    .definition(spec.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
  if (spec.multi === true) v.multi(true).includeAll(true).allValue('.*')
  if (spec.regex !== undefined) v.regex(spec.regex)
  return v
}

/** Builds the Grafana dashboard model for a spec; panel ids are 1, 2, … in reading order (rows included). */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
  for (const v of spec.variables) b.withVariable(variable(v))
  let id = 0
  for (const row of spec.rows) {
    id += 1
    b.withRow(new RowBuilder(row.title).id(id))
    for (const p of row.panels) {
      id += 1
      b.withPanel(panel(p, id))
    }
  }
  return b.build()
}

/** Dashboard JSON text as written to monitoring/grafana/dashboards/. */
export function dashboardJson(spec: DashboardSpec): string {
  return `${JSON.stringify(buildDashboard(spec), null, 2)}\n`
}
