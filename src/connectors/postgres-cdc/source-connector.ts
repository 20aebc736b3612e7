// The connector: one task (a replication slot has one reader), whose config is the connector's.
import type { RawConfig } from '../../config/config-def.ts'
import type { ConnectorContext, SourceConnector } from '../../connectors/plugin.ts'
import { requirePostgresCdcConfig } from './config.ts'

export class PostgresCdcSourceConnector implements SourceConnector {
  #raw: RawConfig = {}

  async start(raw: RawConfig, _context: ConnectorContext): Promise<void> {
    requirePostgresCdcConfig(raw)
    this.#raw = { ...raw }
  }

  async taskConfigs(_maxTasks: number): Promise<RawConfig[]> {
    return [{ ...this.#raw }]
  }

  async stop(): Promise<void> {}
}
