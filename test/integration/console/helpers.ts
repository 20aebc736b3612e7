// The console against the real test stack: a real flowscope worker (Connect REST), the real broker, a real lag
// exporter, and the console's HTTP server (the same app `flowscope console` serves) on a free port.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { type ConsoleParts, createConsoleApp, LOOPBACK_HOSTNAMES } from '../../../src/console/server/app.ts'
import { buildAssets } from '../../../src/console/server/assets.ts'
import { ConnectClient } from '../../../src/console/server/connect.ts'
import { KafkaCluster } from '../../../src/console/server/kafka.ts'
import { LagClient } from '../../../src/console/server/lag.ts'
import { freePort } from '../../../src/local/ports.ts'
import { testStack } from '../../support/stack.ts'
import { type RunningExporter, startExporter } from '../lag/helpers.ts'
import { startTestWorker, type TestWorker, workerIdentity } from '../worker/helpers.ts'

export interface ConsoleUnderTest {
  url: string
  worker: TestWorker
  exporter: RunningExporter
  app: FastifyInstance
  /** Port of a Connect cluster that is configured but never answers. */
  deadConnectPort: number
  /** JSON request to the console API with the UI's write header. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the tests
  ): Promise<{ status: number; body: any; headers: Headers }>
  stop(): Promise<void>
}

/** With `deadConnect`, a second Connect cluster "gone" is configured on a port where nothing answers. */
export async function startConsole(
  prefix: string,
  groupAllow: RegExp,
  deadConnect = true,
  extra: Partial<ConsoleParts> = {},
): Promise<ConsoleUnderTest> {
  const worker = await startTestWorker(await workerIdentity(prefix))
  const exporter = await startExporter({ bootstrapServers: [testStack().bootstrapServers], groupAllow })
  const deadConnectPort = await freePort()
  const kafka = new KafkaCluster('local', [testStack().bootstrapServers], 0)
  const app = await createConsoleApp({
    kafka: [kafka],
    connects: [
      new ConnectClient('main', worker.url),
      ...(deadConnect ? [new ConnectClient('gone', `http://127.0.0.1:${deadConnectPort}`, 1500)] : []),
    ],
    lag: new LagClient(exporter.url, { maxAgeMs: 0 }),
    prometheusUrl: null,
    assets: await buildAssets(),
    allowedHostnames: LOOPBACK_HOSTNAMES,
    ...extra,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    url,
    worker,
    exporter,
    app,
    deadConnectPort,
    async api(method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(method === 'GET' ? {} : { 'X-Flowscope-Console': '1' }),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers }
    },
    async stop() {
      await app.close()
      await kafka.close()
      await exporter.stop()
      await worker.worker.stop()
    },
  }
}
