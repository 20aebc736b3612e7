// Offsets exactly as Debezium's PostgresOffsetContext writes them (partition {"server": <topic.prefix>}), so an
// offset written by Debezium resumes flowscope and the other way round; and where a stored offset tells streaming
// to resume and the slot what may be confirmed.
import type { SourceOffset, SourcePartition } from '../../record/source-record.ts'
import type { Lsn } from './lsn.ts'
import { TransactionContext } from './transaction-metadata.ts'

export const OffsetKeys = {
  LSN: 'lsn',
  TX_ID: 'txId',
  TS_USEC: 'ts_usec',
  XMIN: 'xmin',
  LSN_PROC: 'lsn_proc',
  LSN_COMMIT: 'lsn_commit',
  MESSAGE_TYPE: 'messageType',
  LSN_EVENTS_PROCESSED: 'lsn_events_processed',
  SNAPSHOT: 'snapshot',
  LAST_SNAPSHOT_RECORD: 'last_snapshot_record',
  SNAPSHOT_COMPLETED: 'snapshot_completed',
} as const

/** Debezium's ReplicationMessage.Operation names, as written in messageType. */
export type MessageType = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'BEGIN' | 'COMMIT' | 'MESSAGE'

export function sourcePartition(topicPrefix: string): SourcePartition {
  return { server: topicPrefix }
}

export interface StreamingPosition {
  lsn: Lsn
  txId: number | null
  commitTimeMicros: bigint
  lastCommitLsn: Lsn | null
  messageType: MessageType
  /** Events processed at this same LSN (several rows of one COPY can share an LSN). */
  eventsAtLsn: number
}

export function streamingOffset(p: StreamingPosition): SourceOffset {
  const offset: SourceOffset = {
    [OffsetKeys.TS_USEC]: Number(p.commitTimeMicros),
    [OffsetKeys.LSN]: p.lsn,
    [OffsetKeys.LSN_PROC]: p.lsn,
    [OffsetKeys.MESSAGE_TYPE]: p.messageType,
  }
  if (p.txId !== null) offset[OffsetKeys.TX_ID] = p.txId
  if (p.lastCommitLsn !== null) offset[OffsetKeys.LSN_COMMIT] = p.lastCommitLsn
  if (p.eventsAtLsn > 0) offset[OffsetKeys.LSN_EVENTS_PROCESSED] = p.eventsAtLsn
  return offset
}

export interface SnapshotPosition {
  lsn: Lsn
  txId: number | null
  timeMicros: bigint
  last: boolean
}

export function snapshotOffset(p: SnapshotPosition): SourceOffset {
  const offset: SourceOffset = {
    [OffsetKeys.TS_USEC]: Number(p.timeMicros),
    [OffsetKeys.LSN]: p.lsn,
    [OffsetKeys.SNAPSHOT]: 'INITIAL',
    [OffsetKeys.LAST_SNAPSHOT_RECORD]: p.last,
    [OffsetKeys.SNAPSHOT_COMPLETED]: p.last,
  }
  if (p.txId !== null) offset[OffsetKeys.TX_ID] = p.txId
  return offset
}

/** What a stored offset (Debezium's or ours) says about where to go on. */
export interface StoredPosition {
  lsn: Lsn | null
  /** Last completely processed LSN. */
  lsnProc: Lsn | null
  /** End LSN of the last transaction fully processed. */
  lsnCommit: Lsn | null
  eventsAtLsn: number
  messageType: string | null
  /** A snapshot was running and had not finished. */
  snapshotInProgress: boolean
  /** provide.transaction.metadata: the transaction open at this offset and its counters (transaction_* keys). */
  transaction: TransactionContext
}

const num = (value: unknown): number | null =>
  typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null

export function readStoredPosition(offset: SourceOffset): StoredPosition {
  const snapshot = offset[OffsetKeys.SNAPSHOT]
  // An incremental snapshot's records run alongside streaming: their offsets resume streaming like any other.
  const running =
    snapshot !== undefined &&
    snapshot !== null &&
    snapshot !== false &&
    snapshot !== 'false' &&
    snapshot !== 'INCREMENTAL'
  const completed = offset[OffsetKeys.SNAPSHOT_COMPLETED] === true || offset[OffsetKeys.LAST_SNAPSHOT_RECORD] === true
  const lsnProc = num(offset[OffsetKeys.LSN_PROC])
  return {
    lsn: num(offset[OffsetKeys.LSN]),
    lsnProc,
    // Debezium's loader: lsn_commit, or lsn_proc when an older offset has none.
    lsnCommit: num(offset[OffsetKeys.LSN_COMMIT]) ?? lsnProc,
    eventsAtLsn: num(offset[OffsetKeys.LSN_EVENTS_PROCESSED]) ?? 0,
    messageType:
      typeof offset[OffsetKeys.MESSAGE_TYPE] === 'string' ? (offset[OffsetKeys.MESSAGE_TYPE] as string) : null,
    snapshotInProgress: running && !completed,
    transaction: TransactionContext.load(offset),
  }
}

/**
 * The LSN a committed offset lets the slot confirm: as Debezium's commitOffset, lsn_commit (every transaction up to
 * it is in Kafka) or else lsn_proc. An initial snapshot's offset confirms nothing: its changes are in no transaction.
 * An incremental snapshot's reads carry the stream's position (at their close watermark) and confirm like it.
 */
export function confirmableLsn(offset: SourceOffset): Lsn | null {
  const snapshot = offset[OffsetKeys.SNAPSHOT]
  if (snapshot !== undefined && snapshot !== 'INCREMENTAL' && offset[OffsetKeys.LAST_SNAPSHOT_RECORD] !== true)
    return null
  return num(offset[OffsetKeys.LSN_COMMIT]) ?? num(offset[OffsetKeys.LSN_PROC])
}

/**
 * Skips what a stored position already covers when streaming resumes (Debezium's WalPositionLocator, simplified):
 * transactions ending at or before lsn_commit were fully processed; in the first transaction after it, changes
 * before lsn_proc, and the first lsn_events_processed changes at lsn_proc, were processed too.
 */
export class ResumeFilter {
  readonly #stored: StoredPosition | null
  #inFirstTransaction = false
  #done: boolean
  #eventsAtStored = 0

  constructor(stored: StoredPosition | null) {
    this.#stored = stored
    this.#done = stored === null || stored.lsnCommit === null
  }

  /** At BEGIN of a transaction whose commit ends at `endLsn`: false when the whole transaction was processed. */
  beginTransaction(finalLsn: Lsn): boolean {
    if (this.#done || !this.#stored) return true
    const commit = this.#stored.lsnCommit ?? 0
    if (finalLsn <= commit) return false
    // After a BEGIN nothing of its transaction was processed, though its first change has BEGIN's LSN (Debezium's
    // WalPositionLocator replays from the BEGIN then too).
    const stored = this.#stored
    this.#inFirstTransaction =
      stored.messageType !== 'COMMIT' && stored.messageType !== 'BEGIN' && stored.lsnProc !== null
    if (!this.#inFirstTransaction) this.#done = true
    return true
  }

  /** For a change at `lsn` inside the transaction: false when it was already processed. */
  change(lsn: Lsn): boolean {
    if (this.#done || !this.#inFirstTransaction || !this.#stored) return true
    const proc = this.#stored.lsnProc ?? 0
    if (lsn < proc) return false
    if (lsn === proc) {
      // Without lsn_events_processed (Debezium 3.6 writes none) every event at lsn_proc counts as processed, as
      // Debezium 3.6's WalPositionLocator resumes after it; with it, only that many of them.
      if (this.#stored.eventsAtLsn === 0) return false
      this.#eventsAtStored++
      return this.#eventsAtStored > this.#stored.eventsAtLsn
    }
    return true
  }

  commitTransaction(): void {
    if (this.#inFirstTransaction) {
      this.#inFirstTransaction = false
      this.#done = true
    }
  }
}
