// The JDBC source's config in, the shared Postgres connection settings out: connection.url parsed, with
// connection.user / connection.password winning over values embedded in the URL (as pgjdbc's properties do).
import type { PgConnectionSettings } from '../../postgres/connection.ts'
import type { JdbcSourceConfig } from './config.ts'
import { parseJdbcUrl } from './jdbc-url.ts'

export function settingsFor(config: JdbcSourceConfig): PgConnectionSettings {
  const { ignoredParams: _ignored, ...settings } = parseJdbcUrl(config.connectionUrl)
  if (config.connectionUser !== null && config.connectionUser !== '') settings.user = config.connectionUser
  if (config.connectionPassword !== null) settings.password = config.connectionPassword
  return settings
}
