// Connect: every configured Connect cluster with its connectors, their state and tasks, and the actions
// (pause, resume, restart with its options, stop, delete); one connector's page shows tasks, traces and its
// config (secrets masked by the server).
import { useState } from 'preact/hooks'
import type { ConnectorView } from '../../server/connect.ts'
import type { Part } from '../../server/errors.ts'
import { api, useConsoleConfig, usePoll } from '../api.ts'
import { Link, Problem, Stat, StateBadge } from '../components.tsx'
import { parseOffsetDraft } from '../offset-draft.ts'
import { navigate } from '../router.ts'
import { ConnectorHistory } from './history.tsx'

type ConnectAnswer = { clusters: { name: string; url: string; connectors: Part<ConnectorView[]> }[] }

const base = (connect: string, name: string) =>
  `/api/connect/${encodeURIComponent(connect)}/connectors/${encodeURIComponent(name)}`

function useAction(after: () => void) {
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const run = async (label: string, work: () => Promise<unknown>) => {
    setBusy(true)
    setMessage(null)
    try {
      await work()
      setMessage({ ok: true, text: `${label}: done` })
      after()
    } catch (error) {
      setMessage({ ok: false, text: `${label} failed: ${(error as Error).message}` })
    } finally {
      setBusy(false)
    }
  }
  return { busy, message, run }
}

function Actions(props: { connect: string; connector: ConnectorView; after: () => void; onDeleted?: () => void }) {
  const { connect, connector: c } = props
  const { busy, message, run } = useAction(props.after)
  const config = useConsoleConfig()
  if (config?.readOnly) return <span class="muted">read-only</span>
  const act = (action: string, body?: unknown) =>
    run(`${action} ${c.name}`, () => api.post(`${base(connect, c.name)}/${action}`, body))
  return (
    <div>
      <div class="actions">
        {c.state === 'PAUSED' || c.state === 'STOPPED' ? (
          <button type="button" disabled={busy} onClick={() => act('resume')}>
            Resume
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => act('pause')}>
            Pause
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => act('restart', { includeTasks: true, onlyFailed: false })}>
          Restart
        </button>
        <button type="button" disabled={busy} onClick={() => act('restart', { includeTasks: true, onlyFailed: true })}>
          Restart failed
        </button>
        {c.state !== 'STOPPED' ? (
          <button type="button" disabled={busy} onClick={() => act('stop')}>
            Stop
          </button>
        ) : null}
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={() => {
            if (!window.confirm(`Delete connector ${c.name}? Its config is removed from the Connect cluster.`)) return
            void run(`delete ${c.name}`, () => api.delete(base(connect, c.name))).then(() => props.onDeleted?.())
          }}
        >
          Delete
        </button>
      </div>
      {message ? (
        <p role="status" class={message.ok ? 'muted' : 'problem'}>
          {message.text}
        </p>
      ) : null}
    </div>
  )
}

const counts = (connectors: ConnectorView[]) => {
  const failed = connectors.filter((c) => c.state === 'FAILED').length
  const degraded = connectors.filter((c) => c.state === 'RUNNING' && c.tasks.some((t) => t.state === 'FAILED')).length
  return {
    total: connectors.length,
    running: connectors.filter((c) => c.state === 'RUNNING').length - degraded,
    degraded,
    failed,
    paused: connectors.filter((c) => c.state === 'PAUSED' || c.state === 'STOPPED').length,
  }
}

/** Pause, resume, restart (failed only) or stop every selected connector of one cluster; reports each one's outcome. */
function BulkActions(props: { connect: string; selected: string[]; after: () => void; clear: () => void }) {
  const [busy, setBusy] = useState(false)
  const [report, setReport] = useState<string[]>([])
  const run = async (label: string, action: string, body?: unknown) => {
    setBusy(true)
    const outcomes = await Promise.all(
      props.selected.map((name) =>
        api.post(`${base(props.connect, name)}/${action}`, body).then(
          () => `${label} ${name}: done`,
          (e: Error) => `${label} ${name} failed: ${e.message}`,
        ),
      ),
    )
    setReport(outcomes)
    setBusy(false)
    props.clear()
    props.after()
  }
  const none = props.selected.length === 0
  return (
    <div class="bulk">
      <div class="actions">
        <span class="muted">{props.selected.length} selected:</span>
        <button type="button" disabled={busy || none} onClick={() => run('pause', 'pause')}>
          Pause selected
        </button>
        <button type="button" disabled={busy || none} onClick={() => run('resume', 'resume')}>
          Resume selected
        </button>
        <button
          type="button"
          disabled={busy || none}
          onClick={() => run('restart failed', 'restart', { includeTasks: true, onlyFailed: true })}
        >
          Restart failed of selected
        </button>
        <button type="button" disabled={busy || none} onClick={() => run('stop', 'stop')}>
          Stop selected
        </button>
      </div>
      {report.length > 0 ? (
        <ul class="muted" role="status">
          {report.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

export function ConnectPage() {
  const { data, error, refresh } = usePoll<ConnectAnswer>('/api/connect')
  const readOnly = useConsoleConfig()?.readOnly ?? true
  const [search, setSearch] = useState('')
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const key = (cluster: string, name: string) => `${cluster}\u0000${name}`
  const toggle = (k: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s)
      if (on) next.add(k)
      else next.delete(k)
      return next
    })
  const selectedOf = (cluster: string) =>
    [...selected].filter((k) => k.startsWith(`${cluster}\u0000`)).map((k) => k.slice(cluster.length + 1))
  return (
    <>
      <h1>Connect</h1>
      <Problem title="Console server" message={error} />
      {!data && !error ? <p class="loading">Loading connectors…</p> : null}
      {data?.clusters.length === 0 ? (
        <p>No Connect cluster is configured (start the console with --connect URL).</p>
      ) : null}
      <div class="toolbar">
        <label>
          Search connectors{' '}
          <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      {data?.clusters.map((cluster) => (
        <section class="panel" key={cluster.name} aria-label={`Connect cluster ${cluster.name}`}>
          <div class="toolbar">
            <h2 style={{ margin: 0 }}>
              {cluster.name} <span class="muted">{cluster.url}</span>
            </h2>
            {readOnly ? null : (
              <Link href={`/connect/${encodeURIComponent(cluster.name)}/new`} class="button">
                Add connector
              </Link>
            )}
          </div>
          {!cluster.connectors.ok ? (
            <Problem message={cluster.connectors.error.message} />
          ) : (
            <>
              <div class="stats">
                {Object.entries(counts(cluster.connectors.value)).map(([k, v]) => (
                  <Stat key={k} value={v} label={k} />
                ))}
              </div>
              {readOnly ? null : (
                <BulkActions
                  connect={cluster.name}
                  selected={selectedOf(cluster.name)}
                  after={refresh}
                  clear={() => setSelected(new Set())}
                />
              )}
              <table>
                <thead>
                  <tr>
                    {readOnly ? null : (
                      <th>
                        <span class="sr-only">Select</span>
                      </th>
                    )}
                    <th>Connector</th>
                    <th>State</th>
                    <th>Type</th>
                    <th>Class</th>
                    <th>Tasks</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {cluster.connectors.value
                    .filter((c) => c.name.toLowerCase().includes(search.toLowerCase()))
                    .map((c) => (
                      <tr key={c.name} data-connector={c.name}>
                        {readOnly ? null : (
                          <td>
                            <input
                              type="checkbox"
                              aria-label={`Select ${c.name}`}
                              checked={selected.has(key(cluster.name, c.name))}
                              onChange={(e) =>
                                toggle(key(cluster.name, c.name), (e.target as HTMLInputElement).checked)
                              }
                            />
                          </td>
                        )}
                        <td>
                          <Link href={`/connect/${encodeURIComponent(cluster.name)}/${encodeURIComponent(c.name)}`}>
                            {c.name}
                          </Link>
                        </td>
                        <td>
                          <StateBadge state={c.state} />
                        </td>
                        <td>{c.type}</td>
                        <td title={c.className}>{c.className.split('.').pop()}</td>
                        <td>
                          {c.tasks.map((t) => (
                            <span key={t.id} class={`task ${t.state}`} style={{ marginRight: '4px' }}>
                              {t.id}: {t.state}
                            </span>
                          ))}
                        </td>
                        <td>
                          <Actions connect={cluster.name} connector={c} after={refresh} />
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
              {cluster.connectors.value.length === 0 ? <p class="muted">No connectors on this cluster.</p> : null}
            </>
          )}
        </section>
      ))}
    </>
  )
}

type SourceOffset = { partition: unknown; offset: unknown }

/**
 * The connector's source offsets (KIP-875). A STOPPED connector's can be altered (one JSON editor per source
 * partition, sent as Connect's `PATCH …/offsets`) or reset.
 */
function Offsets(props: { connect: string; connector: ConnectorView; readOnly: boolean }) {
  const c = props.connector
  const path = `${base(props.connect, c.name)}/offsets`
  const { data, error, refresh } = usePoll<{ offsets?: SourceOffset[] }>(path)
  const { busy, message, run } = useAction(refresh)
  // Edited offsets by source partition (its JSON): kept across the 3 s refreshes until sent.
  const [drafts, setDrafts] = useState<Record<string, string>>({})
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null)
  const stopped = c.state === 'STOPPED'
  const editable = stopped && !props.readOnly
  const keyOf = (o: SourceOffset) => JSON.stringify(o.partition)
  const shown = (o: SourceOffset) => drafts[keyOf(o)] ?? JSON.stringify(o.offset, null, 1)
  const problems = Object.fromEntries(
    Object.entries(drafts).map(([key, text]) => {
      const parsed = parseOffsetDraft(text)
      return [key, parsed.ok ? null : parsed.error]
    }),
  )
  const changed = (data?.offsets ?? []).filter(
    (o) => drafts[keyOf(o)] !== undefined && drafts[keyOf(o)] !== JSON.stringify(o.offset, null, 1),
  )
  const invalid = Object.values(problems).some((p) => p !== null)
  const alter = async () => {
    const offsets = changed.map((o) => {
      const parsed = parseOffsetDraft(drafts[keyOf(o)])
      return { partition: o.partition, offset: parsed.ok ? parsed.offset : undefined }
    })
    setAnswer(null)
    try {
      const reply = await api.patch<{ message?: string }>(path, { offsets })
      setAnswer({ ok: true, text: `Connect: ${reply?.message ?? 'offsets altered'}` })
      setDrafts({})
      refresh()
    } catch (e) {
      setAnswer({ ok: false, text: `Altering the offsets failed: ${(e as Error).message}` })
    }
  }
  return (
    <section class="panel" aria-label="Offsets">
      <h2>Offsets</h2>
      <Problem message={error} />
      {data?.offsets && data.offsets.length === 0 ? <p class="muted">No offsets committed.</p> : null}
      {data?.offsets && data.offsets.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Source partition</th>
              <th>Offset</th>
            </tr>
          </thead>
          <tbody>
            {data.offsets.map((o) => (
              <tr key={keyOf(o)}>
                <td>
                  <code>{keyOf(o)}</code>
                </td>
                <td>
                  {editable ? (
                    <>
                      <textarea
                        aria-label={`Offset of ${keyOf(o)}`}
                        spellcheck={false}
                        rows={Math.min(6, shown(o).split('\n').length)}
                        value={shown(o)}
                        onInput={(e) => {
                          const text = (e.target as HTMLTextAreaElement).value
                          setDrafts((d) => ({ ...d, [keyOf(o)]: text }))
                        }}
                      />
                      {problems[keyOf(o)] ? (
                        <div class="field-error" role="alert">
                          {problems[keyOf(o)]}
                        </div>
                      ) : null}
                    </>
                  ) : (
                    <code>{JSON.stringify(o.offset)}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {props.readOnly ? null : (
        <p>
          {stopped && data?.offsets && data.offsets.length > 0 ? (
            <>
              <button type="button" disabled={busy || invalid || changed.length === 0} onClick={() => void alter()}>
                Alter offsets{changed.length > 0 ? ` (${changed.length})` : ''}
              </button>{' '}
            </>
          ) : null}
          <button
            type="button"
            class="danger"
            disabled={busy || !stopped}
            title={
              stopped ? undefined : 'Stop the connector first: Connect resets the offsets of a stopped connector only'
            }
            onClick={() => {
              if (!window.confirm(`Reset the offsets of ${c.name}? On resume it reads its source from the start.`))
                return
              void run(`reset offsets of ${c.name}`, () => api.delete(path))
            }}
          >
            Reset offsets
          </button>{' '}
          {stopped ? null : <span class="muted">Stop the connector to alter or reset its offsets.</span>}
        </p>
      )}
      {answer ? (
        <p role="status" class={answer.ok ? 'muted' : 'problem'}>
          {answer.text}
        </p>
      ) : null}
      {message ? <p role="status">{message.text}</p> : null}
    </section>
  )
}

export function ConnectorPage(props: { connect: string; name: string }) {
  const { data, error, refresh } = usePoll<{ connectors: ConnectorView[] }>(
    `/api/connect/${encodeURIComponent(props.connect)}/connectors`,
  )
  const c = data?.connectors.find((x) => x.name === props.name)
  const task = useAction(refresh)
  const readOnly = useConsoleConfig()?.readOnly ?? true
  return (
    <>
      <p>
        <Link href="/connect">Connect</Link> › {props.connect}
      </p>
      <h1>{props.name}</h1>
      <Problem title={`Connect ${props.connect}`} message={error} />
      {data && !c ? <Problem message={`No connector named ${props.name} on ${props.connect}.`} /> : null}
      {c ? (
        <>
          <section class="panel" aria-label="State">
            <div class="toolbar">
              <StateBadge state={c.state} />
              <span class="muted">
                {c.type} · {c.className} · worker {c.workerId || '—'}
              </span>
            </div>
            <Actions connect={props.connect} connector={c} after={refresh} onDeleted={() => navigate('/connect')} />
            {readOnly ? null : (
              <p>
                <Link
                  href={`/connect/${encodeURIComponent(props.connect)}/${encodeURIComponent(c.name)}/edit`}
                  class="button"
                >
                  Edit config
                </Link>
              </p>
            )}
            {c.trace ? (
              <>
                <h2>Connector error</h2>
                <pre class="trace">{c.trace}</pre>
              </>
            ) : null}
          </section>
          <ConnectorHistory connect={props.connect} name={c.name} />
          <section class="panel" aria-label="Tasks">
            <h2>Tasks</h2>
            <table>
              <thead>
                <tr>
                  <th>Task</th>
                  <th>State</th>
                  <th>Worker</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {c.tasks.map((t) => (
                  <tr key={t.id}>
                    <td>{t.id}</td>
                    <td>
                      <StateBadge state={t.state} />
                      {t.trace ? (
                        <details>
                          <summary>Error trace</summary>
                          <pre class="trace">{t.trace}</pre>
                        </details>
                      ) : null}
                    </td>
                    <td>{t.worker_id}</td>
                    <td>
                      <button
                        type="button"
                        disabled={task.busy || readOnly}
                        onClick={() =>
                          task.run(`restart task ${t.id}`, () =>
                            api.post(`${base(props.connect, c.name)}/tasks/${t.id}/restart`),
                          )
                        }
                      >
                        Restart task
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {task.message ? <p role="status">{task.message.text}</p> : null}
          </section>
          <Offsets connect={props.connect} connector={c} readOnly={readOnly} />
          <section class="panel" aria-label="Config">
            <h2>Config</h2>
            <p class="muted">Password-type values are masked by the console server; they never reach the browser.</p>
            <dl class="config">
              {Object.entries(c.config)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => (
                  <>
                    <dt key={`k${k}`}>{k}</dt>
                    <dd key={`v${k}`}>{v}</dd>
                  </>
                ))}
            </dl>
            {c.topics ? <p>Active topics: {c.topics.join(', ') || 'none yet'}</p> : null}
          </section>
        </>
      ) : null}
    </>
  )
}
