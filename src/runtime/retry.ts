// Retry with exponential backoff for retriable failures (Connect's RetryWithToleranceOperator): attempts continue
// while errors are retriable and errors.retry.timeout has not passed (-1 = forever, 0 = never retry).
import { FlowscopeError } from '../errors.ts'

export interface RetryPolicy {
  timeoutMs: number
  delayMaxMs: number
  signal?: AbortSignal
  onRetry?(attempt: number, error: unknown, delayMs: number): void
}

export function isRetriable(error: unknown): boolean {
  return error instanceof FlowscopeError && error.canRetry
}

export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const started = Date.now()
  let delay = 300
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      const elapsed = Date.now() - started
      const canWait = policy.timeoutMs === -1 || elapsed + delay <= policy.timeoutMs
      if (!isRetriable(error) || !canWait || policy.signal?.aborted) throw error
      policy.onRetry?.(attempt, error, delay)
      await sleep(delay, policy.signal)
      delay = Math.min(delay * 2, policy.delayMaxMs)
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
