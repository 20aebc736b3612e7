// The replication connection: START_REPLICATION over the streaming protocol (CopyBoth), XLogData decoded with
// pgoutput.ts into a bounded queue, keepalives answered, and Standby Status Updates that report as flushed ONLY the
// position the task confirmed (confirm()), i.e. what Kafka and the offsets topic hold. Nothing here confirms on its
// own: a keepalive reply or the periodic update repeats the last confirmed position.
import pg from 'pg'
import type { Logger } from '../../logging.ts'
import type { ConnectionSettings } from './connections.ts'
import { clientConfig, quoteIdent, quoteLiteral } from './connections.ts'
import { formatLsn, type Lsn, parseLsn, readLsn, writeLsn } from './lsn.ts'
import { decodePgOutput, type PgOutputMessage } from './pgoutput.ts'

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000

/** SQLSTATE insufficient_privilege: "permission denied to start WAL sender" for a user without REPLICATION. */
const INSUFFICIENT_PRIVILEGE = '42501'

/** The server's refusal of a replication connection, with the cause to fix when it is the missing attribute. */
function explainRefusal(error: unknown, user: string): unknown {
  if ((error as { code?: string } | null)?.code !== INSUFFICIENT_PRIVILEGE) return error
  return new Error(
    `User ${user} may not open a replication connection (${(error as Error).message}): it needs the REPLICATION ` +
      `attribute (ALTER ROLE ${user} WITH REPLICATION) or another database.user`,
    { cause: error },
  )
}

export interface WalMessage {
  /** Where the message starts in the WAL (XLogData dataStart): a change's LSN, a commit's end LSN. */
  lsn: Lsn
  message: PgOutputMessage
}

interface CopyDataConnection {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void
  sendCopyFromChunk(chunk: Buffer): void
  stream: { pause(): void; resume(): void }
}

export interface CreatedSlot {
  consistentPoint: Lsn
  snapshotName: string | null
}

export class ReplicationStream {
  readonly #client: pg.Client
  readonly #log: Logger
  readonly #maxQueue: number
  readonly #queue: WalMessage[] = []
  #queueHead = 0
  #paused = false
  #failure: Error | null = null
  #closed = false
  #waiter: (() => void) | null = null
  #statusTimer: NodeJS.Timeout | undefined
  #received: Lsn = 0
  #confirmed: Lsn = 0
  #streaming: Promise<unknown> | null = null

  private constructor(client: pg.Client, log: Logger, maxQueue: number) {
    this.#client = client
    this.#log = log
    this.#maxQueue = maxQueue
    client.on('error', (error) => this.#fail(error))
    client.on('end', () => this.#fail(new Error('The replication connection was closed by the server')))
  }

  static async open(settings: ConnectionSettings, log: Logger, maxQueue: number): Promise<ReplicationStream> {
    const client = new pg.Client(clientConfig(settings, true))
    const stream = new ReplicationStream(client, log, maxQueue)
    try {
      await client.connect()
    } catch (error) {
      stream.#closed = true
      await client.end().catch(() => {})
      throw explainRefusal(error, settings.user)
    }
    return stream
  }

  /**
   * CREATE_REPLICATION_SLOT … LOGICAL pgoutput, exporting its snapshot when asked: the snapshot name stays valid
   * until this connection runs its next command (START_REPLICATION), so read it first.
   */
  async createSlot(slot: string, exportSnapshot: boolean): Promise<CreatedSlot> {
    const result = await this.#client.query(
      `CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    )
    const row = result.rows[0] as { consistent_point: string; snapshot_name: string | null }
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name }
  }

  /** Starts streaming from `startLsn` (the server starts at the slot's confirmed position if that is later). */
  start(slot: string, publication: string, startLsn: Lsn, statusIntervalMs: number): void {
    this.#received = startLsn
    const connection = (this.#client as unknown as { connection: CopyDataConnection }).connection
    connection.on('copyData', ({ chunk }) => this.#onCopyData(chunk))
    const sql =
      `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${formatLsn(startLsn)} ` +
      `(proto_version '1', publication_names ${quoteLiteral(quoteIdent(publication))})`
    this.#streaming = this.#client.query(sql).then(
      () => this.#fail(new Error('The server ended replication')),
      (error: unknown) => this.#fail(error),
    )
    if (statusIntervalMs > 0) {
      this.#statusTimer = setInterval(() => this.#sendStatus(), statusIntervalMs)
      this.#statusTimer.unref()
    }
  }

  /** The connection failed or ended: the task reconnects. */
  get failure(): Error | null {
    return this.#failure
  }

  /** The last WAL position the server sent (messages or keepalives). */
  get receivedLsn(): Lsn {
    return this.#received
  }

  get confirmedLsn(): Lsn {
    return this.#confirmed
  }

  get queued(): number {
    return this.#queue.length - this.#queueHead
  }

  /** Up to `max` decoded messages, oldest first. */
  take(max: number): WalMessage[] {
    const end = Math.min(this.#queue.length, this.#queueHead + max)
    const out = this.#queue.slice(this.#queueHead, end)
    this.#queueHead = end
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0
      this.#queueHead = 0
    } else if (this.#queueHead >= this.#queue.length / 2) {
      // Taken messages must not stay referenced: while the stream keeps the queue from ever running empty (a long
      // backlog), the array held every message since the start — a 200k-change transaction cost 200 MB more.
      this.#queue.splice(0, this.#queueHead)
      this.#queueHead = 0
    }
    if (this.#paused && this.queued <= this.#maxQueue / 2) {
      this.#paused = false
      this.#connection().stream.resume()
    }
    return out
  }

  /** Resolves when messages are queued, the stream failed, `ms` passed or `signal` aborted. */
  async waitForMessages(ms: number, signal: AbortSignal): Promise<void> {
    if (this.queued > 0 || this.#failure || signal.aborted) return
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.#waiter = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      this.#waiter = done
    })
  }

  /** The position up to which Kafka holds every change: reported to the server as flushed, never moved back. */
  confirm(lsn: Lsn): void {
    if (lsn <= this.#confirmed) return
    this.#confirmed = lsn
    this.#sendStatus()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#statusTimer)
    this.#waiter?.()
    if (this.#streaming && !this.#failure) {
      // A last report so the server records the final confirmed position before the connection goes.
      this.#sendStatus()
    }
    await this.#client.end().catch(() => {})
  }

  #connection(): CopyDataConnection {
    return (this.#client as unknown as { connection: CopyDataConnection }).connection
  }

  #onCopyData(chunk: Buffer): void {
    const kind = chunk[0]
    if (kind === 0x77 /* w: XLogData */) {
      const lsn = readLsn(chunk, 1)
      const walEnd = readLsn(chunk, 9)
      let message: PgOutputMessage
      try {
        message = decodePgOutput(chunk.subarray(25))
      } catch (error) {
        this.#fail(error)
        return
      }
      if (walEnd > this.#received) this.#received = walEnd
      this.#queue.push({ lsn, message })
      if (!this.#paused && this.queued >= this.#maxQueue) {
        this.#paused = true
        this.#connection().stream.pause()
      }
      this.#waiter?.()
    } else if (kind === 0x6b /* k: primary keepalive */) {
      const walEnd = readLsn(chunk, 1)
      if (walEnd > this.#received) this.#received = walEnd
      // A reply the server asks for reports no flush position (the slot keeps the one confirmed before): at shutdown
      // a walsender exits only once the client's flush (or, when invalid, write) position reaches all it sent — with
      // the confirmed position there, a fast shutdown of PostgreSQL would wait for Kafka commits that never come.
      if (chunk[17] === 1) this.#sendStatus(false)
    }
  }

  /** Standby Status Update: written = received, flushed = applied = confirmed (or invalid, 0: not reported). */
  #sendStatus(reportFlush = true): void {
    // Status updates are CopyData: only valid once START_REPLICATION switched the connection to copy mode.
    if (!this.#streaming || this.#failure) return
    const message = Buffer.alloc(34)
    message[0] = 0x72 // r
    writeLsn(message, 1, Math.max(this.#received, this.#confirmed))
    writeLsn(message, 9, reportFlush ? this.#confirmed : 0)
    writeLsn(message, 17, reportFlush ? this.#confirmed : 0)
    message.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25)
    message[33] = 0 // no reply requested
    try {
      this.#connection().sendCopyFromChunk(message)
    } catch (error) {
      this.#fail(error)
    }
  }

  #fail(error: unknown): void {
    if (this.#failure || this.#closed) return
    this.#failure = error instanceof Error ? error : new Error(String(error))
    this.#log.warn({ err: this.#failure.message }, 'replication connection lost')
    clearInterval(this.#statusTimer)
    this.#waiter?.()
  }
}
