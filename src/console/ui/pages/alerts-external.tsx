// The Alerts page's outside world: webhook deliveries (targets, failures) and Prometheus' firing alerts.
import type { PromAlert } from '../../server/prometheus.ts'
import type { DeliveryFailure } from '../../server/webhooks.ts'
import { usePoll } from '../api.ts'
import { Problem } from '../components.tsx'

export function WebhookStatus() {
  const { data } = usePoll<{
    targets: { url: string; kind: string }[]
    delivered: number
    failures: DeliveryFailure[]
  }>('/api/alerts/webhooks')
  if (!data) return null
  return (
    <section class="panel" aria-label="Notifications">
      <h2>Notifications</h2>
      {data.targets.length === 0 ? (
        <p class="muted">No webhooks: start the console with --webhook URL or --slack-webhook URL to be notified.</p>
      ) : (
        <p class="muted">
          Sent on state changes to {data.targets.map((t) => `${t.url} (${t.kind})`).join(', ')} · {data.delivered}{' '}
          delivered.
        </p>
      )}
      {data.failures.map((f) => (
        <Problem
          key={f.url}
          title={`Webhook ${f.url}`}
          message={`${f.alert} ${f.state} not delivered after ${f.attempts} attempt(s) at ${f.time}: ${f.error}`}
        />
      ))}
    </section>
  )
}

export function PrometheusAlerts() {
  const { data, error } = usePoll<{ configured: boolean; alerts: PromAlert[] }>('/api/alerts/prometheus')
  if (data && !data.configured) return null
  return (
    <section class="panel" aria-label="Prometheus alerts">
      <h2>Firing in Prometheus</h2>
      <Problem title="Prometheus" message={error} />
      {data && data.alerts.length === 0 ? <p class="muted">No alert is firing.</p> : null}
      {data && data.alerts.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Severity</th>
              <th>Alert</th>
              <th>Summary</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {data.alerts.map((a) => (
              <tr key={`${a.name}${JSON.stringify(a.labels)}`} data-prom-alert={a.name}>
                <td>
                  <span class={`badge ${a.severity === 'critical' || a.severity === 'error' ? 'error' : 'warn'}`}>
                    {a.severity ?? '—'}
                  </span>
                </td>
                <td>{a.name}</td>
                <td>{a.summary ?? '—'}</td>
                <td>{a.activeAt ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
