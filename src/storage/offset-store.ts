// Source offsets, kept in the offsets topic in Kafka Connect's format: key = JSON ["<connector>",{partition}],
// value = the offset map as JSON (null = reset). Written only with offsets whose records Kafka acknowledged.
import type { SourceOffset, SourcePartition } from '../record/source-record.ts'
import type { OffsetBackingStore, StoreLog } from './backing-stores.ts'

/** A stable text form of a JSON value (sorted object keys), so equal partitions compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** One offset as Connect stores it: key `["<connector>",{partition}]`, value the offset's JSON (null: a tombstone). */
export function offsetRecord(
  connector: string,
  partition: SourcePartition,
  offset: SourceOffset | null,
): { key: string; value: Buffer | null } {
  return {
    key: canonicalJson([connector, partition]),
    value: offset === null ? null : Buffer.from(JSON.stringify(offset)),
  }
}

export class OffsetStore implements OffsetBackingStore {
  /** connector → canonical partition → { partition, offset } */
  readonly #offsets = new Map<string, Map<string, { partition: SourcePartition; offset: SourceOffset }>>()
  #log: StoreLog | undefined

  attach(log: StoreLog): void {
    this.#log = log
  }

  apply(key: string | null, value: Buffer | null): void {
    if (!key) return
    let parsed: unknown
    try {
      parsed = JSON.parse(key)
    } catch {
      return // not a Connect offset key; Connect ignores those too
    }
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string') return
    const [connector, partition] = parsed as [string, SourcePartition]
    const byPartition = this.#offsets.get(connector) ?? new Map()
    const id = canonicalJson(partition)
    if (value === null) byPartition.delete(id)
    else byPartition.set(id, { partition, offset: JSON.parse(value.toString('utf8')) as SourceOffset })
    this.#offsets.set(connector, byPartition)
  }

  get(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.#offsets.get(connector)?.get(canonicalJson(partition))?.offset ?? null
  }

  all(connector: string): { partition: SourcePartition; offset: SourceOffset }[] {
    return [...(this.#offsets.get(connector)?.values() ?? [])]
  }

  /** Writes offsets (null = tombstone) and resolves once Kafka acknowledged every one of them. */
  async write(
    connector: string,
    offsets: readonly { partition: SourcePartition; offset: SourceOffset | null }[],
  ): Promise<void> {
    if (!this.#log) throw new Error('offset store is not attached to its topic')
    const log = this.#log
    await Promise.all(
      offsets.map(({ partition, offset }) => {
        const { key, value } = offsetRecord(connector, partition, offset)
        return log.send(key, value)
      }),
    )
  }

  async readToEnd(): Promise<void> {
    await this.#log?.readToEnd()
  }
}
