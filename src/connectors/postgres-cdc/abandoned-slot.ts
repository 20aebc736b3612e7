// A deleted connector's replication slot. Like Debezium, flowscope does not drop it (only slot.drop.on.stop does):
// Connect keeps a deleted connector's offsets, and one re-created under the same name resumes from them and the
// slot. But nobody reads the slot any more while it retains WAL, and with the connector its flowscope_replication_slot_*
// series would vanish — the silent WAL growth that fills a database's disk. So the worker that ran the connector
// says so (a WARN naming the slot and how to drop it) and keeps reporting the slot under the deleted connector's
// name, which ReplicationSlotInactive and ReplicationSlotWalRetentionHigh alert on, until the slot is dropped or a
// connector reads it again.
import type pg from 'pg'
import * as prom from 'prom-client'
import type { RawConfig } from '../../config/config-def.ts'
import type { DeletedConnectorContext } from '../plugin.ts'
import { parsePostgresCdcConfig } from './config.ts'
import { type ConnectionSettings, closeQuietly, connect } from './connections.ts'
import { CdcMetrics, cdcMetricsOn, type SlotSample } from './metrics.ts'
import { readSlot, SLOT_POLL_INTERVAL_MS } from './slot-monitor.ts'

/** One read of the slot on a connection of its own (none is kept open between reads of an abandoned slot). */
async function readOnce(config: ConnectionSettings, slot: string): Promise<SlotSample | null> {
  let client: pg.Client | null = null
  try {
    client = await connect(config)
    return await readSlot(client, slot)
  } finally {
    await closeQuietly(client)
  }
}

export async function watchAbandonedSlot(raw: RawConfig, context: DeletedConnectorContext): Promise<void> {
  const { config } = parsePostgresCdcConfig(raw)
  if (!config || config.slotDropOnStop) return // its task dropped the slot when it stopped
  const first = await readOnce(config, config.slotName)
  if (first === null) return
  context.log.warn(
    { slot: config.slotName, retainedWalBytes: first.retainedBytes, active: first.active },
    `connector deleted; its replication slot ${config.slotName} stays and retains WAL until a connector reads it ` +
      `again or it is dropped: SELECT pg_drop_replication_slot('${config.slotName}')`,
  )
  const cdc = context.metrics ? cdcMetricsOn(context.metrics) : new CdcMetrics(new prom.Registry())
  const metrics = cdc.connectorStarted(context.connectorName, config.topicPrefix, config.slotName)
  metrics.polled(first)
  const poll = async () => {
    // A connector of that name started again: its own watch reports the slot.
    if (!cdc.isWatching(context.connectorName, metrics)) return
    let sample: SlotSample | null
    try {
      sample = await readOnce(config, config.slotName)
    } catch {
      metrics.polled(null) // unreachable: no figures rather than stale ones; try again later
      schedule()
      return
    }
    if (sample === null || sample.active) {
      // Dropped, or read again (a connector of another name took it over): nothing abandoned to report.
      cdc.connectorStopped(context.connectorName, metrics)
      context.log.info(
        { slot: config.slotName, dropped: sample === null },
        'the deleted connector’s slot is in use or gone',
      )
      return
    }
    metrics.polled(sample)
    schedule()
  }
  const schedule = () => setTimeout(() => void poll(), SLOT_POLL_INTERVAL_MS).unref()
  schedule()
}
