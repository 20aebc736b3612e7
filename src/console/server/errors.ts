// The console API's one error shape, as Kafka Connect's: `{error_code, message}` with the HTTP status as the code.
// A part that cannot be reached (Kafka, a Connect cluster, the lag exporter) answers 502 with a message naming it,
// so the UI shows that part as down and keeps the rest.

export class ApiError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export interface ErrorBody {
  error_code: number
  message: string
}

export const errorBody = (status: number, message: string): ErrorBody => ({ error_code: status, message })

export const badRequest = (message: string) => new ApiError(400, message)
export const notFound = (message: string) => new ApiError(404, message)
export const unreachable = (what: string, cause: unknown) =>
  new ApiError(502, `${what} did not answer: ${cause instanceof Error ? cause.message : String(cause)}`)

/** A settled part of an aggregate answer: its value, or the error that part met. */
export type Part<T> = { ok: true; value: T } | { ok: false; error: ErrorBody }

export async function part<T>(work: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await work }
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 502
    return { ok: false, error: errorBody(status, error instanceof Error ? error.message : String(error)) }
  }
}
