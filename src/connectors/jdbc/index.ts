// The JDBC-style PostgreSQL source as a worker plugin: names (Confluent's class names as aliases), config
// definition, database-backed validation, and factories for the connector and its tasks.
import type { SourceConnectorPlugin } from '../../connectors/plugin.ts'
import { FLOWSCOPE_VERSION } from '../../version.ts'
import { jdbcSourceConfigDef } from './config.ts'
import { JdbcSourceConnector, jdbcExactlyOnceSupport } from './source-connector.ts'
import { JdbcSourceTask } from './source-task.ts'
import { validateJdbcSource } from './validate.ts'

export const jdbcSourcePlugin: SourceConnectorPlugin = {
  className: 'io.flowscope.connect.jdbc.JdbcSourceConnector',
  aliases: ['io.confluent.connect.jdbc.JdbcSourceConnector', 'JdbcSourceConnector', 'JdbcSource'],
  type: 'source',
  version: FLOWSCOPE_VERSION,
  configDef: jdbcSourceConfigDef,
  validate: (config) => validateJdbcSource(config),
  exactlyOnceSupport: jdbcExactlyOnceSupport,
  createConnector: () => new JdbcSourceConnector(),
  createTask: () => new JdbcSourceTask(),
}

export { JdbcSourceConnector } from './source-connector.ts'
export { JdbcSourceTask } from './source-task.ts'
