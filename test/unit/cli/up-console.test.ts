// `flowscope up --webhook URL --slack-webhook URL`: the flags reach the console `up` serves, which then sends its
// health checks' state changes there (here: a real HTTP receiver, with every other part of the stack absent).
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { parseUpArgs, upConsole } from '../../../src/cli/up.ts'
import { startLocalConsole } from '../../../src/console/local.ts'
import { freePort } from '../../../src/local/ports.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { defaultPorts } from '../../../src/local/stack.ts'

test('up passes --webhook and --slack-webhook (repeatable) to its console, and checks them as URLs', () => {
  const values = parseUpArgs([
    '--webhook',
    'http://hooks.internal:9000/flowscope/',
    '--slack-webhook',
    'https://hooks.slack.com/services/T/B/x',
    '--webhook',
    'https://other.example/alerts',
    '--console-port',
    '9999',
  ])
  assert.deepEqual(upConsole(values, defaultPorts), {
    port: 9999,
    lagExporterUrl: `http://localhost:${defaultPorts.lagExporter}`,
    webhooks: [
      { url: 'http://hooks.internal:9000/flowscope', kind: 'generic' },
      { url: 'https://other.example/alerts', kind: 'generic' },
      { url: 'https://hooks.slack.com/services/T/B/x', kind: 'slack' },
    ],
  })
  assert.deepEqual(upConsole(parseUpArgs([]), defaultPorts)?.webhooks, [])
  assert.equal(upConsole(parseUpArgs(['--no-console', '--webhook', 'http://x']), defaultPorts), undefined)
  assert.throws(() => upConsole(parseUpArgs(['--webhook', 'hooks.internal']), defaultPorts), {
    message: '--webhook hooks.internal: not a URL; give e.g. http://localhost:8083',
  })
  assert.throws(() => upConsole(parseUpArgs(['--slack-webhook', 'ftp://x/y']), defaultPorts), {
    message: '--slack-webhook ftp://x/y: use an http:// or https:// URL',
  })
  assert.throws(() => parseUpArgs(['--webhook']), /--webhook/)
})

test('the console up starts sends its alerts to the webhooks given to up', async () => {
  const received: { path: string; body: Record<string, unknown> }[] = []
  const receiver = http.createServer((request, response) => {
    let text = ''
    request.on('data', (chunk) => (text += chunk))
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(text) })
      response.end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  const [consolePort, nothing] = [await freePort(), await freePort()]
  const values = parseUpArgs(['--console-port', String(consolePort), '--webhook', `${hooks}/generic`])
  const options = upConsole(values, { lagExporter: nothing })
  assert.ok(options)
  const localConsole = await startLocalConsole({
    ...options,
    // Nothing answers on these: the console's health checks fire for them.
    bootstrapServers: `127.0.0.1:${nothing}`,
    restUrl: `http://127.0.0.1:${nothing}`,
    prometheusUrl: null,
    progress: silentProgress,
  })
  try {
    const targets = await (await fetch(`${localConsole.url}/api/alerts/webhooks`)).json()
    assert.deepEqual(targets.targets, [{ url: `${hooks}/…`, kind: 'generic' }])
    const deadline = Date.now() + 30_000
    while (!received.some((r) => r.body.state === 'firing') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const firing = received.filter((r) => r.body.state === 'firing')
    assert.ok(firing.length > 0, 'no notification reached the webhook')
    assert.equal(firing[0].path, '/generic')
    assert.equal(firing[0].body.source, 'flowscope console')
  } finally {
    await localConsole.stop()
    receiver.close()
  }
})
