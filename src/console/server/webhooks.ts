// Webhook notifications of the console's health checks: on a state change only (an alert starts firing, then
// resolves), as a generic JSON body and a Slack-compatible `{"text": …}` body, each delivery retried a few times
// with backoff in the background (the console never waits on it). A URL whose delivery failed is logged once and
// listed (for the Alerts page) until a delivery to it succeeds again.
import type { Alert } from './health-checks.ts'

export interface WebhookTarget {
  url: string
  kind: 'generic' | 'slack'
}

export interface Notification {
  alert: string
  severity: Alert['severity']
  labels: Record<string, string>
  summary: string
  state: 'firing' | 'resolved'
  /** ISO 8601. */
  time: string
  link: string
}

/** The generic JSON body. Pure. */
export function genericBody(n: Notification): Record<string, unknown> {
  return {
    alert: n.alert,
    severity: n.severity,
    labels: n.labels,
    summary: n.summary,
    state: n.state,
    time: n.time,
    link: n.link,
    source: 'flowscope console',
  }
}

/** Slack's incoming-webhook body. Pure. */
export function slackBody(n: Notification): { text: string } {
  const mark =
    n.state === 'resolved'
      ? ':white_check_mark: RESOLVED'
      : n.severity === 'error'
        ? ':red_circle: FIRING'
        : ':warning: FIRING'
  return { text: `${mark} [${n.severity}] ${n.summary} (${n.alert}, ${n.time})` }
}

/** The alert's kind (its id up to the first ':') as its name, the rest as a label. */
function notification(alert: Alert, state: Notification['state'], at: Date): Notification {
  const colon = alert.id.indexOf(':')
  return {
    alert: colon > 0 ? alert.id.slice(0, colon) : alert.id,
    severity: alert.severity,
    labels: { id: alert.id, ...(colon > 0 ? { subject: alert.id.slice(colon + 1) } : {}) },
    summary: alert.message,
    state,
    time: at.toISOString(),
    link: alert.link,
  }
}

/** Firing and resolved notifications between two evaluations of the health checks. Pure. */
export function transitions(before: Map<string, Alert>, now: Alert[], at: Date): Notification[] {
  const out: Notification[] = []
  const current = new Map(now.map((a) => [a.id, a]))
  for (const a of now) if (!before.has(a.id)) out.push(notification(a, 'firing', at))
  for (const [id, a] of before) if (!current.has(id)) out.push(notification(a, 'resolved', at))
  return out
}

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
}

export interface DeliveryFailure {
  url: string
  kind: WebhookTarget['kind']
  alert: string
  state: Notification['state']
  error: string
  attempts: number
  time: string
}

/** Delays before the retries: 1 s, 2 s, 4 s (four attempts in all). */
export const RETRY_DELAYS_MS = [1000, 2000, 4000] as const

export class WebhookNotifier {
  readonly targets: WebhookTarget[]
  readonly #clock: Clock
  readonly #log: (line: string) => void
  readonly #timeoutMs: number
  #active = new Map<string, Alert>()
  #primed = false
  /** The last failure per URL, cleared by a later success. */
  readonly failures = new Map<string, DeliveryFailure>()
  readonly #pending = new Set<Promise<void>>()
  readonly #chains = new Map<string, Promise<void>>()
  delivered = 0

  constructor(
    targets: WebhookTarget[],
    options: { clock?: Clock; log?: (line: string) => void; timeoutMs?: number } = {},
  ) {
    this.targets = targets
    this.#clock = options.clock ?? realClock
    this.#log = options.log ?? ((line) => console.error(line))
    this.#timeoutMs = options.timeoutMs ?? 5000
  }

  /**
   * Takes the health checks' latest answer and sends what changed. The first evaluation sends the alerts already
   * firing (a console started during an incident says so). Returns at once; deliveries run in the background.
   */
  update(alerts: Alert[]): Notification[] {
    const changes = transitions(this.#active, alerts, new Date(this.#clock.now()))
    this.#active = new Map(alerts.map((a) => [a.id, a]))
    this.#primed = true
    for (const n of changes) {
      for (const target of this.targets) {
        // One delivery at a time per URL, in order: a receiver never sees "resolved" before its "firing".
        const next = (this.#chains.get(target.url) ?? Promise.resolve()).then(() => this.deliver(target, n))
        this.#chains.set(target.url, next)
        this.#track(next)
      }
    }
    return changes
  }

  get primed(): boolean {
    return this.#primed
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p)
    void p.finally(() => this.#pending.delete(p))
  }

  /** Waits for the deliveries under way (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }

  async deliver(target: WebhookTarget, n: Notification): Promise<void> {
    const body = JSON.stringify(target.kind === 'slack' ? slackBody(n) : genericBody(n))
    let error = ''
    let attempts = 0
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      attempts++
      if (attempt > 0) await this.#clock.sleep(RETRY_DELAYS_MS[attempt - 1])
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        })
        await response.body?.cancel()
        if (response.ok) {
          this.delivered++
          if (this.failures.delete(target.url)) this.#log(`webhook ${target.url}: delivering again`)
          return
        }
        error = `HTTP ${response.status}`
        if (response.status >= 400 && response.status < 500 && response.status !== 429) break // will not get better
      } catch (e) {
        error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)
      }
    }
    // Logged once per URL until it delivers again: a dead receiver does not flood the log.
    if (!this.failures.has(target.url))
      this.#log(`webhook ${target.url}: ${n.alert} ${n.state} not delivered: ${error}`)
    this.failures.set(target.url, {
      url: target.url,
      kind: target.kind,
      alert: n.alert,
      state: n.state,
      error,
      attempts,
      time: new Date(this.#clock.now()).toISOString(),
    })
  }
}
