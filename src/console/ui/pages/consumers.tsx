// Consumers: every group the lag exporter watches, with its Burrow status, lag in offsets and seconds, consume
// rate and drain ETA; ?group= opens one group's partitions.
import type { GroupLag, LagView } from '../../server/lag.ts'
import { useConsoleConfig, usePoll } from '../api.ts'
import { fmt, Link, Problem, StateBadge } from '../components.tsx'
import type { Location } from '../router.ts'
import { GroupHistory } from './history.tsx'

const seconds = (s: number | null) => (s === null ? '—' : `${s.toFixed(1)} s`)

interface BurrowPartition {
  topic: string
  partition: number
  status: string
  current_lag: number
  owner: string
}

function GroupDetail(props: { group: string; cluster: string | undefined }) {
  const { data, error } = usePoll<{ status: string; partitions: BurrowPartition[]; totallag: number }>(
    `/api/consumers/${encodeURIComponent(props.group)}`,
  )
  return (
    <section class="panel" aria-label={`Group ${props.group}`}>
      <h2>
        {props.group} <Link href="/consumers">(all groups)</Link>{' '}
        {props.cluster ? (
          <Link href={`/consumers/${encodeURIComponent(props.cluster)}/${encodeURIComponent(props.group)}`}>
            members, offsets, reset
          </Link>
        ) : null}
      </h2>
      <Problem message={error} />
      {data ? (
        <table>
          <thead>
            <tr>
              <th>Topic</th>
              <th class="num">Partition</th>
              <th>Status</th>
              <th class="num">Lag (offsets)</th>
              <th>Owner</th>
            </tr>
          </thead>
          <tbody>
            {data.partitions.map((p) => (
              <tr key={`${p.topic}:${p.partition}`}>
                <td>{p.topic}</td>
                <td class="num">{p.partition}</td>
                <td>
                  <StateBadge state={p.status} />
                </td>
                <td class="num">{fmt(p.current_lag)}</td>
                <td>{p.owner || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}

export function ConsumersPage(props: { location: Location }) {
  const { data, error } = usePoll<LagView>('/api/consumers')
  const group = props.location.query.get('group')
  const cluster = useConsoleConfig()?.clusters[0]?.name
  return (
    <>
      <h1>Consumers</h1>
      <Problem title="Lag exporter" message={error} />
      {group ? <GroupDetail group={group} cluster={cluster} /> : null}
      {group ? <GroupHistory group={group} /> : null}
      {data ? (
        <section class="panel">
          <p class="muted">
            From the lag exporter at {data.url} ({data.up ? 'reaching Kafka' : 'not reaching Kafka: values are stale'}).
          </p>
          <table>
            <thead>
              <tr>
                <th>Group</th>
                <th>Status</th>
                <th class="num">Max lag (offsets)</th>
                <th class="num">Max lag (seconds)</th>
                <th class="num">Consume rate</th>
                <th class="num">Drain ETA</th>
                <th>Topics</th>
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g: GroupLag) => (
                <tr key={g.group}>
                  <td>
                    <Link href={`/consumers?group=${encodeURIComponent(g.group)}`}>{g.group}</Link>
                  </td>
                  <td>
                    <StateBadge state={g.status} />
                  </td>
                  <td class="num">{fmt(g.maxLag)}</td>
                  <td class="num">{seconds(g.maxLagSeconds)}</td>
                  <td class="num">{g.consumeRate === null ? '—' : `${g.consumeRate.toFixed(1)}/s`}</td>
                  <td class="num">{seconds(g.drainEtaSeconds)}</td>
                  <td>{Object.keys(g.topics).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.groups.length === 0 ? <p class="muted">No consumer groups.</p> : null}
        </section>
      ) : null}
    </>
  )
}
