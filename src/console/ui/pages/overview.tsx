// Overview: per Kafka cluster brokers, controller, topics and partitions with under-replicated/offline counts;
// connectors by state per Connect cluster; consumer groups by lag status. A part that is down says so alone.
import type { Part } from '../../server/errors.ts'
import type { ClusterOverview } from '../../server/kafka.ts'
import { usePoll } from '../api.ts'
import { fmt, Problem, Stat } from '../components.tsx'

interface OverviewAnswer {
  clusters: { name: string; overview: Part<ClusterOverview> }[]
  connect: { name: string; connectors: Part<Record<string, number>> }[]
  consumers: Part<Record<string, number>> | null
}

function Counts(props: { counts: Record<string, number>; empty: string }) {
  const entries = Object.entries(props.counts)
  if (entries.length === 0) return <p class="muted">{props.empty}</p>
  return (
    <div class="stats">
      {entries.sort().map(([state, n]) => (
        <Stat key={state} value={n} label={state} />
      ))}
    </div>
  )
}

export function OverviewPage() {
  const { data, error } = usePoll<OverviewAnswer>('/api/overview')
  return (
    <>
      <h1>Overview</h1>
      <Problem title="Console server" message={error} />
      {!data && !error ? <p class="loading">Loading…</p> : null}
      {data?.clusters.map((c) => (
        <section class="panel" key={c.name} aria-label={`Kafka cluster ${c.name}`}>
          <h2>Kafka cluster {c.name}</h2>
          {c.overview.ok ? (
            <div class="stats">
              <Stat value={c.overview.value.brokers.length} label="Brokers up" />
              <Stat value={c.overview.value.controller} label="Controller" />
              <Stat value={fmt(c.overview.value.topics)} label="Topics" />
              <Stat value={fmt(c.overview.value.partitions)} label="Partitions" />
              <Stat value={fmt(c.overview.value.underReplicated)} label="Under-replicated partitions" />
              <Stat value={fmt(c.overview.value.offline)} label="Offline partitions" />
            </div>
          ) : (
            <Problem message={c.overview.error.message} />
          )}
        </section>
      ))}
      {data?.connect.map((c) => (
        <section class="panel" key={c.name} aria-label={`Connect cluster ${c.name}`}>
          <h2>Connect cluster {c.name}: connectors by state</h2>
          {c.connectors.ok ? (
            <Counts counts={c.connectors.value} empty="No connectors." />
          ) : (
            <Problem message={c.connectors.error.message} />
          )}
        </section>
      ))}
      {data ? (
        <section class="panel" aria-label="Consumer groups">
          <h2>Consumer groups by lag status</h2>
          {data.consumers === null ? (
            <p class="muted">No lag exporter is configured.</p>
          ) : data.consumers.ok ? (
            <Counts counts={data.consumers.value} empty="No consumer groups." />
          ) : (
            <Problem message={data.consumers.error.message} />
          )}
        </section>
      ) : null}
    </>
  )
}
