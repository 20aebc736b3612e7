// History charts (uPlot, bundled with the UI): a time range picker kept in the URL (?range=), and charts of series
// from /api/history — the console's own samples, or Prometheus when one is configured (the chart says which).
import 'uplot/dist/uPlot.min.css'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import { usePoll } from '../api.ts'
import { Problem } from '../components.tsx'
import { type Location, navigate, useLocation } from '../router.ts'

export const RANGE_NAMES = ['15m', '1h', '6h', '24h'] as const
export type RangeName = (typeof RANGE_NAMES)[number]

export interface HistoryAnswer {
  range: RangeName
  from: number
  to: number
  source: 'prometheus' | 'console'
  heldSeconds?: number
  prometheusError?: string
  series: { id: string; unit: string; t: number[]; v: number[] }[]
}

export function rangeOf(location: Location): RangeName {
  const r = location.query.get('range')
  return (RANGE_NAMES as readonly string[]).includes(r ?? '') ? (r as RangeName) : '1h'
}

/** Buttons 15 m / 1 h / 6 h / 24 h; the choice goes into the URL so reload and the back button keep it. */
export function RangePicker(props: { location: Location }) {
  const current = rangeOf(props.location)
  const pick = (r: RangeName) => {
    const q = new URLSearchParams(props.location.query)
    q.set('range', r)
    navigate(`${props.location.path}?${q}`, true)
  }
  return (
    <fieldset class="range-picker">
      <legend class="sr-only">Time range</legend>
      {RANGE_NAMES.map((r) => (
        <button key={r} type="button" aria-pressed={r === current} onClick={() => pick(r)}>
          {r}
        </button>
      ))}
    </fieldset>
  )
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2']

/** A chart of one or more series, refreshed every few seconds. */
export function HistoryChart(props: { title: string; series: { id: string; label: string }[]; range: RangeName }) {
  const query = props.series.map((s) => `series=${encodeURIComponent(s.id)}`).join('&')
  const { data, error } = usePoll<HistoryAnswer>(
    props.series.length ? `/api/history?${query}&range=${props.range}` : null,
  )
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const labels = props.series.map((s) => s.label).join('\u0000')
  useEffect(() => {
    if (!box.current) return
    const u = new uPlot(
      {
        width: Math.max(280, box.current.clientWidth - 8),
        height: 180,
        series: [{}, ...props.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
        legend: { show: true },
      },
      [[], ...props.series.map(() => [])],
      box.current,
    )
    plot.current = u
    return () => {
      u.destroy()
      plot.current = null
    }
  }, [labels])
  useEffect(() => {
    const u = plot.current
    if (!u || !data) return
    const tables = data.series.map((s) => [s.t, s.v] as uPlot.AlignedData)
    const joined = tables.length === 1 ? tables[0] : uPlot.join(tables)
    u.batch(() => {
      u.setData(joined, false)
      u.setScale('x', { min: data.from, max: data.to })
    })
  }, [data, labels])
  const points = data ? data.series.reduce((n, s) => n + s.t.length, 0) : 0
  return (
    <figure
      class="history-chart"
      data-chart={props.title}
      data-points={points}
      data-range={data?.range ?? ''}
      data-last={data?.series[0]?.v.at(-1) ?? ''}
    >
      <figcaption>
        {props.title}
        {data ? (
          <span class="muted">
            {' '}
            · {data.source === 'prometheus' ? 'from Prometheus' : 'from the console’s samples'}
            {data.source === 'console' && data.heldSeconds && data.to - data.from > data.heldSeconds
              ? ` (it keeps the last ${data.heldSeconds / 60} min; configure --prometheus for more)`
              : ''}
            {data.series.length > 0 ? ` · ${data.series[0].unit}` : ''}
            {points === 0 ? ' · no points yet' : ''}
          </span>
        ) : null}
      </figcaption>
      <Problem message={error} />
      {data?.prometheusError ? <Problem title="Prometheus" message={data.prometheusError} /> : null}
      <div ref={box} />
    </figure>
  )
}

/** A consumer group's lag in offsets and seconds, and its freshness against the source database. */
export function GroupHistory(props: { group: string }) {
  const location = useLocation()
  const range = rangeOf(location)
  return (
    <section class="panel history" aria-label="History">
      <div class="toolbar">
        <h2>History</h2>
        <RangePicker location={location} />
      </div>
      <HistoryChart
        title="Lag (offsets)"
        series={[{ id: `group.lag:${props.group}`, label: 'max lag' }]}
        range={range}
      />
      <HistoryChart
        title="Lag and freshness (seconds)"
        series={[
          { id: `group.lag_seconds:${props.group}`, label: 'lag seconds' },
          { id: `group.freshness:${props.group}`, label: 'freshness' },
        ]}
        range={range}
      />
    </section>
  )
}

/** A connector's write rate and task states. */
export function ConnectorHistory(props: { connect: string; name: string }) {
  const location = useLocation()
  const range = rangeOf(location)
  const key = `${props.connect}/${props.name}`
  return (
    <section class="panel history" aria-label="History">
      <div class="toolbar">
        <h2>History</h2>
        <RangePicker location={location} />
      </div>
      <HistoryChart
        title="Write rate (records/s)"
        series={[{ id: `connector.write_rate:${key}`, label: 'records/s' }]}
        range={range}
      />
      <HistoryChart
        title="Tasks"
        series={[
          { id: `connector.tasks_running:${key}`, label: 'running' },
          { id: `connector.tasks_failed:${key}`, label: 'failed' },
        ]}
        range={range}
      />
    </section>
  )
}

/** Under the pipeline graph: each topic's append rate and each group's lag in seconds. */
export function PipelineHistory(props: { topics: string[]; groups: string[] }) {
  const location = useLocation()
  const range = rangeOf(location)
  if (props.topics.length + props.groups.length === 0) return null
  return (
    <section class="panel history" aria-label="History">
      <div class="toolbar">
        <h2>History</h2>
        <RangePicker location={location} />
      </div>
      {props.topics.length > 0 ? (
        <HistoryChart
          title="Topic append rate (records/s)"
          series={props.topics.slice(0, 6).map((t) => ({ id: `topic.append_rate:${t}`, label: t }))}
          range={range}
        />
      ) : null}
      {props.groups.length > 0 ? (
        <HistoryChart
          title="Consumer lag (seconds)"
          series={props.groups.slice(0, 6).map((g) => ({ id: `group.lag_seconds:${g}`, label: g }))}
          range={range}
        />
      ) : null}
    </section>
  )
}

/** The consumer hop's freshness: p99 from Prometheus' histogram, else the lag exporter's gauge. */
export function GroupFreshness(props: { group: string }) {
  const { data } = usePoll<{ source: string; quantile: number | null; seconds: number | null }>(
    `/api/consumers/${encodeURIComponent(props.group)}/freshness`,
  )
  if (!data || data.seconds === null) return null
  return (
    <div class="freshness" title={`from ${data.source}`}>
      freshness {data.quantile ? 'p99 ' : ''}
      {data.seconds.toFixed(1)} s
    </div>
  )
}
