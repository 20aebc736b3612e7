// A deleted connector's replication slot. Like Debezium, flowscope does not drop it (only slot.drop.on.stop does):
// Connect keeps a deleted connector's offsets, and one re-created under the same name resumes from them and the
// slot. But nobody reads the slot any more while it retains WAL, and with the connector its flowscope_replication_slot_*
// series would vanish — the silent WAL growth that fills a database's disk. So the worker that handles the deletion
// says so (a WARN naming the slot and how to drop it) and keeps reporting the slot under the deleted connector's
// name, which ReplicationSlotInactive and ReplicationSlotWalRetentionHigh alert on, until the slot is dropped or a
// connector reads it again.
import type pg from 'pg'
import * as prom from 'prom-client'
import type { RawConfig } from '../../config/config-def.ts'
import { messageOf } from '../../errors.ts'
import type { DeletedConnectorContext } from '../plugin.ts'
import { parsePostgresCdcConfig } from './config.ts'
import { type ConnectionSettings, closeQuietly, connect } from './connections.ts'
import { CdcMetrics, cdcMetricsOn, type SlotSample } from './metrics.ts'
import { readSlot, SLOT_POLL_INTERVAL_MS } from './slot-monitor.ts'

/** Polls that find the slot active before it was seen inactive, after which another reader has it (not exiting). */
const ACTIVE_POLLS_TAKEN_OVER = 3

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

/**
 * Watches the deleted connector's slot in the background: the deletion does not wait for the database (which may be
 * the very thing that is down), and an unreachable database is tried again at the next poll.
 */
export async function watchAbandonedSlot(raw: RawConfig, context: DeletedConnectorContext): Promise<void> {
  const { config } = parsePostgresCdcConfig(raw)
  if (!config || config.slotDropOnStop) return // its task dropped the slot when it stopped
  const cdc = context.metrics ? cdcMetricsOn(context.metrics) : new CdcMetrics(new prom.Registry())
  const metrics = cdc.connectorStarted(context.connectorName, config.topicPrefix, config.slotName)
  let warned = false
  let failing = false
  let activePolls = 0
  const poll = async () => {
    // A connector of that name started again: its own watch reports the slot.
    if (!cdc.isWatching(context.connectorName, metrics)) return
    let sample: SlotSample | null
    try {
      sample = await readOnce(config, config.slotName)
      failing = false
    } catch (error) {
      metrics.polled(null) // no figures rather than stale ones; tried again at the next poll
      if (!failing)
        context.log.warn({ err: messageOf(error) }, 'reading the deleted connector’s replication slot failed')
      failing = true
      schedule()
      return
    }
    // Right after the deletion the stopped task's walsender may still be exiting: active counts once seen inactive,
    // or when it lasts (another connector reads the slot).
    if (sample?.active) activePolls++
    if (sample === null || (sample.active && (warned || activePolls >= ACTIVE_POLLS_TAKEN_OVER))) {
      // Dropped, or read again (a connector of another name took it over): nothing abandoned to report.
      cdc.connectorStopped(context.connectorName, metrics)
      if (warned)
        context.log.info(
          { slot: config.slotName, dropped: sample === null },
          'the deleted connector’s slot is in use or gone',
        )
      return
    }
    if (!warned && !sample.active) {
      warned = true
      context.log.warn(
        { slot: config.slotName, retainedWalBytes: sample.retainedBytes },
        `connector deleted; its replication slot ${config.slotName} stays and retains WAL until a connector reads it ` +
          `again or it is dropped: SELECT pg_drop_replication_slot('${config.slotName}')`,
      )
    }
    metrics.polled(sample)
    schedule()
  }
  const schedule = () => setTimeout(() => void poll(), SLOT_POLL_INTERVAL_MS).unref()
  void poll()
}
