// The CDC task: decides snapshot or not from the committed offset and snapshot.mode, sets up publication and slot,
// runs the snapshot in the slot's exported snapshot, then streams pgoutput from the slot's consistent point (or
// from the committed offset) and turns changes into Debezium's records and offsets. The slot's confirmed flush
// position moves only in commit(), to what the runtime committed after Kafka acknowledged it.
import type pg from 'pg'
import * as prom from 'prom-client'
import type { RawConfig } from '../../config/config-def.ts'
import { ErrorCodes, FlowscopeError, messageOf } from '../../errors.ts'
import { isConnectionError, sleep } from '../../postgres/connection.ts'
import type { SourceOffset, SourcePartition, SourceRecord } from '../../record/source-record.ts'
import { connectorConfigDef } from '../../runtime/connector-config.ts'
import type { CommittedOffsets, SourceTask, SourceTaskContext } from '../plugin.ts'
import { ChangeEventBuilder } from './change-events.ts'
import { WalChangeProcessor } from './change-stream.ts'
import { ignoredKeys, isSignalTable, type PostgresCdcConfig, requirePostgresCdcConfig } from './config.ts'
import { closeQuietly, connect } from './connections.ts'
import { IncrementalSnapshot } from './incremental-snapshot.ts'
import { type Lsn, parseLsn } from './lsn.ts'
import { CdcMetrics, type CdcTaskMetrics, type ChangeOp, cdcMetricsOn } from './metrics.ts'
import { confirmableLsn, readStoredPosition, type StoredPosition, sourcePartition } from './offsets.ts'
import { capturedTables, ensurePublication, slotState } from './publication.ts'
import { PublicationWatch } from './publication-watch.ts'
import { ReplicationStream } from './replication-stream.ts'
import { SnapshotReader } from './snapshot.ts'

/** SQLSTATE object_in_use: "replication slot … is active for PID …". */
const SLOT_IN_USE = '55006'

const codeOf = (error: unknown): string | undefined => (error as { code?: string } | null)?.code

/** Keys the worker reads for every connector (converters, transforms, errors…), not this connector's. */
function isConnectorLevelKey(key: string): boolean {
  return (
    connectorConfigDef.key(key) !== undefined ||
    /^(transforms|predicates|errors|key\.converter|value\.converter|header\.converter|producer\.override|consumer\.override|topic\.creation|offsets\.storage|exactly\.once|task\.)/.test(
      key,
    )
  )
}

export class PostgresCdcSourceTask implements SourceTask {
  #config: PostgresCdcConfig | null = null
  #context: SourceTaskContext | null = null
  #partition: SourcePartition = {}
  #events: ChangeEventBuilder | null = null
  #catalog: pg.Client | null = null
  #stream: ReplicationStream | null = null
  #snapshot: SnapshotReader | null = null
  #snapshotClient: pg.Client | null = null
  /** Where streaming starts (slot's consistent point after a snapshot, or the stored offset's position). */
  #startLsn: Lsn = 0
  #streamingEnabled = true
  /** The last offset handed to the runtime: a reconnect resumes after it. */
  #lastOffset: SourceOffset | null = null
  #changes: WalChangeProcessor | null = null
  #publicationWatch: PublicationWatch | null = null
  #stopped = false
  #reconnectAt = 0
  #reconnectDelayMs = 0
  #slotBusyAttempts = 0
  #failureSeen: ReplicationStream | null = null
  #cdcMetrics: CdcMetrics | null = null
  #metrics: CdcTaskMetrics | null = null
  #incremental: IncrementalSnapshot | null = null

  async start(raw: RawConfig, context: SourceTaskContext): Promise<void> {
    const config = requirePostgresCdcConfig(raw)
    this.#config = config
    this.#context = context
    this.#partition = sourcePartition(config.topicPrefix)
    this.#events = new ChangeEventBuilder(config, this.#partition)
    this.#changes = new WalChangeProcessor(config, this.#events, () => this.#catalog as pg.Client, context.log)
    // Outside a worker (no host) the figures go to a registry of their own that nobody serves.
    this.#cdcMetrics = context.metrics ? cdcMetricsOn(context.metrics) : new CdcMetrics(new prom.Registry())
    this.#metrics = this.#cdcMetrics.taskStarted(context.connectorName, config.topicPrefix)
    const ignored = ignoredKeys(raw, isConnectorLevelKey)
    if (ignored.length > 0) context.log.warn({ keys: ignored }, 'config keys accepted but not acted on by flowscope')
    const [stored] = await context.offsetReader.offsets([this.#partition])
    const position = stored ? readStoredPosition(stored) : null
    if (config.signalTable) {
      this.#incremental = new IncrementalSnapshot(config, this.#events, context.log, this.#metrics, stored ?? null)
      this.#changes.incremental = this.#incremental
    }
    try {
      this.#catalog = await connect(config)
      await ensurePublication(this.#catalog, config)
      this.#publicationWatch = await PublicationWatch.start(
        this.#catalog,
        config.publicationName,
        await capturedTables(this.#catalog, config),
      )
      const slot = await slotState(this.#catalog, config.slotName)
      if (slot.exists && slot.plugin !== 'pgoutput') {
        throw new Error(`Replication slot ${config.slotName} uses the ${slot.plugin} plugin; flowscope needs pgoutput`)
      }
      const snapshot = this.#needsSnapshot(position, slot.exists, slot.confirmedFlushLsn)
      if (position && !position.snapshotInProgress && !slot.exists && !snapshot) {
        // A new slot starts at the current WAL position: streaming "from the offset" would silently skip every
        // change made since the offset was written. Say so instead of losing them.
        throw new FlowscopeError(
          ErrorCodes.CONNECT,
          `Replication slot ${config.slotName} does not exist, but a committed offset does (lsn ${position.lsnProc ?? position.lsn}): ` +
            'a new slot would miss every change since then. Set snapshot.mode=when_needed (or always) to take a new snapshot, ' +
            'or reset the connector offsets to start over.',
        )
      }
      // initial_only never streams: it snapshots when needed, then has nothing more to do.
      this.#streamingEnabled = config.snapshotMode !== 'initial_only'
      const stream = await ReplicationStream.open(config, context.log, config.maxQueueSize)
      this.#stream = stream
      let snapshotName: string | null = null
      if (!slot.exists) {
        const created = await stream.createSlot(config.slotName, snapshot)
        context.log.info(
          { slot: config.slotName, consistentPoint: created.consistentPoint },
          'replication slot created',
        )
        this.#startLsn = created.consistentPoint
        snapshotName = created.snapshotName
      } else {
        this.#startLsn = slot.confirmedFlushLsn ?? 0
      }
      if (position && !snapshot) {
        this.#startLsn = position.lsnProc ?? position.lsn ?? this.#startLsn
        this.#changes?.resumeFrom(position)
      }
      if (snapshot) {
        const lsn = slot.exists ? await this.#currentWalLsn() : this.#startLsn
        // An existing slot has no exported snapshot: the snapshot below sees every transaction committed before `lsn`,
        // so streaming starts there (the server skips what committed before it) rather than at the slot's older
        // position, which would send those changes a second time (e.g. after an initial snapshot that emitted nothing
        // and so left no offset to resume from).
        if (slot.exists && lsn > this.#startLsn) this.#startLsn = lsn
        // The signalling table's rows are signals, not data: Debezium's snapshot leaves them out.
        const tables = (await capturedTables(this.#catalog, config)).filter(
          (t) => !isSignalTable(config, t.schema, t.table),
        )
        this.#snapshotClient = await connect(config)
        this.#snapshot = new SnapshotReader(this.#snapshotClient, config, this.#events, tables, lsn)
        await this.#snapshot.begin(snapshotName)
        this.#metrics?.snapshotStarted(tables.map((t) => `${t.schema}.${t.table}`))
        context.log.info({ tables: tables.length, exported: snapshotName !== null }, 'snapshot started')
      } else if (this.#streamingEnabled) {
        this.#startStreaming()
      }
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  /** Debezium's snapshot.mode decisions. */
  #needsSnapshot(position: StoredPosition | null, slotExists: boolean, slotConfirmed: Lsn | null): boolean {
    switch (this.#config?.snapshotMode) {
      case 'always':
        return true
      case 'no_data':
        return false
      case 'when_needed': {
        if (position === null || position.snapshotInProgress || !slotExists) return true
        // The slot moved past the offset (someone else confirmed): the changes in between are gone from it.
        const resumeAt = position.lsnCommit ?? position.lsn
        return slotConfirmed !== null && resumeAt !== null && slotConfirmed > resumeAt
      }
      default: // initial, initial_only
        return position === null || position.snapshotInProgress
    }
  }

  async #currentWalLsn(): Promise<Lsn> {
    const r = await (this.#catalog as pg.Client).query('SELECT pg_current_wal_lsn()::text AS lsn')
    return parseLsn((r.rows[0] as { lsn: string }).lsn)
  }

  #startStreaming(): void {
    const config = this.#config as PostgresCdcConfig
    ;(this.#stream as ReplicationStream).start(
      config.slotName,
      config.publicationName,
      this.#startLsn,
      config.statusUpdateIntervalMs,
    )
    this.#context?.log.info({ slot: config.slotName, from: this.#startLsn }, 'streaming started')
    const metrics = this.#metrics
    if (metrics) {
      metrics.connected = true
      metrics.queue = () => ({
        total: config.maxQueueSize,
        remaining: Math.max(0, config.maxQueueSize - (this.#stream?.queued ?? 0)),
      })
    }
  }

  async poll(signal: AbortSignal): Promise<SourceRecord[]> {
    const config = this.#config
    if (!config || this.#stopped) return []
    if (this.#snapshot) return this.#pollSnapshot(config)
    if (!this.#streamingEnabled) {
      await new Promise((resolve) => setTimeout(resolve, config.pollIntervalMs))
      return []
    }
    const changes = this.#changes as WalChangeProcessor
    const stream = await this.#liveStream(config)
    if (this.#metrics) this.#metrics.connected = stream !== null && stream.failure === null
    if (!stream) {
      // Reconnecting: wait before the next attempt (the task stays RUNNING, as Debezium's retries do).
      await sleep(Math.min(config.pollIntervalMs, 1000), signal)
      return []
    }
    await this.#publicationWatch?.verify(this.#catalog as pg.Client)
    // A snapshot found running in the stored offset reads its next chunk once streaming runs (Debezium's init()).
    if (this.#incremental?.resumePending) await this.#incremental.resume()
    await stream.waitForMessages(config.pollIntervalMs, signal)
    const records: SourceRecord[] = []
    // Each chunk read writes the watermarks of the next: hand a chunk's rows out rather than read on in this poll.
    const chunks = this.#incremental?.chunksRead ?? 0
    while (records.length < config.maxBatchSize && (this.#incremental?.chunksRead ?? 0) === chunks) {
      const messages = stream.take(config.maxBatchSize - records.length)
      if (messages.length === 0) break
      for (const { lsn, message } of messages) await changes.handle(lsn, message, records)
    }
    changes.heartbeat(records)
    if (records.length > 0) this.#lastOffset = records[records.length - 1].sourceOffset
    this.#report(records)
    this.#reportStreaming(records, changes)
    return records
  }

  /** Debezium's streaming metrics: each change record is an event (tombstones and heartbeats carry no op). */
  #reportStreaming(records: SourceRecord[], changes: WalChangeProcessor): void {
    const metrics = this.#metrics
    if (!metrics) return
    for (const r of records) {
      const op = (r.value as { op?: unknown } | null | undefined)?.op
      if (r.sourceTime && (op === 'c' || op === 'u' || op === 'd' || op === 't')) {
        metrics.event(op as ChangeOp, r.sourceTime.timestampMs)
      }
    }
    metrics.filteredEvents = changes.filteredEvents
    metrics.committedTransactions = changes.committedTransactions
    metrics.lastTransactionId = changes.lastTransactionId
  }

  async #pollSnapshot(config: PostgresCdcConfig): Promise<SourceRecord[]> {
    const snapshot = this.#snapshot as SnapshotReader
    let records: SourceRecord[]
    try {
      records = await snapshot.next(config.maxBatchSize)
    } catch (error) {
      this.#metrics?.snapshotFinished(false)
      throw error
    }
    this.#report(records)
    this.#metrics?.snapshotProgress(snapshot.rowsRead, snapshot.remainingTables)
    if (snapshot.done) {
      this.#metrics?.snapshotFinished(true)
      this.#context?.log.info({ rows: Object.fromEntries(snapshot.rowsRead) }, 'snapshot completed')
      this.#snapshot = null
      await closeQuietly(this.#snapshotClient)
      this.#snapshotClient = null
      if (this.#streamingEnabled) this.#startStreaming()
    }
    return records
  }

  /**
   * The stream, reconnected when it failed: from the slot, skipping what the last handed-out offset covers.
   * Connection losses (server restart, network, a terminated walsender) are retried with backoff for as long as it
   * takes; anything else (slot dropped or taken, publication gone) fails the task with the server's message.
   * Null while waiting for the next attempt.
   */
  async #liveStream(config: PostgresCdcConfig): Promise<ReplicationStream | null> {
    const current = this.#stream as ReplicationStream
    if (!current.failure || current.queued > 0) return current
    if (current !== this.#failureSeen) {
      // A new failure: a busy slot counts as one attempt; any other failure means the last stream worked.
      this.#failureSeen = current
      if (codeOf(current.failure) === SLOT_IN_USE) this.#scheduleReconnect(config, current.failure)
      else this.#slotBusyAttempts = 0
    }
    if (!this.#recoverable(current.failure, config)) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `Logical replication from slot ${config.slotName} failed: ${current.failure.message}`,
        { cause: current.failure },
      )
    }
    if (Date.now() < this.#reconnectAt) return null
    const log = (this.#context as SourceTaskContext).log
    try {
      await closeQuietly(this.#catalog)
      this.#catalog = await connect(config)
      const stream = await ReplicationStream.open(config, log, config.maxQueueSize)
      stream.confirm(current.confirmedLsn)
      await current.close()
      this.#stream = stream
    } catch (error) {
      if (!this.#recoverable(error, config)) throw error
      this.#scheduleReconnect(config, error)
      return null
    }
    this.#reconnectDelayMs = 0
    const position = this.#lastOffset ? readStoredPosition(this.#lastOffset) : null
    if (position) this.#startLsn = position.lsnProc ?? position.lsn ?? this.#startLsn
    this.#changes?.resumeFrom(position)
    this.#startStreaming()
    log.info({ from: this.#startLsn }, 'replication connection re-established')
    return this.#stream
  }

  /**
   * Connection losses are retried for as long as it takes; a slot still held by another connection (SQLSTATE
   * 55006, e.g. the walsender of a connection just cut is still exiting) slot.max.retries times in a row.
   */
  #recoverable(error: unknown, config: PostgresCdcConfig): boolean {
    if (isConnectionError(error)) return true
    return codeOf(error) === SLOT_IN_USE && this.#slotBusyAttempts <= config.slotMaxRetries
  }

  /** The next reconnect attempt after a failed one: doubling from 500 ms, up to 10 s (busy slot: slot.retry.delay.ms). */
  #scheduleReconnect(config: PostgresCdcConfig, error: unknown): void {
    const busy = codeOf(error) === SLOT_IN_USE
    if (busy) this.#slotBusyAttempts++
    const cap = busy ? Math.max(500, config.slotRetryDelayMs) : 10_000
    this.#reconnectDelayMs = Math.min(Math.max(this.#reconnectDelayMs * 2, 500), cap)
    this.#reconnectAt = Date.now() + this.#reconnectDelayMs
    this.#context?.log.warn(
      { err: messageOf(error), retryInMs: this.#reconnectDelayMs },
      'reconnecting to PostgreSQL failed',
    )
  }

  #report(records: SourceRecord[]): void {
    const pipeline = this.#context?.pipeline
    if (!pipeline || records.length === 0) return
    const perTable = new Map<string, { rows: number; newest?: number }>()
    for (const r of records) {
      if (r.value === null || r.value === undefined || !r.sourceTime) continue
      const entry = perTable.get(r.sourceTime.table) ?? { rows: 0 }
      entry.rows++
      entry.newest = Math.max(entry.newest ?? 0, r.sourceTime.timestampMs)
      perTable.set(r.sourceTime.table, entry)
    }
    for (const [table, { rows, newest }] of perTable) pipeline.rowsRead(table, rows, newest)
  }

  /** After the runtime stored offsets Kafka acknowledged: confirm to the slot what this task's stored offset covers. */
  async commit(committed: CommittedOffsets): Promise<void> {
    const server = this.#partition.server
    const entry = committed.find((c) => c.partition.server === server)
    if (entry) this.#confirm(entry.offset)
  }

  #confirm(offset: SourceOffset | null): void {
    if (!offset || !this.#stream) return
    const lsn = confirmableLsn(offset)
    if (lsn !== null) this.#stream.confirm(lsn)
  }

  /** slot.drop.on.stop: the walsender may take a moment to release the slot after the connection closed. */
  async #dropSlot(client: pg.Client, slot: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(
          'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
          [slot],
        )
        this.#context?.log.info({ slot }, 'replication slot dropped (slot.drop.on.stop=true)')
        return
      } catch (error) {
        if (attempt >= 20) {
          this.#context?.log.warn({ err: messageOf(error), slot }, 'dropping the replication slot failed')
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#metrics && this.#context) this.#cdcMetrics?.taskStopped(this.#context.connectorName, this.#metrics)
    await this.#snapshot?.abort()
    await closeQuietly(this.#snapshotClient)
    await this.#incremental?.close()
    await this.#stream?.close()
    const config = this.#config
    if (config?.slotDropOnStop && this.#catalog) await this.#dropSlot(this.#catalog, config.slotName)
    await closeQuietly(this.#catalog)
  }
}
