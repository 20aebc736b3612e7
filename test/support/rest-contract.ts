// Kafka Connect's REST contract as a reusable node:test suite: paths, status codes, entity shapes, error bodies and
// hostile input. It drives the API only through `request`, so it runs against `inject()` and a live worker alike.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'

export interface RestResponse {
  status: number
  headers: Record<string, string | undefined>
  text: string
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: unknown
}

/** A string body is sent as is (for malformed JSON); anything else as JSON. Header names are lower-case. */
export type RestRequest = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<RestResponse>

export interface RestContractTarget {
  request: RestRequest
  /** The source connector class the worker offers (as listed by GET /connector-plugins). */
  connectorClass: string
  /** A config the worker accepts for a new connector, without `name`; may hold JSON numbers (coerced to strings). */
  validConfig(): Record<string, string | number | boolean>
  /** A config the worker's validation rejects (400 listing the errors). */
  invalidConfig(): Record<string, string>
  maxBodyBytes: number
  metricsEnabled: boolean
  /** Upper bound for asynchronous state changes (pause, stop, task start) to show in statuses. */
  settleMs: number
}

/** Body transport over fetch, for running the contract against a listening worker. */
export function httpRequester(baseUrl: string): RestRequest {
  return async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        init.headers = { 'content-type': 'application/json', ...headers }
      }
    }
    const response = await fetch(new URL(path, baseUrl), init)
    const text = await response.text()
    return { status: response.status, headers: Object.fromEntries(response.headers), text, body: jsonOrUndefined(text) }
  }
}

export function jsonOrUndefined(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

const CONNECTOR_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING']
const TASK_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING']
const CONNECTOR_TYPES = ['source', 'sink', 'unknown']
const ALTERED = 'The offsets for this connector have been altered successfully'
const RESET = 'The offsets for this connector have been reset successfully'
const INVALID_CONFIG_PREFIX = /^Connector configuration is invalid and contains the following \d+ error\(s\):\n/

type Json = Record<string, unknown>

/** Registers the contract suite; `setup` runs once before the first case. */
export function restContract(title: string, setup: () => Promise<RestContractTarget> | RestContractTarget): void {
  describe(title, () => {
    let target: RestContractTarget
    const api = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      target ??= await setup()
      return target.request(method, path, body, headers)
    }
    const t = () => target
    const unique = (prefix = 'contract') => `${prefix}-${randomUUID().slice(0, 8)}`
    const create = async (name: string, extra: Json = {}) => {
      const response = await api('POST', '/connectors', { name, config: t().validConfig(), ...extra })
      assert.equal(response.status, 201, response.text)
      return response
    }
    const statusOf = async (name: string) => {
      const response = await api('GET', `/connectors/${encodeURIComponent(name)}/status`)
      assert.equal(response.status, 200, response.text)
      return response.body as { connector: { state: string }; tasks: { id: number; state: string }[] }
    }
    const eventuallyState = async (name: string, state: string) => {
      const deadline = Date.now() + t().settleMs
      for (;;) {
        const status = await statusOf(name)
        if (status.connector.state === state) return status
        if (Date.now() >= deadline) assert.fail(`connector ${name} is ${status.connector.state}, expected ${state}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const path = (name: string, rest = '') => `/connectors/${encodeURIComponent(name)}${rest}`

    describe('root', () => {
      test('GET / answers version, commit and kafka_cluster_id', async () => {
        const response = await api('GET', '/')
        assert.equal(response.status, 200)
        assertKeys(response.body, ['commit', 'kafka_cluster_id', 'version'])
        for (const value of Object.values(response.body as Json)) assert.equal(typeof value, 'string')
      })

      test('GET /health answers 200 {status: healthy, message}', async () => {
        const response = await api('GET', '/health')
        assert.equal(response.status, 200)
        assertKeys(response.body, ['message', 'status'])
        assert.equal((response.body as Json).status, 'healthy')
      })
    })

    describe('connectors: create and read', () => {
      test('POST /connectors: 201, Location, ConnectorInfo with string values and the name added', async () => {
        const name = unique()
        const response = await create(name)
        assert.equal(response.headers.location?.endsWith(`/connectors/${encodeURIComponent(name)}`), true)
        assertConnectorInfo(response.body, name)
        const config = (response.body as { config: Json }).config
        assert.equal(config.name, name)
        for (const [key, value] of Object.entries(t().validConfig())) assert.equal(config[key], String(value))
      })

      test('POST /connectors with an existing name: 409', async () => {
        const name = unique()
        await create(name)
        const again = await api('POST', '/connectors', { name, config: t().validConfig() })
        assertError(again, 409, `Connector ${name} already exists`)
      })

      test('POST /connectors with an invalid config: 400 listing the errors, nothing stored', async () => {
        const name = unique()
        const response = await api('POST', '/connectors', {
          name,
          config: { 'connector.class': t().connectorClass, ...t().invalidConfig() },
        })
        assertError(response, 400, INVALID_CONFIG_PREFIX)
        assertError(await api('GET', path(name)), 404)
      })

      test('POST /connectors without config: 400', async () => {
        assertError(await api('POST', '/connectors', { name: unique() }), 400)
      })

      test('POST /connectors whose config names another connector: 400 with Connect message', async () => {
        const name = unique()
        const response = await api('POST', '/connectors', { name, config: { ...t().validConfig(), name: 'other' } })
        assertError(
          response,
          400,
          `Connector name configuration (other) doesn't match connector name in the URL (${name})`,
        )
      })

      test('POST /connectors trims the name and accepts a matching config name', async () => {
        const name = unique()
        const response = await api('POST', '/connectors', {
          name: `  ${name} `,
          config: { ...t().validConfig(), name },
        })
        assert.equal(response.status, 201, response.text)
        assert.equal((response.body as Json).name, name)
      })

      test('POST /connectors with an empty or missing name: 400', async () => {
        const empty = await api('POST', '/connectors', { name: '  ', config: t().validConfig() })
        assertError(empty, 400, /String may not be empty/)
        const missing = await api('POST', '/connectors', { config: t().validConfig() })
        assertError(missing, 400, /String may not be empty/)
      })

      test('POST /connectors with ISO control characters in the name: 400', async () => {
        const response = await api('POST', '/connectors', { name: `bad\u0007name`, config: t().validConfig() })
        assertError(response, 400, /control sequences but had the following ASCII chars: 7/)
      })

      test('POST /connectors ignores unknown fields', async () => {
        const name = unique()
        const response = await api('POST', '/connectors', { name, config: t().validConfig(), tasks: [], extra: 1 })
        assert.equal(response.status, 201, response.text)
      })

      test('POST /connectors refuses nested config values, naming the key', async () => {
        const response = await api('POST', '/connectors', {
          name: unique(),
          config: { ...t().validConfig(), 'nested.key': { a: 1 } },
        })
        assertError(response, 400, /nested\.key/)
      })

      test('POST /connectors with initial_state (any case)', async () => {
        const paused = unique()
        await create(paused, { initial_state: 'paused' })
        await eventuallyState(paused, 'PAUSED')
        const stopped = unique()
        await create(stopped, { initial_state: 'STOPPED' })
        await eventuallyState(stopped, 'STOPPED')
        assertError(
          await api('POST', '/connectors', { name: unique(), config: t().validConfig(), initial_state: 'x' }),
          400,
        )
      })

      test('GET /connectors lists names', async () => {
        const name = unique()
        await create(name)
        const response = await api('GET', '/connectors')
        assert.equal(response.status, 200)
        assert.ok(Array.isArray(response.body))
        assert.ok((response.body as string[]).includes(name))
      })

      test('GET /connectors?expand=status, ?expand=info and both', async () => {
        const name = unique()
        await create(name)
        const status = await api('GET', '/connectors?expand=status')
        assert.equal(status.status, 200)
        const statusEntry = (status.body as Record<string, Json>)[name]
        assertKeys(statusEntry, ['status'])
        assertConnectorStatus(statusEntry.status, name)
        const info = await api('GET', '/connectors?expand=info')
        const infoEntry = (info.body as Record<string, Json>)[name]
        assertKeys(infoEntry, ['info'])
        assertConnectorInfo(infoEntry.info, name)
        const both = await api('GET', '/connectors?expand=status&expand=info&forward=true')
        assertKeys((both.body as Record<string, Json>)[name], ['info', 'status'])
        const unknown = await api('GET', '/connectors?expand=nothing')
        assert.deepEqual((unknown.body as Record<string, Json>)[name], {})
      })

      test('GET /connectors/{name}: ConnectorInfo; unknown: 404', async () => {
        const name = unique()
        await create(name)
        const response = await api('GET', path(name))
        assert.equal(response.status, 200)
        assertConnectorInfo(response.body, name)
        assertError(await api('GET', '/connectors/no-such-connector'), 404, 'Connector no-such-connector not found')
      })

      test('GET /connectors/{name}/config: string map; unknown: 404', async () => {
        const name = unique()
        await create(name)
        const response = await api('GET', path(name, '/config'))
        assert.equal(response.status, 200)
        assertStringMap(response.body)
        assert.equal((response.body as Json).name, name)
        assertError(await api('GET', '/connectors/no-such-connector/config'), 404)
      })

      test('names with spaces, unicode and slashes round-trip through the URL', async () => {
        for (const name of [`${unique()} with spaces`, `${unique()}-日本語-ü`, `${unique()}/slash`, `${unique()}%x`]) {
          const created = await create(name)
          assert.equal(created.headers.location?.endsWith(`/connectors/${encodeURIComponent(name)}`), true)
          const response = await api('GET', path(name))
          assert.equal(response.status, 200, `${name}: ${response.text}`)
          assert.equal((response.body as Json).name, name)
          assert.equal((await api('GET', path(name, '/status'))).status, 200)
          assert.equal((await api('DELETE', path(name))).status, 204)
        }
      })
    })

    describe('connectors: configure', () => {
      test('PUT /connectors/{name}/config creates (201 + Location) then updates (200)', async () => {
        const name = unique()
        const created = await api('PUT', path(name, '/config'), t().validConfig())
        assert.equal(created.status, 201, created.text)
        assert.equal(created.headers.location?.endsWith(`/connectors/${encodeURIComponent(name)}`), true)
        assertConnectorInfo(created.body, name)
        const updated = await api('PUT', path(name, '/config'), { ...t().validConfig(), name, 'flowscope.note': 'x' })
        assert.equal(updated.status, 200, updated.text)
        assert.equal((updated.body as { config: Json }).config['flowscope.note'], 'x')
      })

      test('PUT /connectors/{name}/config with another name in the body: 400', async () => {
        const name = unique()
        const response = await api('PUT', path(name, '/config'), { ...t().validConfig(), name: 'different' })
        assertError(
          response,
          400,
          `Connector name configuration (different) doesn't match connector name in the URL (${name})`,
        )
      })

      test('PUT /connectors/{name}/config with an invalid config or a non-object body: 400', async () => {
        const name = unique()
        const invalid = await api('PUT', path(name, '/config'), {
          'connector.class': t().connectorClass,
          ...t().invalidConfig(),
        })
        assertError(invalid, 400, INVALID_CONFIG_PREFIX)
        assertError(await api('PUT', path(name, '/config'), [1, 2]), 400)
      })

      test('PATCH /connectors/{name}/config changes and removes keys; unknown: 404', async () => {
        const name = unique()
        await create(name, { config: { ...t().validConfig(), 'flowscope.remove.me': 'x' } })
        const response = await api('PATCH', path(name, '/config'), { 'flowscope.remove.me': null, 'flowscope.add': 5 })
        assert.equal(response.status, 200, response.text)
        assertConnectorInfo(response.body, name)
        const config = (response.body as { config: Json }).config
        assert.equal(config['flowscope.add'], '5')
        assert.equal(Object.hasOwn(config, 'flowscope.remove.me'), false)
        assertError(await api('PATCH', '/connectors/no-such-connector/config', { a: 'b' }), 404)
      })
    })

    describe('connectors: control', () => {
      test('GET /connectors/{name}/status: ConnectorStateInfo; unknown: 404', async () => {
        const name = unique()
        await create(name)
        assertConnectorStatus(await statusOf(name), name)
        const running = await eventuallyState(name, 'RUNNING')
        // Connect 4.1 (KIP-891): a running connector and its running tasks report the plugin's version.
        assert.equal(typeof (running.connector as Json).version, 'string', JSON.stringify(running))
        for (const task of running.tasks) {
          if (task.state === 'RUNNING') assert.equal(typeof (task as Json).version, 'string', JSON.stringify(task))
        }
        assertError(
          await api('GET', '/connectors/no-such-connector/status'),
          404,
          'No status found for connector no-such-connector',
        )
        assertError(
          await api('GET', '/connectors/no-such-connector/tasks/0/status'),
          404,
          'No status found for task no-such-connector-0',
        )
      })

      test('POST restart: 204 without flags, 202 + status with includeTasks or onlyFailed', async () => {
        const name = unique()
        await create(name)
        const plain = await api('POST', path(name, '/restart'))
        assert.equal(plain.status, 204)
        assert.equal(plain.text, '')
        const withTasks = await api('POST', path(name, '/restart?includeTasks=true'))
        assert.equal(withTasks.status, 202)
        assertConnectorStatus(withTasks.body, name)
        const onlyFailed = await api('POST', path(name, '/restart?onlyFailed=true&forward=false'))
        assert.equal(onlyFailed.status, 202)
        assertConnectorStatus(onlyFailed.body, name)
        assertError(
          await api('POST', '/connectors/no-such-connector/restart'),
          404,
          'Unknown connector: no-such-connector',
        )
      })

      test('PUT pause / resume: 202; PUT stop: 204; states follow', async () => {
        const name = unique()
        await create(name)
        const paused = await api('PUT', path(name, '/pause'))
        assert.equal(paused.status, 202)
        assert.equal(paused.text, '')
        await eventuallyState(name, 'PAUSED')
        assert.equal((await api('PUT', path(name, '/resume'))).status, 202)
        await eventuallyState(name, 'RUNNING')
        const stopped = await api('PUT', path(name, '/stop'))
        assert.equal(stopped.status, 204)
        await eventuallyState(name, 'STOPPED')
        for (const action of ['pause', 'resume', 'stop']) {
          assertError(await api('PUT', `/connectors/no-such-connector/${action}`), 404)
        }
      })

      test('DELETE /connectors/{name}: 204, then 404', async () => {
        const name = unique()
        await create(name)
        const response = await api('DELETE', path(name))
        assert.equal(response.status, 204)
        assert.equal(response.text, '')
        assertError(await api('GET', path(name)), 404)
        assertError(await api('DELETE', path(name)), 404)
      })
    })

    describe('connectors: tasks', () => {
      test('GET tasks, tasks-config, task status; restart a task: 204', async () => {
        const name = unique()
        await create(name)
        await eventuallyState(name, 'RUNNING')
        const deadline = Date.now() + t().settleMs
        let tasks = await api('GET', path(name, '/tasks'))
        while ((tasks.body as unknown[]).length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          tasks = await api('GET', path(name, '/tasks'))
        }
        assert.equal(tasks.status, 200)
        const list = tasks.body as { id: { connector: string; task: number }; config: Json }[]
        assert.ok(list.length > 0, 'a running connector has tasks')
        for (const task of list) {
          assertKeys(task, ['config', 'id'])
          assertKeys(task.id, ['connector', 'task'])
          assert.equal(task.id.connector, name)
          assertStringMap(task.config)
        }
        const map = await api('GET', path(name, '/tasks-config'))
        assert.equal(map.status, 200)
        assert.deepEqual(Object.keys(map.body as Json).sort(), list.map((task) => `${name}-${task.id.task}`).sort())
        const status = await api('GET', path(name, `/tasks/${list[0].id.task}/status`))
        assert.equal(status.status, 200)
        assertTaskStatus(status.body)
        assert.equal((status.body as Json).id, list[0].id.task)
        const restart = await api('POST', path(name, `/tasks/${list[0].id.task}/restart`))
        assert.equal(restart.status, 204)
        assert.equal(restart.text, '')
      })

      test('unknown task or connector: 404; a non-integer task id: 404', async () => {
        const name = unique()
        await create(name)
        assertError(await api('GET', path(name, '/tasks/999/status')), 404)
        assertError(await api('GET', path(name, '/tasks/abc/status')), 404)
        assertError(await api('POST', path(name, '/tasks/999/restart')), 404, `Unknown task: ${name}-999`)
        assertError(
          await api('POST', '/connectors/no-such-connector/tasks/0/restart'),
          404,
          'Unknown connector: no-such-connector',
        )
        assertError(await api('GET', path(name, '/tasks/abc/status')), 404, 'HTTP 404 Not Found')
        assertError(await api('GET', '/connectors/no-such-connector/tasks'), 404)
        assertError(await api('GET', '/connectors/no-such-connector/tasks-config'), 404)
      })
    })

    describe('connectors: topics and offsets', () => {
      test('GET topics: {name: {topics: [...]}}; PUT topics/reset: 202', async () => {
        const name = unique()
        await create(name)
        const topics = await api('GET', path(name, '/topics'))
        assert.equal(topics.status, 200)
        assertKeys(topics.body, [name])
        const entry = (topics.body as Record<string, Json>)[name]
        assertKeys(entry, ['topics'])
        assert.ok(Array.isArray(entry.topics))
        assert.equal((await api('PUT', path(name, '/topics/reset'))).status, 202)
      })

      test('topics of an unknown connector: 200 with no topics; topics/reset: 202 (as Connect)', async () => {
        const unknown = await api('GET', '/connectors/no-such-connector/topics')
        assert.equal(unknown.status, 200, unknown.text)
        assert.deepEqual(unknown.body, { 'no-such-connector': { topics: [] } })
        const reset = await api('PUT', '/connectors/no-such-connector/topics/reset')
        assert.equal(reset.status, 202, reset.text)
        assert.equal(reset.text, '')
      })

      test('GET offsets: {offsets: [...]}', async () => {
        const name = unique()
        await create(name)
        const response = await api('GET', path(name, '/offsets'))
        assert.equal(response.status, 200)
        assertKeys(response.body, ['offsets'])
        assert.ok(Array.isArray((response.body as Json).offsets))
        assertError(await api('GET', '/connectors/no-such-connector/offsets'), 404)
      })

      test('PATCH / DELETE offsets need a STOPPED connector; then 200 with Connect messages', async () => {
        const name = unique()
        await create(name)
        const offsets = [{ partition: { protocol: '1', table: 'contract' }, offset: { incrementing: 42 } }]
        const running = await api('PATCH', path(name, '/offsets'), { offsets })
        assertError(running, 400, /^Connectors must be in the STOPPED state before their offsets can be modified/)
        assertError(await api('DELETE', path(name, '/offsets')), 400, /STOPPED/)
        assert.equal((await api('PUT', path(name, '/stop'))).status, 204)
        await eventuallyState(name, 'STOPPED')
        const altered = await api('PATCH', path(name, '/offsets'), { offsets })
        assert.equal(altered.status, 200, altered.text)
        assert.deepEqual(altered.body, { message: ALTERED })
        const read = await api('GET', path(name, '/offsets'))
        // The altered partition reads back as written; the connector's own table may have an offset too (its task
        // may have committed one before it stopped).
        const listed = (read.body as { offsets: { partition: Json }[] }).offsets
        assert.deepEqual(
          listed.filter((entry) => entry.partition.table === 'contract'),
          offsets,
        )
        const reset = await api('DELETE', path(name, '/offsets'))
        assert.equal(reset.status, 200, reset.text)
        assert.deepEqual(reset.body, { message: RESET })
      })

      test('PATCH offsets without entries: 400 with Connect message', async () => {
        const name = unique()
        await create(name, { initial_state: 'STOPPED' })
        const message = 'Partitions / offsets need to be provided for an alter offsets request'
        assertError(await api('PATCH', path(name, '/offsets'), { offsets: [] }), 400, message)
        assertError(await api('PATCH', path(name, '/offsets'), {}), 400, message)
        assertError(await api('PATCH', path(name, '/offsets'), { offsets: [{ offset: {} }] }), 400)
      })
    })

    describe('connector plugins', () => {
      test('GET /connector-plugins: connectors only by default; ?connectorsOnly=false adds the rest', async () => {
        const response = await api('GET', '/connector-plugins')
        assert.equal(response.status, 200)
        const list = response.body as { class: string; type: string }[]
        assert.ok(list.some((plugin) => plugin.class === t().connectorClass))
        for (const plugin of list) {
          assert.ok(['source', 'sink'].includes(plugin.type), plugin.type)
          assert.deepEqual(
            Object.keys(plugin).filter((key) => !['class', 'type', 'version'].includes(key)),
            [],
          )
        }
        const all = await api('GET', '/connector-plugins?connectorsOnly=false')
        assert.equal(all.status, 200)
        assert.ok((all.body as unknown[]).length > list.length)
      })

      test('GET /connector-plugins/{plugin}/config: ConfigKeyInfo array; unknown: 404', async () => {
        const response = await api('GET', `/connector-plugins/${encodeURIComponent(t().connectorClass)}/config`)
        assert.equal(response.status, 200)
        assert.ok(Array.isArray(response.body) && response.body.length > 0)
        for (const key of response.body as unknown[]) assertKeys(key, CONFIG_KEY_INFO_KEYS)
        assertError(await api('GET', '/connector-plugins/com.example.NoSuchConnector/config'), 404)
      })

      test('PUT /connector-plugins/{plugin}/config/validate: ConfigInfos; mismatches and missing class: 400', async () => {
        const plugin = t().connectorClass
        const simple = plugin.slice(plugin.lastIndexOf('.') + 1)
        const config = { 'connector.class': plugin, ...t().invalidConfig() }
        for (const urlPlugin of [plugin, simple, simple.replace(/Connector$/, '')]) {
          const response = await api(
            'PUT',
            `/connector-plugins/${encodeURIComponent(urlPlugin)}/config/validate`,
            config,
          )
          assert.equal(response.status, 200, `${urlPlugin}: ${response.text}`)
          assertKeys(response.body, ['configs', 'error_count', 'groups', 'name'])
          const infos = response.body as { error_count: number; configs: { definition: Json; value: Json }[] }
          assert.ok(infos.error_count > 0)
          for (const entry of infos.configs) {
            assertKeys(entry, ['definition', 'value'])
            assertKeys(entry.value, ['errors', 'name', 'recommended_values', 'value', 'visible'])
          }
        }
        const other = await api('PUT', '/connector-plugins/OtherConnector/config/validate', config)
        assertError(other, 400, `Included connector type ${plugin} does not match request type OtherConnector`)
        const missing = await api('PUT', `/connector-plugins/${simple}/config/validate`, { 'tasks.max': '1' })
        assertError(missing, 400, /contains no connector type$/)
      })
    })

    describe('admin/loggers', () => {
      test('GET /admin/loggers: {logger: {level, last_modified}}', async () => {
        const response = await api('GET', '/admin/loggers')
        assert.equal(response.status, 200)
        const levels = response.body as Record<string, unknown>
        assert.ok(Object.hasOwn(levels, 'root'))
        for (const entry of Object.values(levels)) assertKeys(entry, ['last_modified', 'level'])
      })

      test('PUT /admin/loggers/{logger}: 200 with the affected loggers, then readable', async () => {
        const logger = `flowscope.contract.${randomUUID().slice(0, 8)}`
        const response = await api('PUT', `/admin/loggers/${logger}`, { level: 'debug' })
        assert.equal(response.status, 200, response.text)
        assert.ok(Array.isArray(response.body) && (response.body as string[]).includes(logger))
        const read = await api('GET', `/admin/loggers/${logger}`)
        assert.equal(read.status, 200)
        assertKeys(read.body, ['last_modified', 'level'])
        assert.equal((read.body as Json).level, 'DEBUG')
        assert.equal(typeof (read.body as Json).last_modified, 'number')
        const cluster = await api('PUT', `/admin/loggers/${logger}?scope=cluster`, { level: 'INFO' })
        assert.equal(cluster.status, 204)
      })

      test('PUT without level: 400; unknown level: 404; GET unknown logger: 404', async () => {
        assertError(
          await api('PUT', '/admin/loggers/flowscope.contract', {}),
          400,
          "Desired 'level' parameter was not specified in request.",
        )
        assertError(
          await api('PUT', '/admin/loggers/flowscope.contract', { level: 'LOUD' }),
          404,
          "invalid log level 'LOUD'.",
        )
        assertError(await api('GET', '/admin/loggers/no.such.logger'), 404, 'Logger no.such.logger not found.')
      })
    })

    describe('metrics', () => {
      test('GET /metrics: Prometheus text', async (context) => {
        if (!t().metricsEnabled) return context.skip('metrics are not enabled on this target')
        const response = await api('GET', '/metrics')
        assert.equal(response.status, 200)
        assert.match(response.headers['content-type'] ?? '', /^text\/plain|^application\/openmetrics-text/)
      })
    })

    describe('hostile input', () => {
      test('malformed JSON: 400, not 500', async () => {
        assertError(
          await api('POST', '/connectors', '{"name": "x", "config": {', { 'content-type': 'application/json' }),
          400,
        )
        assertError(await api('PUT', path(unique(), '/config'), '[1,', { 'content-type': 'application/json' }), 400)
      })

      test('a non-JSON content type: 415', async () => {
        const body = JSON.stringify({ name: unique(), config: t().validConfig() })
        assertError(await api('POST', '/connectors', body, { 'content-type': 'text/plain' }), 415)
        assertError(
          await api('POST', '/connectors', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }),
          415,
        )
      })

      test('a body over the limit: 413', async () => {
        const big = { name: unique(), config: { ...t().validConfig(), padding: 'x'.repeat(t().maxBodyBytes + 1) } }
        assertError(await api('POST', '/connectors', big), 413)
      })

      test('a JSON body that is not an object: 400', async () => {
        assertError(await api('POST', '/connectors', 'null', { 'content-type': 'application/json' }), 400)
        assertError(await api('POST', '/connectors', '"text"', { 'content-type': 'application/json' }), 400)
        assertError(await api('POST', '/connectors', [1]), 400)
      })

      test('unknown route: 404 JSON; wrong method: 405 JSON', async () => {
        assertError(await api('GET', '/no/such/route'), 404)
        assertError(await api('GET', '/connectors/x/no-such-action'), 404)
        assertError(await api('DELETE', '/connectors'), 405)
        assertError(await api('POST', path(unique())), 405)
        assertError(await api('GET', '/connectors/x/restart'), 405)
      })

      test('trailing slashes are accepted', async () => {
        const name = unique()
        await create(name)
        assert.equal((await api('GET', '/connectors/')).status, 200)
        const info = await api('GET', path(name, '/'))
        assert.equal(info.status, 200)
        assert.equal((info.body as Json).name, name)
      })

      test('the server is still healthy afterwards', async () => {
        assert.equal((await api('GET', '/')).status, 200)
        assert.equal((await api('GET', '/connectors')).status, 200)
      })
    })
  })
}

const CONFIG_KEY_INFO_KEYS = [
  'default_value',
  'dependents',
  'display_name',
  'documentation',
  'group',
  'importance',
  'name',
  'order',
  'required',
  'type',
  'width',
]

/** Connect's error entity, exactly: `{"error_code": status, "message": "…"}`. */
export function assertError(response: RestResponse, status: number, message?: string | RegExp): void {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text}`)
  assertKeys(response.body, ['error_code', 'message'])
  const body = response.body as { error_code: unknown; message: unknown }
  assert.equal(body.error_code, status)
  assert.equal(typeof body.message, 'string')
  assert.notEqual(body.message, '')
  if (typeof message === 'string') assert.equal(body.message, message)
  else if (message) assert.match(body.message as string, message)
}

/** `value` is a JSON object with exactly these keys (order aside). */
export function assertKeys(value: unknown, keys: string[]): void {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `not an object: ${value}`)
  assert.deepEqual(Object.keys(value).sort(), [...keys].sort())
}

function assertStringMap(value: unknown): void {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value))
  for (const [key, entry] of Object.entries(value)) assert.equal(typeof entry, 'string', key)
}

function assertConnectorInfo(value: unknown, name: string): void {
  assertKeys(value, ['config', 'name', 'tasks', 'type'])
  const info = value as { name: string; config: unknown; tasks: unknown[]; type: string }
  assert.equal(info.name, name)
  assertStringMap(info.config)
  assert.ok(CONNECTOR_TYPES.includes(info.type))
  for (const task of info.tasks) {
    assertKeys(task, ['connector', 'task'])
    assert.equal((task as Json).connector, name)
  }
}

function assertConnectorStatus(value: unknown, name: string): void {
  assertKeys(value, ['connector', 'name', 'tasks', 'type'])
  const status = value as { name: string; connector: Json; tasks: unknown[]; type: string }
  assert.equal(status.name, name)
  assert.ok(CONNECTOR_TYPES.includes(status.type))
  assertKeys(status.connector, ['state', 'worker_id', ...optionalKeys(status.connector, ['trace', 'version'])])
  assert.ok(CONNECTOR_STATES.includes(status.connector.state as string))
  for (const task of status.tasks) assertTaskStatus(task)
}

function assertTaskStatus(value: unknown): void {
  const task = value as Json
  assertKeys(task, ['id', 'state', 'worker_id', ...optionalKeys(task, ['trace', 'version'])])
  assert.equal(typeof task.id, 'number')
  assert.ok(TASK_STATES.includes(task.state as string))
  assert.equal(typeof task.worker_id, 'string')
  if (Object.hasOwn(task, 'trace')) assert.notEqual(task.trace, '')
  if (Object.hasOwn(task, 'version')) assert.equal(typeof task.version, 'string')
}

/** Which of `keys` (fields Connect leaves out when empty) the entity holds. */
function optionalKeys(entity: Json, keys: string[]): string[] {
  return keys.filter((key) => Object.hasOwn(entity, key))
}
