import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { Alert } from '../../../src/console/server/health-checks.ts'
import {
  type Clock,
  genericBody,
  RETRY_DELAYS_MS,
  slackBody,
  transitions,
  WebhookNotifier,
} from '../../../src/console/server/webhooks.ts'

const failed: Alert = {
  severity: 'error',
  id: 'connector-failed:connect-default/pg',
  message: 'Connector pg (connect-default) is FAILED',
  link: '/connect/connect-default/pg',
}
const at = new Date('2026-12-03T07:00:00Z')

test('transitions: a new alert fires, a gone one resolves, a lasting one says nothing', () => {
  const fired = transitions(new Map(), [failed], at)
  assert.equal(fired.length, 1)
  assert.equal(fired[0].state, 'firing')
  assert.deepEqual(transitions(new Map([[failed.id, failed]]), [failed], at), [])
  const resolved = transitions(new Map([[failed.id, failed]]), [], at)
  assert.equal(resolved[0].state, 'resolved')
  assert.equal(resolved[0].summary, failed.message)
})

test('generic and Slack bodies', () => {
  const [n] = transitions(new Map(), [failed], at)
  assert.deepEqual(genericBody(n), {
    alert: 'connector-failed',
    severity: 'error',
    labels: { id: failed.id, subject: 'connect-default/pg' },
    summary: failed.message,
    state: 'firing',
    time: '2026-12-03T07:00:00.000Z',
    link: failed.link,
    source: 'flowscope console',
  })
  const slack = slackBody(n)
  assert.deepEqual(Object.keys(slack), ['text'])
  assert.match(slack.text, /FIRING.*Connector pg \(connect-default\) is FAILED/)
  assert.match(slackBody({ ...n, state: 'resolved' }).text, /RESOLVED/)
})

/** A clock whose sleeps return at once and are recorded. */
const fakeClock = (): Clock & { slept: number[] } => {
  const slept: number[] = []
  return { slept, now: () => at.getTime(), sleep: async (ms) => void slept.push(ms) }
}

async function receiver(failFirst: number) {
  const bodies: unknown[] = []
  let calls = 0
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      calls++
      if (calls <= failFirst) return void res.writeHead(503).end()
      bodies.push(JSON.parse(raw))
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return {
    url,
    bodies,
    calls: () => calls,
    close: () => {
      server.closeAllConnections()
      return new Promise((r) => server.close(r))
    },
  }
}

test('retries with backoff, then delivers; sends on state changes only', async () => {
  const r = await receiver(2)
  const clock = fakeClock()
  const logs: string[] = []
  const n = new WebhookNotifier([{ url: r.url, kind: 'generic' }], { clock, log: (l) => logs.push(l) })
  n.update([failed])
  await n.settle()
  assert.equal(r.calls(), 3)
  assert.deepEqual(clock.slept, [RETRY_DELAYS_MS[0], RETRY_DELAYS_MS[1]])
  n.update([failed]) // still firing: nothing sent
  n.update([])
  await n.settle()
  assert.deepEqual(
    r.bodies.map((b) => (b as { state: string }).state),
    ['firing', 'resolved'],
  )
  assert.equal(n.failures.size, 0)
  assert.deepEqual(logs, [])
  await r.close()
})

test('a receiver that keeps failing is logged once and listed, and update never waits for it', async () => {
  const r = await receiver(1000)
  const clock = fakeClock()
  const logs: string[] = []
  const n = new WebhookNotifier([{ url: r.url, kind: 'slack' }], { clock, log: (l) => logs.push(l) })
  const changes = n.update([failed]) // returns at once
  assert.equal(changes.length, 1)
  n.update([])
  await n.settle()
  assert.equal(r.calls(), 2 * (RETRY_DELAYS_MS.length + 1))
  assert.deepEqual(clock.slept, [...RETRY_DELAYS_MS, ...RETRY_DELAYS_MS])
  assert.equal(logs.length, 1)
  assert.match(logs[0], /not delivered: HTTP 503/)
  const f = n.failures.get(r.url)
  assert.equal(f?.attempts, RETRY_DELAYS_MS.length + 1)
  assert.equal(f?.error, 'HTTP 503')
  await r.close()
})
