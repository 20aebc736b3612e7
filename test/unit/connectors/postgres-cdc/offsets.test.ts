// Debezium's offset shapes, what a committed offset lets the slot confirm, and what a stored position skips on resume.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  confirmableLsn,
  ResumeFilter,
  readStoredPosition,
  snapshotOffset,
  streamingOffset,
} from '../../../../src/connectors/postgres-cdc/offsets.ts'

test("streaming and snapshot offsets carry Debezium's keys", () => {
  assert.deepEqual(
    streamingOffset({
      lsn: 500,
      txId: 7,
      commitTimeMicros: 1_700_000_000_000_000n,
      lastCommitLsn: 400,
      messageType: 'UPDATE',
      eventsAtLsn: 1,
    }),
    {
      ts_usec: 1_700_000_000_000_000,
      lsn: 500,
      lsn_proc: 500,
      messageType: 'UPDATE',
      txId: 7,
      lsn_commit: 400,
      lsn_events_processed: 1,
    },
  )
  assert.deepEqual(snapshotOffset({ lsn: 300, txId: 5, timeMicros: 10n, last: false }), {
    ts_usec: 10,
    lsn: 300,
    snapshot: 'INITIAL',
    last_snapshot_record: false,
    snapshot_completed: false,
    txId: 5,
  })
})

test('the slot confirms lsn_commit, else lsn_proc, and nothing for an unfinished snapshot', () => {
  assert.equal(confirmableLsn({ lsn: 500, lsn_proc: 500, lsn_commit: 400 }), 400)
  assert.equal(confirmableLsn({ lsn: 500, lsn_proc: 500 }), 500)
  assert.equal(confirmableLsn({ lsn: 300, snapshot: 'INITIAL', last_snapshot_record: false }), null)
  // Debezium's own example offset (no lsn_commit).
  assert.equal(
    confirmableLsn({ lsn_proc: 27485360, messageType: 'UPDATE', lsn: 27485360, txId: 743, ts_usec: 1687876724804733 }),
    27485360,
  )
})

test('a stored snapshot offset says whether the snapshot finished', () => {
  assert.equal(
    readStoredPosition({ lsn: 1, snapshot: 'INITIAL', last_snapshot_record: false }).snapshotInProgress,
    true,
  )
  assert.equal(
    readStoredPosition({ lsn: 1, snapshot: 'INITIAL', last_snapshot_record: true, snapshot_completed: true })
      .snapshotInProgress,
    false,
  )
  assert.equal(readStoredPosition({ lsn: 1, snapshot: true, last_snapshot_record: false }).snapshotInProgress, true)
  assert.equal(readStoredPosition({ lsn: 1, lsn_proc: 1 }).snapshotInProgress, false)
})

test('resuming skips committed transactions and the processed part of the first one', () => {
  // Stored: inside transaction T2 (commit of T1 ended at 200), processed the first event at 260.
  const filter = new ResumeFilter(
    readStoredPosition({ lsn: 260, lsn_proc: 260, lsn_commit: 200, lsn_events_processed: 1, messageType: 'INSERT' }),
  )
  assert.equal(filter.beginTransaction(150), false, 'T1, committed at or before lsn_commit, is skipped')
  assert.equal(filter.beginTransaction(300), true)
  assert.equal(filter.change(240), false)
  assert.equal(filter.change(260), false, 'first event at 260 was processed')
  assert.equal(filter.change(260), true, 'the second event at 260 was not')
  assert.equal(filter.change(280), true)
  filter.commitTransaction()
  assert.equal(filter.beginTransaction(400), true)
  assert.equal(filter.change(100), true, 'later transactions are never filtered by LSN')
})

test('a Debezium 3.6 offset (no lsn_events_processed, no lsn_commit) resumes after the event at lsn_proc', () => {
  const filter = new ResumeFilter(
    readStoredPosition({ lsn_proc: 260, messageType: 'INSERT', lsn: 260, txId: 743, ts_usec: 1 }),
  )
  assert.equal(filter.beginTransaction(200), false, 'ended before lsn_proc: processed')
  assert.equal(filter.beginTransaction(300), true)
  assert.equal(filter.change(250), false)
  assert.equal(filter.change(260), false)
  assert.equal(filter.change(260), false, 'every event at lsn_proc counts as processed')
  assert.equal(filter.change(270), true)
})

test('after a BEGIN offset nothing of its transaction was processed, though its first change has the same LSN', () => {
  // provide.transaction.metadata: the BEGIN event's offset (lsn_proc = BEGIN's LSN = the first change's LSN).
  const stored = readStoredPosition({
    lsn: 260,
    lsn_proc: 260,
    lsn_commit: 200,
    messageType: 'BEGIN',
    txId: 744,
    ts_usec: 1,
    transaction_id: '744',
  })
  assert.equal(stored.transaction.id, '744', 'the open transaction comes back with the position')
  const filter = new ResumeFilter(stored)
  assert.equal(filter.beginTransaction(200), false)
  assert.equal(filter.beginTransaction(300), true)
  assert.equal(filter.change(260), true, 'the first change, at the BEGIN LSN, is sent')
  assert.equal(filter.change(280), true)
})
