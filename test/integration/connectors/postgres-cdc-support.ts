// Helpers for the CDC integration tests: a connector config for any Postgres, Kafka records read with kcat from any
// broker (as JsonConverter wrote them, or the change fields a test checks), the committed offsets (in a worker's
// offsets topic, or through the REST API, committed on demand by pausing), and the state of a replication slot.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { testStack } from '../../support/stack.ts'
import { eventually, path, type TestWorker, waitForState } from '../worker/helpers.ts'

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

/**
 * Every record of `topic` with key and value as JsonConverter wrote them (`{schema, payload}`; a tombstone's value
 * is null), and the value's text (JSON.parse rounds int64 values beyond 2^53).
 */
export async function readJsonRecords<K = unknown, V = unknown>(
  topic: string,
  bootstrap = testStack().bootstrapServers,
): Promise<{ key: K | null; value: V | null; valueText: string | null }[]> {
  return (await kcatJson(topic, bootstrap)).map((m) => ({
    key: m.key === null ? null : (JSON.parse(m.key) as K),
    value: m.payload === null || m.payload === '' ? null : (JSON.parse(m.payload) as V),
    valueText: m.payload,
  }))
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

export type Offsets = { partition: Record<string, unknown>; offset: Record<string, unknown> }[]

/** The connector's committed offsets, through the REST API. */
export async function offsetsOf(worker: TestWorker, name: string): Promise<Offsets> {
  const response = await worker.request('GET', path(name, '/offsets'))
  assert.equal(response.status, 200, response.text)
  return (response.body as { offsets: Offsets }).offsets
}

/**
 * Pauses the connector, which commits its offsets, until the committed offset satisfies `wanted`: a record Kafka
 * has may still await its acknowledgement in the worker when the pause commits, so resume and pause again.
 */
export async function commitByPausing(
  running: TestWorker,
  name: string,
  wanted: (offset: Record<string, unknown>) => boolean,
): Promise<Offsets[number]> {
  let last: Offsets = []
  return eventually(
    async () => {
      assert.equal((await running.request('PUT', path(name, '/pause'))).status, 202)
      for (let i = 0; i < 10; i++) {
        last = await offsetsOf(running, name)
        if (last.length === 1 && wanted(last[0].offset)) return last[0]
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      assert.equal((await running.request('PUT', path(name, '/resume'))).status, 202)
      await waitForState(running.request, name, 'RUNNING')
      return undefined
    },
    () => `the committed offset never got there: ${JSON.stringify(last)}`,
  )
}
