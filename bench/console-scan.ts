// The console's message-browser scan rate: a topic of N small JSON records (default 200,000 over 3 partitions) on a
// local broker, scanned by the console's own scan (TopicTools.scan, as GET /api/…/messages runs it) with a JSON-field
// filter that matches 0.1 % of the records, a value-contains filter, and no filter (newest first, one page). The scan
// runs in a process of its own, so its RSS is its own: RSS before, the peak sampled every 50 ms, and after.
// `npm run bench:console` runs it too (on its own broker, after the pages); this file is also the scan's child
// process and a command of its own. The scan runs with the V8 flags every flowscope process runs with. A benchmark,
// not a test.
//   npx node bench/console-scan.ts
//   npx node bench/console-scan.ts --records 1000000 --bootstrap-servers localhost:9092
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Admin, Producer } from '@platformatic/kafka'
import { V8_FLAGS } from '../src/cli/v8-flags.ts'
import { browseQuery } from '../src/console/server/topic-input.ts'
import { TopicTools } from '../src/console/server/topic-reader.ts'
import { startLocalKafka } from '../src/local/kafka.ts'
import { ensureKafkaJars } from '../src/local/kafka-jars.ts'
import { freePort } from '../src/local/ports.ts'
import { consoleProgress, type Progress, silentProgress } from '../src/local/progress.ts'
import { setLoggerLevel } from '../src/logging.ts'
import { childSettings, reportToParent, runBenchChild } from './child.ts'

const HELP = `Usage: npx node bench/console-scan.ts [options]

Measures the console's message-browser scan (records/s, RSS before / peak / after) over a topic of small JSON
records on a local Kafka broker (started by the bench, or --bootstrap-servers).

Options:
  --records N               records in the topic (default 200000)
  --partitions N            partitions of the topic (default 3)
  --bootstrap-servers H:P   use this broker instead of starting one (the bench's topic is deleted afterwards)
  -h, --help                show this help`

/** The rate the issue asks of a filtered scan. */
export const SCAN_TARGET_RECORDS_PER_SECOND = 100_000

export interface ScanRun {
  name: string
  scanned: number
  matched: number
  stoppedBy: string
  seconds: number
  rssBeforeMb: number
  rssPeakMb: number
  rssAfterMb: number
  /** V8 heap in use after a full GC: what the scan kept. */
  heapAfterMb: number
}

const mb = () => process.memoryUsage().rss / 1024 / 1024

async function child(): Promise<never> {
  const env = childSettings<{ bootstrap: string; topic: string }>()
  setLoggerLevel('root', 'WARN')
  const tools = new TopicTools('bench', [env.bootstrap])
  const runs: ScanRun[] = []
  const scans: [string, Record<string, string>][] = [
    ['warm-up (newest first, 50 per partition)', { seek: 'newest', limit: '50' }],
    [
      'JSON field equals (0.1 % match)',
      { seek: 'earliest', jsonPath: 'customer.tier', jsonEquals: 'gold', limit: '500' },
    ],
    ['JSON field regex (0.1 % match)', { seek: 'earliest', jsonPath: 'customer.tier', jsonRegex: '^go', limit: '500' }],
    ['value contains (0.1 % match)', { seek: 'earliest', valueContains: '"gold"', limit: '500' }],
  ]
  for (const [name, query] of scans) {
    const q = browseQuery({ ...query, maxSeconds: '60', maxRecords: '10000000' })
    global.gc?.()
    const before = mb()
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, mb())
    }, 50)
    const started = performance.now()
    let end: { scanned: number; matched: number; stoppedBy: string } | undefined
    for await (const e of tools.scan(env.topic, q, new AbortController().signal)) if (e.type === 'end') end = e
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, mb())
    global.gc?.()
    runs.push({
      name,
      ...end!,
      seconds,
      rssBeforeMb: before,
      rssPeakMb: peak,
      rssAfterMb: mb(),
      heapAfterMb: process.memoryUsage().heapUsed / 1024 / 1024,
    })
  }
  await tools.close()
  reportToParent({ runs })
}

async function main() {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      partitions: { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      child: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(HELP)
    return
  }
  if (values.child) await child()
  const whole = (flag: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
      console.error(`console-scan: --${flag} ${raw}: expected a whole number from 1 to ${max} (see --help)`)
      process.exit(2)
    }
    return Number(raw)
  }
  const records = whole('records', values.records, 200_000, 100_000_000)
  const partitions = whole('partitions', values.partitions, 3, 1000)
  const given = values['bootstrap-servers']
  setLoggerLevel('root', 'WARN')
  const progress = consoleProgress()
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-bench-scan-'))
  await chmod(dir, 0o755)
  const kafka =
    given === undefined
      ? await startLocalKafka({
          dataDir: join(dir, 'kafka'),
          jars: await ensureKafkaJars(progress),
          port: await freePort(),
          controllerPort: await freePort(),
          metricsPort: null,
          heapMb: 1024,
          progress: silentProgress,
        })
      : undefined
  const bootstrap = given ?? kafka!.bootstrapServers
  const topic = `bench_console_scan_${Date.now()}`
  try {
    const runs = await scanBench({ bootstrap, topic, records, partitions, progress })
    console.log(`\nconsole message-browser scan: ${records.toLocaleString('en')} records, ${partitions} partitions`)
    for (const line of scanReport(runs)) console.log(line)
  } finally {
    await kafka?.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Produces `records` small JSON records (0.1 % of them with customer.tier "gold") into a new topic, scans it in a
 * process of its own, deletes the topic and answers the runs.
 */
export async function scanBench(o: {
  bootstrap: string
  topic: string
  records: number
  partitions: number
  progress: Progress
}): Promise<ScanRun[]> {
  const { bootstrap, topic, records, partitions, progress } = o
  const admin = new Admin({ clientId: 'bench-console-scan', bootstrapBrokers: [bootstrap] })
  const producer = new Producer({ clientId: 'bench-console-scan', bootstrapBrokers: [bootstrap], acks: 1 })
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 })
    const done = progress.step(`Producing ${records.toLocaleString('en')} JSON records`)
    const BATCH = 5000
    for (let i = 0; i < records; i += BATCH) {
      await producer.send({
        messages: Array.from({ length: Math.min(BATCH, records - i) }, (_, j) => {
          const n = i + j
          return {
            topic,
            partition: n % partitions,
            key: Buffer.from(`order-${n}`),
            value: Buffer.from(
              JSON.stringify({
                id: n,
                amount: n % 997,
                customer: { id: n % 5000, tier: n % 1000 === 0 ? 'gold' : 'std' },
              }),
            ),
          }
        }),
      })
    }
    done()
    const scanned = progress.step('Scanning (a process of its own)')
    const result = await runBenchChild<{ runs: ScanRun[] }>(new URL(import.meta.url).pathname, { bootstrap, topic }, [
      '--expose-gc',
      ...V8_FLAGS,
    ])
    scanned()
    return result.runs
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await producer.close()
    await admin.close()
  }
}

/** The runs as a table: rate against the target for the filtered scans, RSS before/peak/after, heap after GC. */
export function scanReport(runs: readonly ScanRun[]): string[] {
  const lines = [
    `scan                                       scanned   matched  stopped by  seconds  records/s  (target ≥ ${SCAN_TARGET_RECORDS_PER_SECOND.toLocaleString('en')})  RSS MB before/peak/after  heap after GC`,
  ]
  for (const r of runs) {
    const rate = Math.round(r.scanned / r.seconds)
    // The warm-up reads one page, newest first: its rate is not a scan's.
    const verdict = r.name.startsWith('warm-up') ? '' : rate >= SCAN_TARGET_RECORDS_PER_SECOND ? 'OK' : 'UNDER TARGET'
    lines.push(
      `${r.name.padEnd(42)} ${String(r.scanned).padStart(8)} ${String(r.matched).padStart(9)}  ${r.stoppedBy.padEnd(10)} ${r.seconds.toFixed(2).padStart(7)} ${rate.toLocaleString('en').padStart(10)}  ${verdict.padEnd(14)}  ${`${r.rssBeforeMb.toFixed(0)}/${r.rssPeakMb.toFixed(0)}/${r.rssAfterMb.toFixed(0)}`.padStart(24)}  ${r.heapAfterMb.toFixed(1).padStart(8)} MB`,
    )
  }
  return lines
}

if (import.meta.main) await main()
