// The seed's connector (shared/seed/connect/jdbc-postgres-source.json), built here so the project does not depend
// on the seed's files at run time: the same name and settings, with the host rewritten to the local Postgres.
export const SEED_CONNECTOR_NAME = 'jdbc-postgres-source'
export const SEED_TOPIC = 'postgres-jdbc-users'

export interface PostgresTarget {
  host: string
  port: number
  database: string
  user: string
  password: string
}

export function seedConnectorConfig(pg: PostgresTarget): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}`,
    'connection.user': pg.user,
    'connection.password': pg.password,
    'topic.prefix': 'postgres-jdbc-',
    mode: 'bulk',
    'poll.interval.ms': '100',
  }
}

export function postgresTarget(url: string): PostgresTarget {
  const u = new URL(url)
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    user: decodeURIComponent(u.username) || 'postgres',
    password: decodeURIComponent(u.password),
  }
}
