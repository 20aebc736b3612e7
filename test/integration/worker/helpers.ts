// Shared helpers for the worker integration tests: a real worker on the test stack's Kafka, SQL on the test
// Postgres, JDBC connector configs, REST calls, topic reads with kcat, and bounded waits.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { after, before } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'
import { builtinPlugins } from '../../../src/cli/plugins.ts'
import { V8_FLAGS } from '../../../src/cli/v8-flags.ts'
import { loadWorkerConfig } from '../../../src/config/worker-config.ts'
import { freePort } from '../../../src/local/ports.ts'
import { type RunningWorker, startWorker } from '../../../src/runtime/worker-process.ts'
import { isolatedWorkerProperties, workerSettingsFrom } from '../../../src/runtime/worker-settings.ts'
import { httpRequester, type RestRequest, type RestResponse } from '../../support/rest-contract.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const run = promisify(execFile)

export const JDBC_CLASS = 'io.confluent.connect.jdbc.JdbcSourceConnector'

/** What a worker of one test file is started with, so a restart uses the very same settings. */
export interface WorkerIdentity {
  groupId: string
  port: number
  overrides: Record<string, string>
}

export async function workerIdentity(prefix: string, overrides: Record<string, string> = {}): Promise<WorkerIdentity> {
  return { groupId: uniqueName(prefix), port: await freePort(), overrides }
}

export interface TestWorker {
  worker: RunningWorker
  url: string
  request: RestRequest
}

export async function startTestWorker(identity: WorkerIdentity): Promise<TestWorker> {
  const { groupId, port } = identity
  const config = loadWorkerConfig({
    env: {},
    overrides: {
      ...isolatedWorkerProperties(groupId, testStack().bootstrapServers, port),
      'offset.storage.partitions': '3',
      'status.storage.partitions': '1',
      'offset.flush.interval.ms': '500',
      ...identity.overrides,
    },
  })
  const worker = await startWorker(workerSettingsFrom(config, builtinPlugins))
  const url = `http://127.0.0.1:${port}`
  return { worker, url, request: httpRequester(url) }
}

/**
 * `flowscope worker` in a process of its own, configured through CONNECT_* variables as a container would be, with
 * the internal topics a startTestWorker of the same group.id uses; resolves once it reports itself healthy (joined its
 * group, first assignment started). WORKER_LOG=INFO shows its logs.
 */
export async function startWorkerProcess(
  groupId: string,
  port: number,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname
  const worker = spawn(process.execPath, [...V8_FLAGS, main, 'worker'], {
    env: {
      ...process.env,
      CONNECT_BOOTSTRAP_SERVERS: testStack().bootstrapServers,
      CONNECT_GROUP_ID: groupId,
      CONNECT_CONFIG_STORAGE_TOPIC: `${groupId}-configs`,
      CONNECT_OFFSET_STORAGE_TOPIC: `${groupId}-offsets`,
      CONNECT_STATUS_STORAGE_TOPIC: `${groupId}-status`,
      CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_PARTITIONS: '3',
      CONNECT_STATUS_STORAGE_PARTITIONS: '1',
      CONNECT_OFFSET_FLUSH_INTERVAL_MS: '300',
      CONNECT_LISTENERS: `http://127.0.0.1:${port}`,
      FLOWSCOPE_LOG_LEVEL: process.env.WORKER_LOG ?? 'WARN',
      ...env,
    },
    stdio: ['ignore', process.env.WORKER_LOG ? 'inherit' : 'ignore', 'inherit'],
  })
  const request = httpRequester(`http://127.0.0.1:${port}`)
  await eventually(
    async () => {
      if (worker.exitCode !== null) assert.fail(`the worker process exited with ${worker.exitCode}`)
      return (await request('GET', '/health').catch(() => undefined))?.status === 200 ? true : undefined
    },
    () => 'the worker process never reported itself healthy',
    60_000,
  )
  return worker
}

/** SIGKILL: no flush, no commit, no leaving the group. */
export function killHard(worker: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (worker.exitCode !== null || worker.signalCode !== null) return resolve()
    worker.once('exit', () => resolve())
    worker.kill('SIGKILL')
  })
}

/** One worker for every test of a file: started before them; after them stopped, and the tables they made dropped. */
export interface FileWorker {
  /** The running worker (only inside tests and hooks). */
  readonly running: TestWorker
  /** Tables a test created: pushed here, dropped after the file's tests. */
  readonly tables: string[]
}

export function workerForFile(prefix: string): FileWorker {
  let running: TestWorker | undefined
  const tables: string[] = []
  before(async () => {
    running = await startTestWorker(await workerIdentity(prefix))
  })
  after(async () => {
    await running?.worker.stop()
    for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`)
  })
  return {
    tables,
    get running(): TestWorker {
      if (!running) throw new Error(`the ${prefix} test worker is not running (used outside a test?)`)
      return running
    },
  }
}

/** Runs SQL on the test database with a short-lived client. */
export async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: testStack().postgresUrl })
  await client.connect()
  try {
    return await client.query(text, values)
  } finally {
    await client.end()
  }
}

/** A fresh table `(id serial primary key, v text)` in schema public; returns its name. */
export async function createTable(prefix: string): Promise<string> {
  const name = uniqueName(prefix)
  await sql(`CREATE TABLE ${name} (id serial PRIMARY KEY, v text NOT NULL)`)
  return name
}

export async function insertRows(table: string, count: number): Promise<number[]> {
  const result = await sql(`INSERT INTO ${table} (v) SELECT 'row-' || g FROM generate_series(1, $1) g RETURNING id`, [
    count,
  ])
  return result.rows.map((row: { id: number }) => row.id)
}

/** The JDBC source connector config for one table of the test database. */
export function jdbcConfig(table: string, extra: Record<string, string> = {}): Record<string, string> {
  const url = new URL(testStack().postgresUrl)
  return {
    'connector.class': JDBC_CLASS,
    'connection.url': `jdbc:postgresql://127.0.0.1:${url.port}/${url.pathname.slice(1) || 'postgres'}`,
    'connection.user': decodeURIComponent(url.username) || 'postgres',
    'connection.password': decodeURIComponent(url.password),
    mode: 'incrementing',
    'incrementing.column.name': 'id',
    'table.whitelist': table,
    'topic.prefix': `${table}-`,
    'poll.interval.ms': '100',
    'tasks.max': '1',
    ...extra,
  }
}

export const path = (name: string, rest = '') => `/connectors/${encodeURIComponent(name)}${rest}`

export async function createConnector(
  request: RestRequest,
  name: string,
  config: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<RestResponse> {
  const response = await request('POST', '/connectors', { name, config, ...extra })
  assert.equal(response.status, 201, response.text)
  return response
}

export interface StatusBody {
  name: string
  connector: { state: string; worker_id: string; trace?: string }
  tasks: { id: number; state: string; worker_id: string; trace?: string }[]
  type: string
}

export async function statusOf(request: RestRequest, name: string): Promise<StatusBody> {
  const response = await request('GET', path(name, '/status'))
  assert.equal(response.status, 200, response.text)
  return response.body as StatusBody
}

/** Polls `check` until it returns a value other than undefined, failing with `describe()` after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  describe: () => Promise<string> | string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() >= deadline) assert.fail(`timed out after ${timeoutMs} ms: ${await describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits until the connector is in `state` and every task (at least one, unless STOPPED) is in `taskState`. */
export async function waitForState(
  request: RestRequest,
  name: string,
  state: string,
  taskState: string = state,
  timeoutMs = 20_000,
): Promise<StatusBody> {
  let last: StatusBody | undefined
  return eventually(
    async () => {
      // No status record yet: 404, as Connect answers too (in a group, until the rebalance after the create has
      // started the connector). Waited out like any other state on the way.
      const response = await request('GET', path(name, '/status'))
      if (response.status === 404) return undefined
      assert.equal(response.status, 200, response.text)
      last = response.body as StatusBody
      const tasksOk =
        state === 'STOPPED'
          ? last.tasks.length === 0
          : last.tasks.length > 0 && last.tasks.every((t) => t.state === taskState)
      return last.connector.state === state && tasksOk ? last : undefined
    },
    () => `connector ${name} expected ${state}/${taskState}, last status ${JSON.stringify(last)}`,
    timeoutMs,
  )
}

/** Every record value currently in `topic` (JSON, from the beginning), read with kcat; [] if the topic is absent. */
export async function readTopic(topic: string): Promise<unknown[]> {
  try {
    const { stdout } = await run(
      'kcat',
      ['-b', testStack().bootstrapServers, '-t', topic, '-C', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
      // kcat exits 0 on SIGTERM, which would pass a timed-out, truncated read off as complete: kill it hard.
      { timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
    )
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as unknown
        } catch (error) {
          throw new Error(`topic ${topic}: not a JSON record: ${JSON.stringify(line)} (${stdout.length} bytes read)`, {
            cause: error,
          })
        }
      })
  } catch (error) {
    if (/Unknown topic|not available|UNKNOWN_TOPIC/i.test(String((error as { stderr?: string }).stderr ?? error))) {
      return []
    }
    throw error
  }
}

/** The `id` field of every record of a topic written by the JDBC source (JsonConverter envelope or plain). */
export async function idsInTopic(topic: string): Promise<number[]> {
  return (await readTopic(topic)).map((value) => {
    const record = value as { payload?: { id: number }; id?: number }
    const id = record.payload ? record.payload.id : record.id
    assert.equal(typeof id, 'number', `record without a numeric id: ${JSON.stringify(value)}`)
    return id as number
  })
}

/** Waits until the topic holds every id in `expected`; returns all ids read (duplicates included). */
export async function waitForIds(topic: string, expected: number[], timeoutMs = 30_000): Promise<number[]> {
  let ids: number[] = []
  return eventually(
    async () => {
      ids = await idsInTopic(topic)
      const seen = new Set(ids)
      return expected.every((id) => seen.has(id)) ? ids : undefined
    },
    () => {
      const seen = new Set(ids)
      const missing = expected.filter((id) => !seen.has(id))
      return `topic ${topic}: ${missing.length} of ${expected.length} ids missing (e.g. ${missing.slice(0, 5)})`
    },
    timeoutMs,
  )
}

export function duplicates(ids: number[]): number[] {
  const seen = new Set<number>()
  const out: number[] = []
  for (const id of ids) {
    if (seen.has(id)) out.push(id)
    seen.add(id)
  }
  return out
}
