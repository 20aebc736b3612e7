// The connector plugins a flowscope worker ships with.
import { jdbcSourcePlugin } from '../connectors/jdbc/index.ts'
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'

export const builtinPlugins: SourceConnectorPlugin[] = [jdbcSourcePlugin]
