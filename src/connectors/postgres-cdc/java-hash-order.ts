// The iteration order of a java.util.HashMap with String keys. Debezium writes two things in that order, so matching
// it byte for byte needs it: the `data_collections` of a transaction's END event (TransactionContext's per-table
// counts) and the JSON of an hstore value (pgjdbc's HStoreConverter.fromString fills a HashMap).
//
// HashMap (Java 8+): a table of 2^n bins (16 at first, doubled when size exceeds 3/4 of it), bin index
// `(h ^ (h >>> 16)) & (n - 1)` with h = String.hashCode(); iteration goes bin by bin, each bin in insertion order (a
// resize splits bins keeping their relative order). clear() keeps the table size. A bin of 9+ colliding keys in a
// table of 64+ bins becomes a tree, whose order this does not model (keys that collide that much are contrived).

/** java.lang.String.hashCode(): s[0]*31^(n-1) + … + s[n-1] over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

const spread = (h: number) => (h ^ (h >>> 16)) >>> 0

const TREEIFY_THRESHOLD = 8
const MIN_TREEIFY_CAPACITY = 64

/** Keys and values in a java.util.HashMap<String, V>'s iteration order. */
export class JavaHashMap<V> {
  #bins: string[][] = []
  #values = new Map<string, V>()
  #capacity = 0

  get size(): number {
    return this.#values.size
  }

  get(key: string): V | undefined {
    return this.#values.get(key)
  }

  set(key: string, value: V): this {
    if (this.#values.has(key)) {
      this.#values.set(key, value)
      return this
    }
    if (this.#capacity === 0) this.#resize()
    const bin = this.#binOf(key)
    bin.push(key)
    this.#values.set(key, value)
    // putVal: a bin reaching TREEIFY_THRESHOLD + 1 nodes in a small table doubles the table instead of treeifying.
    if (bin.length > TREEIFY_THRESHOLD && this.#capacity < MIN_TREEIFY_CAPACITY) this.#resize()
    if (this.#values.size > this.#capacity * 0.75) this.#resize()
    return this
  }

  /** Empties the map; like HashMap.clear() the table keeps its size (which later orders depend on). */
  clear(): void {
    this.#values.clear()
    this.#bins = this.#bins.map(() => [])
  }

  keys(): string[] {
    return this.#bins.flat()
  }

  entries(): [string, V][] {
    return this.keys().map((key) => [key, this.#values.get(key) as V])
  }

  #binOf(key: string): string[] {
    return this.#bins[spread(javaStringHash(key)) & (this.#capacity - 1)]
  }

  #resize(): void {
    const old = this.#bins
    this.#capacity = this.#capacity === 0 ? 16 : this.#capacity * 2
    this.#bins = Array.from({ length: this.#capacity }, () => [])
    for (const bin of old) for (const key of bin) this.#binOf(key).push(key)
  }
}

/** The keys of `entries` in the order a new HashMap filled with them in that order iterates them. */
export function javaHashMapOrder<V>(entries: Iterable<[string, V]>): [string, V][] {
  const map = new JavaHashMap<V>()
  for (const [key, value] of entries) map.set(key, value)
  return map.entries()
}
