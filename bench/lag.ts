// `npm run bench:lag`: what the lag exporter costs and how right its lag in seconds is, on a local broker.
// 1. Cost per poll with G groups × P partitions (default 1, 100, 1,000 groups × 10): the exporter runs in a process of
//    its own (its RSS is its own) and polls the cluster as `flowscope lag-exporter` does (default fetch budget);
//    limits measured in the same run: the poll interval (every group must be polled within it) and the raw admin
//    requests the poll needs (listTopics, metadata, listOffsets ×2, listGroups, describeGroups, offset fetch), timed
//    alone — the Kafka-side floor.
// 2. Error of kafka_consumergroup_group_lag_seconds against the true age of the first unconsumed record (the bench
//    stamps each record with its produce time), for method record_ts (default budget) and interpolated (budget 0),
//    on steady and on bursty production, with a consumer whose delay drifts between 2 and 14 s. The error is what a
//    scraper sees: the served value (last poll) minus the true age at the moment of the sample (every 250 ms); also
//    at each poll (the method's own error) and over the samples whose commit is still the polled one.
// A benchmark, not a test.
//   npm run bench:lag                               the whole run (~5 min on 2 cores)
//   npm run bench:lag -- --groups 1,100 --error-seconds 30
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Admin, Producer } from '@platformatic/kafka'
import { LagExporter } from '../src/lag/exporter.ts'
import { LagMetrics } from '../src/lag/metrics.ts'
import { ClusterPoller } from '../src/lag/poller.ts'
import { startLocalKafka } from '../src/local/kafka.ts'
import { ensureKafkaJars } from '../src/local/kafka-jars.ts'
import { freePort } from '../src/local/ports.ts'
import { consoleProgress, silentProgress } from '../src/local/progress.ts'
import { getLogger, setLoggerLevel } from '../src/logging.ts'
import { childSettings, reportToParent, runBenchChild } from './child.ts'

const HELP = `Usage: npm run bench:lag -- [options]

Measures the lag exporter on a local Kafka broker (started by the bench, or --bootstrap-servers):
cost per poll and RSS at each group count, and the error of lag_seconds for both methods on steady and bursty
production. Prints each figure next to its limit measured in the same run.

Options:
  --groups N,N,...          group counts for the cost runs (default 1,100,1000)
  --partitions N            partitions per group (default 10)
  --polls N                 measured polls per cost run, after one warm-up poll (default 5)
  --interval-ms N           the exporter's poll interval (default 5000, as flowscope lag-exporter)
  --error-seconds N         length of each error run (default 60; 0 skips the error runs)
  --bootstrap-servers H:P   use this broker instead of starting one (its topics and groups are left alone)
  -h, --help                show this help`

function usageError(message: string): never {
  console.error(`bench:lag: ${message} (see --help)`)
  process.exit(2)
}

let values: ReturnType<typeof parse>['values']
function parse() {
  return parseArgs({
    options: {
      groups: { type: 'string' },
      partitions: { type: 'string' },
      polls: { type: 'string' },
      'interval-ms': { type: 'string' },
      'error-seconds': { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      child: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
try {
  values = parse().values
} catch (error) {
  usageError((error as Error).message)
}
if (values.help) {
  console.log(HELP)
  process.exit(0)
}

function whole(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    usageError(`--${flag} ${raw}: expected a whole number from ${min} to ${max}`)
  }
  return Number(raw)
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// ---- cost: the exporter in its own process ----

interface CostResult {
  /** The first poll: connections, metadata, and up to the budget of record reads (the cache is empty). */
  coldPollMs: number
  coldFetches: number
  pollMs: number[]
  renderMs: number[]
  fetches: number[]
  groupPartitions: number
  rssMb: number
  peakRssMb: number
}

async function child(): Promise<void> {
  setLoggerLevel('root', 'WARN')
  const env = childSettings<{ bootstrap: string; prefix: string; polls: number }>()
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  const metrics = new LagMetrics('bench')
  const exporter = new LagExporter({
    poller: new ClusterPoller({ bootstrapServers: [env.bootstrap], groupAllow: new RegExp(`^${env.prefix}`) }),
    pollIntervalMs: 60_000,
    describeCluster: env.bootstrap,
    log: getLogger('bench.lag'),
    onPoll: (view, health) => metrics.update(view, health, health.up),
  })
  const result: CostResult = {
    coldPollMs: 0,
    coldFetches: 0,
    pollMs: [],
    renderMs: [],
    fetches: [],
    groupPartitions: 0,
    rssMb: 0,
    peakRssMb: 0,
  }
  for (let i = 0; i <= env.polls; i++) {
    const started = performance.now()
    if (!(await exporter.pollOnce())) throw new Error(`poll failed: ${exporter.health.lastError}`)
    const polled = performance.now()
    await metrics.render()
    const rendered = performance.now()
    if (i === 0) {
      result.coldPollMs = polled - started
      result.coldFetches = exporter.view?.fetches ?? 0
      continue
    }
    result.pollMs.push(polled - started)
    result.renderMs.push(rendered - polled)
    result.fetches.push(exporter.view?.fetches ?? 0)
  }
  for (const g of exporter.view?.groups.values() ?? []) result.groupPartitions += g.partitions.length
  result.rssMb = process.memoryUsage().rss / 1024 / 1024
  result.peakRssMb = Math.max(peak, process.memoryUsage().rss) / 1024 / 1024
  clearInterval(sampler)
  await exporter.stop()
  reportToParent(result)
}

/** The admin requests one poll needs, as the poller sends them (same grouping, same order), timed alone. */
async function rawAdminMs(admin: Admin, prefix: string): Promise<number> {
  const started = performance.now()
  const topics = await admin.listTopics()
  const [metadata, groups] = await Promise.all([admin.metadata({ topics }), admin.listGroups()])
  const request = (timestamp: bigint) =>
    [...metadata.topics.entries()].map(([name, t]) => ({
      name,
      partitions: t.partitions.map((_, partitionIndex) => ({ partitionIndex, timestamp })),
    }))
  const ids = [...groups.keys()].filter((id) => id.startsWith(prefix))
  await Promise.all([admin.listOffsets({ topics: request(-1n) }), admin.listOffsets({ topics: request(-2n) })])
  if (ids.length > 0) {
    await Promise.all([admin.describeGroups({ groups: ids }), admin.listConsumerGroupOffsets({ groups: ids })])
  }
  return performance.now() - started
}

/** Waits until every partition of `topics` has a leader (new topics take a moment; producing earlier fails). */
async function leadersReady(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const metadata = await admin.metadata({ topics, forceUpdate: true }).catch(() => undefined)
    const ready =
      metadata !== undefined &&
      topics.every((t) => {
        const partitions = metadata.topics.get(t)?.partitions
        return partitions !== undefined && partitions.length > 0 && partitions.every((p) => p.leader >= 0)
      })
    if (ready) return
    if (Date.now() > deadline)
      throw new Error(`the partitions of ${topics.length} new topics have no leader after 60 s`)
    await sleep(250)
  }
}

/** A send to new topics can fail while the broker settles them: retried for up to 30 s, then the cause is shown. */
async function sendRetrying(producer: Producer, request: Parameters<Producer['send']>[0]): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      await producer.send(request)
      return
    } catch (error) {
      if (Date.now() > deadline) {
        const codes = JSON.stringify(error, (_, v) => (typeof v === 'bigint' ? String(v) : v)).match(/"errorCode":\d+/g)
        throw new Error(`producing to new topics failed for 30 s (${[...new Set(codes ?? [])].join(', ')})`, {
          cause: error,
        })
      }
      await sleep(500)
    }
  }
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++])
    }),
  )
}

interface CostRow {
  groups: number
  result: CostResult
  rawMs: number
}

/** G groups, one topic per 10 groups (P partitions each), 5 records per partition, each group committed behind. */
async function costRun(bootstrap: string, groups: number, partitions: number, polls: number): Promise<CostRow> {
  const admin = new Admin({ clientId: 'bench-lag-setup', bootstrapBrokers: [bootstrap] })
  const producer = new Producer({ clientId: 'bench-lag-setup', bootstrapBrokers: [bootstrap], acks: -1 })
  const prefix = `benchlag-${groups}-${process.pid}-`
  const topicCount = Math.ceil(groups / 10)
  const topics = Array.from({ length: topicCount }, (_, i) => `${prefix}t${i}`)
  const groupIds = Array.from({ length: groups }, (_, i) => `${prefix}g${i}`)
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 })
    await leadersReady(admin, topics)
    await pool(topics, 4, (topic) =>
      sendRetrying(producer, {
        messages: Array.from({ length: partitions * 5 }, (_, i) => ({
          topic,
          partition: i % partitions,
          value: Buffer.from(`r${i}`),
        })),
      }),
    )
    await pool(groupIds, 16, (groupId) => {
      const i = Number(groupId.slice(groupId.lastIndexOf('g') + 1))
      return admin.alterConsumerGroupOffsets({
        groupId,
        topics: [
          {
            name: topics[i % topicCount],
            partitionOffsets: Array.from({ length: partitions }, (_, partition) => ({
              partition,
              offset: BigInt((i + partition) % 5),
            })),
          },
        ],
      })
    })
    const raw: number[] = []
    await rawAdminMs(admin, prefix)
    for (let i = 0; i < polls; i++) raw.push(await rawAdminMs(admin, prefix))
    const result = await runBenchChild<CostResult>(new URL(import.meta.url).pathname, { bootstrap, prefix, polls })
    return { groups, result, rawMs: median(raw) }
  } finally {
    await admin.deleteGroups({ groups: groupIds }).catch(() => {})
    await admin.deleteTopics({ topics }).catch(() => {})
    await producer.close()
    await admin.close()
  }
}

// ---- error of lag_seconds ----

interface ErrorStats {
  samples: number
  absent: number
  p50: number
  p99: number
  max: number
  meanSigned: number
  /** |error| at poll time, against the poll's own committed offset: the method's own error. */
  atPollMax: number
  /** max |error| over the samples taken while the commit was still the one the served poll saw (staleness only). */
  sameCommitMax: number
}

/**
 * One error run: production (steady: 20 records every 100 ms; bursty: 2,000 records every 15 s), a simple
 * consumer group whose committed offset is the first record produced after now − delay(t), delay drifting between
 * 2 and 14 s (committed every 500 ms), and two exporters polling every `intervalMs`: budget 100 (record_ts) and 0.
 */
async function errorRun(
  bootstrap: string,
  pattern: 'steady' | 'bursty',
  seconds: number,
  intervalMs: number,
): Promise<Record<'record_ts' | 'interpolated', ErrorStats>> {
  const admin = new Admin({ clientId: 'bench-lag-error', bootstrapBrokers: [bootstrap] })
  const producer = new Producer({ clientId: 'bench-lag-error', bootstrapBrokers: [bootstrap], acks: -1 })
  const topic = `benchlag-err-${pattern}-${process.pid}`
  const group = `${topic}-consumer`
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
  await leadersReady(admin, [topic])
  /** produceMs[i] = when record i was sent (its CreateTime too). Offsets are sequential: one producer, awaited sends. */
  const produceMs: number[] = []
  let committed = 0
  let running = true
  const started = Date.now()
  const produceLoop = (async () => {
    let nextBurst = started
    while (running) {
      const now = Date.now()
      const n = pattern === 'steady' ? 20 : now >= nextBurst ? 2000 : 0
      if (n > 0) {
        if (pattern === 'bursty') nextBurst += 15_000
        await producer.send({
          messages: Array.from({ length: n }, () => ({
            topic,
            partition: 0,
            value: Buffer.from('x'.repeat(100)),
            timestamp: BigInt(now),
          })),
        })
        for (let i = 0; i < n; i++) produceMs.push(now)
      }
      await sleep(100)
    }
  })()
  const delayMs = (t: number) => 8000 + 6000 * Math.sin((2 * Math.PI * (t - started)) / 40_000)
  const commitLoop = (async () => {
    while (running) {
      const horizon = Date.now() - delayMs(Date.now())
      let c = committed
      while (c < produceMs.length && produceMs[c] <= horizon) c++
      if (c !== committed) {
        await admin.alterConsumerGroupOffsets({
          groupId: group,
          topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: BigInt(c) }] }],
        })
        committed = c
      }
      await sleep(500)
    }
  })()
  const exporters = ([100, 0] as const).map((fetchBudget) => {
    const exporter = new LagExporter({
      poller: new ClusterPoller({ bootstrapServers: [bootstrap], groupAllow: new RegExp(`^${group}$`), fetchBudget }),
      pollIntervalMs: intervalMs,
      describeCluster: bootstrap,
      log: getLogger('bench.lag'),
    })
    exporter.start()
    return exporter
  })
  const errors = { record_ts: [] as number[], interpolated: [] as number[] }
  const absent = { record_ts: 0, interpolated: 0 }
  const atPoll = { record_ts: [] as number[], interpolated: [] as number[] }
  const sameCommit = { record_ts: [] as number[], interpolated: [] as number[] }
  const seenPolls = [0, 0]
  const trueAge = (offset: number, at: number) =>
    offset >= produceMs.length ? 0 : Math.max(0, at - produceMs[offset]) / 1000
  // Let the consumer make its first commit and the interpolated table get its points before sampling.
  while (committed === 0) await sleep(100)
  await sleep(2 * intervalMs + 500)
  const end = Date.now() + seconds * 1000
  while (Date.now() < end) {
    await sleep(250)
    const now = Date.now()
    exporters.forEach((exporter, i) => {
      const method = i === 0 ? 'record_ts' : 'interpolated'
      const p = exporter.view?.groups.get(group)?.partitions[0]
      if (!p?.lag || p.lag.seconds === undefined) {
        absent[method]++
        return
      }
      if (p.lag.offsets > 0n && p.lag.method !== method) {
        absent[method]++
        return
      }
      const error = p.lag.seconds - trueAge(committed, now)
      errors[method].push(error)
      if (BigInt(committed) === p.committed) sameCommit[method].push(Math.abs(error))
      const view = exporter.view!
      if (view.timeMs !== seenPolls[i]) {
        seenPolls[i] = view.timeMs
        atPoll[method].push(Math.abs(p.lag.seconds - trueAge(Number(p.committed), view.timeMs)))
      }
    })
  }
  running = false
  await Promise.all([produceLoop, commitLoop])
  await Promise.all(exporters.map((e) => e.stop()))
  await admin.deleteGroups({ groups: [group] }).catch(() => {})
  await admin.deleteTopics({ topics: [topic] }).catch(() => {})
  await producer.close()
  await admin.close()
  const stats = (method: 'record_ts' | 'interpolated'): ErrorStats => {
    const abs = errors[method].map(Math.abs)
    return {
      samples: errors[method].length,
      absent: absent[method],
      p50: quantile(abs, 0.5),
      p99: quantile(abs, 0.99),
      max: Math.max(...abs),
      meanSigned: errors[method].reduce((a, b) => a + b, 0) / Math.max(1, errors[method].length),
      atPollMax: Math.max(...atPoll[method]),
      sameCommitMax: Math.max(0, ...sameCommit[method]),
    }
  }
  return { record_ts: stats('record_ts'), interpolated: stats('interpolated') }
}

// ---- main ----

async function main(): Promise<void> {
  const groupList = (values.groups ?? '1,100,1000').split(',')
  const bad = groupList.find((g) => !/^[1-9]\d*$/.test(g) || Number(g) > 5000)
  if (bad !== undefined) usageError(`--groups ${values.groups}: ${bad} is not a whole number from 1 to 5000`)
  const groupCounts = groupList.map(Number)
  const partitions = whole('partitions', values.partitions, 10, 1, 100)
  const polls = whole('polls', values.polls, 5, 1, 100)
  const intervalMs = whole('interval-ms', values['interval-ms'], 5000, 100, 600_000)
  const errorSeconds = whole('error-seconds', values['error-seconds'], 60, 0, 3600)
  const given = values['bootstrap-servers']
  if (given !== undefined && !/^[^:\s,]+:\d{1,5}$/.test(given)) {
    usageError(`--bootstrap-servers ${given}: expected host:port, e.g. localhost:9092`)
  }
  setLoggerLevel('root', 'WARN')
  const progress = consoleProgress()
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-bench-lag-'))
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
  const costs: CostRow[] = []
  const errorsByPattern: [string, Awaited<ReturnType<typeof errorRun>>][] = []
  try {
    for (const groups of groupCounts) {
      const done = progress.step(`Cost run: ${groups} groups × ${partitions} partitions`)
      costs.push(await costRun(bootstrap, groups, partitions, polls))
      done()
    }
    if (errorSeconds > 0) {
      for (const pattern of ['steady', 'bursty'] as const) {
        const done = progress.step(`Error run: ${pattern} production, ${errorSeconds} s`)
        errorsByPattern.push([pattern, await errorRun(bootstrap, pattern, errorSeconds, intervalMs)])
        done()
      }
    }
  } finally {
    await kafka?.stop()
    await rm(dir, { recursive: true, force: true })
  }

  const f = (n: number, digits = 0) => n.toFixed(digits)
  console.log(
    `\nflowscope lag-exporter on a local broker (${bootstrap}); poll interval ${intervalMs} ms; fetch budget 100`,
  )
  console.log(
    `Cost per poll (median of ${polls} polls after the cold first one; record timestamps then come from the cache; exporter in its own process)`,
  )
  console.log(
    'groups  group-partitions  cold poll ms (fetches)  poll ms  render ms  fetches  µs/group-partition  raw admin ms  poll/raw  poll/interval  RSS MB  peak RSS MB',
  )
  for (const c of costs) {
    const poll = median(c.result.pollMs)
    console.log(
      `${String(c.groups).padStart(6)}  ${String(c.result.groupPartitions).padStart(16)}  ${`${f(c.result.coldPollMs, 1)} (${c.result.coldFetches})`.padStart(22)}  ${f(poll, 1).padStart(7)}  ${f(median(c.result.renderMs), 1).padStart(9)}  ${f(median(c.result.fetches)).padStart(7)}  ${f((poll * 1000) / Math.max(1, c.result.groupPartitions), 1).padStart(18)}  ${f(c.rawMs, 1).padStart(12)}  ${f(poll / c.rawMs, 2).padStart(8)}  ${f(poll / intervalMs, 3).padStart(13)}  ${f(c.result.rssMb).padStart(6)}  ${f(c.result.peakRssMb).padStart(11)}`,
    )
  }
  const checks: string[] = []
  const largest = costs.at(-1)
  if (largest) {
    const poll = median(largest.result.pollMs)
    checks.push(
      `${largest.groups} groups polled within the interval: ${f(poll, 0)} ms of ${intervalMs} ms (${f((100 * poll) / intervalMs, 1)} %) — ${poll < intervalMs ? 'ok' : 'OVER'}`,
    )
  }
  if (costs.length >= 2) {
    // Linear: the cost per group-partition of the largest run at most twice that of the second largest (the
    // smallest runs are dominated by fixed per-poll round trips, so per-unit cost falls as the run grows).
    const [a, b] = costs.slice(-2)
    const per = (c: CostRow) => median(c.result.pollMs) / c.result.groupPartitions
    const growth = per(b) / per(a)
    checks.push(
      `poll cost linear in partitions: µs per group-partition ${f(per(a) * 1000, 1)} at ${a.result.groupPartitions} → ${f(per(b) * 1000, 1)} at ${b.result.groupPartitions} (×${f(growth, 2)}; ≤ ×2 wanted) — ${growth <= 2 ? 'ok' : 'SUPERLINEAR'}`,
    )
  }
  if (errorsByPattern.length > 0) {
    console.log(
      `\nError of lag_seconds as a scraper sees it (served value − true age of the first unconsumed record, sampled every 250 ms, ${errorSeconds} s per run; consumer delay 2–14 s)`,
    )
    console.log(
      'production  method        samples  absent  |err| p50 s  p99 s  max s  mean signed s  max/interval  at-poll max s  same-commit max s',
    )
    for (const [pattern, byMethod] of errorsByPattern) {
      for (const method of ['record_ts', 'interpolated'] as const) {
        const s = byMethod[method]
        console.log(
          `${pattern.padEnd(10)}  ${method.padEnd(12)}  ${String(s.samples).padStart(7)}  ${String(s.absent).padStart(6)}  ${f(s.p50, 2).padStart(11)}  ${f(s.p99, 2).padStart(5)}  ${f(s.max, 2).padStart(5)}  ${f(s.meanSigned, 2).padStart(13)}  ${f((s.max * 1000) / intervalMs, 2).padStart(12)}  ${f(s.atPollMax, 3).padStart(13)}  ${f(s.sameCommitMax, 2).padStart(17)}`,
        )
      }
      // The target: the exact method's error against the true age is at most one poll interval — at the poll (the
      // method's own error) and as served until the next poll while the consumer's commit stays (the value ages).
      // A commit that moves between polls changes the true age at once and the exporter only sees it at its next
      // poll: that part of the as-served error is reported (max s), not checked — it depends on the consumer.
      const exact = byMethod.record_ts
      const worst = Math.max(exact.atPollMax, exact.sameCommitMax)
      checks.push(
        `${pattern}: exact-method error ≤ 1 poll interval: at the poll ${f(exact.atPollMax, 3)} s, as served with the same commit ≤ ${f(exact.sameCommitMax, 2)} s, of ${f(intervalMs / 1000, 1)} s — ${worst <= intervalMs / 1000 ? 'ok' : 'OVER'}; with commits since the poll, max ${f(exact.max, 2)} s (reported)`,
      )
    }
  }
  console.log('\nChecks')
  for (const c of checks) console.log(`- ${c}`)
}

await (values.child ? child() : main())
