// Every 5 s the console samples what it already reads — connector and task states and write rates (Connect REST and
// a flowscope worker's /metrics), topic append rates (log-end offsets), consumer group lag in offsets and seconds
// and freshness (the lag exporter) — into its sample store, and evaluates the health checks for the webhooks.
import type { ConsoleParts } from './app.ts'
import { part } from './errors.ts'
import { healthChecks } from './health-checks.ts'
import { SAMPLE_INTERVAL_MS, type SampleStore } from './history.ts'
import { RateTracker } from './topology.ts'
import type { WebhookNotifier } from './webhooks.ts'

export class Sampler {
  readonly #parts: ConsoleParts
  readonly #store: SampleStore
  readonly #notifier: WebhookNotifier | null
  readonly #rates = new RateTracker()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | null = null
  samples = 0
  lastDurationMs: number | null = null

  constructor(parts: ConsoleParts, store: SampleStore, notifier: WebhookNotifier | null) {
    this.#parts = parts
    this.#store = store
    this.#notifier = notifier
  }

  start(intervalMs = SAMPLE_INTERVAL_MS): void {
    const run = () => {
      // A slow part must not pile samples up: skip a tick while the last one still runs.
      if (!this.#running) this.#running = this.sample().finally(() => (this.#running = null))
    }
    run()
    this.#timer = setInterval(run, intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }

  async sample(): Promise<void> {
    const started = Date.now()
    const p = this.#parts
    const [clusters, connects, lag] = await Promise.all([
      Promise.all(
        p.kafka.map(async (k) => ({ name: k.name, overview: await part(k.snapshot().then((s) => s.overview)) })),
      ),
      Promise.all(
        p.connects.map(async (c) => ({
          name: c.name,
          connectors: await part(c.connectors()),
          metrics: await c.metrics(),
        })),
      ),
      p.lag ? part(p.lag.view()) : Promise.resolve(null),
    ])
    const at = Date.now()
    const s = this.#store
    const topics = new Set<string>()
    for (const c of connects) {
      if (!c.connectors.ok) continue
      for (const connector of c.connectors.value) {
        const key = `${c.name}/${connector.name}`
        s.record(`connector.tasks_running:${key}`, at, connector.tasks.filter((t) => t.state === 'RUNNING').length)
        s.record(`connector.tasks_failed:${key}`, at, connector.tasks.filter((t) => t.state === 'FAILED').length)
        s.record(`connector.write_rate:${key}`, at, c.metrics.get(connector.name)?.writeRate)
        for (const t of connector.topics ?? []) topics.add(t)
      }
    }
    if (lag?.ok) {
      for (const g of lag.value.groups) {
        s.record(`group.lag:${g.group}`, at, g.maxLag)
        s.record(`group.lag_seconds:${g.group}`, at, g.maxLagSeconds)
        s.record(`group.freshness:${g.group}`, at, g.freshnessSeconds)
        for (const t of Object.keys(g.topics)) topics.add(t)
      }
    }
    // Append rates of the topics of the pipeline (connectors' and groups'), not of every topic of the cluster.
    const ends = topics.size > 0 && p.kafka[0] ? await part(p.kafka[0].endOffsets([...topics])) : null
    if (ends?.ok) {
      const now = Date.now()
      for (const [topic, sum] of ends.value)
        s.record(`topic.append_rate:${topic}`, now, this.#rates.update(topic, sum, now))
    }
    this.#notifier?.update(healthChecks({ clusters, connects, lag, lagSecondsThreshold: p.lagSecondsThreshold ?? 60 }))
    this.samples++
    this.lastDurationMs = Date.now() - started
  }
}
