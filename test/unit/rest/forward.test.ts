// Requests another worker of the group must handle (RequestTargetError) are forwarded as Connect forwards them: a
// user's request may take two hops (forward=true, then forward=false), a third is refused with 409, and the target's
// answer (status, body, Location) comes back unchanged. Real listening servers over fake herders.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { RequestTargetError } from '../../../src/errors.ts'
import { forwardedUrl } from '../../../src/rest/forward.ts'
import { startRestServer } from '../../../src/rest/server.ts'
import type { InitialState } from '../../../src/runtime/herder.ts'
import { httpRequester } from '../../support/rest-contract.ts'
import { FAKE_SOURCE_CLASS, FakeHerder } from './fake-herder.ts'

/** A worker that is not the leader: every config change points to `target`. */
class Follower extends FakeHerder {
  target: string | null = null
  override async putConnectorConfig(
    _name: string,
    _config: Record<string, string>,
    _options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<never> {
    throw new RequestTargetError('not the leader', this.target)
  }
}

const servers: { close(): Promise<void> }[] = []
after(async () => {
  for (const server of servers) await server.close()
})

async function serve(herder: FakeHerder): Promise<string> {
  const server = await startRestServer({ herder, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20 })
  servers.push(server)
  return server.url
}

const body = {
  name: 'jdbc',
  config: { 'connector.class': FAKE_SOURCE_CLASS, 'connection.url': 'jdbc:x', 'tasks.max': '1' },
}

test('the forwarded URL keeps the path and query and sets forward for the next hop', () => {
  assert.equal(
    forwardedUrl('http://leader:8083', '/connectors/a%20b/restart?includeTasks=true&forward=true', false),
    'http://leader:8083/connectors/a%20b/restart?includeTasks=true&forward=false',
  )
  assert.equal(forwardedUrl('http://leader:8083/', '/connectors', true), 'http://leader:8083/connectors?forward=true')
})

test('a user request reaches the worker that handles it in two hops; its 201, body and Location come back', async () => {
  const leader = new FakeHerder()
  const [a, b] = [new Follower(), new Follower()]
  b.target = await serve(leader)
  a.target = await serve(b)
  const response = await httpRequester(await serve(a))('POST', '/connectors', body)
  assert.equal(response.status, 201, response.text)
  assert.equal(response.headers.location, '/connectors/jdbc')
  assert.equal((response.body as { name: string }).name, 'jdbc')
  assert.deepEqual(
    leader.calls.map((c) => c.method),
    ['putConnectorConfig'],
    'the last worker made the change',
  )
})

test('a third hop is refused with 409, and so is a request no worker can take', async () => {
  const [a, b, c] = [new Follower(), new Follower(), new Follower()]
  const urls = [await serve(a), await serve(b), await serve(c)]
  a.target = urls[1]
  b.target = urls[2]
  c.target = urls[0]
  const looping = await httpRequester(urls[0])('POST', '/connectors', body)
  assert.equal(looping.status, 409)
  assert.deepEqual(looping.body, {
    error_code: 409,
    message: 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
  })
  const nowhere = new Follower()
  const alone = await httpRequester(await serve(nowhere))('POST', '/connectors', body)
  assert.equal(alone.status, 409)
  assert.match((alone.body as { message: string }).message, /no known leader URL/)
})
