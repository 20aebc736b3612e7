// REST behaviour the shared contract cannot set up through the API alone: health states, failed tasks, what reaches
// the herder, Fastify's own errors, metrics and loggers wiring, and a real listening socket.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createRestServer, type RestServerOptions, startRestServer } from '../../../src/rest/server.ts'
import { type RequestSignature, signatureHeaders, signatureProblem } from '../../../src/runtime/request-signature.ts'
import { assertError, assertKeys, httpRequester } from '../../support/rest-contract.ts'
import { FAKE_SOURCE_CLASS, FakeHerder } from './fake-herder.ts'
import { injectRequester } from './inject.ts'

const config = {
  'connector.class': FAKE_SOURCE_CLASS,
  'connection.url': 'jdbc:postgresql://localhost/db',
  'tasks.max': '2',
}

function setup(options: Partial<RestServerOptions> = {}) {
  const herder = new FakeHerder()
  const app = createRestServer({ herder, host: '127.0.0.1', port: 0, maxBodyBytes: 1024, ...options })
  return { herder, app, request: injectRequester(app) }
}

describe('GET /health', () => {
  for (const [state, code] of [
    ['healthy', 200],
    ['starting', 503],
    ['unhealthy', 500],
  ] as const) {
    test(`${state} → ${code} with {status, message}`, async () => {
      const { herder, request } = setup()
      herder.setHealth({ status: state, message: `worker is ${state}` })
      const response = await request('GET', '/health')
      assert.equal(response.status, code)
      assert.deepEqual(response.body, { status: state, message: `worker is ${state}` })
    })
  }
})

describe('connectors', () => {
  test('POST hands the herder string values, the name, allowReplace=false and the initial state', async () => {
    const { herder, request } = setup()
    const response = await request('POST', '/connectors', {
      name: 'jdbc users',
      config: { ...config, 'poll.interval.ms': 100, 'numeric.mapping': true, dropped: null },
      initial_state: 'Paused',
    })
    assert.equal(response.status, 201)
    assert.equal(response.headers.location, '/connectors/jdbc%20users')
    assert.deepEqual(herder.calls[0], {
      method: 'putConnectorConfig',
      args: [
        'jdbc users',
        { ...config, 'poll.interval.ms': '100', 'numeric.mapping': 'true', name: 'jdbc users' },
        { allowReplace: false, initialState: 'PAUSED' },
      ],
    })
  })

  test('PUT config answers 201 with Location when created and 200 without when updated', async () => {
    const { request } = setup()
    const created = await request('PUT', '/connectors/a%2Fb/config', config)
    assert.equal(created.status, 201)
    assert.equal(created.headers.location, '/connectors/a%2Fb')
    assert.equal((created.body as { name: string }).name, 'a/b')
    const updated = await request('PUT', '/connectors/a%2Fb/config', config)
    assert.equal(updated.status, 200)
    assert.equal(updated.headers.location, undefined)
  })

  test('PUT config with an empty URL name: 400 from the name check', async () => {
    const { herder, request } = setup()
    assertError(await request('PUT', '/connectors//config', config), 400, /String may not be empty/)
    assert.equal(herder.calls.length, 0)
  })

  test('PATCH config passes null (remove) and coerced values to the herder', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    const response = await request('PATCH', '/connectors/c/config', {
      'tasks.max': 3,
      'connection.url': 'x',
      gone: null,
    })
    assert.equal(response.status, 200)
    assert.deepEqual(herder.calls.at(-1), {
      method: 'patchConnectorConfig',
      args: ['c', { 'tasks.max': '3', 'connection.url': 'x', gone: null }],
    })
  })

  test('status shows a failed task with its trace, tasks without one have no trace key', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    herder.failTask('c', 1, 'Error: boom\n    at poll')
    const status = await request('GET', '/connectors/c/status')
    assert.deepEqual((status.body as { tasks: unknown[] }).tasks, [
      { id: 0, state: 'RUNNING', worker_id: herder.workerId(), version: '10.0.0' },
      { id: 1, state: 'FAILED', worker_id: herder.workerId(), trace: 'Error: boom\n    at poll', version: '10.0.0' },
    ])
    const task = await request('GET', '/connectors/c/tasks/1/status')
    assert.deepEqual(task.body, {
      id: 1,
      state: 'FAILED',
      worker_id: herder.workerId(),
      trace: 'Error: boom\n    at poll',
      version: '10.0.0',
    })
  })

  test('restart ?onlyFailed=true&includeTasks=true reaches the herder and answers its status (202)', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    herder.failTask('c', 0, 'boom')
    const response = await request('POST', '/connectors/c/restart?includeTasks=TRUE&onlyFailed=true')
    assert.equal(response.status, 202)
    assert.deepEqual(herder.calls.at(-1), {
      method: 'restartConnector',
      args: ['c', { includeTasks: true, onlyFailed: true }],
    })
    const tasks = (response.body as { tasks: { state: string }[] }).tasks.map((task) => task.state)
    assert.deepEqual(tasks, ['RESTARTING', 'RUNNING'])
  })

  test('restart with includeTasks=false answers 204 and asks for the connector only', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    const response = await request('POST', '/connectors/c/restart?includeTasks=false&onlyFailed=no')
    assert.equal(response.status, 204)
    assert.deepEqual(herder.calls.at(-1), {
      method: 'restartConnector',
      args: ['c', { includeTasks: false, onlyFailed: false }],
    })
  })

  test('GET /connectors?expand=info keeps herder order and exact entity', async () => {
    const { request } = setup()
    await request('POST', '/connectors', { name: 'b', config })
    await request('POST', '/connectors', { name: 'a', config })
    const response = await request('GET', '/connectors?expand=info')
    assert.deepEqual(Object.keys(response.body as object), ['b', 'a'])
    assert.deepEqual((response.body as Record<string, unknown>).a, {
      info: {
        name: 'a',
        config: { ...config, name: 'a' },
        tasks: [
          { connector: 'a', task: 0 },
          { connector: 'a', task: 1 },
        ],
        type: 'source',
      },
    })
  })

  test('a connector deleted while expanding is left out', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'kept', config })
    const listed = herder.connectors.bind(herder)
    herder.connectors = () => [...listed(), 'vanished']
    const response = await request('GET', '/connectors?expand=status')
    assert.equal(response.status, 200)
    assert.deepEqual(Object.keys(response.body as object), ['kept'])
  })

  test('topics: the recorded topics; tracking disabled answers 403', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    herder.recordTopic('c', 'postgres-jdbc-users')
    assert.deepEqual((await request('GET', '/connectors/c/topics')).body, { c: { topics: ['postgres-jdbc-users'] } })
    herder.topicTrackingEnabled = false
    assertError(await request('GET', '/connectors/c/topics'), 403, 'Topic tracking is disabled.')
    assertError(await request('PUT', '/connectors/c/topics/reset'), 403, 'Topic tracking is disabled.')
  })

  test('PATCH offsets passes partitions and null offsets through', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'c', config, initial_state: 'STOPPED' })
    const offsets = [
      { partition: { table: 'users' }, offset: { id: 7 } },
      { partition: { table: 'orders' }, offset: null },
    ]
    assert.equal((await request('PATCH', '/connectors/c/offsets', { offsets })).status, 200)
    assert.deepEqual(herder.calls.at(-1), { method: 'alterConnectorOffsets', args: ['c', offsets] })
    assertError(await request('PATCH', '/connectors/c/offsets', { offsets: 'x' }), 400)
    assertError(await request('PATCH', '/connectors/c/offsets', { offsets: [{ partition: {}, offset: 3 }] }), 400)
  })

  test('an unexpected herder failure is a 500 error entity and the server keeps answering', async () => {
    const { herder, request } = setup()
    herder.connectors = () => {
      throw new Error('store exploded')
    }
    assertError(await request('GET', '/connectors'), 500, 'store exploded')
    assert.equal((await request('GET', '/')).status, 200)
  })
})

describe('start-up', () => {
  test('/connectors requests, reads included, wait until the herder has started; /, /health do not', async () => {
    const { herder, request } = setup()
    await request('POST', '/connectors', { name: 'before', config })
    const open = herder.holdStartup()
    let answered = false
    const list = request('GET', '/connectors').then((response) => {
      answered = true
      return response
    })
    const status = request('GET', '/connectors/before/status')
    assert.equal((await request('GET', '/')).status, 200)
    assert.equal((await request('GET', '/health')).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(answered, false, 'GET /connectors answered before start-up finished')
    open()
    assert.deepEqual((await list).body, ['before'])
    assert.equal((await status).status, 200)
  })

  test('a request still waiting after startupWaitMs: 500 saying the worker is starting', async () => {
    const herder = new FakeHerder()
    herder.holdStartup()
    const app = createRestServer({ herder, host: '127.0.0.1', port: 0, maxBodyBytes: 1024, startupWaitMs: 30 })
    assertError(await injectRequester(app)('GET', '/connectors'), 500, /still starting up/)
  })
})

describe('connector-plugins validate', () => {
  test('validates against the class named in the body', async () => {
    const { herder, request } = setup()
    const response = await request('PUT', '/connector-plugins/JdbcSource/config/validate', config)
    assert.equal(response.status, 200)
    assert.equal((response.body as { error_count: number }).error_count, 0)
    assert.deepEqual(herder.calls.at(-1), { method: 'validateConnectorConfig', args: [FAKE_SOURCE_CLASS, config] })
  })
})

describe('Fastify-level errors as Connect error entities', () => {
  test('405 carries an Allow header', async () => {
    const { request } = setup()
    const response = await request('PATCH', '/connectors/c')
    assertError(response, 405, 'HTTP 405 Method Not Allowed')
    assert.equal(response.headers.allow, 'DELETE, GET, HEAD')
  })

  test('404 for unknown paths uses Jersey wording', async () => {
    assertError(await setup().request('GET', '/nope'), 404, 'HTTP 404 Not Found')
  })

  test('a URL that cannot be decoded: 400', async () => {
    assertError(await setup().request('GET', '/connectors/%E0%A4%A'), 400)
  })

  test('413 names the limit', async () => {
    const response = await setup().request('PUT', '/connectors/c/config', { padding: 'x'.repeat(2000) })
    assertError(response, 413, 'Request body is larger than the limit of 1024 bytes')
  })

  test('415 uses Jersey wording; a body without a content type is refused too', async () => {
    const { app } = setup()
    assertError(
      await setup().request('POST', '/connectors', '{}', { 'content-type': 'text/plain' }),
      415,
      'HTTP 415 Unsupported Media Type',
    )
    const response = await app.inject({ method: 'POST', url: '/connectors', payload: Buffer.from('{}') })
    assert.equal(response.statusCode, 415)
    assert.deepEqual(response.json(), { error_code: 415, message: 'HTTP 415 Unsupported Media Type' })
  })

  test('application/*+json and charset parameters are JSON', async () => {
    const { request } = setup()
    const vendor = await request('PUT', '/connectors/c/config', JSON.stringify(config), {
      'content-type': 'application/vnd.kafka.connect+json',
    })
    assert.equal(vendor.status, 201, vendor.text)
    const charset = await request('PUT', '/connectors/c/config', JSON.stringify(config), {
      'content-type': 'application/json; charset=utf-8',
    })
    assert.equal(charset.status, 200, charset.text)
  })

  test('empty bodies on body-less actions are fine whatever the content type', async () => {
    const { request } = setup()
    await request('POST', '/connectors', { name: 'c', config })
    assert.equal((await request('PUT', '/connectors/c/pause', '', { 'content-type': 'application/json' })).status, 202)
    assert.equal((await request('PUT', '/connectors/c/resume', '', { 'content-type': 'text/plain' })).status, 202)
  })

  test('an empty JSON body where one is needed: 400', async () => {
    const response = await setup().request('POST', '/connectors', '', { 'content-type': 'application/json' })
    assertError(response, 400, /Request body is missing/)
  })

  test('malformed JSON message says so; __proto__ keys are refused', async () => {
    const { request } = setup()
    assertError(
      await request('POST', '/connectors', '{"a":', { 'content-type': 'application/json' }),
      400,
      /^Request body is not valid JSON: /,
    )
    const proto = '{"name":"p","config":{"__proto__":{"polluted":"yes"}}}'
    assertError(await request('POST', '/connectors', proto, { 'content-type': 'application/json' }), 400, /__proto__/)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
})

describe('metrics and loggers wiring', () => {
  test('GET /metrics passes Accept to the renderer and answers its content type', async () => {
    let seen: string | undefined
    const { request } = setup({
      metrics: {
        render: async (accept) => {
          seen = accept
          return { contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', body: 'up 1\n# EOF\n' }
        },
      },
    })
    const response = await request('GET', '/metrics', undefined, { accept: 'application/openmetrics-text' })
    assert.equal(response.status, 200)
    assert.equal(seen, 'application/openmetrics-text')
    assert.equal(response.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8')
    assert.equal(response.text, 'up 1\n# EOF\n')
  })

  test('GET /metrics without metrics: 404 error entity', async () => {
    assertError(await setup().request('GET', '/metrics'), 404)
  })

  test('loggers come from options.loggers when given', async () => {
    const sets: [string, string][] = []
    const { request } = setup({
      loggers: {
        levels: () => ({ root: { level: 'INFO', last_modified: null }, 'a.b': { level: 'WARN', last_modified: 5 } }),
        set: (name, level) => {
          sets.push([name, level])
          return [name, `${name}.child`]
        },
      },
    })
    assert.deepEqual((await request('GET', '/admin/loggers/a.b')).body, { level: 'WARN', last_modified: 5 })
    const put = await request('PUT', '/admin/loggers/a.b?scope=worker', { level: 'trace' })
    assert.deepEqual(put.body, ['a.b', 'a.b.child'])
    assert.equal((await request('PUT', '/admin/loggers/a.b?scope=bogus', { level: 'all' })).status, 200)
    assert.deepEqual(sets, [
      ['a.b', 'TRACE'],
      ['a.b', 'TRACE'],
    ])
  })
})

describe('startRestServer', () => {
  test('listens on an ephemeral port, answers over HTTP, and closes', async () => {
    const server = await startRestServer({ herder: new FakeHerder(), host: '127.0.0.1', port: 0, maxBodyBytes: 1024 })
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const request = httpRequester(server.url)
      const root = await request('GET', '/')
      assert.equal(root.status, 200)
      assertKeys(root.body, ['commit', 'kafka_cluster_id', 'version'])
      const created = await request('POST', '/connectors', { name: 'slash/and space', config })
      assert.equal(created.status, 201, created.text)
      assert.equal((await request('GET', '/connectors/slash%2Fand%20space/status')).status, 200)
      assertError(await request('POST', '/connectors', '{', { 'content-type': 'application/json' }), 400)
    } finally {
      await server.close()
    }
    await assert.rejects(fetch(`${server.url}/`))
  })
})

describe('POST /connectors/:name/tasks (internal: task configs for the leader)', () => {
  const signed = '[{"task.class":"x","n":1}]'
  test('the herder gets string-valued task configs and the signature over the exact body bytes; 204', async () => {
    const { herder, app } = setup()
    await herder.putConnectorConfig('c', config, { allowReplace: false })
    const key = Buffer.alloc(32, 3)
    const response = await app.inject({
      method: 'POST',
      url: '/connectors/c/tasks?forward=true',
      headers: { 'content-type': 'application/json', ...signatureHeaders(signed, key, 'HmacSHA256') },
      payload: signed,
    })
    assert.equal(response.statusCode, 204)
    const call = herder.calls.find((c) => c.method === 'putTaskConfigs')
    assert.deepEqual(call?.args.slice(0, 2), ['c', [{ 'task.class': 'x', n: '1' }]])
    const signature = call?.args[2] as RequestSignature
    assert.equal(signature.body.toString('utf8'), signed)
    assert.equal(signatureProblem(signature, key, ['HmacSHA256']), undefined)
  })

  test('no signature headers: the herder gets null (it decides whether one is required)', async () => {
    const { herder, request } = setup()
    await herder.putConnectorConfig('c', config, { allowReplace: false })
    const response = await request('POST', '/connectors/c/tasks', [])
    assert.equal(response.status, 204)
    assert.equal(herder.calls.find((c) => c.method === 'putTaskConfigs')?.args[2], null)
  })

  test('a body that is not an array of objects, or a malformed signature header, is 400', async () => {
    const { herder, app, request } = setup()
    await herder.putConnectorConfig('c', config, { allowReplace: false })
    assertError(await request('POST', '/connectors/c/tasks', { a: 'b' }), 400, /JSON array of task configuration/)
    assertError(await request('POST', '/connectors/c/tasks', ['x']), 400, /task configuration 0/)
    const response = await app.inject({
      method: 'POST',
      url: '/connectors/c/tasks',
      headers: {
        'content-type': 'application/json',
        'X-Connect-Authorization': 'abc',
        'X-Connect-Request-Signature-Algorithm': 'HmacNope',
      },
      payload: '[]',
    })
    assert.equal(response.statusCode, 400)
    assert.deepEqual(response.json(), { error_code: 400, message: 'Algorithm HmacNope not available' })
  })
})

describe('PUT /connectors/:name/fence (internal: zombie fencing on the leader)', () => {
  test('204 with no body; the herder gets the signature over the empty body, or null unsigned; unknown is 404', async () => {
    const { herder, app, request } = setup()
    await herder.putConnectorConfig('c', config, { allowReplace: false })
    const key = Buffer.alloc(32, 5)
    const response = await app.inject({
      method: 'PUT',
      url: '/connectors/c/fence',
      headers: signatureHeaders('', key, 'HmacSHA256'),
    })
    assert.equal(response.statusCode, 204, response.body)
    assert.equal(response.body, '')
    const call = herder.calls.find((c) => c.method === 'fenceZombieSourceTasks')
    assert.equal(call?.args[0], 'c')
    const signature = call?.args[1] as RequestSignature
    assert.equal(signature.body.length, 0)
    assert.equal(signatureProblem(signature, key, ['HmacSHA256']), undefined)

    assert.equal((await request('PUT', '/connectors/c/fence')).status, 204)
    assert.equal(herder.calls.filter((c) => c.method === 'fenceZombieSourceTasks').at(-1)?.args[1], null)
    assertError(await request('PUT', '/connectors/nope/fence'), 404)
    assert.equal((await request('GET', '/connectors/c/fence')).status, 405, 'PUT only, as Connect')
  })
})
