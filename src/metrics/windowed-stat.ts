// Kafka's SampledStat idea in O(1): values recorded into a ring of time samples (default 2 × 30 s) give windowed
// sum, count, avg, max and per-second rate; a StateTimer gives the fraction of time spent in each state.
// Recording touches one sample; reading touches every sample once (a constant), never the recorded values.

export interface WindowConfig {
  /** How many samples the window keeps (Kafka's metrics.num.samples, default 2). */
  readonly samples: number
  /** How long one sample lasts (Kafka's metrics.sample.window.ms, default 30 000). */
  readonly windowMs: number
}

export const KAFKA_WINDOW: WindowConfig = { samples: 2, windowMs: 30_000 }

/**
 * Windowed statistics over the last `samples × windowMs`. A sample starts at the first record after the previous one
 * completed; samples older than the whole window are reset when read or recorded, as in Kafka's SampledStat. An empty
 * window reads 0 for avg and max (Kafka reports NaN and -Infinity there; Prometheus series stay plottable with 0).
 */
export class WindowedStat {
  readonly #config: WindowConfig
  readonly #starts: number[]
  readonly #sums: number[]
  readonly #counts: number[]
  readonly #maxes: number[]
  #current = 0
  #created = 0

  constructor(config: WindowConfig = KAFKA_WINDOW) {
    if (!(config.samples >= 1) || !(config.windowMs > 0)) {
      throw new RangeError(`window needs samples >= 1 and windowMs > 0, got ${config.samples} × ${config.windowMs}`)
    }
    this.#config = config
    this.#starts = new Array<number>(config.samples).fill(0)
    this.#sums = new Array<number>(config.samples).fill(0)
    this.#counts = new Array<number>(config.samples).fill(0)
    this.#maxes = new Array<number>(config.samples).fill(Number.NEGATIVE_INFINITY)
  }

  /** One event with `value` (a batch size, a duration, a byte count). */
  record(value: number, nowMs: number): void {
    const i = this.#sampleFor(nowMs)
    this.#sums[i] += value
    this.#counts[i] += 1
    if (value > this.#maxes[i]) this.#maxes[i] = value
  }

  /** `count` events whose values add up to `sum` (max is not updated: only sums, counts, avg and rates). */
  recordMany(sum: number, count: number, nowMs: number): void {
    const i = this.#sampleFor(nowMs)
    this.#sums[i] += sum
    this.#counts[i] += count
  }

  sum(nowMs: number): number {
    this.#purge(nowMs)
    let total = 0
    for (let i = 0; i < this.#created; i++) total += this.#sums[i]
    return total
  }

  count(nowMs: number): number {
    this.#purge(nowMs)
    let total = 0
    for (let i = 0; i < this.#created; i++) total += this.#counts[i]
    return total
  }

  /** Mean of the recorded values in the window; 0 when the window is empty. */
  avg(nowMs: number): number {
    const count = this.count(nowMs)
    return count === 0 ? 0 : this.sum(nowMs) / count
  }

  /** Largest recorded value in the window; 0 when the window is empty. */
  max(nowMs: number): number {
    this.#purge(nowMs)
    let max = Number.NEGATIVE_INFINITY
    for (let i = 0; i < this.#created; i++) if (this.#counts[i] > 0 && this.#maxes[i] > max) max = this.#maxes[i]
    return max === Number.NEGATIVE_INFINITY ? 0 : max
  }

  /** Sum of the recorded values per second, over the elapsed window as Kafka's Rate measures it. */
  rate(nowMs: number): number {
    return this.sum(nowMs) / (this.#windowSizeMs(nowMs) / 1000)
  }

  /** Events per second (Kafka's Rate over a WindowedCount). */
  countRate(nowMs: number): number {
    return this.count(nowMs) / (this.#windowSizeMs(nowMs) / 1000)
  }

  /** Kafka's Rate.windowSize: time since the oldest sample began, at least (samples − 1) full windows. */
  #windowSizeMs(nowMs: number): number {
    this.#purge(nowMs)
    let oldest = nowMs
    for (let i = 0; i < this.#created; i++) if (this.#starts[i] < oldest) oldest = this.#starts[i]
    let elapsed = nowMs - oldest
    const fullWindows = Math.floor(elapsed / this.#config.windowMs)
    const minFullWindows = this.#config.samples - 1
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.#config.windowMs
    return Math.max(elapsed, 1)
  }

  #sampleFor(nowMs: number): number {
    this.#purge(nowMs)
    if (this.#created === 0) {
      this.#created = 1
      this.#current = 0
      this.#reset(0, nowMs)
      return 0
    }
    const i = this.#current
    if (nowMs - this.#starts[i] < this.#config.windowMs) return i
    const next = (i + 1) % this.#config.samples
    if (next >= this.#created) this.#created = next + 1
    this.#current = next
    this.#reset(next, nowMs)
    return next
  }

  /** Samples that began a whole window ago or earlier hold nothing the window still covers. */
  #purge(nowMs: number): void {
    const expireAge = this.#config.samples * this.#config.windowMs
    for (let i = 0; i < this.#created; i++) {
      if (nowMs - this.#starts[i] >= expireAge) this.#reset(i, nowMs)
    }
  }

  #reset(i: number, nowMs: number): void {
    this.#starts[i] = nowMs
    this.#sums[i] = 0
    this.#counts[i] = 0
    this.#maxes[i] = Number.NEGATIVE_INFINITY
  }
}

/** Fraction of time spent in each state since the timer started (Connect's StateTracker.durationRatio). */
export class StateTimer<S extends string> {
  readonly #totals = new Map<S, number>()
  #state: S
  #since: number
  #closedMs = 0

  constructor(initial: S, nowMs: number) {
    this.#state = initial
    this.#since = nowMs
  }

  get state(): S {
    return this.#state
  }

  change(state: S, nowMs: number): void {
    if (state === this.#state) return
    const spent = Math.max(0, nowMs - this.#since)
    this.#totals.set(this.#state, (this.#totals.get(this.#state) ?? 0) + spent)
    this.#closedMs += spent
    this.#state = state
    this.#since = nowMs
  }

  /** Between 0 and 1; 0 before any time has passed. */
  ratio(state: S, nowMs: number): number {
    const current = Math.max(0, nowMs - this.#since)
    const total = this.#closedMs + current
    if (total === 0) return 0
    return ((this.#totals.get(state) ?? 0) + (state === this.#state ? current : 0)) / total
  }
}
