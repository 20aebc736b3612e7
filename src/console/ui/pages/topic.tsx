// A topic up close (/topics/<name>): its partitions, configs and readers, its write actions (add partitions, edit
// config, delete with the name typed), and the message browser. Records arrive as a stream of NDJSON events from
// the server's scan, so progress shows while it runs and Cancel aborts it (the server stops when the client goes).
// Everything from Kafka — keys, values, headers, config values — is rendered as Preact text, never as markup.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Shown } from '../../server/messages.ts'
import type { ShownRecord } from '../../server/topic-reader.ts'
import { ApiFailure, api, useConsoleConfig, usePoll } from '../api.ts'
import { fmt, Link, Problem, StateBadge } from '../components.tsx'
import { navigate } from '../router.ts'

interface Details {
  name: string
  partitions: {
    partition: number
    leader: number
    replicas: number[]
    isr: number[]
    earliest: string
    latest: string
    sizeBytes: number | null
  }[]
  configs: { ok: true; value: ConfigEntry[] } | { ok: false; error: { message: string } }
  groups:
    | null
    | { ok: true; value: { group: string; status: string | null; lag: number; lagSeconds: number | null }[] }
    | { ok: false; error: { message: string } }
}

interface ConfigEntry {
  name: string
  value: string | null
  override: boolean
  source: string
  readOnly: boolean
  sensitive: boolean
}

const bytes = (n: number | null) =>
  n === null
    ? '—'
    : n < 1024
      ? `${n} B`
      : n < 1024 ** 2
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${(n / 1024 ** 2).toFixed(1)} MiB`

export function TopicPage(props: { name: string; cluster: string | null }) {
  const config = useConsoleConfig()
  const cluster = props.cluster ?? config?.clusters[0]?.name ?? null
  const base = cluster ? `/api/clusters/${encodeURIComponent(cluster)}/topics/${encodeURIComponent(props.name)}` : null
  const { data, error, refresh } = usePoll<Details>(base)
  const writable = config !== undefined && !config.readOnly
  return (
    <>
      <p>
        <Link href="/topics">Topics</Link> /
      </p>
      <h1>{props.name}</h1>
      <Problem title={`Topic ${props.name}`} message={error} />
      {data && base ? (
        <>
          <section class="panel">
            <h2>Partitions</h2>
            <table>
              <thead>
                <tr>
                  <th class="num">Partition</th>
                  <th class="num">Leader</th>
                  <th>Replicas</th>
                  <th>ISR</th>
                  <th class="num">Earliest</th>
                  <th class="num">Latest</th>
                  <th class="num">Records</th>
                  <th class="num">Size</th>
                </tr>
              </thead>
              <tbody>
                {data.partitions.map((p) => (
                  <tr key={p.partition}>
                    <td class="num">{p.partition}</td>
                    <td class="num">{p.leader < 0 ? 'none' : p.leader}</td>
                    <td>{p.replicas.join(', ')}</td>
                    <td class={p.isr.length < p.replicas.length ? 'under' : ''}>{p.isr.join(', ')}</td>
                    <td class="num">{fmt(Number(p.earliest))}</td>
                    <td class="num">{fmt(Number(p.latest))}</td>
                    <td class="num">{fmt(Number(p.latest) - Number(p.earliest))}</td>
                    <td class="num">{bytes(p.sizeBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {writable ? <AddPartitions base={base} current={data.partitions.length} done={refresh} /> : null}
          </section>
          <section class="panel">
            <h2>Consumer groups</h2>
            {data.groups === null ? (
              <p class="muted">No lag exporter watches this cluster.</p>
            ) : !data.groups.ok ? (
              <Problem title="lag exporter" message={data.groups.error.message} />
            ) : data.groups.value.length === 0 ? (
              <p class="muted">No consumer group reads this topic.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Group</th>
                    <th>Status</th>
                    <th class="num">Lag (records)</th>
                    <th class="num">Lag (s)</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.value.map((g) => (
                    <tr key={g.group}>
                      <td>
                        <Link href={`/consumers?group=${encodeURIComponent(g.group)}`}>{g.group}</Link>
                      </td>
                      <td>
                        <StateBadge state={g.status} />
                      </td>
                      <td class="num">{fmt(g.lag)}</td>
                      <td class="num">{fmt(g.lagSeconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <MessageBrowser key={base} base={base} partitions={data.partitions.length} />
          <Configs base={base} configs={data.configs} writable={writable} done={refresh} />
          {writable ? <DeleteTopic base={base} name={props.name} /> : null}
        </>
      ) : !error ? (
        <p class="loading">Loading topic…</p>
      ) : null}
    </>
  )
}

function AddPartitions(props: { base: string; current: number; done: () => void }) {
  const [count, setCount] = useState(String(props.current + 1))
  const [message, setMessage] = useState<string | undefined>()
  return (
    <form
      class="toolbar"
      onSubmit={async (e) => {
        e.preventDefault()
        try {
          await api.post(`${props.base}/partitions`, { count: Number(count) })
          setMessage(undefined)
          props.done()
        } catch (err) {
          setMessage((err as Error).message)
        }
      }}
    >
      <label>
        Partitions in total{' '}
        <input type="number" min={1} value={count} onInput={(e) => setCount((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Add partitions</button>
      <Problem message={message} />
    </form>
  )
}

function Configs(props: { base: string; configs: Details['configs']; writable: boolean; done: () => void }) {
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [message, setMessage] = useState<string | undefined>()
  const [all, setAll] = useState(false)
  const change = async (body: unknown) => {
    try {
      await api.put(`${props.base}/config`, body)
      setMessage(undefined)
      props.done()
    } catch (err) {
      setMessage((err as Error).message)
    }
  }
  if (!props.configs.ok)
    return (
      <section class="panel">
        <h2>Config</h2>
        <Problem message={props.configs.error.message} />
      </section>
    )
  const shown = props.configs.value.filter((c) => all || c.override)
  return (
    <section class="panel">
      <h2>Config</h2>
      <label>
        <input type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} /> show
        defaults too
      </label>
      <table class="configs">
        <thead>
          <tr>
            <th>Name</th>
            <th>Value</th>
            <th>Source</th>
            {props.writable ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <tr key={c.name} class={c.override ? 'override' : ''}>
              <td>
                {c.name}
                {c.override ? <span class="badge warn">set on topic</span> : null}
              </td>
              <td>{c.sensitive ? '(sensitive)' : (c.value ?? '—')}</td>
              <td class="muted">{c.source}</td>
              {props.writable ? (
                <td>
                  {c.override ? (
                    <button type="button" onClick={() => change({ reset: [c.name] })}>
                      Reset to default
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
          {shown.length === 0 ? (
            <tr>
              <td colSpan={4} class="muted">
                Nothing set on the topic: every value is the broker's default.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {props.writable ? (
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault()
            void change({ set: { [key]: value } })
          }}
        >
          <label>
            Config{' '}
            <input
              name="config-key"
              value={key}
              placeholder="retention.ms"
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            Value{' '}
            <input name="config-value" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Set</button>
        </form>
      ) : null}
      <Problem message={message} />
    </section>
  )
}

function DeleteTopic(props: { base: string; name: string }) {
  const [typed, setTyped] = useState('')
  const [message, setMessage] = useState<string | undefined>()
  return (
    <section class="panel danger-zone">
      <h2>Delete</h2>
      <form
        class="toolbar"
        onSubmit={async (e) => {
          e.preventDefault()
          try {
            await api.delete(`${props.base}?confirm=${encodeURIComponent(typed)}`)
            navigate('/topics')
          } catch (err) {
            setMessage((err as Error).message)
          }
        }}
      >
        <label>
          Type the topic name to delete it and all its records{' '}
          <input name="confirm-delete" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="danger" disabled={typed !== props.name}>
          Delete topic
        </button>
      </form>
      <Problem message={message} />
    </section>
  )
}

// --- The message browser -------------------------------------------------------------------------------------------

interface ScanEnd {
  type: 'end'
  scanned: number
  total: number
  matched: number
  stoppedBy: string
  cursor: string
  errors: { partition: number; message: string }[]
  elapsedMs: number
}
type ScanEvent =
  | { type: 'start'; total: number }
  | { type: 'progress'; scanned: number; total: number; matched: number }
  | { type: 'record'; record: ShownRecord }
  | ScanEnd
  | { type: 'error'; message: string }

const FILTER_FIELDS = [
  ['keyContains', 'Key contains'],
  ['valueContains', 'Value contains'],
  ['headerKey', 'Header key'],
  ['headerValue', 'Header value contains'],
  ['jsonPath', 'JSON field (a.b.c)'],
  ['jsonEquals', 'equals'],
  ['jsonRegex', 'matches regex'],
] as const

/** Streams one scan: every event to `on`, until the end or the abort. */
async function streamScan(url: string, signal: AbortSignal, on: (e: ScanEvent) => void): Promise<void> {
  const response = await fetch(url, { signal, headers: { Accept: 'application/x-ndjson' } })
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null
    throw new ApiFailure(response.status, body?.message ?? `HTTP ${response.status}`)
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let rest = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    rest += value
    const lines = rest.split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line) on(JSON.parse(line) as ScanEvent)
  }
}

const MAX_SHOWN = 1000

function MessageBrowser(props: { base: string; partitions: number }) {
  const [partition, setPartition] = useState('all')
  const [seek, setSeek] = useState('newest')
  const [offset, setOffset] = useState('0')
  const [timestamp, setTimestamp] = useState('')
  const [limit, setLimit] = useState('20')
  const [filters, setFilters] = useState<Record<string, string>>({})
  const [maxRecords, setMaxRecords] = useState('1000000')
  const [maxSeconds, setMaxSeconds] = useState('20')
  const [records, setRecords] = useState<ShownRecord[]>([])
  const [progress, setProgress] = useState<{ scanned: number; total: number; matched: number } | null>(null)
  const [end, setEnd] = useState<ScanEnd | null>(null)
  const [error, setError] = useState<string | undefined>()
  const [running, setRunning] = useState(false)
  const [tailing, setTailing] = useState(false)
  const [direction, setDirection] = useState<'forward' | 'backward'>('backward')
  /** The queries of the pages shown so far, the current one last ("back" runs the one before again). */
  const pages = useRef<{ extra: Record<string, string>; dir: 'forward' | 'backward' }[]>([])
  const abort = useRef<AbortController | null>(null)

  const params = (extra: Record<string, string>) => {
    const q = new URLSearchParams({ partition, limit, maxRecords, maxSeconds })
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v)
    for (const [k, v] of Object.entries(extra)) q.set(k, v)
    return `${props.base}/messages?${q}`
  }

  const run = async (extra: Record<string, string>, dir: 'forward' | 'backward', append = false) => {
    abort.current?.abort()
    const controller = new AbortController()
    abort.current = controller
    setRunning(true)
    setError(undefined)
    setEnd(null)
    setProgress(null)
    if (!append) setRecords([])
    const found: ShownRecord[] = []
    let flushAt = 0
    const flush = () => {
      const batch = found.splice(0)
      if (batch.length === 0) return
      setRecords((old) => {
        const merged = append ? [...batch, ...old] : [...old, ...batch]
        const sorted = merged.sort((a, b) =>
          dir === 'backward' || append
            ? b.timestamp - a.timestamp || Number(b.offset) - Number(a.offset)
            : a.timestamp - b.timestamp || Number(a.offset) - Number(b.offset),
        )
        return sorted.slice(0, MAX_SHOWN)
      })
    }
    try {
      await streamScan(params(extra), controller.signal, (e) => {
        if (e.type === 'record') {
          found.push(e.record)
          if (performance.now() - flushAt > 200) {
            flushAt = performance.now()
            flush()
          }
        } else if (e.type === 'progress') setProgress(e)
        else if (e.type === 'start') setProgress({ scanned: 0, total: e.total, matched: 0 })
        else if (e.type === 'end') {
          setEnd(e)
          setProgress(e)
          setDirection(dir)
        } else if (e.type === 'error') setError(e.message)
      })
      flush()
      return true
    } catch (err) {
      flush()
      if (!controller.signal.aborted) setError((err as Error).message)
      return false
    } finally {
      if (abort.current === controller) {
        abort.current = null
        setRunning(false)
      }
    }
  }

  const start = () => {
    setTailing(false)
    const extra: Record<string, string> = { seek }
    if (seek === 'offset') extra.offset = offset
    if (seek === 'timestamp') extra.timestamp = timestamp ? String(new Date(timestamp).getTime()) : ''
    const dir = seek === 'newest' ? 'backward' : 'forward'
    pages.current = [{ extra, dir }]
    void run(extra, dir)
  }

  // Live tail: a cursor at the log end, then every second what arrived after it.
  const tailCursor = useRef<string | null>(null)
  useEffect(() => {
    if (!tailing) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const controller = new AbortController()
    const step = async () => {
      try {
        const extra: Record<string, string> = tailCursor.current
          ? { seek: 'cursor', cursor: tailCursor.current, direction: 'forward' }
          : { seek: 'latest' }
        const found: ShownRecord[] = []
        await streamScan(params(extra), controller.signal, (e) => {
          if (e.type === 'record') found.push(e.record)
          else if (e.type === 'end') tailCursor.current = e.cursor
        })
        if (found.length > 0 && !stopped)
          setRecords((old) => [...found.sort((a, b) => b.timestamp - a.timestamp), ...old].slice(0, MAX_SHOWN))
      } catch (err) {
        if (!stopped) setError((err as Error).message)
      }
      if (!stopped) timer = setTimeout(step, 1000)
    }
    tailCursor.current = null
    void step()
    return () => {
      stopped = true
      controller.abort()
      clearTimeout(timer)
    }
  }, [tailing]) // the tail keeps the filters it started with

  return (
    <section class="panel browser">
      <h2>Messages</h2>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          start()
        }}
      >
        <label>
          Partition{' '}
          <select
            name="partition"
            value={partition}
            onChange={(e) => setPartition((e.target as HTMLSelectElement).value)}
          >
            <option value="all">all</option>
            {Array.from({ length: props.partitions }, (_, p) => (
              <option key={p} value={String(p)}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <select name="seek" value={seek} onChange={(e) => setSeek((e.target as HTMLSelectElement).value)}>
            <option value="newest">newest first</option>
            <option value="earliest">earliest</option>
            <option value="offset">offset</option>
            <option value="timestamp">timestamp</option>
          </select>
        </label>
        {seek === 'offset' ? (
          <label>
            Offset{' '}
            <input
              name="offset"
              type="number"
              min={0}
              value={offset}
              onInput={(e) => setOffset((e.target as HTMLInputElement).value)}
            />
          </label>
        ) : null}
        {seek === 'timestamp' ? (
          <label>
            At{' '}
            <input
              name="timestamp"
              type="datetime-local"
              step={1}
              value={timestamp}
              onInput={(e) => setTimestamp((e.target as HTMLInputElement).value)}
            />
          </label>
        ) : null}
        <label>
          Per partition{' '}
          <input
            name="limit"
            type="number"
            min={1}
            max={500}
            value={limit}
            onInput={(e) => setLimit((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={running}>
          Browse
        </button>
        <button type="button" disabled={!running} onClick={() => abort.current?.abort()}>
          Cancel
        </button>
        <button type="button" aria-pressed={tailing} onClick={() => setTailing(!tailing)}>
          {tailing ? 'Stop live tail' : 'Live tail'}
        </button>
      </form>
      <details class="filters" open={Object.values(filters).some(Boolean)}>
        <summary>Filters (run on the server) and scan budget</summary>
        <div class="toolbar">
          {FILTER_FIELDS.map(([field, label]) => (
            <label key={field}>
              {label}{' '}
              <input
                name={field}
                value={filters[field] ?? ''}
                onInput={(e) => setFilters({ ...filters, [field]: (e.target as HTMLInputElement).value })}
              />
            </label>
          ))}
        </div>
        <div class="toolbar">
          <label>
            Scan at most{' '}
            <input
              name="maxRecords"
              type="number"
              value={maxRecords}
              onInput={(e) => setMaxRecords((e.target as HTMLInputElement).value)}
            />{' '}
            records
          </label>
          <label>
            for at most{' '}
            <input
              name="maxSeconds"
              type="number"
              min={1}
              max={60}
              value={maxSeconds}
              onInput={(e) => setMaxSeconds((e.target as HTMLInputElement).value)}
            />{' '}
            s
          </label>
        </div>
      </details>
      <Problem title="Messages" message={error} />
      <p class="scan-status" aria-live="polite">
        {progress
          ? `${running ? 'Scanning: ' : ''}scanned ${fmt(progress.scanned)} of ${fmt(progress.total)}, matched ${fmt(progress.matched)}`
          : null}
        {end ? ` · ${STOP_TEXT[end.stoppedBy] ?? end.stoppedBy} (${fmt(end.elapsedMs)} ms)` : null}
        {tailing ? ' · live tail on: new records appear at the top' : null}
      </p>
      {end && !tailing ? (
        <div class="pager">
          <button
            type="button"
            disabled={pages.current.length < 2 || running}
            onClick={() => {
              pages.current.pop()
              const previous = pages.current[pages.current.length - 1]
              void run(previous.extra, previous.dir)
            }}
          >
            {direction === 'backward' ? 'Newer' : 'Previous'}
          </button>
          <button
            type="button"
            disabled={running || end.stoppedBy === 'end'}
            onClick={() => {
              const extra = { seek: 'cursor', cursor: end.cursor, direction }
              pages.current.push({ extra, dir: direction })
              void run(extra, direction)
            }}
          >
            {end.stoppedBy.startsWith('max-') ? 'Continue scan' : direction === 'backward' ? 'Older' : 'Next'}
          </button>
        </div>
      ) : null}
      <table class="messages">
        <thead>
          <tr>
            <th class="num">Partition</th>
            <th class="num">Offset</th>
            <th>Timestamp</th>
            <th>Key</th>
            <th>Value</th>
            <th>Headers</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <MessageRow key={`${r.partition}:${r.offset}`} base={props.base} record={r} />
          ))}
        </tbody>
      </table>
      {records.length === 0 && !running && end ? <p class="muted">No records matched.</p> : null}
    </section>
  )
}

const STOP_TEXT: Record<string, string> = {
  limit: 'page full',
  end: 'reached the end',
  'max-records': 'stopped: record budget spent',
  'max-bytes': 'stopped: byte budget spent',
  'max-seconds': 'stopped: time budget spent',
  cancelled: 'cancelled',
}

function ShownValue(props: { shown: Shown | null; onMore?: () => void }) {
  const s = props.shown
  if (!s) return <span class="muted">null</span>
  return (
    <div class={`shown ${s.kind}`}>
      {s.kind === 'binary' ? <span class="badge neutral">binary · hex</span> : null}
      <pre>{s.text}</pre>
      {s.truncated ? (
        <button type="button" onClick={props.onMore}>
          Show all {fmt(s.size)} bytes
        </button>
      ) : null}
      {s.base64 !== undefined ? (
        <details>
          <summary>base64</summary>
          <pre>{s.base64}</pre>
        </details>
      ) : null}
      {s.schema !== undefined ? (
        <details>
          <summary>Connect schema</summary>
          <pre>{s.schema}</pre>
        </details>
      ) : null}
    </div>
  )
}

function MessageRow(props: { base: string; record: ShownRecord }) {
  const [record, setRecord] = useState(props.record)
  const [error, setError] = useState<string | undefined>()
  const more = async () => {
    try {
      setRecord(await api.get<ShownRecord>(`${props.base}/messages/${record.partition}/${record.offset}`))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <tr class="message">
      <td class="num">{record.partition}</td>
      <td class="num">{record.offset}</td>
      <td class="time">{new Date(record.timestamp).toISOString()}</td>
      <td>
        <ShownValue shown={record.key} onMore={more} />
      </td>
      <td>
        <ShownValue shown={record.value} onMore={more} />
        <Problem message={error} />
      </td>
      <td>
        {record.headers.map((h, i) => (
          <div key={i} class="header">
            <strong>{h.key}</strong>: <ShownValue shown={h.value} onMore={more} />
          </div>
        ))}
      </td>
    </tr>
  )
}

/** /topics/new: create a topic. */
export function NewTopicPage(props: { cluster: string | null }) {
  const config = useConsoleConfig()
  const cluster = props.cluster ?? config?.clusters[0]?.name ?? null
  const [name, setName] = useState('')
  const [partitions, setPartitions] = useState('1')
  const [replication, setReplication] = useState('1')
  const [configs, setConfigs] = useState('')
  const [message, setMessage] = useState<string | undefined>()
  return (
    <>
      <p>
        <Link href="/topics">Topics</Link> /
      </p>
      <h1>New topic</h1>
      <form
        class="panel create-topic"
        onSubmit={async (e) => {
          e.preventDefault()
          const parsed: Record<string, string> = {}
          for (const line of configs.split('\n')) {
            if (!line.trim()) continue
            const at = line.indexOf('=')
            if (at < 1) {
              setMessage(`config line ${JSON.stringify(line)} is not key=value`)
              return
            }
            parsed[line.slice(0, at).trim()] = line.slice(at + 1).trim()
          }
          try {
            await api.post(`/api/clusters/${encodeURIComponent(cluster ?? '')}/topics`, {
              name,
              partitions: Number(partitions),
              replicationFactor: Number(replication),
              configs: parsed,
            })
            navigate(`/topics/${encodeURIComponent(name)}`)
          } catch (err) {
            setMessage((err as Error).message)
          }
        }}
      >
        <label>
          Name{' '}
          <input
            name="name"
            required
            maxLength={249}
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Partitions{' '}
          <input
            name="partitions"
            type="number"
            min={1}
            value={partitions}
            onInput={(e) => setPartitions((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Replication factor{' '}
          <input
            name="replicationFactor"
            type="number"
            min={1}
            value={replication}
            onInput={(e) => setReplication((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Configs (one key=value a line)
          <textarea
            name="configs"
            rows={4}
            value={configs}
            placeholder="retention.ms=604800000"
            onInput={(e) => setConfigs((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <Problem message={message} />
        <button type="submit" disabled={config?.readOnly}>
          Create topic
        </button>
      </form>
    </>
  )
}
