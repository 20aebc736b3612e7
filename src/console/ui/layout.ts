// Left-to-right layout of the pipeline graph with dagre: node boxes and edge polylines in pixels.
import { Graph, layout } from '@dagrejs/dagre'

export interface Box {
  id: string
  x: number
  y: number
  width: number
  height: number
}

export interface Laid {
  boxes: Map<string, Box>
  edges: { from: string; to: string; points: { x: number; y: number }[] }[]
  width: number
  height: number
}

export const NODE_WIDTH = 240
// Room for the kind, label, status, tasks and the hop's sparkline (22 px at the bottom).
export const NODE_HEIGHT = 118

export function layoutGraph(nodes: { id: string }[], edges: { from: string; to: string }[]): Laid {
  const g = new Graph()
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 16, marginy: 16 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  for (const e of edges) g.setEdge(e.from, e.to)
  layout(g)
  const boxes = new Map<string, Box>()
  for (const n of nodes) {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number }
    boxes.set(n.id, {
      id: n.id,
      x: laid.x - laid.width / 2,
      y: laid.y - laid.height / 2,
      width: laid.width,
      height: laid.height,
    })
  }
  const graph = g.graph() as { width?: number; height?: number }
  return {
    boxes,
    edges: edges.map((e) => ({
      ...e,
      points: (g.edge(e.from, e.to) as { points?: { x: number; y: number }[] }).points ?? [],
    })),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  }
}
