// Validation of what the browser sends: query strings of the list endpoints, names in paths, connector actions.
// Pure functions; each failure is a 400 naming the parameter and what would be accepted.
import { badRequest } from './errors.ts'

export type Query = Record<string, unknown>

function single(query: Query, key: string): string | undefined {
  const value = query[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw badRequest(`query parameter "${key}" must be given once`)
  return value
}

export function intParam(query: Query, key: string, fallback: number, min: number, max: number): number {
  const raw = single(query, key)
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw badRequest(`query parameter "${key}": ${JSON.stringify(raw)} is not a whole number from ${min} to ${max}`)
  }
  return Number(raw)
}

export function enumParam<const T extends string>(query: Query, key: string, allowed: readonly T[], fallback: T): T {
  const raw = single(query, key)
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw)) {
    throw badRequest(`query parameter "${key}": ${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`)
  }
  return raw as T
}

export function boolParam(query: Query, key: string): boolean {
  const raw = single(query, key)
  if (raw === undefined || raw === '' || raw === 'false') return false
  if (raw === 'true') return true
  throw badRequest(`query parameter "${key}": ${JSON.stringify(raw)} is not true or false`)
}

export function textParam(query: Query, key: string, maxLength: number): string {
  const raw = single(query, key) ?? ''
  if (raw.length > maxLength) throw badRequest(`query parameter "${key}" is longer than ${maxLength} characters`)
  return raw
}

export const TOPIC_SORTS = ['name', 'partitions', 'replication', 'under_replicated'] as const
export type TopicSort = (typeof TOPIC_SORTS)[number]

export interface TopicQuery {
  search: string
  sort: TopicSort
  order: 'asc' | 'desc'
  page: number
  size: number
  internal: boolean
}

export function topicQuery(query: Query): TopicQuery {
  return {
    search: textParam(query, 'search', 249),
    sort: enumParam(query, 'sort', TOPIC_SORTS, 'name'),
    order: enumParam(query, 'order', ['asc', 'desc'] as const, 'asc'),
    page: intParam(query, 'page', 1, 1, 1_000_000),
    size: intParam(query, 'size', 50, 1, 500),
    internal: boolParam(query, 'internal'),
  }
}

export const GROUP_SORTS = ['name', 'status', 'lag', 'lag_seconds', 'consume_rate', 'drain_eta'] as const

export interface GroupQuery {
  /** Part of a group's name or of a topic it reads. */
  search: string
  sort: (typeof GROUP_SORTS)[number]
  order: 'asc' | 'desc'
  page: number
  size: number
}

export function groupQuery(query: Query): GroupQuery {
  return {
    search: textParam(query, 'search', 1000),
    sort: enumParam(query, 'sort', GROUP_SORTS, 'name'),
    order: enumParam(query, 'order', ['asc', 'desc'] as const, 'asc'),
    page: intParam(query, 'page', 1, 1, 1_000_000),
    size: intParam(query, 'size', 50, 1, 500),
  }
}

/** A path segment naming a cluster, a connector or a group: non-empty, bounded, no control characters. */
export function nameParam(what: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) throw badRequest(`${what} is missing`)
  if (raw.length > 1000) throw badRequest(`${what} is longer than 1000 characters`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw badRequest(`${what} contains control characters`)
  return raw
}

export const CONNECTOR_ACTIONS = ['pause', 'resume', 'restart', 'stop'] as const
export type ConnectorAction = (typeof CONNECTOR_ACTIONS)[number]

export function connectorAction(raw: unknown): ConnectorAction {
  if (typeof raw !== 'string' || !(CONNECTOR_ACTIONS as readonly string[]).includes(raw)) {
    throw badRequest(`action ${JSON.stringify(raw)} is not one of ${CONNECTOR_ACTIONS.join(', ')}`)
  }
  return raw as ConnectorAction
}

export interface RestartOptions {
  includeTasks: boolean
  onlyFailed: boolean
}

/** The body of a restart: `{includeTasks?: boolean, onlyFailed?: boolean}`, nothing else. */
export function restartOptions(body: unknown): RestartOptions {
  if (body === undefined || body === null) return { includeTasks: false, onlyFailed: false }
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object')
  const record = body as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (key !== 'includeTasks' && key !== 'onlyFailed') {
      throw badRequest(`unknown field "${key}": a restart takes includeTasks and onlyFailed`)
    }
  }
  const flag = (key: string) => {
    const value = record[key]
    if (value === undefined) return false
    if (typeof value !== 'boolean') throw badRequest(`field "${key}" must be true or false`)
    return value
  }
  return { includeTasks: flag('includeTasks'), onlyFailed: flag('onlyFailed') }
}

export function taskParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw))
    throw badRequest(`task ${JSON.stringify(raw)} is not a task number`)
  return Number(raw)
}

export interface OffsetChange {
  partition: Record<string, unknown>
  offset: Record<string, unknown> | null
}

/**
 * The body of an offsets alteration (KIP-875's `PATCH /connectors/<name>/offsets`):
 * `{"offsets": [{"partition": {…}, "offset": {…} | null}]}`, at least one entry, nothing else.
 */
export function offsetChanges(body: unknown): OffsetChange[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(body)) throw badRequest('the request body must be a JSON object {"offsets": [...]}')
  for (const key of Object.keys(body)) {
    if (key !== 'offsets') throw badRequest(`unknown field "${key}": an offsets alteration takes "offsets" only`)
  }
  const list = body.offsets
  if (!Array.isArray(list) || list.length === 0) {
    throw badRequest('field "offsets" must be a non-empty array of {"partition": {…}, "offset": {…} or null}')
  }
  if (list.length > 10_000) throw badRequest('field "offsets" has more than 10000 entries')
  return list.map((entry, index) => {
    if (!isObject(entry)) throw badRequest(`offsets[${index}] must be an object {"partition", "offset"}`)
    for (const key of Object.keys(entry)) {
      if (key !== 'partition' && key !== 'offset') throw badRequest(`offsets[${index}]: unknown field "${key}"`)
    }
    if (!isObject(entry.partition)) throw badRequest(`offsets[${index}].partition must be a JSON object`)
    if (entry.offset !== null && !isObject(entry.offset)) {
      throw badRequest(`offsets[${index}].offset must be a JSON object, or null to remove the partition's offset`)
    }
    return { partition: entry.partition, offset: entry.offset as Record<string, unknown> | null }
  })
}
