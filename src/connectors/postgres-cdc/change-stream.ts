// WAL messages in, Debezium's records out: transaction state (xid, commit time), table models rebuilt at each
// Relation message, the resume filter after a restart or reconnect, Debezium's streaming offsets per change,
// transaction metadata (BEGIN/END events, the envelope's transaction block) and heartbeats carrying the last commit
// when no record does.
import type pg from 'pg'
import { messageOf } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import type { Struct } from '../../record/schema.ts'
import type { SourceOffset, SourceRecord } from '../../record/source-record.ts'
import type { ChangeEventBuilder, Op } from './change-events.ts'
import { type PostgresCdcConfig, tableCaptured } from './config.ts'
import type { IncrementalSnapshot } from './incremental-snapshot.ts'
import type { Lsn } from './lsn.ts'
import { type MessageType, ResumeFilter, type StoredPosition, sourcePartition, streamingOffset } from './offsets.ts'
import type { PgOutputMessage, TupleValue } from './pgoutput.ts'
import { buildTableModel, type TableModel } from './tables.ts'
import {
  beginEvent,
  endEvent,
  TransactionContext,
  type TransactionEventPosition,
  transactionBlock,
  transactionTopic,
} from './transaction-metadata.ts'

const MESSAGE_TYPES: Record<Op, MessageType> = { c: 'INSERT', u: 'UPDATE', d: 'DELETE', r: 'INSERT', t: 'TRUNCATE' }

interface Transaction {
  xid: number
  commitTimeMicros: bigint
  /** Skipped because a stored offset shows it was fully processed. */
  skip: boolean
}

export class WalChangeProcessor {
  readonly #config: PostgresCdcConfig
  readonly #events: ChangeEventBuilder
  readonly #catalog: () => pg.Client
  readonly #log: Logger
  #resume = new ResumeFilter(null)
  #relations = new Map<number, TableModel | null>()
  #tx: Transaction | null = null
  /** provide.transaction.metadata: the open transaction's counters (restored from a resumed offset). */
  #txMetadata = new TransactionContext()
  #lastCommitLsn: Lsn | null = null
  #lastLsn: Lsn | null = null
  #eventsAtLsn = 0
  /** Offset of the last commit seen (what a heartbeat records), and whether a record already carries it. */
  #commitOffset: SourceOffset | null = null
  #commitOffsetSent = true
  #lastHeartbeatMs = Date.now()
  /** For the streaming metrics: changes read but not emitted, commits processed, the last one's xid. */
  filteredEvents = 0
  committedTransactions = 0
  lastTransactionId: number | null = null
  /** Signals and the incremental snapshot running alongside streaming (signal.data.collection set), else null. */
  incremental: IncrementalSnapshot | null = null

  /** `catalog` gives the current ordinary connection (it is replaced when the task reconnects). */
  constructor(config: PostgresCdcConfig, events: ChangeEventBuilder, catalog: () => pg.Client, log: Logger) {
    this.#config = config
    this.#events = events
    this.#catalog = catalog
    this.#log = log
  }

  /**
   * Streaming (re)starts after `position` (a stored offset, or the last one handed out before a reconnect): what it
   * covers is skipped, and the server resends Relation messages, so table models are rebuilt.
   */
  resumeFrom(position: StoredPosition | null): void {
    this.#resume = new ResumeFilter(position)
    if (position) this.#lastCommitLsn = position.lsnCommit
    this.#txMetadata = position?.transaction ?? new TransactionContext()
    this.#tx = null
    this.#relations.clear()
  }

  async handle(lsn: Lsn, message: PgOutputMessage, out: SourceRecord[]): Promise<void> {
    const config = this.#config
    switch (message.tag) {
      case 'begin':
        this.#tx = {
          xid: message.xid,
          commitTimeMicros: message.commitTimeMicros,
          skip: !this.#resume.beginTransaction(message.finalLsn),
        }
        // A transaction resumed in the middle (its id in the stored offset) goes on counting with no second BEGIN.
        if (config.provideTransactionMetadata && !this.#tx.skip && this.#txMetadata.id !== String(message.xid)) {
          // Begun first, so BEGIN's offset carries the new transaction's id (and no counters).
          this.#txMetadata.begin(String(message.xid))
          out.push(beginEvent(this.#txMetadata, this.#transactionEventPosition(lsn, this.#tx, 'BEGIN')))
        }
        return
      case 'commit': {
        const tx = this.#tx
        if (tx && !tx.skip) {
          this.committedTransactions++
          this.lastTransactionId = tx.xid
        }
        this.#resume.commitTransaction()
        this.#lastCommitLsn = lsn
        this.#commitOffset = streamingOffset({
          lsn,
          txId: tx?.xid ?? null,
          commitTimeMicros: message.commitTimeMicros,
          lastCommitLsn: lsn,
          messageType: 'COMMIT',
          eventsAtLsn: 0,
        })
        this.incremental?.decorate(this.#commitOffset)
        this.#commitOffsetSent = false
        if (config.provideTransactionMetadata && tx && !tx.skip) {
          // END carries the commit's offset (with the counters, as Debezium stores them before ending the context):
          // it is confirmed, like any offset, only once Kafka acknowledged END and every event before it.
          if (this.#txMetadata.inProgress) {
            out.push(endEvent(this.#txMetadata, this.#transactionEventPosition(lsn, tx, 'COMMIT')))
            this.#commitOffsetSent = true
          }
          this.#txMetadata.end()
        }
        this.#tx = null
        return
      }
      case 'relation': {
        const captured = tableCaptured(config, message.schema, message.table)
        this.#relations.set(
          message.relationId,
          captured
            ? await buildTableModel(
                this.#catalog(),
                config,
                message.schema,
                message.table,
                message.columns,
                message.replicaIdentity,
              )
            : null,
        )
        return
      }
      case 'insert':
        return this.#change(lsn, message.relationId, 'c', null, message.after, out)
      case 'update':
        return this.#change(lsn, message.relationId, 'u', message.before, message.after, out)
      case 'delete':
        return this.#change(lsn, message.relationId, 'd', message.before, null, out)
      case 'truncate':
        for (const id of message.relationIds) await this.#change(lsn, id, 't', null, null, out)
        return
      default:
        return
    }
  }

  async #change(
    lsn: Lsn,
    relationId: number,
    op: Op,
    before: TupleValue[] | null,
    after: TupleValue[] | null,
    out: SourceRecord[],
  ): Promise<void> {
    const config = this.#config
    const tx = this.#tx
    if (!tx || tx.skip || !this.#resume.change(lsn)) return
    this.#eventsAtLsn = lsn === this.#lastLsn ? this.#eventsAtLsn + 1 : 1
    this.#lastLsn = lsn
    const model = this.#relations.get(relationId)
    // Even when truncate events are skipped (the default), the rows an incremental snapshot read before are gone.
    if (model && op === 't') this.incremental?.truncated(model)
    if (!model || config.skippedOperations.has(op)) {
      this.filteredEvents++
      return
    }
    const offset = streamingOffset({
      lsn,
      txId: tx.xid,
      commitTimeMicros: tx.commitTimeMicros,
      lastCommitLsn: this.#lastCommitLsn,
      messageType: MESSAGE_TYPES[op],
      eventsAtLsn: this.#eventsAtLsn,
    })
    const source = {
      db: config.dbname,
      timeMicros: tx.commitTimeMicros,
      snapshot: 'false' as const,
      txId: tx.xid,
      lsn,
      lastCommitLsn: this.#lastCommitLsn,
    }
    const incremental = this.incremental
    if (incremental) {
      // A signal acts before its own record goes out (Debezium's order), whose offset then holds the new context.
      if (op === 'c' && after && incremental.isSignal(model)) {
        await incremental.signal(model, after, { lsn, lastCommitLsn: this.#lastCommitLsn, offset: { ...offset } }, out)
      }
      incremental.decorate(offset)
    }
    if (op === 't') {
      const records = [this.#events.truncate(model, source, offset)]
      if (config.provideTransactionMetadata) this.#addTransactionMetadata(records, model, lsn)
      out.push(...records)
      this.#commitOffsetSent = true
      return
    }
    const records = this.#events.change(model, op, before, after, source, offset, null)
    if (config.provideTransactionMetadata) this.#addTransactionMetadata(records, model, lsn)
    incremental?.streamed(model, records)
    for (const record of records) {
      record.sourceTime = {
        table: `${model.schema}.${model.table}`,
        basis: 'change',
        timestampMs: Number(tx.commitTimeMicros / 1000n),
      }
      out.push(record)
    }
    // These offsets carry lsn_commit of the last commit: a heartbeat would add nothing.
    this.#commitOffsetSent = true
  }

  #transactionEventPosition(lsn: Lsn, tx: Transaction, messageType: MessageType): TransactionEventPosition {
    const offset = streamingOffset({
      lsn,
      txId: tx.xid,
      commitTimeMicros: tx.commitTimeMicros,
      lastCommitLsn: messageType === 'COMMIT' ? lsn : this.#lastCommitLsn,
      messageType,
      eventsAtLsn: 0,
    })
    return {
      partition: sourcePartition(this.#config.topicPrefix),
      offset: this.#txMetadata.store(offset),
      topic: transactionTopic(this.#config.topicPrefix, this.#config.topicTransaction),
      lsn,
      commitTimeMicros: tx.commitTimeMicros,
    }
  }

  /**
   * TransactionMonitor.dataEvent for each envelope of one change (a key change has two): counts it, fills its
   * transaction block and stores the counters in its offset; a tombstone shares the offset of the delete before it.
   */
  #addTransactionMetadata(records: SourceRecord[], model: TableModel, lsn: Lsn): void {
    const context = this.#txMetadata
    let offset: SourceOffset | null = null
    for (const record of records) {
      const value = record.value as Struct | null
      if (value !== null) {
        value.transaction = transactionBlock(context, lsn, context.event(`${model.schema}.${model.table}`))
        offset = context.store({ ...record.sourceOffset })
      }
      if (offset) record.sourceOffset = offset
    }
  }

  /**
   * Debezium's heartbeat: every heartbeat.interval.ms, a record carrying the last commit's offset when no record
   * since that commit carries it, so filtered or idle traffic still lets the slot confirm.
   */
  heartbeat(records: SourceRecord[]): void {
    const config = this.#config
    if (config.heartbeatIntervalMs <= 0 || Date.now() - this.#lastHeartbeatMs < config.heartbeatIntervalMs) return
    this.#lastHeartbeatMs = Date.now()
    if (config.heartbeatActionQuery) {
      this.#catalog()
        .query(config.heartbeatActionQuery)
        .catch((error: unknown) => {
          this.#log.warn({ err: messageOf(error) }, 'heartbeat.action.query failed')
        })
    }
    if (this.#commitOffset && !this.#commitOffsetSent) {
      records.push(this.#events.heartbeat(this.#commitOffset))
      this.#commitOffsetSent = true
    }
  }
}
