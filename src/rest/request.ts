// Request parsing shared by the routes: JSON bodies into Connect's string-valued config maps, query flags the way
// JAX-RS reads them, task ids, and the connector-name rules Connect applies before a config reaches the herder.
import { badRequest, ErrorCodes, FlowscopeError, notFound } from '../errors.ts'
import type { InitialState } from '../runtime/herder.ts'
import { NOT_FOUND_MESSAGE } from './errors.ts'

export type JsonObject = Record<string, unknown>

/** Each JSON request's body bytes as received: a signed internal request is verified over exactly these. */
const rawBodies = new WeakMap<object, Buffer>()

export function keepRawBody(request: object, body: Buffer): void {
  rawBodies.set(request, body)
}

/** The request's body bytes; empty when it had none. */
export function rawBodyOf(request: object): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0)
}

/** POST /connectors/<name>/tasks: a JSON array of task configs, each a string-valued map (Connect's List<Map>). */
export function taskConfigList(body: unknown): Record<string, string>[] {
  const what = 'a JSON array of task configuration objects'
  if (body === undefined || body === '') throw badRequest(`Request body is missing: expected ${what}`)
  if (!Array.isArray(body)) throw badRequest(`Request body must be ${what}`)
  return body.map((config, i) => configMap(config, `task configuration ${i}: an object`))
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The body as a JSON object, or a 400 naming what was expected. */
export function objectBody(body: unknown, what: string): JsonObject {
  if (body === undefined || body === '') throw badRequest(`Request body is missing: expected ${what}`)
  if (!isJsonObject(body)) throw badRequest(`Request body must be a JSON object: expected ${what}`)
  return body
}

/** Connect keeps every config value as a string: numbers and booleans are coerced, nulls dropped, nesting refused. */
export function configMap(value: unknown, what = 'a connector configuration object'): Record<string, string> {
  const entries: [string, string][] = []
  for (const [key, raw] of Object.entries(objectBody(value, what))) {
    if (raw === null) continue
    entries.push([key, configString(key, raw)])
  }
  return Object.fromEntries(entries)
}

/** Like configMap, but a null value is kept: PATCH removes that key. */
export function configPatch(value: unknown): Record<string, string | null> {
  const entries: [string, string | null][] = []
  for (const [key, raw] of Object.entries(objectBody(value, 'a connector configuration patch object'))) {
    entries.push([key, raw === null ? null : configString(key, raw)])
  }
  return Object.fromEntries(entries)
}

function configString(key: string, value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
  throw badRequest(`Configuration value of '${key}' must be a string, number or boolean, not ${kind}`)
}

/** Every value of a query parameter (repeated parameters arrive as an array). */
export function queryValues(value: unknown): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

/** A Boolean query parameter as JAX-RS reads it: absent → fallback, "true" (any case) → true, anything else false. */
export function queryFlag(value: unknown, fallback: boolean): boolean {
  const [first] = queryValues(value)
  return first === undefined ? fallback : first.toLowerCase() === 'true'
}

/** A task id path segment; like JAX-RS, a segment that is not an int means no such resource (Jersey's 404). */
export function taskIdOf(segment: string): number {
  const id = /^[-+]?\d{1,10}$/.test(segment) ? Number(segment) : Number.NaN
  if (!Number.isInteger(id) || id < -2_147_483_648 || id > 2_147_483_647) {
    throw notFound(NOT_FOUND_MESSAGE)
  }
  return id
}

const initialStates: readonly InitialState[] = ['RUNNING', 'PAUSED', 'STOPPED']

/** `initial_state` of a create request, case-insensitive; absent or null → undefined. */
export function initialStateOf(value: unknown): InitialState | undefined {
  if (value === undefined || value === null) return undefined
  const upper = typeof value === 'string' ? value.toUpperCase() : ''
  const state = initialStates.find((candidate) => candidate === upper)
  if (!state) {
    throw badRequest(`Invalid initial_state ${JSON.stringify(value)}: expected one of ${initialStates.join(', ')}`)
  }
  return state
}

/**
 * Connect's checkAndPutConnectorConfigName: a `name` inside the config must equal the connector's name (400
 * otherwise); when absent it is added.
 */
export function checkAndPutName(name: string, config: Record<string, string>): void {
  const included = config.name
  if (included === undefined) {
    config.name = name
  } else if (included !== name) {
    throw badRequest(`Connector name configuration (${included}) doesn't match connector name in the URL (${name})`)
  }
}

/**
 * The `name` config's validator (non-empty, no ISO control characters), answered as Connect's invalid-config
 * message so clients see the same 400 whether the REST layer or the herder catches it.
 */
export function checkConnectorName(name: string): void {
  let problem: string | undefined
  if (name === '') {
    problem = 'String may not be empty'
  } else {
    const controls = [...name].map((char) => char.codePointAt(0) ?? 0).filter(isIsoControl)
    if (controls.length > 0) {
      problem = `String may not contain control sequences but had the following ASCII chars: ${controls.join(', ')}`
    }
  }
  if (problem === undefined) return
  throw new FlowscopeError(
    ErrorCodes.INVALID_CONFIG,
    'Connector configuration is invalid and contains the following 1 error(s):\n' +
      `Invalid value ${name} for configuration name: ${problem}\n` +
      'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
  )
}

const isIsoControl = (codePoint: number) => codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f)
