// The connector's watch on its replication slot: every SLOT_POLL_INTERVAL_MS it reads pg_replication_slots for
// flowscope_replication_slot_* (retained WAL, unconfirmed WAL, active). It runs in the connector, not the task, so
// the figures stay while the task is failed or restarting — when a slot retaining WAL matters most.
import type pg from 'pg'
import { messageOf } from '../../errors.ts'
import type { Logger } from '../../logging.ts'
import type { PostgresCdcConfig } from './config.ts'
import { closeQuietly, connect } from './connections.ts'
import type { SlotMetrics, SlotSample } from './metrics.ts'

export const SLOT_POLL_INTERVAL_MS = 5000

const SLOT_QUERY = `SELECT active,
    pg_current_wal_lsn()::text AS current,
    confirmed_flush_lsn::text AS confirmed,
    pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained,
    pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
  FROM pg_replication_slots WHERE slot_name = $1`

/** One read of the slot (null when it does not exist). */
export async function readSlot(client: pg.Client, slot: string): Promise<SlotSample | null> {
  const r = await client.query(SLOT_QUERY, [slot])
  const row = r.rows[0] as
    | { active: string; current: string; confirmed: string | null; retained: string | null; lag: string | null }
    | undefined
  if (!row) return null
  return {
    active: row.active === 't' || (row.active as unknown) === true,
    retainedBytes: row.retained === null ? null : Number(row.retained),
    confirmedLagBytes: row.lag === null ? null : Number(row.lag),
    currentLsn: lsnValue(row.current),
    confirmedLsn: row.confirmed === null ? null : lsnValue(row.confirmed),
  }
}

function lsnValue(text: string): bigint {
  const [high = '0', low = '0'] = text.split('/')
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`)
}

export class SlotMonitor {
  readonly #config: PostgresCdcConfig
  readonly #metrics: SlotMetrics
  readonly #log: Logger
  #client: pg.Client | null = null
  #timer: NodeJS.Timeout | null = null
  #running: Promise<void> | null = null
  #stopped = false
  #failing = false

  constructor(config: PostgresCdcConfig, metrics: SlotMetrics, log: Logger) {
    this.#config = config
    this.#metrics = metrics
    this.#log = log
  }

  start(): void {
    this.#schedule(0)
  }

  /** One poll now (also what the timer runs). A failed poll leaves no figures: stale ones would be made up. */
  async poll(): Promise<void> {
    try {
      this.#client ??= await connect(this.#config)
      this.#metrics.polled(await readSlot(this.#client, this.#config.slotName))
      this.#failing = false
    } catch (error) {
      this.#metrics.polled(null)
      if (!this.#failing) this.#log.warn({ err: messageOf(error) }, 'reading the replication slot failed')
      this.#failing = true
      const client = this.#client
      this.#client = null
      await closeQuietly(client)
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.poll().finally(() => {
        this.#running = null
        this.#schedule(SLOT_POLL_INTERVAL_MS)
      })
    }, delayMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#running
    await closeQuietly(this.#client)
    this.#client = null
  }
}
