// A reader of the Prometheus text exposition format, enough for the lag exporter's /metrics: samples with labels.
// Comments, timestamps and NaN values are skipped (a value that is not known is not shown).

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/
const NAME_END = /[{\s]/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g

export function parsePrometheusText(text: string, wanted?: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    // The name ends at the labels or the value: lines of other metrics are skipped before the regular expressions.
    if (wanted && !wanted.has(line.slice(0, NAME_END.exec(line)?.index ?? line.length))) continue
    const match = LINE.exec(line)
    if (!match) continue
    const [, name, labelText, valueText] = match
    const value = Number(valueText)
    if (!Number.isFinite(value)) continue
    const labels: Record<string, string> = {}
    if (labelText) {
      for (const m of labelText.matchAll(LABEL)) {
        labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
      }
    }
    samples.push({ name, labels, value })
  }
  return samples
}
