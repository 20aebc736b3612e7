// Which methods a path answers to, from the registered route patterns: lets the not-found handler tell a wrong
// method (405 with Allow) from an unknown path (404), as Jersey does.

interface Pattern {
  segments: string[]
  methods: Set<string>
}

export class RouteTable {
  readonly #patterns = new Map<string, Pattern>()

  add(method: string | string[], url: string): void {
    const key = normalize(url)
    let pattern = this.#patterns.get(key)
    if (!pattern) {
      pattern = { segments: segmentsOf(key), methods: new Set() }
      this.#patterns.set(key, pattern)
    }
    for (const one of Array.isArray(method) ? method : [method]) pattern.methods.add(one.toUpperCase())
  }

  /** Methods registered for a concrete request URL (query string ignored), sorted; empty when no route matches. */
  methodsFor(url: string): string[] {
    const segments = segmentsOf(normalize(url.split('?', 1)[0]))
    const methods = new Set<string>()
    for (const pattern of this.#patterns.values()) {
      if (matches(pattern.segments, segments)) for (const method of pattern.methods) methods.add(method)
    }
    return [...methods].sort()
  }
}

function normalize(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function segmentsOf(path: string): string[] {
  return path.split('/').slice(1)
}

function matches(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false
  return pattern.every((part, index) => (part.startsWith(':') ? segments[index] !== '' : part === segments[index]))
}
