// Topics: searched, sorted and paged by the server (fast with thousands); the query lives in the URL.
import type { TopicRow } from '../../server/kafka.ts'
import { usePoll } from '../api.ts'
import { fmt, Link, Problem } from '../components.tsx'
import { type Location, navigate } from '../router.ts'

interface TopicsAnswer {
  total: number
  items: TopicRow[]
  page: number
  size: number
}

interface ConfigAnswer {
  clusters: { name: string }[]
}

export function TopicsPage(props: { location: Location }) {
  const q = props.location.query
  const { data: config } = usePoll<ConfigAnswer>('/api/config')
  const cluster = q.get('cluster') ?? config?.clusters[0]?.name ?? null
  const search = q.get('search') ?? ''
  const sort = q.get('sort') ?? 'name'
  const order = q.get('order') ?? 'asc'
  const page = Number(q.get('page') ?? '1') || 1
  const internal = q.get('internal') === 'true'
  const params = new URLSearchParams({
    search,
    sort,
    order,
    page: String(page),
    size: '50',
    internal: String(internal),
  })
  const { data, error } = usePoll<TopicsAnswer>(
    cluster ? `/api/clusters/${encodeURIComponent(cluster)}/topics?${params}` : null,
  )
  const go = (change: Record<string, string>, replace = false) => {
    const next = new URLSearchParams(q)
    for (const [k, v] of Object.entries(change)) next.set(k, v)
    navigate(`/topics?${next}`, replace)
  }
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1
  return (
    <>
      <h1>Topics</h1>
      <p>
        <Link href="/topics/new">Create a topic</Link>
      </p>
      <div class="toolbar">
        {config && config.clusters.length > 1 ? (
          <label>
            Cluster{' '}
            <select
              value={cluster ?? ''}
              onChange={(e) => go({ cluster: (e.target as HTMLSelectElement).value, page: '1' })}
            >
              {config.clusters.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            onInput={(e) => go({ search: (e.target as HTMLInputElement).value, page: '1' }, true)}
          />
        </label>
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => go({ sort: (e.target as HTMLSelectElement).value })}>
            <option value="name">name</option>
            <option value="partitions">partitions</option>
            <option value="replication">replication</option>
            <option value="under_replicated">under-replicated</option>
          </select>
        </label>
        <button type="button" onClick={() => go({ order: order === 'asc' ? 'desc' : 'asc' })}>
          {order === 'asc' ? 'Ascending' : 'Descending'}
        </button>
        <label>
          <input
            type="checkbox"
            checked={internal}
            onChange={(e) => go({ internal: String((e.target as HTMLInputElement).checked), page: '1' })}
          />{' '}
          internal topics
        </label>
      </div>
      <Problem title={cluster ? `Kafka ${cluster}` : 'Kafka'} message={error} />
      {data ? (
        <section class="panel">
          <table>
            <thead>
              <tr>
                <th>Topic</th>
                <th class="num">Partitions</th>
                <th class="num">Replication</th>
                <th class="num">Under-replicated</th>
                <th class="num">Offline</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((t) => (
                <tr key={t.name}>
                  <td>
                    <Link
                      href={`/topics/${encodeURIComponent(t.name)}${cluster && config && config.clusters.length > 1 ? `?cluster=${encodeURIComponent(cluster)}` : ''}`}
                    >
                      {t.name}
                    </Link>
                  </td>
                  <td class="num">{fmt(t.partitions)}</td>
                  <td class="num">{fmt(t.replication)}</td>
                  <td class="num">{fmt(t.underReplicated)}</td>
                  <td class="num">{fmt(t.offline)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="pager">
            <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
              Previous
            </button>
            <span>
              Page {page} of {pages} · {fmt(data.total)} topics
            </span>
            <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
              Next
            </button>
          </div>
        </section>
      ) : !error ? (
        <p class="loading">Loading topics…</p>
      ) : null}
    </>
  )
}
