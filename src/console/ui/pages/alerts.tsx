// Alerts: the console's own health checks (failed connectors and tasks, lag status or seconds, partitions, parts
// that cannot be reached). Their count is in the header of every page.
import type { Alert } from '../../server/health-checks.ts'
import { usePoll } from '../api.ts'
import { Link, Problem } from '../components.tsx'
import { PrometheusAlerts, WebhookStatus } from './alerts-external.tsx'

export function useAlerts() {
  return usePoll<{ alerts: Alert[] }>('/api/alerts')
}

export function AlertsBadge() {
  const { data } = useAlerts()
  if (!data) return null
  const errors = data.alerts.filter((a) => a.severity === 'error').length
  const n = data.alerts.length
  return (
    <Link href="/alerts" class={`alerts-badge ${errors ? 'error' : n ? 'warn' : 'ok'}`}>
      {n === 0 ? 'no alerts' : `${n} alert${n === 1 ? '' : 's'}`}
    </Link>
  )
}

export function AlertsPage() {
  const { data, error } = useAlerts()
  return (
    <>
      <h1>Alerts</h1>
      <Problem title="Console server" message={error} />
      {data && data.alerts.length === 0 ? <p>Every check passes.</p> : null}
      {data && data.alerts.length > 0 ? (
        <section class="panel">
          <table>
            <thead>
              <tr>
                <th>Severity</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {data.alerts.map((a) => (
                <tr key={a.id} data-alert={a.id}>
                  <td>
                    <span class={`badge ${a.severity}`}>{a.severity}</span>
                  </td>
                  <td>
                    <Link href={a.link}>{a.message}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <PrometheusAlerts />
      <WebhookStatus />
      <p class="muted">
        Checks: a Kafka cluster, Connect cluster or the lag exporter not answering; offline or under-replicated
        partitions; a FAILED connector or task; a consumer group whose lag status is not OK or whose lag in seconds is
        over the threshold.
      </p>
    </>
  )
}
