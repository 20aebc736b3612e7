// Brokers (/brokers) and one broker (/brokers/<id>): address, rack, controller, partition replicas and leaders,
// disk use per log dir and topic (DescribeLogDirs), and the broker's configs — non-default ones marked, dynamic
// ones editable (read-only keys are static: set in server.properties). Network and request rates are JMX metrics
// the admin API does not give: they come from Prometheus when the console has one, else the page says they need it
// rather than showing a made-up number.
import { useState } from 'preact/hooks'
import type { BrokerRates, BrokerRatesAnswer } from '../../server/broker-rates.ts'
import type { BrokerConfigView, BrokerRow, LogDirView } from '../../server/brokers.ts'
import { api, useConsoleConfig, usePoll } from '../api.ts'
import { fmt, Link, Problem } from '../components.tsx'

export function bytes(n: number | null): string {
  if (n === null) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

const clusterBase = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}/brokers`

export function BrokersPage() {
  const config = useConsoleConfig()
  const cluster = config?.clusters[0]?.name ?? null
  const { data, error } = usePoll<{ brokers: BrokerRow[] }>(cluster ? clusterBase(cluster) : null)
  return (
    <>
      <h1>Brokers</h1>
      <Problem title={`Kafka ${cluster ?? ''}`} message={error} />
      {data ? (
        <section class="panel">
          <table aria-label="Brokers">
            <thead>
              <tr>
                <th class="num">Id</th>
                <th>Address</th>
                <th>Rack</th>
                <th>Role</th>
                <th class="num">Partitions</th>
                <th class="num">Leaders</th>
                <th class="num">Disk used</th>
              </tr>
            </thead>
            <tbody>
              {data.brokers.map((b) => (
                <tr key={b.id}>
                  <td class="num">
                    <Link href={`/brokers/${b.id}`}>{b.id}</Link>
                  </td>
                  <td>
                    {b.host}:{b.port}
                  </td>
                  <td>{b.rack ?? '—'}</td>
                  <td>{b.controller ? <span class="badge ok">controller</span> : '—'}</td>
                  <td class="num">{fmt(b.replicas)}</td>
                  <td class="num">{fmt(b.leaders)}</td>
                  <td class="num">{bytes(b.sizeBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {cluster ? <RatesPanel cluster={cluster} /> : null}
    </>
  )
}

const perSecond = (n: number | null, unit: string) =>
  n === null ? '—' : `${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en')} ${unit}/s`
const bytesPerSecond = (n: number | null) => (n === null ? '—' : `${bytes(Math.round(n))}/s`)
const percent = (n: number | null) => (n === null ? '—' : `${(n * 100).toFixed(1)} %`)

/** Network and request rates per broker from Prometheus; without Prometheus, what is needed for them. */
function RatesPanel(props: { cluster: string; broker?: number }) {
  const { data, error } = usePoll<BrokerRatesAnswer>(`${clusterBase(props.cluster)}/rates`)
  const rows = (data?.brokers ?? []).filter((b) => props.broker === undefined || b.broker === props.broker)
  return (
    <section class="panel" aria-label="Network and request rates">
      <h2>Network and request rates</h2>
      <Problem message={error} />
      {data && !data.configured ? <p class="muted">{data.message}</p> : null}
      {data?.configured && data.message ? <Problem title="Prometheus" message={data.message} /> : null}
      {data?.configured && !data.message ? (
        <>
          <p class="muted">From Prometheus (the brokers' JMX exporter), rates over the last minute.</p>
          {rows.length === 0 ? (
            <p class="muted">
              Prometheus has no broker metrics for{' '}
              {props.broker === undefined ? 'these brokers' : `broker ${props.broker}`}.
            </p>
          ) : (
            <table aria-label="Broker rates">
              <thead>
                <tr>
                  <th class="num">Broker</th>
                  <th>Scrape target</th>
                  <th class="num">Bytes in</th>
                  <th class="num">Bytes out</th>
                  <th class="num">Messages in</th>
                  <th class="num">Requests</th>
                  <th class="num">Request handlers idle</th>
                  <th class="num">Network threads idle</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((b) => (
                  <tr key={b.instance} data-broker={b.broker}>
                    <td class="num">
                      <Link href={`/brokers/${b.broker}`}>{b.broker}</Link>
                    </td>
                    <td>{b.instance}</td>
                    <td class="num">{bytesPerSecond(b.rates.bytesIn)}</td>
                    <td class="num">{bytesPerSecond(b.rates.bytesOut)}</td>
                    <td class="num">{perSecond(b.rates.messagesIn, 'rec')}</td>
                    <td class="num">{perSecond(b.rates.requests, 'req')}</td>
                    <td
                      class="num"
                      title={
                        (b.rates.requestHandlerIdle ?? 0) > 1
                          ? 'As Kafka reports it: on a combined broker+controller node both request handler pools mark this meter, so it runs up to 200 %'
                          : undefined
                      }
                    >
                      {percent(b.rates.requestHandlerIdle)}
                    </td>
                    <td class="num">{percent(b.rates.networkProcessorIdle)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {props.broker !== undefined ? rows.map((b) => <RequestsByType key={b.instance} rates={b} />) : null}
          {data.unmatched.length > 0 && props.broker === undefined ? (
            <p class="muted">
              Scrape targets not matched to a broker of this cluster: {data.unmatched.join(', ')} (export the broker id
              with the shipped JMX rules' kafka_server_app_info_start_time_ms).
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  )
}

function RequestsByType(props: { rates: BrokerRates }) {
  const list = props.rates.requestsByType
  return list.length === 0 ? (
    <p class="muted">No requests in the last minute.</p>
  ) : (
    <table aria-label="Requests by type">
      <thead>
        <tr>
          <th>Request type</th>
          <th class="num">Requests</th>
        </tr>
      </thead>
      <tbody>
        {list.map((r) => (
          <tr key={r.request} data-request={r.request}>
            <td>{r.request}</td>
            <td class="num">{perSecond(r.perSecond, 'req')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function ConfigRow(props: { c: BrokerConfigView; editable: boolean; save: (value: string | null) => Promise<void> }) {
  const [editing, setEditing] = useState(false)
  const [value, setValue] = useState(props.c.value ?? '')
  const { c } = props
  return (
    <tr data-config={c.name} class={c.isDefault ? '' : 'non-default'}>
      <td title={c.documentation ?? ''}>{c.name}</td>
      <td class="value">
        {editing ? (
          <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-label={c.name} />
        ) : c.sensitive ? (
          '(hidden)'
        ) : (
          (c.value ?? '—')
        )}
      </td>
      <td>{c.isDefault ? <span class="muted">default</span> : <span class="badge warn">{c.source}</span>}</td>
      <td>
        {c.readOnly ? (
          <span class="muted" title="static: set it in server.properties and restart the broker">
            read-only
          </span>
        ) : !props.editable ? null : editing ? (
          <>
            <button type="button" onClick={() => props.save(value).then(() => setEditing(false))}>
              Save
            </button>{' '}
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            {c.source === 'DYNAMIC_BROKER_CONFIG' ? (
              <>
                {' '}
                <button type="button" onClick={() => props.save(null)}>
                  Reset
                </button>
              </>
            ) : null}
          </>
        )}
      </td>
    </tr>
  )
}

export function BrokerPage(props: { id: string }) {
  const config = useConsoleConfig()
  const cluster = config?.clusters[0]?.name ?? null
  const path = cluster ? `${clusterBase(cluster)}/${encodeURIComponent(props.id)}` : null
  const { data, error, refresh } = usePoll<{ broker: BrokerRow; logDirs: LogDirView[]; configs: BrokerConfigView[] }>(
    path,
  )
  const [filter, setFilter] = useState('')
  const [onlyChanged, setOnlyChanged] = useState(true)
  const [saveError, setSaveError] = useState<string | undefined>(undefined)
  const save = (name: string) => async (value: string | null) => {
    setSaveError(undefined)
    try {
      await api.put(`${path}/configs`, value === null ? { delete: [name] } : { set: { [name]: value } })
      refresh()
    } catch (e) {
      setSaveError(`${name}: ${(e as Error).message}`)
      throw e
    }
  }
  const configs = (data?.configs ?? []).filter((c) => c.name.includes(filter.trim()) && (!onlyChanged || !c.isDefault))
  return (
    <>
      <h1>
        Broker {props.id} <Link href="/brokers">(all brokers)</Link>
      </h1>
      <Problem title={`Kafka ${cluster ?? ''}`} message={error} />
      {data ? (
        <>
          <section class="panel">
            <p>
              {data.broker.host}:{data.broker.port} · rack {data.broker.rack ?? '—'} ·{' '}
              {data.broker.controller ? 'controller' : 'not the controller'} · {fmt(data.broker.replicas)} partition
              replicas, {fmt(data.broker.leaders)} led
            </p>
          </section>
          {cluster ? <RatesPanel cluster={cluster} broker={data.broker.id} /> : null}
          {data.logDirs.map((d) => (
            <section class="panel" key={d.dir} aria-label={`Log dir ${d.dir}`}>
              <h2>Log dir {d.dir}</h2>
              <p class="muted">
                {bytes(d.topics.reduce((s, t) => s + t.sizeBytes, 0))} of partition data
                {d.totalBytes !== null
                  ? ` · volume ${bytes(d.totalBytes)}, ${bytes(d.usableBytes)} free`
                  : ' · volume size not reported'}
              </p>
              <table aria-label="Disk use per topic">
                <thead>
                  <tr>
                    <th>Topic</th>
                    <th class="num">Partitions here</th>
                    <th class="num">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {d.topics.map((t) => (
                    <tr key={t.name} data-topic={t.name}>
                      <td>{t.name}</td>
                      <td class="num">{t.partitions}</td>
                      <td class="num">{bytes(t.sizeBytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
          <section class="panel" aria-label="Broker configs">
            <h2>Configs</h2>
            <div class="toolbar">
              <input
                placeholder="filter configs"
                value={filter}
                onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
                aria-label="Filter configs"
              />
              <label>
                <input
                  type="checkbox"
                  checked={onlyChanged}
                  onChange={(e) => setOnlyChanged((e.target as HTMLInputElement).checked)}
                />{' '}
                only non-default
              </label>
            </div>
            <Problem message={saveError} />
            <table class="broker-configs">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Value</th>
                  <th>Source</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {configs.map((c) => (
                  <ConfigRow key={c.name} c={c} editable={config?.readOnly === false} save={save(c.name)} />
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </>
  )
}
