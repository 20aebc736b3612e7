// The lag exporter when Kafka is not there: the real CLI pointed at a closed port keeps serving (up 0), says so in
// one log line however many polls fail, and stops cleanly; an exporter whose bootstrap address starts answering
// (a TCP relay to the real broker opens on it) recovers to up 1 on its next poll.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { after, test } from 'node:test'
import { freePort } from '../../../src/local/ports.ts'
import { testStack } from '../../support/stack.ts'
import { one, parseMetrics, startExporter } from './helpers.ts'

let child: ChildProcess | undefined
after(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
})

test('the CLI against a closed port serves up=0, logs one clear line, keeps running and stops on SIGTERM', async () => {
  const closed = await freePort()
  child = spawn(
    process.execPath,
    [
      'src/cli/main.ts',
      'lag-exporter',
      `--bootstrap-servers=127.0.0.1:${closed}`,
      '--port=0',
      '--host=127.0.0.1',
      '--poll-interval-ms=200',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLOWSCOPE_LOG_LEVEL: 'info' } },
  )
  const lines: string[] = []
  const stderr: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)))
  let port = 0
  for await (const line of createInterface({ input: child.stdout! })) {
    lines.push(line)
    const serving = /serving http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(line)
    if (serving) port = Number(serving[1])
    if (port && line.includes('cannot reach Kafka')) break
  }
  assert.ok(port > 0, lines.join('\n'))
  const complaint = lines.find((l) => l.includes('cannot reach Kafka'))!
  assert.match(complaint, new RegExp(`cannot reach Kafka at 127\\.0\\.0\\.1:${closed} \\(.*ECONNREFUSED`))
  assert.match(complaint, /flowscope_lag_exporter_up is 0; retrying every 200 ms/)

  // Let several more polls fail: the process lives on, up stays 0, and the log line is not repeated.
  let metrics = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
  while (one(metrics, 'flowscope_lag_exporter_poll_errors_total').value < 4) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    metrics = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
  }
  assert.equal(one(metrics, 'flowscope_lag_exporter_up', { cluster_name: 'local' }).value, 0)
  assert.equal(metrics.filter((s) => s.name.startsWith('kafka_')).length, 0, 'no made-up values before a first poll')
  const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, unknown>
  assert.equal(health.status, 'STALE')
  assert.equal(health.up, false)
  assert.equal(child.exitCode, null)
  child.kill('SIGTERM')
  assert.equal(await exited, 0)
  assert.equal(lines.filter((l) => l.includes('cannot reach Kafka')).length, 1, lines.join('\n'))
  assert.equal(stderr.join(''), '')
})

test('an exporter started while Kafka is unreachable recovers when its bootstrap address answers', async () => {
  const port = await freePort()
  const [brokerHost, brokerPort] = testStack().bootstrapServers.split(':')
  const exporter = await startExporter({ bootstrapServers: [`127.0.0.1:${port}`], groupAllow: /^$/ })
  let relay: Server | undefined
  const sockets = new Set<Socket>()
  try {
    assert.equal(await exporter.poll(), false)
    let m = await exporter.scrape()
    assert.equal(one(m, 'flowscope_lag_exporter_up').value, 0)
    assert.equal(exporter.exporter.health.up, false)

    relay = createServer((socket) => {
      const upstream = createConnection({ host: brokerHost, port: Number(brokerPort) })
      for (const s of [socket, upstream]) {
        sockets.add(s)
        s.on('error', () => s.destroy())
        s.on('close', () => sockets.delete(s))
      }
      socket.pipe(upstream).pipe(socket)
    })
    await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve))

    assert.equal(await exporter.poll(), true)
    m = await exporter.scrape()
    assert.equal(one(m, 'flowscope_lag_exporter_up').value, 1)
    assert.ok(one(m, 'flowscope_lag_exporter_last_success_timestamp_seconds').value > 0)
    assert.ok(one(m, 'kafka_brokers').value >= 1)
    assert.ok(one(m, 'flowscope_lag_exporter_poll_errors_total').value >= 1)
  } finally {
    await exporter.stop()
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)))
  }
})
