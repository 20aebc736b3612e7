// producer.buffer.memory for a client without a record accumulator: the bytes of records handed to the Kafka client
// and not yet acknowledged are held against a budget, and a request that does not fit waits (in arrival order) until
// acknowledgements free enough of it — as Kafka's producer blocks in send() when its buffer pool is exhausted. A
// request larger than the whole budget goes alone once nothing else is held, so it can never wait forever.

/** Kafka producer's default `buffer.memory`. */
export const DEFAULT_BUFFER_MEMORY_BYTES = 33_554_432

export class SendBuffer {
  readonly totalBytes: number
  #used = 0
  readonly #waiting: { bytes: number; grant(): void }[] = []

  constructor(totalBytes: number) {
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 1) {
      throw new RangeError(`buffer size must be a positive whole number of bytes, got ${totalBytes}`)
    }
    this.totalBytes = totalBytes
  }

  /** Bytes not held by unacknowledged records (never below 0: an oversized lone request holds the whole budget). */
  get availableBytes(): number {
    return Math.max(0, this.totalBytes - this.#used)
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Holds `bytes`: undefined when granted at once, else a promise that resolves when granted (FIFO). */
  acquire(bytes: number): Promise<void> | undefined {
    if (this.#waiting.length === 0 && this.#fits(bytes)) {
      this.#used += bytes
      return undefined
    }
    return new Promise((resolve) => {
      this.#waiting.push({
        bytes,
        grant: () => {
          this.#used += bytes
          resolve()
        },
      })
    })
  }

  /** Gives back `bytes` an acquire held, and grants waiting requests, in order, while they fit. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes)
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0].bytes)) this.#waiting.shift()?.grant()
  }

  #fits(bytes: number): boolean {
    return this.#used === 0 || this.#used + bytes <= this.totalBytes
  }
}
