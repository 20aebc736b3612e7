// What the sample-consumer integration tests share: `flowscope consume` run as a real process (so it can be killed
// with SIGKILL), its printed records and /metrics, and a producer of records with or without the source headers.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Admin, Producer } from '@platformatic/kafka'
import { parseMetrics, type Sample } from '../lag/helpers.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ConsumerProcess {
  readonly child: ChildProcess
  /** stdout + stderr so far. */
  output(): string
  /** Offsets printed (processed) so far, in order, per `topic/partition`. */
  printed(): { topic: string; partition: number; offset: bigint; key: string }[]
  /** Resolves with the /metrics URL once the consumer has joined and started. */
  readonly metricsUrl: Promise<string>
  scrape(): Promise<Sample[]>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** `flowscope consume <args>` (metrics on a free port, records printed), against the test broker. */
export function runConsumer(bootstrap: string, args: string[]): ConsumerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWSCOPE_LOG_LEVEL: 'warn' }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(
    process.execPath,
    ['src/cli/main.ts', 'consume', '--bootstrap-servers', bootstrap, '--metrics-port', '0', ...args],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let resolveUrl: (url: string) => void = () => {}
  let rejectUrl: (error: Error) => void = () => {}
  const metricsUrl = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve
    rejectUrl = reject
  })
  const onData = (d: Buffer) => {
    out += d
    const url = /metrics on (http:\/\/\S+\/metrics)/.exec(out)?.[1]
    if (url) resolveUrl(url)
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      rejectUrl(new Error(`consume exited (${code ?? signal}) before serving metrics:\n${out}`))
      resolve({ code, signal })
    }),
  )
  metricsUrl.catch(() => {})
  return {
    child,
    output: () => out,
    printed: () =>
      [...out.matchAll(/^(\S+)\/(\d+)@(\d+) (\S+) /gm)].map((m) => ({
        topic: m[1],
        partition: Number(m[2]),
        offset: BigInt(m[3]),
        key: m[4],
      })),
    metricsUrl,
    scrape: async () => parseMetrics(await (await fetch(await metricsUrl)).text()),
    exited,
  }
}

/** Waits until `check` returns a value (not undefined), polling every 200 ms; fails naming `what`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${String(last)})`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Writes `count` records to partition 0 of `topic`; the first `withHeader` carry the source timestamp headers. */
export async function produce(
  producer: Producer,
  topic: string,
  count: number,
  o: { withHeader?: number; sourceTimeMs?: number; from?: number } = {},
): Promise<void> {
  const from = o.from ?? 0
  await producer.send({
    messages: Array.from({ length: count }, (_, i) => ({
      topic,
      partition: 0,
      key: Buffer.from(`k${from + i}`),
      value: Buffer.from(`v${from + i}`),
      headers:
        i < (o.withHeader ?? 0)
          ? new Map([
              [Buffer.from('flowscope.source.timestamp'), Buffer.from(String(o.sourceTimeMs ?? Date.now()))],
              [Buffer.from('flowscope.source.timestamp.basis'), Buffer.from('change')],
            ])
          : undefined,
    })),
  })
}

/** The group's committed offset of partition 0 of `topic` (−1 when none). */
export async function committedOffset(admin: Admin, groupId: string, topic: string): Promise<bigint> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] })
  return (
    group?.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === 0)?.committedOffset ?? -1n
  )
}

export { Admin, Producer }
