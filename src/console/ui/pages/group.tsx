// One consumer group as Kafka sees it (/consumers/<cluster>/<group>): its state, members (client id, host,
// assigned partitions) and committed offsets; reset its offsets — earliest, latest, a timestamp or shift by N, for
// all or chosen partitions of a topic — previewed first (current → new offset and the lag change), applied only
// while the group is empty; and delete it when empty. Read-only mode keeps the preview and hides the writes.
import { useState } from 'preact/hooks'
import type { GroupDetail } from '../../server/groups.ts'
import type { PlannedReset } from '../../server/offset-reset.ts'
import { api, useConsoleConfig, usePoll } from '../api.ts'
import { fmt, Link, Problem, StateBadge } from '../components.tsx'
import { navigate } from '../router.ts'

interface Preview {
  topic: string
  to: string
  applied: boolean
  partitions: PlannedReset[]
}

const TARGETS = [
  ['earliest', 'Earliest'],
  ['latest', 'Latest'],
  ['timestamp', 'Timestamp'],
  ['shift', 'Shift by N'],
] as const

function ResetForm(props: { base: string; topics: string[]; empty: boolean; readOnly: boolean; done: () => void }) {
  const [topic, setTopic] = useState(props.topics[0] ?? '')
  const [to, setTo] = useState<string>('earliest')
  const [when, setWhen] = useState('')
  const [shift, setShift] = useState('-1')
  const [partitions, setPartitions] = useState('')
  const [preview, setPreview] = useState<Preview | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const spec = (): Record<string, string> => ({
    topic,
    to,
    ...(to === 'timestamp' ? { timestamp: when ? new Date(when).toISOString() : '' } : {}),
    ...(to === 'shift' ? { shift } : {}),
    ...(partitions.trim() ? { partitions: partitions.replace(/\s+/g, '') } : {}),
  })
  const run = async (apply: boolean) => {
    setBusy(true)
    setError(undefined)
    try {
      const answer = apply
        ? await api.post<Preview>(`${props.base}/reset-offsets`, spec())
        : await api.get<Preview>(`${props.base}/reset-offsets?${new URLSearchParams(spec())}`)
      setPreview(answer)
      if (apply) props.done()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const edit = (set: (v: string) => void) => (e: Event) => {
    set((e.target as HTMLInputElement).value)
    setPreview(undefined)
  }
  return (
    <section class="panel reset" aria-label="Reset offsets">
      <h2>Reset offsets</h2>
      {!props.empty ? (
        <p class="muted">
          The group has active members: Kafka resets only an empty group's offsets. Stop its consumers first.
        </p>
      ) : null}
      <div class="toolbar">
        <label>
          Topic <input list="group-topics" value={topic} onInput={edit(setTopic)} aria-label="Topic" />
          <datalist id="group-topics">
            {props.topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          To{' '}
          <select value={to} onChange={edit(setTo)} aria-label="Reset to">
            {TARGETS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {to === 'timestamp' ? (
          <label>
            At <input type="datetime-local" step="1" value={when} onInput={edit(setWhen)} aria-label="Timestamp" />
          </label>
        ) : null}
        {to === 'shift' ? (
          <label>
            By <input type="number" value={shift} onInput={edit(setShift)} aria-label="Shift by" />
          </label>
        ) : null}
        <label>
          Partitions{' '}
          <input
            placeholder="all (or 0,2,…)"
            value={partitions}
            onInput={edit(setPartitions)}
            aria-label="Partitions"
          />
        </label>
        <button type="button" disabled={busy || !topic} onClick={() => run(false)}>
          Preview
        </button>
        {props.readOnly ? null : (
          <button
            type="button"
            class="danger"
            disabled={busy || !preview || preview.applied || !props.empty}
            onClick={() => run(true)}
          >
            Apply reset
          </button>
        )}
      </div>
      <Problem message={error} />
      {preview ? (
        <>
          <p class={preview.applied ? 'applied' : 'muted'}>
            {preview.applied
              ? `Applied: the group's offsets of ${preview.topic} are now committed as below.`
              : `Preview of a reset of ${preview.topic} to ${preview.to}: nothing is changed until you apply it.`}
          </p>
          <table aria-label="Reset preview">
            <thead>
              <tr>
                <th class="num">Partition</th>
                <th class="num">Current offset</th>
                <th class="num">New offset</th>
                <th class="num">Lag now</th>
                <th class="num">Lag after</th>
                <th class="num">Change</th>
              </tr>
            </thead>
            <tbody>
              {preview.partitions.map((r) => (
                <tr key={r.partition}>
                  <td class="num">{r.partition}</td>
                  <td class="num">{fmt(r.current)}</td>
                  <td class="num">{fmt(r.target)}</td>
                  <td class="num">{fmt(r.lagBefore)}</td>
                  <td class="num">{fmt(r.lagAfter)}</td>
                  <td class="num">
                    {r.lagBefore === null
                      ? '—'
                      : `${r.lagAfter - r.lagBefore > 0 ? '+' : ''}${fmt(r.lagAfter - r.lagBefore)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  )
}

export function GroupPage(props: { cluster: string; group: string }) {
  const base = `/api/clusters/${encodeURIComponent(props.cluster)}/groups/${encodeURIComponent(props.group)}`
  const { data, error, refresh } = usePoll<GroupDetail>(base)
  const config = useConsoleConfig()
  const [deleteError, setDeleteError] = useState<string | undefined>(undefined)
  const readOnly = config?.readOnly !== false
  const empty = data ? data.members.length === 0 : false
  const remove = async () => {
    if (!window.confirm(`Delete group ${props.group} and its committed offsets?`)) return
    try {
      await api.delete(base)
      navigate('/consumers')
    } catch (e) {
      setDeleteError((e as Error).message)
    }
  }
  const topics = [...new Set(data?.offsets.map((o) => o.topic) ?? [])]
  return (
    <>
      <h1>
        Group {props.group} <Link href="/consumers">(all groups)</Link>
      </h1>
      <Problem title={`Kafka ${props.cluster}`} message={error} />
      {data ? (
        <>
          <section class="panel" aria-label="Members">
            <h2>
              <StateBadge state={data.state.toUpperCase()} /> {data.members.length} member(s)
              {data.protocol ? <span class="muted"> · assignor {data.protocol}</span> : null}
            </h2>
            {data.members.length > 0 ? (
              <table>
                <thead>
                  <tr>
                    <th>Client id</th>
                    <th>Host</th>
                    <th>Assigned partitions</th>
                    <th>Member id</th>
                  </tr>
                </thead>
                <tbody>
                  {data.members.map((m) => (
                    <tr key={m.id}>
                      <td>{m.clientId}</td>
                      <td>{m.host}</td>
                      <td>{m.assignments.map((a) => `${a.topic} [${a.partitions.join(', ')}]`).join('; ') || '—'}</td>
                      <td class="muted">{m.id}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">No members: the group is empty, its offsets can be reset or the group deleted.</p>
            )}
          </section>
          <section class="panel" aria-label="Committed offsets">
            <h2>Committed offsets</h2>
            <table>
              <thead>
                <tr>
                  <th>Topic</th>
                  <th class="num">Partition</th>
                  <th class="num">Committed</th>
                  <th class="num">End</th>
                  <th class="num">Lag</th>
                </tr>
              </thead>
              <tbody>
                {data.offsets.map((o) => (
                  <tr key={`${o.topic}:${o.partition}`}>
                    <td>{o.topic}</td>
                    <td class="num">{o.partition}</td>
                    <td class="num">{fmt(o.committed)}</td>
                    <td class="num">{fmt(o.end)}</td>
                    <td class="num">{fmt(o.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.offsets.length === 0 ? <p class="muted">No committed offsets.</p> : null}
          </section>
          <ResetForm base={base} topics={topics} empty={empty} readOnly={readOnly} done={refresh} />
          {readOnly ? null : (
            <section class="panel" aria-label="Delete group">
              <button type="button" class="danger" disabled={!empty} onClick={remove}>
                Delete group
              </button>{' '}
              <span class="muted">
                {empty ? 'Removes the group and its committed offsets.' : 'Only an empty group can be deleted.'}
              </span>
              <Problem message={deleteError} />
            </section>
          )}
        </>
      ) : null}
    </>
  )
}
