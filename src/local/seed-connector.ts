// The connectors `flowscope up` registers on the seed's `users` table, built here so the project does not depend on
// the seed's files at run time:
// - the seed's JDBC connector (shared/seed/connect/jdbc-postgres-source.json): the same name and settings, with the
//   host rewritten to the local Postgres; it polls the table into `postgres-jdbc-users`;
// - a CDC connector on the same table, written as a Debezium user writes it, streaming its changes from the WAL into
//   `postgres-cdc.public.users` with Debezium's envelope.
export const SEED_CONNECTOR_NAME = 'jdbc-postgres-source'
export const SEED_TOPIC = 'postgres-jdbc-users'

export const CDC_CONNECTOR_NAME = 'postgres-cdc-users'
export const CDC_TOPIC_PREFIX = 'postgres-cdc'
/** Debezium's topic naming: <topic.prefix>.<schema>.<table>. */
export const CDC_TOPIC = `${CDC_TOPIC_PREFIX}.public.users`
/**
 * Slot and publication of the local CDC connector: named for flowscope's stack, so they clash neither with
 * Debezium's defaults (`debezium`, `dbz_publication`) nor with a connector a user registers beside it.
 */
export const CDC_SLOT = 'flowscope_local_users'
export const CDC_PUBLICATION = 'flowscope_local_users'

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

/**
 * The CDC connector's config as a Debezium user writes it: Debezium's class name (flowscope's connector answers to
 * it, so this exact JSON also runs on a Debezium worker), its keys and values. The slot survives stops and restarts
 * (`slot.drop.on.stop` false, Debezium's default) so no change made while the stack is down is lost;
 * `filtered` publishes only `users` (`all_tables`, Debezium's default, would make PostgreSQL refuse UPDATE/DELETE
 * on any table without a replica identity).
 */
export function cdcConnectorConfig(pg: PostgresTarget): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.password': pg.password,
    'database.dbname': pg.database,
    'topic.prefix': CDC_TOPIC_PREFIX,
    'plugin.name': 'pgoutput',
    'slot.name': CDC_SLOT,
    'slot.drop.on.stop': 'false',
    'publication.name': CDC_PUBLICATION,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': 'public.users',
    'snapshot.mode': 'initial',
    'tasks.max': '1',
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
