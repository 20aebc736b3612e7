// Per-hop sparklines of the pipeline graph: which history series a hop shows, and the SVG polylines of its points.
// Pure (unit-tested); the series come from /api/history (the console's samples, or Prometheus when configured).
import type { PipelineNode } from '../server/topology.ts'

export interface HopSeries {
  id: string
  /** What the line is, for the tooltip and screen readers. */
  what: string
  unit: string
}

/** The series a hop's sparkline draws: a connector's write rate, a topic's append rate, a group's lag; a table none. */
export function hopSeries(node: Pick<PipelineNode, 'kind' | 'label' | 'connect' | 'connector'>): HopSeries | null {
  switch (node.kind) {
    case 'connector':
      return node.connect && node.connector
        ? { id: `connector.write_rate:${node.connect}/${node.connector}`, what: 'write rate', unit: 'records/s' }
        : null
    case 'topic':
      return { id: `topic.append_rate:${node.label}`, what: 'append rate', unit: 'records/s' }
    case 'group':
      return { id: `group.lag:${node.label}`, what: 'lag', unit: 'offsets' }
    default:
      return null
  }
}

/**
 * Polylines (SVG `points` strings) of a series in a width × height box over [from, to] (seconds). The y scale runs
 * from 0 to the largest value; a stretch with no point longer than three usual steps is a gap, never a line across
 * (a value not known is not drawn as anything).
 */
export function sparklinePolylines(
  t: readonly number[],
  v: readonly number[],
  from: number,
  to: number,
  width: number,
  height: number,
): string[] {
  if (t.length === 0 || to <= from) return []
  const steps = t
    .slice(1)
    .map((x, i) => x - t[i])
    .sort((a, b) => a - b)
  const usual = steps.length > 0 ? steps[Math.floor(steps.length / 2)] : Number.POSITIVE_INFINITY
  const top = Math.max(...v, 0)
  const x = (s: number) => ((s - from) / (to - from)) * width
  // One pixel of margin so a flat line at 0 or at the top stays visible.
  const y = (value: number) => (top > 0 ? height - 1 - (value / top) * (height - 2) : height - 1)
  const lines: [number, number][][] = [[]]
  for (let i = 0; i < t.length; i++) {
    if (i > 0 && t[i] - t[i - 1] > 3 * usual) lines.push([])
    lines[lines.length - 1].push([x(t[i]), y(v[i])])
  }
  const text = (points: [number, number][]) => points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')
  // A lone point is drawn as a short level stroke so it can be seen.
  return lines.map((points) => text(points.length === 1 ? [points[0], [points[0][0] + 2, points[0][1]]] : points))
}

/** A value for the sparkline's label: whole numbers as they are, small fractions with one decimal. Pure. */
export function sparkValue(n: number): string {
  if (Number.isInteger(n) || Math.abs(n) >= 10) return Math.round(n).toLocaleString('en')
  return n.toFixed(1)
}
