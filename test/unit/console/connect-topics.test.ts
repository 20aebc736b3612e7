import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { ConnectClient } from '../../../src/console/server/connect.ts'

// A stand-in Connect REST server: two connectors, one with an active topic, one with none yet.
let server: Server
let url: string
const topicRequests = new Map<string, number>()
let noneTopics: string[] = []

before(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    const path = req.url ?? ''
    if (path.startsWith('/connectors?')) {
      const entry = (name: string) => ({
        status: { name, type: 'source', connector: { state: 'RUNNING', worker_id: 'w' }, tasks: [] },
        info: { name, type: 'source', config: { 'connector.class': 'X' }, tasks: [] },
      })
      res.end(JSON.stringify({ busy: entry('busy'), none: entry('none') }))
      return
    }
    const match = /^\/connectors\/(\w+)\/topics$/.exec(path)
    if (match) {
      const name = match[1]
      topicRequests.set(name, (topicRequests.get(name) ?? 0) + 1)
      res.end(JSON.stringify({ [name]: { topics: name === 'busy' ? ['orders'] : noneTopics } }))
      return
    }
    res.statusCode = path.includes('/validate') ? 200 : 404
    res.end(JSON.stringify({ configs: [] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(() => new Promise<void>((resolve) => server.close(() => resolve())))

test('active topics: a non-empty answer is reused, an empty one is asked again until topics appear', async () => {
  const client = new ConnectClient('c', url)
  const first = await client.connectors()
  assert.deepEqual(
    first.map((c) => [c.name, c.topics]),
    [
      ['busy', ['orders']],
      ['none', []],
    ],
  )
  await client.connectors()
  assert.equal(topicRequests.get('busy'), 1, 'a non-empty topics answer was asked again within the reuse time')
  assert.equal(topicRequests.get('none'), 2, 'an empty topics answer was reused')
  noneTopics = ['late']
  const third = await client.connectors()
  assert.deepEqual(third.find((c) => c.name === 'none')?.topics, ['late'])
  // Deleting a connector forgets its topics (a new connector of the same name starts afresh).
  await client.remove('busy').catch(() => undefined)
  await client.connectors()
  assert.equal(topicRequests.get('busy'), 2)
})
