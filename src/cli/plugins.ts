// The connector plugins a flowscope worker ships with.
import { jdbcSourcePlugin } from '../connectors/jdbc/index.ts'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import { postgresCdcPlugin } from '../connectors/postgres-cdc/index.ts'

export const builtinPlugins: SourceConnectorPlugin[] = [jdbcSourcePlugin, postgresCdcPlugin]
