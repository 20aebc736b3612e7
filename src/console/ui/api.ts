// The console API as the browser calls it. Writes carry the header the server requires (CSRF defence) and a JSON
// body; every failure becomes an ApiFailure with the server's message.
import { useEffect, useRef, useState } from 'preact/hooks'

export class ApiFailure extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (method !== 'GET') headers['X-Flowscope-Console'] = '1'
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    throw new ApiFailure(0, `the console server did not answer (${(error as Error).message})`)
  }
  const parsed = (await response.json().catch(() => null)) as { message?: string } | null
  if (!response.ok) throw new ApiFailure(response.status, parsed?.message ?? `HTTP ${response.status}`)
  return parsed as T
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => call<T>('PATCH', path, body),
  delete: <T>(path: string) => call<T>('DELETE', path),
}

export const REFRESH_MS = 3000

export interface Polled<T> {
  data: T | undefined
  error: string | undefined
  refresh: () => void
}

/** GETs `path` now and every REFRESH_MS while the page is shown; keeps the last data when a refresh fails. */
export function usePoll<T>(path: string | null): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [tick, setTick] = useState(0)
  const current = useRef(path)
  current.current = path
  useEffect(() => {
    if (path === null) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        const value = await api.get<T>(path)
        if (stopped || current.current !== path) return
        setData(value)
        setError(undefined)
      } catch (e) {
        if (!stopped) setError((e as Error).message)
      }
      if (!stopped) timer = setTimeout(load, REFRESH_MS)
    }
    void load()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [path, tick])
  return { data, error, refresh: () => setTick((t) => t + 1) }
}

export interface ConsoleConfig {
  version: string
  clusters: { name: string; bootstrapServers: string[] }[]
  connects: { name: string; url: string }[]
  lagExporter: string | null
  prometheus: string | null
  readOnly: boolean
}

let configOnce: Promise<ConsoleConfig> | undefined

/** The console's configuration, read once per page load (read-only mode hides the write controls). */
export function useConsoleConfig(): ConsoleConfig | undefined {
  const [config, setConfig] = useState<ConsoleConfig | undefined>(undefined)
  useEffect(() => {
    configOnce ??= api.get<ConsoleConfig>('/api/config')
    configOnce.then(setConfig, () => {
      configOnce = undefined
    })
  }, [])
  return config
}
