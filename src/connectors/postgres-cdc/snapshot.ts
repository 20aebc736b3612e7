// The initial snapshot: every captured table read in one repeatable-read transaction that sees exactly what the
// slot's consistent point covers (the slot's exported snapshot), as op "r" records with Debezium's snapshot
// markers (first, first_in_data_collection, true, last_in_data_collection, last) and snapshot offsets.
import type pg from 'pg'
import type { SourceRecord } from '../../record/source-record.ts'
import type { ChangeEventBuilder } from './change-events.ts'
import type { PostgresCdcConfig } from './config.ts'
import { quoteIdent, quoteLiteral } from './connections.ts'
import type { Lsn } from './lsn.ts'
import { snapshotOffset } from './offsets.ts'
import type { TableName } from './publication.ts'
import type { SnapshotMarker } from './source-info.ts'
import { buildTableModel, type TableModel } from './tables.ts'

interface PendingRow {
  model: TableModel
  values: string[]
  firstInTable: boolean
}

export class SnapshotReader {
  readonly #client: pg.Client
  readonly #config: PostgresCdcConfig
  readonly #events: ChangeEventBuilder
  readonly #tables: TableName[]
  readonly #lsn: Lsn
  #txId: number | null = null
  #tableIndex = -1
  #model: TableModel | null = null
  #cursorOpen = false
  #pending: PendingRow | null = null
  #emittedAny = false
  #done = false
  /** Rows read per table, for the pipeline metrics. */
  readonly rowsRead = new Map<string, number>()

  constructor(client: pg.Client, config: PostgresCdcConfig, events: ChangeEventBuilder, tables: TableName[], lsn: Lsn) {
    this.#client = client
    this.#config = config
    this.#events = events
    this.#tables = tables
    this.#lsn = lsn
  }

  /** Opens the snapshot transaction: in `snapshotName` when the slot exported one, else a fresh repeatable read. */
  async begin(snapshotName: string | null): Promise<void> {
    await this.#client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    if (snapshotName) await this.#client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotName)}`)
    // Debezium's snapshot txId; txid_current() would need a writable transaction.
    const r = await this.#client.query('SELECT txid_snapshot_xmax(txid_current_snapshot())::text AS xid')
    this.#txId = Number((r.rows[0] as { xid: string }).xid)
  }

  get done(): boolean {
    return this.#done
  }

  /** Tables not yet read to the end (the one being read counts). */
  get remainingTables(): number {
    if (this.#done) return 0
    return this.#tables.length - (this.#cursorOpen ? this.#tableIndex : this.#tableIndex + 1)
  }

  /** The next records (at most about `max`); [] once every table was read. */
  async next(max: number): Promise<SourceRecord[]> {
    const out: SourceRecord[] = []
    while (!this.#done && out.length < max) {
      if (!this.#cursorOpen && !(await this.#openNextTable())) {
        // No table left: the row held back is the last of the whole snapshot.
        if (this.#pending) out.push(this.#emit(this.#pending, 'last'))
        this.#pending = null
        this.#done = true
        await this.#client.query('COMMIT')
        break
      }
      const model = this.#model as TableModel
      const r = await this.#client.query({
        text: `FETCH ${Math.min(this.#config.snapshotFetchSize, Math.max(1, max - out.length))} FROM flowscope_snapshot`,
        rowMode: 'array',
      })
      const rows = r.rows as (string | null)[][]
      if (rows.length === 0) {
        await this.#client.query('CLOSE flowscope_snapshot')
        this.#cursorOpen = false
        continue
      }
      const label = `${model.schema}.${model.table}`
      this.rowsRead.set(label, (this.rowsRead.get(label) ?? 0) + rows.length)
      for (const values of rows) {
        const pending = this.#pending
        const firstInTable = pending === null || pending.model !== model
        if (pending) {
          const lastInTable = pending.model !== model
          out.push(
            this.#emit(
              pending,
              lastInTable ? 'last_in_data_collection' : pending.firstInTable ? 'first_in_data_collection' : 'true',
            ),
          )
        }
        this.#pending = { model, values: values as string[], firstInTable }
      }
    }
    return out
  }

  #emit(row: PendingRow, marker: SnapshotMarker): SourceRecord {
    let effective = marker
    if (!this.#emittedAny) effective = marker === 'last' ? 'last' : 'first'
    this.#emittedAny = true
    const timeMicros = BigInt(Date.now()) * 1000n
    const offset = snapshotOffset({ lsn: this.#lsn, txId: this.#txId, timeMicros, last: effective === 'last' })
    const [record] = this.#events.change(
      row.model,
      'r',
      null,
      row.values,
      {
        db: this.#config.dbname,
        timeMicros,
        snapshot: effective,
        txId: this.#txId,
        lsn: this.#lsn,
        lastCommitLsn: null,
      },
      offset,
      null,
    )
    return record
  }

  async #openNextTable(): Promise<boolean> {
    this.#tableIndex++
    if (this.#tableIndex >= this.#tables.length) return false
    const t = this.#tables[this.#tableIndex]
    this.#model = await buildTableModel(this.#client, this.#config, t.schema, t.table, null)
    const columns = this.#model.columns.map((c) => quoteIdent(c.name)).join(', ')
    await this.#client.query(
      `DECLARE flowscope_snapshot NO SCROLL CURSOR FOR SELECT ${columns} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`,
    )
    this.#cursorOpen = true
    return true
  }

  /** Abandons the snapshot transaction (stop, failure). */
  async abort(): Promise<void> {
    if (!this.#done) await this.#client.query('ROLLBACK').catch(() => {})
    this.#done = true
  }
}
