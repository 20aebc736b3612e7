// Rows of the signalling table (signal.data.collection: id, type, data) as Debezium's source channel reads them:
// an inserted row is a signal. execute-snapshot / stop-snapshot come from users; snapshot-window-open /
// snapshot-window-close are the watermarks the connector itself writes around each incremental snapshot chunk.

export const SignalTypes = {
  EXECUTE_SNAPSHOT: 'execute-snapshot',
  STOP_SNAPSHOT: 'stop-snapshot',
  WINDOW_OPEN: 'snapshot-window-open',
  WINDOW_CLOSE: 'snapshot-window-close',
} as const

export interface AdditionalCondition {
  /** Anchored, case-insensitive regex over schema.table (Debezium's `data-collection`). */
  dataCollection: RegExp
  /** SQL condition added to the chunk query (Debezium's `filter`). */
  filter: string
}

export type Signal =
  | {
      kind: 'execute-snapshot'
      id: string
      /** Regexes or names of schema.table, as given. */
      dataCollections: string[]
      additionalConditions: AdditionalCondition[]
      surrogateKey: string | null
    }
  | { kind: 'stop-snapshot'; id: string; dataCollections: string[] }
  | { kind: 'window-open' | 'window-close'; id: string }
  /** Not acted on: the reason is logged (Debezium logs and goes on too). */
  | { kind: 'ignored'; id: string; reason: string }

const ignored = (id: string, reason: string): Signal => ({ kind: 'ignored', id, reason })

/** One signal row (its three columns, in table order) → what to do. Never throws: bad input is `ignored`. */
export function parseSignal(id: string | null, type: string | null, data: string | null): Signal {
  const signalId = id ?? ''
  if (type === SignalTypes.WINDOW_OPEN) return { kind: 'window-open', id: signalId }
  if (type === SignalTypes.WINDOW_CLOSE) return { kind: 'window-close', id: signalId }
  if (type !== SignalTypes.EXECUTE_SNAPSHOT && type !== SignalTypes.STOP_SNAPSHOT) {
    return ignored(
      signalId,
      `signal type "${type}" is not recognized (flowscope acts on execute-snapshot and stop-snapshot)`,
    )
  }
  let doc: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(data ?? '')
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
    doc = parsed as Record<string, unknown>
  } catch {
    return ignored(signalId, `data of ${type} signal "${signalId}" is not a JSON object: ${data}`)
  }
  const snapshotType = typeof doc.type === 'string' ? doc.type.toUpperCase() : 'INCREMENTAL'
  if (snapshotType !== 'INCREMENTAL') {
    return ignored(
      signalId,
      snapshotType === 'BLOCKING'
        ? `${type} signal "${signalId}": blocking snapshots are not supported by flowscope, only incremental ones`
        : `${type} signal "${signalId}": unexpected snapshot type "${doc.type}"`,
    )
  }
  const collections = Array.isArray(doc['data-collections'])
    ? (doc['data-collections'] as unknown[]).filter((c): c is string => typeof c === 'string').map((c) => c.trim())
    : []
  if (type === SignalTypes.STOP_SNAPSHOT) return { kind: 'stop-snapshot', id: signalId, dataCollections: collections }
  if (collections.length === 0) {
    return ignored(signalId, `execute-snapshot signal "${signalId}": "data-collections" is missing or empty`)
  }
  const conditions: AdditionalCondition[] = []
  for (const entry of Array.isArray(doc['additional-conditions']) ? doc['additional-conditions'] : []) {
    const c = entry as { 'data-collection'?: unknown; filter?: unknown } | null
    if (typeof c?.['data-collection'] !== 'string' || typeof c.filter !== 'string') {
      return ignored(
        signalId,
        `execute-snapshot signal "${signalId}": each additional condition needs "data-collection" and "filter" strings`,
      )
    }
    try {
      conditions.push({ dataCollection: new RegExp(`^(?:${c['data-collection']})$`, 'i'), filter: c.filter })
    } catch (error) {
      return ignored(signalId, `execute-snapshot signal "${signalId}": bad data-collection regex: ${String(error)}`)
    }
  }
  const surrogate = typeof doc['surrogate-key'] === 'string' ? doc['surrogate-key'].trim() : ''
  return {
    kind: 'execute-snapshot',
    id: signalId,
    dataCollections: collections,
    additionalConditions: conditions,
    surrogateKey: surrogate === '' ? null : surrogate,
  }
}

/**
 * Debezium's expansion of requested names: each is a regex over the known tables' schema.table; one matching
 * nothing is kept as given (and later skipped if no such table exists).
 */
export function expandDataCollections(requested: string[], known: string[]): string[] {
  const out: string[] = []
  for (const name of requested) {
    let matches: string[] = []
    try {
      const pattern = new RegExp(`^(?:${name})$`)
      matches = known.filter((k) => pattern.test(k))
    } catch {
      // not a regex: taken literally
    }
    for (const m of matches.length > 0 ? matches : [name]) if (!out.includes(m)) out.push(m)
  }
  return out
}

/** Debezium's SignalMetadata string, written as the data of the window watermark rows. */
export function windowMetadata(openedAt: Date, closedAt: Date | null): string {
  return closedAt === null
    ? `{"openWindowTimestamp": "${openedAt.toISOString()}"}`
    : `{"openWindowTimestamp": "${openedAt.toISOString()}", "closeWindowTimestamp": "${closedAt.toISOString()}"}`
}
