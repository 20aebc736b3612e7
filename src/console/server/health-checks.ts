// The console's own health checks, computed from what the other endpoints already read: a part that cannot be
// reached, offline or under-replicated partitions, a FAILED connector or task, a consumer group whose lag status is
// not OK or whose lag in seconds is over the threshold. Pure; shown on every page of the UI.
import type { ConnectorView } from './connect.ts'
import type { Part } from './errors.ts'
import type { ClusterOverview } from './kafka.ts'
import type { GroupLag } from './lag.ts'

export interface Alert {
  severity: 'error' | 'warn'
  /** Stable id: the same problem keeps its id from one refresh to the next. */
  id: string
  message: string
  /** Route of the UI where the problem is seen. */
  link: string
}

export interface HealthInput {
  clusters: { name: string; overview: Part<ClusterOverview> }[]
  connects: { name: string; connectors: Part<ConnectorView[]> }[]
  lag: Part<{ groups: GroupLag[] }> | null
  lagSecondsThreshold: number
}

const connectorLink = (connect: string, name: string) =>
  `/connect/${encodeURIComponent(connect)}/${encodeURIComponent(name)}`

export function healthChecks(input: HealthInput): Alert[] {
  const alerts: Alert[] = []
  for (const c of input.clusters) {
    if (!c.overview.ok) {
      alerts.push({
        severity: 'error',
        id: `kafka-down:${c.name}`,
        message: c.overview.error.message,
        link: '/overview',
      })
      continue
    }
    const o = c.overview.value
    if (o.offline > 0) {
      alerts.push({
        severity: 'error',
        id: `offline:${c.name}`,
        message: `Kafka cluster ${c.name}: ${o.offline} offline partition(s) (no leader)`,
        link: '/topics?sort=under_replicated&order=desc',
      })
    }
    if (o.underReplicated > 0) {
      alerts.push({
        severity: 'warn',
        id: `urp:${c.name}`,
        message: `Kafka cluster ${c.name}: ${o.underReplicated} under-replicated partition(s)`,
        link: '/topics?sort=under_replicated&order=desc',
      })
    }
  }
  for (const c of input.connects) {
    if (!c.connectors.ok) {
      alerts.push({
        severity: 'error',
        id: `connect-down:${c.name}`,
        message: c.connectors.error.message,
        link: '/connect',
      })
      continue
    }
    for (const connector of c.connectors.value) {
      if (connector.state === 'FAILED') {
        alerts.push({
          severity: 'error',
          id: `connector-failed:${c.name}/${connector.name}`,
          message: `Connector ${connector.name} (${c.name}) is FAILED`,
          link: connectorLink(c.name, connector.name),
        })
      }
      for (const t of connector.tasks.filter((t) => t.state === 'FAILED')) {
        alerts.push({
          severity: 'error',
          id: `task-failed:${c.name}/${connector.name}/${t.id}`,
          message: `Task ${t.id} of connector ${connector.name} (${c.name}) is FAILED`,
          link: connectorLink(c.name, connector.name),
        })
      }
    }
  }
  if (input.lag && !input.lag.ok) {
    alerts.push({ severity: 'warn', id: 'lag-exporter-down', message: input.lag.error.message, link: '/consumers' })
  } else if (input.lag?.ok) {
    for (const g of input.lag.value.groups) {
      const link = `/consumers?group=${encodeURIComponent(g.group)}`
      if (g.status !== null && g.status !== 'OK' && g.status !== 'NOTFOUND') {
        alerts.push({
          severity: g.status === 'WARN' ? 'warn' : 'error',
          id: `group-status:${g.group}`,
          message: `Consumer group ${g.group}: lag status ${g.status}`,
          link,
        })
      }
      if (g.maxLagSeconds !== null && g.maxLagSeconds > input.lagSecondsThreshold) {
        alerts.push({
          severity: 'warn',
          id: `group-lag-seconds:${g.group}`,
          message: `Consumer group ${g.group}: ${g.maxLagSeconds.toFixed(1)} s behind (threshold ${input.lagSecondsThreshold} s)`,
          link,
        })
      }
    }
  }
  return alerts
}
