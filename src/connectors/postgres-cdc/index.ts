// PostgreSQL change data capture by logical replication (pgoutput), a drop-in for Debezium's Postgres connector:
// names (Debezium's class name as an alias), config definition, database-backed validation, connector and task.
import type { SourceConnectorPlugin } from '../../connectors/plugin.ts'
import { FLOWSCOPE_VERSION } from '../../version.ts'
import { watchAbandonedSlot } from './abandoned-slot.ts'
import { postgresCdcConfigDef } from './config.ts'
import { PostgresCdcSourceConnector } from './source-connector.ts'
import { PostgresCdcSourceTask } from './source-task.ts'
import { validatePostgresCdc } from './validate.ts'

export const postgresCdcPlugin: SourceConnectorPlugin = {
  className: 'io.flowscope.connect.postgres.PostgresCdcConnector',
  aliases: ['io.debezium.connector.postgresql.PostgresConnector'],
  type: 'source',
  version: FLOWSCOPE_VERSION,
  configDef: postgresCdcConfigDef,
  validate: (config) => validatePostgresCdc(config),
  // As Debezium's PostgresConnector: streaming resumes from the LSN committed with the last transaction. A crash
  // during the initial snapshot starts it over, repeating its committed rows (Debezium's snapshot does the same).
  exactlyOnceSupport: () => 'SUPPORTED',
  createConnector: () => new PostgresCdcSourceConnector(),
  createTask: () => new PostgresCdcSourceTask(),
  connectorDeleted: (config, context) => watchAbandonedSlot(config, context),
}

export { PostgresCdcSourceConnector } from './source-connector.ts'
export { PostgresCdcSourceTask } from './source-task.ts'
