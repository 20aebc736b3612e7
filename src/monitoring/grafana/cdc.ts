// The CDC hop's panels (PostgreSQL WAL → replication slot → CDC connector), shared by the pipeline overview (one
// connector) and the Connect worker dashboard (every CDC connector): Debezium's streaming and snapshot families,
// selected by connector through flowscope_cdc_connector_info (they carry the topic.prefix as `name`), and the slot's.
import { cdcMetrics } from '../../connectors/postgres-cdc/metrics.ts'
import { alertDefaults } from '../prometheus/alert-rules.ts'
import { type PanelSpec, q, type RowSpec } from './panels.ts'

const D = cdcMetrics.metrics

/** The CDC row for the connectors `connectorMatcher` selects (a PromQL label matcher on `connector`). */
export function cdcRow(title: string, connectorMatcher: string): RowSpec {
  const slot = `job="kafka-connect",${connectorMatcher}`
  /** A Debezium family of the selected connectors, with their `connector` label joined from the info series. */
  const dbz = (metric: { name: string }, context: 'snapshot' | 'streaming', extra = '') =>
    `(${metric.name}{job="kafka-connect",plugin="postgres",context="${context}"${extra}} * on (job, instance, name) group_left (connector) ${D.info.name}{${slot}})`
  /** The per-second rate of a Debezium count (a gauge in Debezium's export), joined as `dbz` does. */
  const dbzRate = (metric: { name: string }) =>
    `(rate(${metric.name}{job="kafka-connect",plugin="postgres",context="streaming"}[$__rate_interval]) * on (job, instance, name) group_left (connector) ${D.info.name}{${slot}})`
  const panels: PanelSpec[] = [
    {
      kind: 'stat',
      title: 'Streaming connected',
      description: 'Debezium Connected: 1 while the replication connection streams from the slot.',
      queries: [q(`max by (connector) ${dbz(D.connected, 'streaming')}`, '{{connector}}')],
      thresholds: [[1, 'green']],
      baseColor: 'red',
    },
    {
      kind: 'stat',
      title: 'Slot active',
      description: 'pg_replication_slots.active: a replication connection reads the slot.',
      queries: [q(`max by (connector, slot) (${D.slotActive.name}{${slot}})`, '{{slot}}')],
      thresholds: [[1, 'green']],
      baseColor: 'red',
    },
    {
      kind: 'stat',
      title: 'Slot retained WAL',
      description: `pg_current_wal_lsn() − restart_lsn: WAL Postgres keeps for the slot. The alert threshold is ${alertDefaults.slotRetainedWalBytes} bytes.`,
      queries: [q(`max by (connector, slot) (${D.slotRetainedWal.name}{${slot}})`, '{{slot}}')],
      unit: 'bytes',
      thresholds: [
        [alertDefaults.slotRetainedWalBytes / 2, 'yellow'],
        [alertDefaults.slotRetainedWalBytes, 'red'],
      ],
    },
    {
      kind: 'stat',
      title: 'Snapshot',
      description: 'Debezium SnapshotRunning / SnapshotCompleted / SnapshotAborted of the current task.',
      queries: [
        q(`max by (connector) ${dbz(D.snapshotRunning, 'snapshot')}`, 'running'),
        q(`max by (connector) ${dbz(D.snapshotCompleted, 'snapshot')}`, 'completed'),
        q(`max by (connector) ${dbz(D.snapshotAborted, 'snapshot')}`, 'aborted'),
      ],
      width: 8,
    },
    {
      kind: 'stat',
      title: 'Snapshot tables remaining / total',
      queries: [
        q(`max by (connector) ${dbz(D.remainingTables, 'snapshot')}`, 'remaining'),
        q(`max by (connector) ${dbz(D.totalTables, 'snapshot')}`, 'total'),
      ],
    },
    {
      kind: 'timeseries',
      title: 'Change events per second',
      description:
        'Debezium TotalNumberOf{Create,Update,Delete}EventsSeen as rates (per-task counts; a task restart starts them at 0).',
      queries: [
        q(`sum by (connector) ${dbzRate(D.createEvents)}`, 'create {{connector}}'),
        q(`sum by (connector) ${dbzRate(D.updateEvents)}`, 'update {{connector}}'),
        q(`sum by (connector) ${dbzRate(D.deleteEvents)}`, 'delete {{connector}}'),
      ],
      unit: 'ops',
      min: 0,
    },
    {
      kind: 'timeseries',
      title: 'Behind source / since last event',
      description:
        'MilliSecondsBehindSource: when the last event was processed, how long after its commit. MilliSecondsSinceLastEvent: how long ago that was.',
      queries: [
        q(`max by (connector) ${dbz(D.millisBehindSource, 'streaming')}`, 'behind source {{connector}}'),
        q(`max by (connector) ${dbz(D.millisSinceLastEvent, 'streaming')}`, 'since last event {{connector}}'),
      ],
      unit: 'ms',
      thresholds: [[alertDefaults.cdcStreamingLagMs, 'red']],
    },
    {
      kind: 'timeseries',
      title: 'WAL queue remaining / capacity',
      description: 'QueueRemainingCapacity near 0: the task cannot keep up with the replication stream.',
      queries: [
        q(`min by (connector) ${dbz(D.queueRemaining, 'streaming')}`, 'remaining {{connector}}'),
        q(`max by (connector) ${dbz(D.queueTotal, 'streaming')}`, 'capacity {{connector}}'),
      ],
      min: 0,
    },
    {
      kind: 'timeseries',
      title: 'Slot: retained and unconfirmed WAL',
      description:
        'Retained: WAL the server keeps for the slot (since restart_lsn). Unconfirmed: WAL past confirmed_flush_lsn, i.e. not yet committed to Kafka by the connector.',
      queries: [
        q(`max by (connector, slot) (${D.slotRetainedWal.name}{${slot}})`, 'retained {{slot}}'),
        q(`max by (connector, slot) (${D.slotConfirmedLagBytes.name}{${slot}})`, 'unconfirmed {{slot}}'),
      ],
      unit: 'bytes',
      min: 0,
    },
    {
      kind: 'timeseries',
      title: 'Slot: confirmed-flush lag',
      description:
        "Seconds since the slot's poller first saw WAL beyond the confirmed position (0 = all confirmed); grows when the WAL moves and the slot does not follow.",
      queries: [q(`max by (connector, slot) (${D.slotConfirmedLagSeconds.name}{${slot}})`, '{{slot}}')],
      unit: 's',
      min: 0,
    },
    {
      kind: 'timeseries',
      title: 'Snapshot rows scanned',
      description: 'Debezium RowsScanned per table of the current task’s snapshot.',
      queries: [q(`max by (connector, table) ${dbz(D.rowsScanned, 'snapshot')}`, '{{table}}')],
      min: 0,
    },
  ]
  return { title, panels }
}
