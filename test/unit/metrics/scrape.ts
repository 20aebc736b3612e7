// Test helper: parses Prometheus text exposition into series keyed `name{a="x",b="y"}` (labels sorted) → value.

export interface Series {
  readonly name: string
  readonly labels: Record<string, string>
  readonly value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseExposition(body: string): Series[] {
  const series: Series[] = []
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (match === null) throw new Error(`unparsable exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name] = value
    const raw = match[3]
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw)
    series.push({ name: match[1], labels, value })
  }
  return series
}

export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`
}

/** Series keyed by name and sorted labels; runtime (process_*, nodejs_*) series left out. */
export function seriesMap(body: string): Map<string, number> {
  const map = new Map<string, number>()
  for (const s of parseExposition(body)) {
    if (s.name.startsWith('process_') || s.name.startsWith('nodejs_')) continue
    map.set(seriesKey(s.name, s.labels), s.value)
  }
  return map
}

/** Keys whose value differs between two scrapes, or that exist in only one of them. */
export function changedKeys(before: Map<string, number>, after: Map<string, number>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter((k) => !Object.is(before.get(k), after.get(k))).sort()
}
