// Compares two connectors' change events (Debezium's and flowscope's) key and value, schemas included, field by
// field, and says where they differ by path. Fields that change from run to run (LSNs, transaction ids, clocks, the
// connector's version) are compared by type and presence only; the two runs' topic prefixes are made one before
// comparing, so schema names and `source.name` are compared exactly. Pure: the integration test feeds it what it read.

/** One record as read from Kafka: the key and value as JsonConverter wrote them (parsed), null for a tombstone. */
export interface CapturedEvent {
  /** The topic with the run's prefix, e.g. `dbz_1a2b.public.items`. */
  topic: string
  key: unknown
  value: unknown
}

export interface EventSide {
  /** What the connector's `topic.prefix` was; replaced by `<prefix>` wherever it appears as a name's first part. */
  prefix: string
  /** The captured table's name when each side captured a table of its own: `<table>` in names and `source.table`. */
  table?: string
  events: CapturedEvent[]
}

/**
 * Paths (dot-separated, `*` matches one segment) whose values differ between runs by nature. `value.payload…` paths
 * are the envelope's payload; schemas hold no volatile values.
 */
export const VOLATILE_PATHS: readonly string[] = [
  'value.payload.ts_ms',
  'value.payload.ts_us',
  'value.payload.ts_ns',
  'value.payload.source.version',
  'value.payload.source.ts_ms',
  'value.payload.source.ts_us',
  'value.payload.source.ts_ns',
  'value.payload.source.sequence',
  'value.payload.source.txId',
  'value.payload.source.lsn',
  'value.payload.source.xmin',
  'value.payload.transaction.id',
]

export interface DiffOptions {
  /** More volatile paths (e.g. a column filled by `now()`), added to VOLATILE_PATHS. */
  volatilePaths?: readonly string[]
  /** Stop after this many differences (default 50): one wrong type otherwise repeats in every event. */
  maxDifferences?: number
}

export interface EventDifference {
  /** e.g. `#4 (op u, key {"id":1}) value.payload.after.c_numeric` */
  where: string
  expected: string
  actual: string
}

const PREFIX_TOKEN = '<prefix>'
const TABLE_TOKEN = '<table>'

/**
 * Replaces the run's prefix where a name starts with it (`<prefix>.public.t.Value`) or is it (`source.name`), and the
 * run's table where it is a name or a name's part after the prefix (`<prefix>.public.<table>.Value`).
 */
function normalizeNames(value: unknown, side: EventSide): unknown {
  if (typeof value === 'string') {
    let name = value
    if (name === side.prefix) return PREFIX_TOKEN
    if (name.startsWith(`${side.prefix}.`)) {
      name = PREFIX_TOKEN + name.slice(side.prefix.length)
      if (side.table)
        name = name
          .split('.')
          .map((part) => (part === side.table ? TABLE_TOKEN : part))
          .join('.')
    }
    return side.table && name === side.table ? TABLE_TOKEN : name
  }
  if (Array.isArray(value)) return value.map((item) => normalizeNames(item, side))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeNames(v, side)]))
  }
  return value
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'absent'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)'
  const text = JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}…` : text
}

function matches(pattern: string[], path: string[]): boolean {
  return pattern.length === path.length && pattern.every((segment, i) => segment === '*' || segment === path[i])
}

/** A label for an array element: schema fields by their `field` name (stable when one is added), else the index. */
function elementLabel(item: unknown, index: number): string {
  if (item !== null && typeof item === 'object' && 'field' in item && typeof item.field === 'string') {
    return `[field=${item.field}]`
  }
  return `[${index}]`
}

/** A short description of an event, to say which one differs. */
function describeEvent(index: number, event: CapturedEvent | undefined): string {
  if (!event) return `#${index}`
  const payload = (event.value as { payload?: { op?: unknown; status?: unknown } } | null)?.payload
  // Change events have an op; transaction metadata events (BEGIN/END) a status.
  const op =
    event.value === null
      ? 'tombstone'
      : payload?.op === undefined && payload?.status !== undefined
        ? String(payload.status)
        : `op ${String(payload?.op)}`
  const key = (event.key as { payload?: unknown } | null)?.payload ?? event.key
  return `#${index} (${op}, key ${show(key)})`
}

function compareValues(
  expected: unknown,
  actual: unknown,
  path: string[],
  labels: string[],
  volatile: string[][],
  report: (path: string, expected: string, actual: string) => void,
): void {
  if (volatile.some((pattern) => matches(pattern, path))) {
    // Present on both sides with the same JSON type; the value itself is the run's.
    if (typeName(expected) !== typeName(actual)) {
      report(labels.join('.'), `${typeName(expected)} (volatile)`, typeName(actual))
    }
    return
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const byField = expected.every((item, i) => elementLabel(item, i).startsWith('[field='))
    if (byField && actual.every((item, i) => elementLabel(item, i).startsWith('[field='))) {
      // Schema fields: matched by name so one missing field is reported once, not as a shift of all that follow.
      const names = (list: unknown[]) => list.map((item) => (item as { field: string }).field)
      const [expectedNames, actualNames] = [names(expected), names(actual)]
      if (expectedNames.join() !== actualNames.join()) {
        report(`${labels.join('.')} (field names in order)`, show(expectedNames), show(actualNames))
      }
      for (const [i, item] of expected.entries()) {
        const other = actual.find((candidate) => (candidate as { field: string }).field === expectedNames[i])
        if (other === undefined) continue
        const label = elementLabel(item, i)
        const { index: _a, ...expectedRest } = item as Record<string, unknown>
        const { index: _b, ...actualRest } = other as Record<string, unknown>
        compareValues(expectedRest, actualRest, [...path, '*'], [...labels, label], volatile, report)
      }
      return
    }
    if (expected.length !== actual.length) {
      report(`${labels.join('.')} (length)`, String(expected.length), String(actual.length))
    }
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      compareValues(expected[i], actual[i], [...path, '*'], [...labels, `[${i}]`], volatile, report)
    }
    return
  }
  if (
    expected !== null &&
    actual !== null &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    !Array.isArray(expected) &&
    !Array.isArray(actual)
  ) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    for (const key of keys) {
      compareValues(
        (expected as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        [...path, key],
        [...labels, key],
        volatile,
        report,
      )
    }
    return
  }
  if (!Object.is(expected, actual)) report(labels.join('.'), show(expected), show(actual))
}

/**
 * Every difference between the `expected` connector's events and the `actual` one's, in order: the topic (past the
 * prefix), then key and value, schemas and payloads. Events are paired by position: both read the same changes.
 */
export function diffEvents(expected: EventSide, actual: EventSide, options: DiffOptions = {}): EventDifference[] {
  const volatile = [...VOLATILE_PATHS, ...(options.volatilePaths ?? [])].map((p) => p.split('.'))
  const max = options.maxDifferences ?? 50
  const differences: EventDifference[] = []
  const count = Math.max(expected.events.length, actual.events.length)
  for (let i = 0; i < count && differences.length < max; i++) {
    const [e, a] = [expected.events[i], actual.events[i]]
    const where = describeEvent(i, e ?? a)
    if (!e || !a) {
      differences.push({
        where: `${where} (event)`,
        expected: e ? 'this event' : '(none: the expected side has fewer events)',
        actual: a ? 'an extra event' : '(none: missing)',
      })
      continue
    }
    const report = (path: string, expectedText: string, actualText: string) => {
      if (differences.length < max)
        differences.push({ where: `${where} ${path}`, expected: expectedText, actual: actualText })
    }
    const normalized = (side: EventSide, event: CapturedEvent) =>
      normalizeNames({ topic: event.topic, key: event.key, value: event.value }, side)
    compareValues(normalized(expected, e), normalized(actual, a), [], [], volatile, report)
  }
  return differences
}

/** The differences as lines a test failure can print. */
export function formatDifferences(differences: EventDifference[], names = { expected: 'expected', actual: 'actual' }) {
  return differences
    .map((d) => `${d.where}\n    ${names.expected}: ${d.expected}\n    ${names.actual}: ${d.actual}`)
    .join('\n')
}
