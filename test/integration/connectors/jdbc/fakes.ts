// Hand-written in-memory stand-ins for what the runtime gives a JDBC source: an offset reader fed with committed
// offsets, a pipeline reporter that records facts, contexts, and helpers to start a task against real Postgres.
import pg from 'pg'
import type { RawConfig } from '../../../../src/config/config-def.ts'
import { JdbcSourceTask } from '../../../../src/connectors/jdbc/source-task.ts'
import type {
  ConnectorContext,
  OffsetReader,
  PipelineReporter,
  SourceTaskContext,
} from '../../../../src/connectors/plugin.ts'
import { getLogger } from '../../../../src/logging.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../../../../src/record/source-record.ts'
import { testStack } from '../../../support/stack.ts'

export class MemoryOffsets implements OffsetReader {
  readonly #offsets = new Map<string, SourceOffset>()

  commit(partition: SourcePartition, offset: SourceOffset): void {
    this.#offsets.set(JSON.stringify(partition), offset)
  }

  commitRecords(records: SourceRecord[]): void {
    for (const r of records) this.commit(r.sourcePartition, r.sourceOffset)
  }

  async offsets(partitions: SourcePartition[]): Promise<(SourceOffset | null)[]> {
    return partitions.map((p) => this.#offsets.get(JSON.stringify(p)) ?? null)
  }
}

export class RecordingPipeline implements PipelineReporter {
  readonly reads: { table: string; rows: number; newestChangeMs?: number }[] = []
  readonly pending: { table: string; rows: number }[] = []
  readonly errors: { table: string; error: unknown }[] = []

  rowsRead(table: string, rows: number, newestChangeMs?: number): void {
    this.reads.push({ table, rows, newestChangeMs })
  }

  pendingRows(table: string, rows: number): void {
    this.pending.push({ table, rows })
  }

  pollError(table: string, error: unknown): void {
    this.errors.push({ table, error })
  }
}

const log = getLogger('flowscope.test.jdbc')

export function taskContext(offsets: OffsetReader = new MemoryOffsets(), pipeline = new RecordingPipeline()) {
  const context: SourceTaskContext = { connectorName: 'jdbc-test', taskId: 0, offsetReader: offsets, log, pipeline }
  return { context, pipeline }
}

export function connectorContext(offsets: OffsetReader = new MemoryOffsets()) {
  const state = { reconfigurations: 0, errors: [] as Error[] }
  const context: ConnectorContext = {
    connectorName: 'jdbc-test',
    offsetReader: offsets,
    log,
    requestTaskReconfiguration: () => {
      state.reconfigurations++
    },
    raiseError: (error) => {
      state.errors.push(error)
    },
  }
  return { context, state }
}

export function postgresUrl(): string {
  return testStack().postgresUrl
}

/** Runs SQL on the test database with a short-lived client. */
export async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresUrl() })
  await client.connect()
  try {
    return await client.query(text, values)
  } finally {
    await client.end()
  }
}

export function baseConfig(extra: RawConfig): RawConfig {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
    'connection.url': postgresUrl(),
    'topic.prefix': 'test-',
    'poll.interval.ms': '10',
    ...extra,
  }
}

/** Starts a task reading `tables` (unqualified names in schema public). */
export async function startTask(
  config: RawConfig,
  tables: string[],
  offsets = new MemoryOffsets(),
): Promise<{ task: JdbcSourceTask; pipeline: RecordingPipeline; offsets: MemoryOffsets }> {
  const db = (await sql('SELECT current_database() AS db')).rows[0].db as string
  const task = new JdbcSourceTask()
  const { context, pipeline } = taskContext(offsets)
  const raw = { ...config, tables: JSON.stringify(tables.map((t) => [db, 'public', t])) }
  await task.start(raw, context)
  return { task, pipeline, offsets }
}

/** Polls until `count` records arrived or `polls` polls returned nothing new. */
export async function pollRecords(task: JdbcSourceTask, count: number, maxEmptyPolls = 5): Promise<SourceRecord[]> {
  const out: SourceRecord[] = []
  let empty = 0
  const signal = new AbortController().signal
  while (out.length < count && empty < maxEmptyPolls) {
    const batch = await task.poll(signal)
    if (batch.length === 0) empty++
    out.push(...batch)
  }
  return out
}

/** Polls a few rounds and returns whatever arrived (to prove that nothing more comes). */
export async function drain(task: JdbcSourceTask, polls = 4): Promise<SourceRecord[]> {
  const out: SourceRecord[] = []
  const signal = new AbortController().signal
  for (let i = 0; i < polls; i++) out.push(...(await task.poll(signal)))
  return out
}

export const values = (records: SourceRecord[]) => records.map((r) => r.value as Record<string, unknown>)
