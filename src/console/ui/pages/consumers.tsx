// Consumers: every group the lag exporter watches, with its Burrow status, lag in offsets and seconds, consume
// rate and drain ETA, searched, sorted and paged by the server (fast with thousands; the query lives in the URL);
// ?group= opens one group's partitions above the list.
import type { GroupLag, GroupPage } from '../../server/lag.ts'
import type { GroupQuery } from '../../server/validation.ts'
import { useConsoleConfig, usePoll } from '../api.ts'
import { fmt, Link, Problem, StateBadge } from '../components.tsx'
import { type Location, navigate } from '../router.ts'
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

type ConsumersAnswer = GroupPage & { url: string; up: boolean }

const SORTS: [GroupQuery['sort'], string][] = [
  ['name', 'name'],
  ['status', 'status (worst first)'],
  ['lag', 'max lag (offsets)'],
  ['lag_seconds', 'max lag (seconds)'],
  ['consume_rate', 'consume rate'],
  ['drain_eta', 'drain ETA'],
]

export function ConsumersPage(props: { location: Location }) {
  const q = props.location.query
  const group = q.get('group')
  const search = q.get('search') ?? ''
  const sort = q.get('sort') ?? 'name'
  const order = q.get('order') ?? 'asc'
  const page = Number(q.get('page') ?? '1') || 1
  const params = new URLSearchParams({ search, sort, order, page: String(page), size: '50' })
  const { data, error } = usePoll<ConsumersAnswer>(`/api/consumers?${params}`)
  const cluster = useConsoleConfig()?.clusters[0]?.name
  const go = (change: Record<string, string>, replace = false) => {
    const next = new URLSearchParams(q)
    for (const [k, v] of Object.entries(change)) next.set(k, v)
    navigate(`/consumers?${next}`, replace)
  }
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1
  return (
    <>
      <h1>Consumers</h1>
      <Problem title="Lag exporter" message={error} />
      {group ? <GroupDetail group={group} cluster={cluster} /> : null}
      {group ? <GroupHistory group={group} /> : null}
      <div class="toolbar">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            placeholder="group or topic"
            onInput={(e) => go({ search: (e.target as HTMLInputElement).value, page: '1' }, true)}
          />
        </label>
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => go({ sort: (e.target as HTMLSelectElement).value, page: '1' })}>
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => go({ order: order === 'asc' ? 'desc' : 'asc', page: '1' })}>
          {order === 'asc' ? 'Ascending' : 'Descending'}
        </button>
      </div>
      {data ? (
        <section class="panel">
          <p class="muted">
            From the lag exporter at {data.url} ({data.up ? 'reaching Kafka' : 'not reaching Kafka: values are stale'}
            ):{' '}
            {Object.entries(data.statuses)
              .map(([status, n]) => `${fmt(n)} ${status}`)
              .join(' · ') || 'no groups'}
            .
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
              {data.items.map((g: GroupLag) => (
                <tr key={g.group}>
                  <td>
                    <Link href={`/consumers?${new URLSearchParams({ ...Object.fromEntries(q), group: g.group })}`}>
                      {g.group}
                    </Link>
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
          {data.total === 0 ? <p class="muted">{search ? 'No group matches.' : 'No consumer groups.'}</p> : null}
          <div class="pager">
            <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
              Previous
            </button>
            <span>
              Page {page} of {pages} · {fmt(data.total)} {data.total === 1 ? 'group' : 'groups'}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
              Next
            </button>
          </div>
        </section>
      ) : !error ? (
        <p class="loading">Loading consumer groups…</p>
      ) : null}
    </>
  )
}
