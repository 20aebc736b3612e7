// Validation of the topic pages' input: topic names (Kafka's legal characters, at most 249), create / alter-config /
// add-partitions bodies, and the message browser's query (seek, limit, filters, budget). Pure; each failure is a 400
// naming the field and what is accepted.
import { badRequest } from './errors.ts'
import { decodeCursor, type MessageFilter, type Positions } from './messages.ts'
import { enumParam, intParam, type Query, textParam } from './validation.ts'

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/
const CONFIG_KEY = /^[a-z0-9][a-z0-9._-]*$/

export function topicName(raw: unknown, field = 'topic name'): string {
  if (typeof raw !== 'string' || raw.length === 0) throw badRequest(`${field} is missing`)
  if (raw.length > 249) throw badRequest(`${field} is longer than 249 characters (Kafka's limit)`)
  if (raw === '.' || raw === '..') throw badRequest(`${field} cannot be "." or ".."`)
  if (!TOPIC_NAME.test(raw))
    throw badRequest(`${field} ${JSON.stringify(raw)} may only contain ASCII letters, digits, ".", "_" and "-"`)
  return raw
}

function object(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(`the request body must be a JSON object (${what})`)
  return body as Record<string, unknown>
}

function onlyFields(record: Record<string, unknown>, allowed: string[]) {
  for (const key of Object.keys(record))
    if (!allowed.includes(key)) throw badRequest(`unknown field "${key}" (accepted: ${allowed.join(', ')})`)
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw badRequest(`field "${field}" must be a whole number from ${min} to ${max}`)
  return value
}

function configKey(key: string): string {
  if (key.length > 255 || !CONFIG_KEY.test(key))
    throw badRequest(`config key ${JSON.stringify(key)} is not a Kafka config name (lower-case letters, digits, ".")`)
  return key
}

function configValues(raw: unknown, field: string): Record<string, string> {
  if (raw === undefined) return {}
  const record = object(raw, `"${field}" maps config names to string values`)
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(record)) {
    configKey(key)
    if (typeof value !== 'string') throw badRequest(`${field} "${key}": values must be strings`)
    if (value.length > 100_000) throw badRequest(`${field} "${key}": the value is longer than 100000 characters`)
    out[key] = value
  }
  return out
}

export interface NewTopic {
  name: string
  partitions: number
  replicationFactor: number
  configs: Record<string, string>
}

/** `{name, partitions, replicationFactor, configs?}` */
export function newTopic(body: unknown): NewTopic {
  const record = object(body, '{name, partitions, replicationFactor, configs}')
  onlyFields(record, ['name', 'partitions', 'replicationFactor', 'configs'])
  return {
    name: topicName(record.name, 'field "name"'),
    partitions: wholeNumber(record.partitions, 'partitions', 1, 100_000),
    replicationFactor: wholeNumber(record.replicationFactor, 'replicationFactor', 1, 32_767),
    configs: configValues(record.configs, 'configs'),
  }
}

export interface ConfigChange {
  set: Record<string, string>
  /** Keys back to their default. */
  reset: string[]
}

/** `{set?: {key: value}, reset?: [key]}`: an incremental alteration. */
export function configChange(body: unknown): ConfigChange {
  const record = object(body, '{set: {key: value}, reset: [key]}')
  onlyFields(record, ['set', 'reset'])
  const set = configValues(record.set, 'set')
  const reset: string[] = []
  if (record.reset !== undefined) {
    if (!Array.isArray(record.reset)) throw badRequest('field "reset" must be an array of config names')
    for (const key of record.reset) {
      if (typeof key !== 'string') throw badRequest('field "reset" must be an array of config names')
      reset.push(configKey(key))
    }
  }
  if (Object.keys(set).length === 0 && reset.length === 0) throw badRequest('nothing to change: give "set" or "reset"')
  for (const key of reset) if (key in set) throw badRequest(`config "${key}" is both set and reset`)
  return { set, reset }
}

/** `{count}`: the new total number of partitions. */
export function partitionCount(body: unknown): number {
  const record = object(body, '{count}')
  onlyFields(record, ['count'])
  return wholeNumber(record.count, 'count', 1, 100_000)
}

export const SEEKS = ['newest', 'earliest', 'latest', 'offset', 'timestamp', 'cursor'] as const
export type Seek = (typeof SEEKS)[number]

export interface Budget {
  maxRecords: number
  maxBytes: number
  maxMs: number
}

/** Bounds of every scan, whatever the query asks. */
export const BUDGET_LIMITS = {
  maxRecords: 10_000_000,
  maxBytes: 1024 * 1024 * 1024,
  maxSeconds: 60,
} as const

export interface BrowseQuery {
  /** null: every partition. */
  partition: number | null
  /** newest: the last `limit` of each partition, newest first; latest: nothing yet, a cursor at the end (live tail). */
  seek: Seek
  offset: bigint
  timestampMs: number
  /** With seek=cursor. */
  cursor: Positions | null
  direction: 'forward' | 'backward'
  /** Records per partition. */
  limit: number
  /** Characters of a key/value shown before it is cut. */
  preview: number
  filter: MessageFilter
  budget: Budget
}

function optionalText(query: Query, key: string, max: number): string | undefined {
  const value = textParam(query, key, max)
  return value === '' ? undefined : value
}

export function browseQuery(query: Query): BrowseQuery {
  const rawPartition = textParam(query, 'partition', 10)
  let partition: number | null = null
  if (rawPartition !== '' && rawPartition !== 'all') {
    if (!/^\d{1,6}$/.test(rawPartition))
      throw badRequest(`query parameter "partition": ${JSON.stringify(rawPartition)} is not a partition number or all`)
    partition = Number(rawPartition)
  }
  const seek = enumParam(query, 'seek', SEEKS, 'newest')
  const rawOffset = textParam(query, 'offset', 19)
  if (seek === 'offset' && !/^\d{1,19}$/.test(rawOffset))
    throw badRequest('query parameter "offset" must be a whole number (with seek=offset)')
  const rawTimestamp = textParam(query, 'timestamp', 40)
  let timestampMs = 0
  if (seek === 'timestamp') {
    timestampMs = /^\d{1,15}$/.test(rawTimestamp) ? Number(rawTimestamp) : Date.parse(rawTimestamp)
    if (!Number.isFinite(timestampMs) || timestampMs < 0)
      throw badRequest(
        'query parameter "timestamp" must be epoch milliseconds or an ISO 8601 date (with seek=timestamp)',
      )
  }
  const rawCursor = textParam(query, 'cursor', 100_000)
  if (seek === 'cursor' && rawCursor === '') throw badRequest('query parameter "cursor" is required with seek=cursor')
  const direction = enumParam(query, 'direction', ['forward', 'backward'] as const, 'forward')
  const jsonPathText = optionalText(query, 'jsonPath', 500)
  const jsonEquals = optionalText(query, 'jsonEquals', 10_000)
  const regexText = optionalText(query, 'jsonRegex', 500)
  if ((jsonEquals !== undefined || regexText !== undefined) && jsonPathText === undefined)
    throw badRequest('query parameter "jsonPath" is required with jsonEquals or jsonRegex')
  let jsonRegex: RegExp | undefined
  if (regexText !== undefined) {
    try {
      jsonRegex = new RegExp(regexText)
    } catch (error) {
      throw badRequest(`query parameter "jsonRegex" is not a regular expression: ${(error as Error).message}`)
    }
  }
  const headerValue = optionalText(query, 'headerValue', 10_000)
  const headerKey = optionalText(query, 'headerKey', 1000)
  if (headerValue !== undefined && headerKey === undefined)
    throw badRequest('query parameter "headerKey" is required with headerValue')
  const filter: MessageFilter = {}
  const keyContains = optionalText(query, 'keyContains', 10_000)
  const valueContains = optionalText(query, 'valueContains', 10_000)
  if (keyContains !== undefined) filter.keyContains = keyContains
  if (valueContains !== undefined) filter.valueContains = valueContains
  if (headerKey !== undefined) filter.headerKey = headerKey
  if (headerValue !== undefined) filter.headerValue = headerValue
  if (jsonPathText !== undefined) filter.jsonPath = jsonPathText
  if (jsonEquals !== undefined) filter.jsonEquals = jsonEquals
  if (jsonRegex !== undefined) filter.jsonRegex = jsonRegex
  return {
    partition,
    seek,
    offset: seek === 'offset' ? BigInt(rawOffset) : 0n,
    timestampMs,
    cursor: seek === 'cursor' ? decodeCursor(rawCursor) : null,
    direction: seek === 'newest' ? 'backward' : seek === 'cursor' ? direction : 'forward',
    limit: intParam(query, 'limit', 50, 1, 500),
    preview: intParam(query, 'preview', 2000, 16, 1_000_000),
    filter,
    budget: {
      maxRecords: intParam(query, 'maxRecords', 1_000_000, 1, BUDGET_LIMITS.maxRecords),
      maxBytes: intParam(query, 'maxBytes', 256 * 1024 * 1024, 1024, BUDGET_LIMITS.maxBytes),
      maxMs: intParam(query, 'maxSeconds', 20, 1, BUDGET_LIMITS.maxSeconds) * 1000,
    },
  }
}
