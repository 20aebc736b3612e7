// The home page: the live pipeline — source table → connector (tasks) → topic → consumer group — laid out by dagre,
// each hop coloured by its health; a failed connector or task shows its trace one click away.
import { useMemo, useState } from 'preact/hooks'
import type { Pipeline, PipelineNode } from '../../server/topology.ts'
import { usePoll } from '../api.ts'
import { Link, Problem } from '../components.tsx'
import { layoutGraph } from '../layout.ts'
import { GroupFreshness, PipelineHistory } from './history.tsx'

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

function Node(props: { node: PipelineNode; onTrace: (node: PipelineNode) => void }) {
  const n = props.node
  const failed = n.kind === 'connector' && n.health === 'error'
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
                  <Node node={n} onTrace={setTraced} />
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
