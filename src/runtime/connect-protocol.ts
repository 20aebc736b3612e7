// Kafka Connect's group protocol bytes (ConnectProtocol v0, IncrementalCooperativeConnectProtocol v1/v2): the member
// metadata a worker sends in JoinGroup and the assignment the leader hands each member in SyncGroup, written with
// Kafka's struct encoding (int16/int32/int64 big-endian; STRING = int16 length + UTF-8; ARRAY = int32 count, -1 for
// a null array; NULLABLE_BYTES = int32 length, -1 for null), so a real Connect worker reads what flowscope writes.
//   metadata v0:       version=0 url config_offset
//   metadata v1, v2:   version url config_offset allocation(NULLABLE_BYTES: the member's current v1 assignment)
//   assignment v0:     version=0 error leader leader_url config_offset [connector [task]]
//   assignment v1, v2: version error leader leader_url config_offset [connector [task]] [revoked …] delay(int32)
// A connector's own instance is the task id -1 (CONNECTOR_TASK) in its entry's task list.
import type { ConnectorTaskId } from './herder.ts'

/** Connect's protocol names (ConnectProtocolCompatibility): eager, incremental cooperative, and that with sessions. */
export const EAGER_PROTOCOL = 'default'
export const COMPATIBLE_PROTOCOL = 'compatible'
export const SESSIONED_PROTOCOL = 'sessioned'
export const CONNECT_PROTOCOL_TYPE = 'connect'

/** The worker's connect.protocol setting. */
export type ConnectProtocolMode = 'eager' | 'compatible' | 'sessioned'

/**
 * The protocols a worker offers in JoinGroup, most preferred first (ConnectProtocolCompatibility): the coordinator
 * picks the first one every member offers, so a group agrees on the oldest mode any of its workers is set to.
 */
export function offeredProtocols(mode: ConnectProtocolMode): { name: string; version: 0 | 1 | 2 }[] {
  const eager = { name: EAGER_PROTOCOL, version: 0 as const }
  const compatible = { name: COMPATIBLE_PROTOCOL, version: 1 as const }
  if (mode === 'eager') return [eager]
  if (mode === 'compatible') return [compatible, eager]
  return [{ name: SESSIONED_PROTOCOL, version: 2 }, compatible, eager]
}

/** The version of a protocol name the group agreed on (0: eager). */
export function protocolVersionOf(name: string | null | undefined): 0 | 1 | 2 {
  if (name === SESSIONED_PROTOCOL) return 2
  if (name === COMPATIBLE_PROTOCOL) return 1
  return 0
}
export const CONNECTOR_TASK = -1

/** Assignment error codes (ConnectProtocol.Assignment). */
export const NO_ERROR = 0
/** The leader's view of the config topic was behind a member's: every member reads to the end and rejoins. */
export const CONFIG_MISMATCH = 1

export interface WorkerState {
  url: string
  /** How far this worker has read the config topic: one past the last record's offset (-1: nothing read). */
  configOffset: bigint
  /** v1+: the member's assignment before this rebalance (null when it has none). */
  allocation?: ConnectAssignment | null
}

export interface ConnectAssignment {
  error: number
  leader: string
  leaderUrl: string
  configOffset: bigint
  connectors: string[]
  tasks: ConnectorTaskId[]
  /** v1+ only. */
  revokedConnectors?: string[]
  revokedTasks?: ConnectorTaskId[]
  /** v1+ only: scheduled.rebalance.max.delay.ms left before lost work is reassigned. */
  delayMs?: number
}

// ---- writing -----------------------------------------------------------------------------------------------------

class StructWriter {
  readonly #parts: Buffer[] = []

  int16(value: number): this {
    const b = Buffer.alloc(2)
    b.writeInt16BE(value)
    this.#parts.push(b)
    return this
  }

  int32(value: number): this {
    const b = Buffer.alloc(4)
    b.writeInt32BE(value)
    this.#parts.push(b)
    return this
  }

  int64(value: bigint): this {
    const b = Buffer.alloc(8)
    b.writeBigInt64BE(value)
    this.#parts.push(b)
    return this
  }

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8')
    if (bytes.length > 0x7fff) throw new Error(`string of ${bytes.length} bytes is too long for the Connect protocol`)
    this.int16(bytes.length)
    this.#parts.push(bytes)
    return this
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1)
    this.int32(value.length)
    this.#parts.push(value)
    return this
  }

  bytes(): Buffer {
    return Buffer.concat(this.#parts)
  }
}

export function encodeMetadata(version: 0 | 1 | 2, state: WorkerState): Buffer {
  const out = new StructWriter().int16(version).string(state.url).int64(state.configOffset)
  if (version === 0) return out.bytes()
  return out.nullableBytes(state.allocation ? encodeAssignment(1, state.allocation) : null).bytes()
}

/**
 * Connector entries in a stable order (sorted by name), each with -1 first when the connector's instance is
 * assigned, then its task ids ascending. Upstream keys a HashMap, so its order is arbitrary; readers do not care.
 */
function connectorEntries(connectors: readonly string[], tasks: readonly ConnectorTaskId[]): [string, number[]][] {
  const byConnector = new Map<string, number[]>()
  for (const name of connectors) byConnector.set(name, [CONNECTOR_TASK])
  for (const { connector, task } of tasks) {
    const list = byConnector.get(connector) ?? []
    list.push(task)
    byConnector.set(connector, list)
  }
  return [...byConnector.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, ids]) => [name, [...new Set(ids)].sort((x, y) => x - y)])
}

function writeConnectorAssignments(
  out: StructWriter,
  connectors: readonly string[],
  tasks: readonly ConnectorTaskId[],
) {
  const entries = connectorEntries(connectors, tasks)
  out.int32(entries.length)
  for (const [name, ids] of entries) {
    out.string(name).int32(ids.length)
    for (const id of ids) out.int32(id)
  }
}

export function encodeAssignment(version: 0 | 1 | 2, a: ConnectAssignment): Buffer {
  const out = new StructWriter()
    .int16(version)
    .int16(a.error)
    .string(a.leader)
    .string(a.leaderUrl)
    .int64(a.configOffset)
  writeConnectorAssignments(out, a.connectors, a.tasks)
  if (version === 0) return out.bytes()
  writeConnectorAssignments(out, a.revokedConnectors ?? [], a.revokedTasks ?? [])
  return out.int32(a.delayMs ?? 0).bytes()
}

// ---- reading -----------------------------------------------------------------------------------------------------

class StructReader {
  #at = 0
  readonly #buffer: Buffer
  readonly #what: string

  constructor(buffer: Buffer, what: string) {
    this.#buffer = buffer
    this.#what = what
  }

  get done(): boolean {
    return this.#at >= this.#buffer.length
  }

  #need(n: number): void {
    if (this.#at + n > this.#buffer.length) {
      throw new Error(
        `${this.#what} is truncated: ${n} more bytes needed at byte ${this.#at} of ${this.#buffer.length}`,
      )
    }
  }

  int16(): number {
    this.#need(2)
    const v = this.#buffer.readInt16BE(this.#at)
    this.#at += 2
    return v
  }

  int32(): number {
    this.#need(4)
    const v = this.#buffer.readInt32BE(this.#at)
    this.#at += 4
    return v
  }

  int64(): bigint {
    this.#need(8)
    const v = this.#buffer.readBigInt64BE(this.#at)
    this.#at += 8
    return v
  }

  string(): string {
    const length = this.int16()
    if (length < 0) throw new Error(`${this.#what}: a null string where Connect writes a string`)
    this.#need(length)
    const v = this.#buffer.toString('utf8', this.#at, this.#at + length)
    this.#at += length
    return v
  }

  nullableBytes(): Buffer | null {
    const length = this.int32()
    if (length < 0) return null
    this.#need(length)
    const v = this.#buffer.subarray(this.#at, this.#at + length)
    this.#at += length
    return v
  }
}

function checkVersion(version: number, what: string): void {
  // As upstream: any version from 0 up is read with the newest layout this code knows (later fields are optional).
  if (version < 0) throw new Error(`Unsupported ${what} version: ${version}`)
}

export function decodeMetadata(buffer: Buffer): WorkerState & { version: number } {
  const r = new StructReader(buffer, 'Connect member metadata')
  const version = r.int16()
  checkVersion(version, 'subscription')
  const url = r.string()
  const configOffset = r.int64()
  if (version === 0 || r.done) return { version, url, configOffset, allocation: null }
  const allocation = r.nullableBytes()
  return { version, url, configOffset, allocation: allocation ? decodeAssignment(allocation) : null }
}

function readConnectorAssignments(r: StructReader): { connectors: string[]; tasks: ConnectorTaskId[] } | null {
  const count = r.int32()
  if (count < 0) return null
  const connectors: string[] = []
  const tasks: ConnectorTaskId[] = []
  for (let i = 0; i < count; i++) {
    const connector = r.string()
    const n = r.int32()
    for (let j = 0; j < n; j++) {
      const task = r.int32()
      if (task === CONNECTOR_TASK) connectors.push(connector)
      else tasks.push({ connector, task })
    }
  }
  return { connectors, tasks }
}

export function decodeAssignment(buffer: Buffer): ConnectAssignment & { version: number } {
  const r = new StructReader(buffer, 'Connect assignment')
  const version = r.int16()
  checkVersion(version, 'assignment')
  const error = r.int16()
  const leader = r.string()
  const leaderUrl = r.string()
  const configOffset = r.int64()
  const assigned = readConnectorAssignments(r) ?? { connectors: [], tasks: [] }
  const base = { version, error, leader, leaderUrl, configOffset, ...assigned }
  if (version === 0) return base
  const revoked = r.done ? null : readConnectorAssignments(r)
  const delayMs = r.done ? 0 : r.int32()
  return {
    ...base,
    revokedConnectors: revoked?.connectors ?? [],
    revokedTasks: revoked?.tasks ?? [],
    delayMs,
  }
}

/** The member's REST URL from any Connect version's metadata; null when it is not Connect metadata. */
export function decodeMemberUrl(metadata: Buffer): string | null {
  try {
    return decodeMetadata(metadata).url
  } catch {
    return null
  }
}
