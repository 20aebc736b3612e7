// The console as a part of `flowscope up`: served from the up process itself (no extra Node process; the UI bundle
// is built once at start), pointed at the stack's Kafka, the worker's REST API, the lag exporter and Prometheus.
// `flowscope console` serves the same app in a process of its own for any other cluster.
import type { Progress } from '../local/progress.ts'
import { DEFAULT_CONSOLE_PORT } from './server/options.ts'
import type { WebhookTarget } from './server/webhooks.ts'

export { DEFAULT_CONSOLE_PORT }

export interface LocalConsoleOptions {
  port: number
  bootstrapServers: string
  restUrl: string
  lagExporterUrl: string
  prometheusUrl: string | null
  /** Where the health checks' state changes are sent (`flowscope up --webhook / --slack-webhook`). */
  webhooks?: WebhookTarget[]
  progress: Progress
}

export interface LocalConsole {
  url: string
  stop(): Promise<void>
}

export async function startLocalConsole(o: LocalConsoleOptions): Promise<LocalConsole> {
  const done = o.progress.step(`Starting the console (http://localhost:${o.port})`)
  const [
    { createConsoleApp, LOOPBACK_HOSTNAMES },
    { buildAssets },
    { ConnectClient },
    { KafkaCluster },
    { LagClient },
  ] = await Promise.all([
    import('./server/app.ts'),
    import('./server/assets.ts'),
    import('./server/connect.ts'),
    import('./server/kafka.ts'),
    import('./server/lag.ts'),
  ])
  const kafka = new KafkaCluster('local', o.bootstrapServers.split(','))
  const app = await createConsoleApp({
    kafka: [kafka],
    connects: [new ConnectClient('connect-default', o.restUrl)],
    lag: new LagClient(o.lagExporterUrl),
    prometheusUrl: o.prometheusUrl,
    assets: await buildAssets(),
    webhooks: o.webhooks,
    allowedHostnames: LOOPBACK_HOSTNAMES,
  })
  await app.listen({ port: o.port, host: 'localhost' })
  done()
  return {
    url: `http://localhost:${o.port}`,
    async stop() {
      await app.close().catch(() => {})
      await kafka.close()
    },
  }
}
