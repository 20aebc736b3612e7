// The connector: one task (a replication slot has one reader), whose config is the connector's. It also watches
// the slot (flowscope_replication_slot_*) for as long as it runs, whatever state its task is in.
import * as prom from 'prom-client'
import type { RawConfig } from '../../config/config-def.ts'
import type { ConnectorContext, SourceConnector } from '../../connectors/plugin.ts'
import { requirePostgresCdcConfig } from './config.ts'
import { CdcMetrics, cdcMetricsOn } from './metrics.ts'
import { SlotMonitor } from './slot-monitor.ts'

export class PostgresCdcSourceConnector implements SourceConnector {
  #raw: RawConfig = {}
  #stopSlotWatch: (() => Promise<void>) | null = null

  async start(raw: RawConfig, context: ConnectorContext): Promise<void> {
    const config = requirePostgresCdcConfig(raw)
    this.#raw = { ...raw }
    const cdc = context.metrics ? cdcMetricsOn(context.metrics) : new CdcMetrics(new prom.Registry())
    const metrics = cdc.connectorStarted(context.connectorName, config.topicPrefix, config.slotName)
    const monitor = new SlotMonitor(config, metrics, context.log)
    monitor.start()
    this.#stopSlotWatch = async () => {
      await monitor.stop()
      cdc.connectorStopped(context.connectorName, metrics)
    }
  }

  async taskConfigs(_maxTasks: number): Promise<RawConfig[]> {
    return [{ ...this.#raw }]
  }

  async stop(): Promise<void> {
    await this.#stopSlotWatch?.()
    this.#stopSlotWatch = null
  }
}
