// The home page: the live pipeline — source table → connector (tasks) → topic → consumer group — laid out by dagre,
// each hop coloured by its health, with a sparkline of its last 15 minutes (write rate, append rate, lag); a failed
// connector or task shows its trace one click away.
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Pipeline, PipelineNode } from '../../server/topology.ts'
import { api, usePoll } from '../api.ts'
import { Link, Problem } from '../components.tsx'
import { layoutGraph } from '../layout.ts'
import { type HopSeries, hopSeries, sparklinePolylines, sparkValue } from '../sparkline.ts'
import { GroupFreshness, type HistoryAnswer, PipelineHistory } from './history.tsx'

type PipelineAnswer = Pipeline & {
  lagExporter: string
  problems: { part: string; error_code: number; message: string }[]
}

const KIND: Record<PipelineNode['kind'], string> = {
  table: 'source table',
  connector: 'connector',
  topic: 'topic',
  group: 'consumer group',
}

const SPARK_WIDTH = 200
const SPARK_HEIGHT = 22
/** The history API's limit per request; more hops are asked in several requests at once. */
const SERIES_PER_REQUEST = 20
/** As often as the console samples (5 s). */
const SPARK_REFRESH_MS = 5000

interface Spark {
  from: number
  to: number
  t: number[]
  v: number[]
}

/** The last 15 minutes of every hop's series, refreshed every 5 s; a request that fails keeps the last answer. */
function useHopHistory(ids: string[]): Map<string, Spark> {
  const [sparks, setSparks] = useState<Map<string, Spark>>(new Map())
  const key = ids.join('\u0000')
  useEffect(() => {
    if (ids.length === 0) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      const chunks: string[][] = []
      for (let i = 0; i < ids.length; i += SERIES_PER_REQUEST) chunks.push(ids.slice(i, i + SERIES_PER_REQUEST))
      const answers = await Promise.all(
        chunks.map((chunk) =>
          api
            .get<HistoryAnswer>(
              `/api/history?${chunk.map((id) => `series=${encodeURIComponent(id)}`).join('&')}&range=15m`,
            )
            .catch(() => null),
        ),
      )
      if (stopped) return
      setSparks((previous) => {
        const next = new Map(previous)
        for (const a of answers) {
          if (!a) continue
          for (const s of a.series) next.set(s.id, { from: a.from, to: a.to, t: s.t, v: s.v })
        }
        return next
      })
      timer = setTimeout(load, SPARK_REFRESH_MS)
    }
    void load()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [key])
  return sparks
}

function Sparkline(props: { series: HopSeries; spark: Spark | undefined }) {
  const { series, spark } = props
  const lines = spark ? sparklinePolylines(spark.t, spark.v, spark.from, spark.to, SPARK_WIDTH, SPARK_HEIGHT) : []
  const last = spark?.v.at(-1)
  const label =
    last === undefined
      ? `${series.what}: no samples yet`
      : `${series.what}, last 15 min: now ${sparkValue(last)} ${series.unit}, at most ${sparkValue(Math.max(...spark!.v))}`
  return (
    <svg
      class="sparkline"
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      role="img"
      aria-label={label}
      data-series={series.id}
      data-points={spark?.t.length ?? 0}
    >
      <title>{label}</title>
      {lines.map((points) => (
        <polyline key={points} points={points} />
      ))}
    </svg>
  )
}

function Node(props: { node: PipelineNode; onTrace: (node: PipelineNode) => void; spark?: Spark }) {
  const n = props.node
  const failed = n.kind === 'connector' && n.health === 'error'
  const series = hopSeries(n)
  return (
    <>
      <div class="kind">
        {KIND[n.kind]} <span class="sr-only">health {n.health}</span>
      </div>
      {n.link ? (
        <span class="label" title={n.label}>
          <Link href={n.link}>{n.label}</Link>
        </span>
      ) : (
        <span class="label" title={n.label}>
          {n.label}
        </span>
      )}
      <div class="status" title={n.status}>
        {n.status}
      </div>
      {n.kind === 'group' ? <GroupFreshness group={n.label} /> : null}
      {n.tasks && n.tasks.length > 0 && !failed ? (
        <div class="tasks">
          {n.tasks.map((t) => (
            <span key={t.id} class={`task ${t.state}`}>
              task {t.id} {t.state}
            </span>
          ))}
        </div>
      ) : null}
      {failed ? (
        <button type="button" onClick={() => props.onTrace(n)}>
          Show error
        </button>
      ) : null}
      {series ? <Sparkline series={series} spark={props.spark} /> : null}
    </>
  )
}

function TracePanel(props: { node: PipelineNode; onClose: () => void }) {
  const { data } = usePoll<{
    connectors: { name: string; trace?: string; tasks: { id: number; state: string; trace?: string }[] }[]
  }>(props.node.connect ? `/api/connect/${encodeURIComponent(props.node.connect)}/connectors` : null)
  const connector = data?.connectors.find((c) => c.name === props.node.connector)
  return (
    <section class="panel" aria-label="Failure trace">
      <div class="toolbar">
        <h2 style={{ margin: 0 }}>Why {props.node.label} failed</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
        <Link href={props.node.link ?? '/connect'}>Open in Connect</Link>
      </div>
      {!data ? <p class="muted">Loading…</p> : null}
      {connector?.trace ? (
        <>
          <h3>Connector</h3>
          <pre class="trace">{connector.trace}</pre>
        </>
      ) : null}
      {connector?.tasks
        .filter((t) => t.trace)
        .map((t) => (
          <div key={t.id}>
            <h3>Task {t.id}</h3>
            <pre class="trace">{t.trace}</pre>
          </div>
        ))}
      {data && !connector?.trace && !connector?.tasks.some((t) => t.trace) ? <p>No trace reported.</p> : null}
    </section>
  )
}

export function PipelinePage() {
  const { data, error } = usePoll<PipelineAnswer>('/api/pipeline')
  const [traced, setTraced] = useState<PipelineNode | null>(null)
  const laid = useMemo(() => (data ? layoutGraph(data.nodes, data.edges) : null), [data])
  const sparkIds = (data?.nodes ?? []).flatMap((n) => hopSeries(n)?.id ?? [])
  const sparks = useHopHistory(sparkIds)
  return (
    <>
      <h1>Pipeline</h1>
      <Problem title="Console server" message={error} />
      {data?.problems.map((p) => (
        <Problem key={p.part} title={p.part} message={p.message} />
      ))}
      <div class="legend" aria-hidden="true">
        <span>
          <span class="swatch ok" />
          healthy
        </span>
        <span>
          <span class="swatch warn" />
          paused, not created yet or lagging
        </span>
        <span>
          <span class="swatch error" />
          failed or lag status not OK
        </span>
        <span>
          <span class="swatch" />
          not known
        </span>
      </div>
      {traced ? <TracePanel node={traced} onClose={() => setTraced(null)} /> : null}
      {data && data.nodes.length === 0 ? (
        <div class="panel">
          No connectors yet. <Link href="/connect">Open Connect</Link> to see the Connect clusters.
        </div>
      ) : null}
      {laid && data ? (
        <div class="graph" style={{ height: `${laid.height + 4}px` }}>
          <svg width={laid.width} height={laid.height} aria-hidden="true">
            {laid.edges.map((e) => (
              <path key={`${e.from}>${e.to}`} d={e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ')} />
            ))}
          </svg>
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Pipeline hops">
            {data.nodes.map((n) => {
              const b = laid.boxes.get(n.id)!
              return (
                <li
                  key={n.id}
                  class={`node ${n.health}`}
                  data-node={n.id}
                  style={{ left: `${b.x}px`, top: `${b.y}px`, width: `${b.width}px`, height: `${b.height}px` }}
                >
                  <Node node={n} onTrace={setTraced} spark={sparks.get(hopSeries(n)?.id ?? '')} />
                </li>
              )
            })}
          </ul>
        </div>
      ) : !error ? (
        <p class="loading">Loading the pipeline…</p>
      ) : null}
      {data ? (
        <PipelineHistory
          topics={data.nodes.filter((n) => n.kind === 'topic').map((n) => n.label)}
          groups={data.nodes.filter((n) => n.kind === 'group').map((n) => n.label)}
        />
      ) : null}
      {data ? <p class="muted">Lag exporter: {data.lagExporter}.</p> : null}
    </>
  )
}
