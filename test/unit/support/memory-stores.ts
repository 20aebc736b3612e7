// The worker's three stores as in production (config-store.ts, offset-store.ts, status-store.ts), each attached to
// a log kept in memory instead of an internal topic: every write is applied back to its store at once, as the
// KafkaLog applies the worker's own writes, and kept in order for tests to read.

import type { StoreLog } from '../../../src/storage/backing-stores.ts'
import { ConfigStore } from '../../../src/storage/config-store.ts'
import { OffsetStore } from '../../../src/storage/offset-store.ts'
import { StatusStore } from '../../../src/storage/status-store.ts'

export class MemoryLog implements StoreLog {
  readonly records: { key: string; value: unknown }[] = []
  readonly #apply: (key: string, value: Buffer | null, offset: bigint) => void

  constructor(apply: (key: string, value: Buffer | null, offset: bigint) => void) {
    this.#apply = apply
  }

  async send(key: string, value: Buffer | null): Promise<void> {
    this.records.push({ key, value: value === null ? null : JSON.parse(value.toString('utf8')) })
    this.#apply(key, value, BigInt(this.records.length - 1))
  }

  async readToEnd(): Promise<void> {}
}

export interface MemoryStores {
  configs: ConfigStore
  offsets: OffsetStore
  statuses: StatusStore
  logs: { configs: MemoryLog; offsets: MemoryLog; statuses: MemoryLog }
}

export function memoryStores(): MemoryStores {
  const configs = new ConfigStore()
  const offsets = new OffsetStore()
  const statuses = new StatusStore()
  const logs = {
    configs: new MemoryLog((key, value, offset) => configs.apply(key, value, offset)),
    offsets: new MemoryLog((key, value) => offsets.apply(key, value)),
    statuses: new MemoryLog((key, value) => statuses.apply(key, value)),
  }
  configs.attach(logs.configs)
  offsets.attach(logs.offsets)
  statuses.attach(logs.statuses)
  return { configs, offsets, statuses, logs }
}
