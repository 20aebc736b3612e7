// Helpers for the CDC fault tests: a connector config for any Postgres, Kafka records read with kcat from any
// broker (key, value and the source fields a test checks), the committed offsets in a worker's offsets topic, and
// the state of a replication slot.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { testStack } from '../../support/stack.ts'
import { eventually } from '../worker/helpers.ts'

const run = promisify(execFile)

export interface CdcRecord {
  key: Record<string, unknown> | null
  /** The envelope's payload; null for a tombstone. */
  value: { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null } | null
  source: { lsn?: number; snapshot?: string; table?: string } | null
}

/** The connector config for table `public.<table>` of the database at `postgresUrl`. */
export function cdcConfig(
  postgresUrl: string,
  prefix: string,
  table: string,
  slot: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const url = new URL(postgresUrl)
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': url.hostname,
    'database.port': url.port,
    'database.user': decodeURIComponent(url.username) || 'postgres',
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1) || 'postgres',
    'topic.prefix': prefix,
    'table.include.list': `public.${table}`,
    'slot.name': slot,
    'publication.name': `${slot}_pub`,
    'publication.autocreate.mode': 'filtered',
    'status.update.interval.ms': '200',
    'poll.interval.ms': '100',
    'tasks.max': '1',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    ...extra,
  }
}

/** Every message of `topic` as kcat's JSON lines ([] when the topic does not exist). */
async function kcatJson(
  topic: string,
  bootstrap: string,
): Promise<{ key: string | null; payload: string | null; offset: number }[]> {
  try {
    const { stdout } = await run('kcat', ['-b', bootstrap, '-t', topic, '-C', '-o', 'beginning', '-e', '-q', '-J'], {
      timeout: 60_000,
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
    })
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line))
  } catch (error) {
    if (/Unknown topic|not available|UNKNOWN_TOPIC/i.test(String((error as { stderr?: string }).stderr ?? error)))
      return []
    throw error
  }
}

/** Every record of a change topic, in order (JsonConverter with schemas: the payloads). */
export async function readChanges(topic: string, bootstrap = testStack().bootstrapServers): Promise<CdcRecord[]> {
  return (await kcatJson(topic, bootstrap)).map((m) => {
    const value = m.payload ? JSON.parse(m.payload).payload : null
    return {
      key: m.key === null ? null : (JSON.parse(m.key).payload ?? null),
      value,
      source: value?.source ?? null,
    }
  })
}

/** The id of a change record's row (after, else before); undefined for a tombstone. */
export const rowId = (r: CdcRecord): number | undefined =>
  (r.value?.after?.id ?? r.value?.before?.id) as number | undefined

/** Waits until the ids of the topic's change records include every id of `expected`; returns all records. */
export async function waitForRowIds(
  topic: string,
  expected: Iterable<number>,
  timeoutMs = 60_000,
  bootstrap = testStack().bootstrapServers,
): Promise<CdcRecord[]> {
  const wanted = [...expected]
  let missing: number[] = wanted
  return eventually(
    async () => {
      const records = await readChanges(topic, bootstrap)
      const seen = new Set(records.map(rowId))
      missing = wanted.filter((id) => !seen.has(id))
      return missing.length === 0 ? records : undefined
    },
    () => `topic ${topic}: ${missing.length} of ${wanted.length} row ids missing (e.g. ${missing.slice(0, 5)})`,
    timeoutMs,
  )
}

/** The last offset stored for `connector` in a worker's offsets topic (null when none was ever committed). */
export async function storedOffset(
  offsetsTopic: string,
  connector: string,
  bootstrap = testStack().bootstrapServers,
): Promise<Record<string, unknown> | null> {
  let last: Record<string, unknown> | null = null
  for (const m of await kcatJson(offsetsTopic, bootstrap)) {
    if (m.key === null) continue
    const [name] = JSON.parse(m.key) as [string, unknown]
    if (name === connector) last = m.payload ? (JSON.parse(m.payload) as Record<string, unknown>) : null
  }
  return last
}

/** SQL on the database at `url` with a short-lived client. */
export async function sqlOn(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text, values)
  } finally {
    await client.end()
  }
}

/** Waits until `slot` exists on the database at `url` and has (or, with active=false, has no) reader. */
export async function waitForSlot(url: string, slot: string, active = true, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const r = await sqlOn(url, 'SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])
      const row = r.rows[0] as { active: boolean } | undefined
      return row && row.active === active ? true : undefined
    },
    () => `slot ${slot} never became ${active ? 'active' : 'inactive'}`,
    timeoutMs,
  )
}

export function assertNoDuplicates(ids: (number | undefined)[], message: string): void {
  const seen = new Set<number | undefined>()
  const twice = ids.filter((id) => seen.has(id) || !seen.add(id))
  assert.deepEqual(twice, [], message)
}
