// Burrow's consumer status, evaluated the way Burrow's evaluator does it: per partition over a sliding window of the
// group's last `intervals` commits (each with the lag at that moment), plus the broker's recent log-end offsets;
// the group takes its worst partition's status, anything past ERR reported as ERR. Pure: the exporter feeds the
// windows, this module only judges them.

export type PartitionStatus = 'OK' | 'WARN' | 'STOP' | 'STALL' | 'REWIND'
export type GroupStatus = 'NOTFOUND' | 'OK' | 'WARN' | 'ERR'
export type Status = GroupStatus | PartitionStatus

/** Burrow's StatusConstant values (its API and burrow_kafka_*_status gauges use them). */
export const STATUS_CODES: Readonly<Record<Status, number>> = {
  NOTFOUND: 0,
  OK: 1,
  WARN: 2,
  ERR: 3,
  STOP: 4,
  STALL: 5,
  REWIND: 6,
}

export interface BurrowOptions {
  /** Commits kept per partition (Burrow's `intervals`, default 10). */
  intervals: number
  /** Share of the window (0–1) that must be filled before a partition is judged (Burrow's `minimum-complete`). */
  minimumComplete: number
  /** Lag at or below this counts as caught up (Burrow's `allowed-lag`). */
  allowedLag: bigint
}

export const DEFAULT_BURROW_OPTIONS: BurrowOptions = { intervals: 10, minimumComplete: 0, allowedLag: 0n }

export interface CommitSample {
  offset: bigint
  /** When the commit was seen (ms since epoch). */
  timestampMs: number
  /** The lag at that moment (log end − offset); undefined when the log end was not known. */
  lag: bigint | undefined
}

/** A partition's sliding windows: its last commits and the broker's last log-end offsets, oldest first. */
export class PartitionWindow {
  readonly commits: CommitSample[] = []
  readonly brokerOffsets: bigint[] = []
  readonly #intervals: number

  constructor(intervals: number) {
    this.#intervals = intervals
  }

  addCommit(sample: CommitSample): void {
    this.commits.push(sample)
    if (this.commits.length > this.#intervals) this.commits.shift()
  }

  addBrokerOffset(offset: bigint): void {
    this.brokerOffsets.push(offset)
    if (this.brokerOffsets.length > this.#intervals) this.brokerOffsets.shift()
  }

  /** Share of the window filled, as Burrow reports it. */
  get complete(): number {
    return Math.min(1, this.commits.length / this.#intervals)
  }
}

export interface PartitionEvaluation {
  status: PartitionStatus
  complete: number
  currentLag: bigint
  start?: CommitSample
  end?: CommitSample
}

export function evaluatePartition(
  window: { commits: readonly CommitSample[]; brokerOffsets: readonly bigint[]; complete: number },
  currentLag: bigint,
  nowMs: number,
  options: BurrowOptions = DEFAULT_BURROW_OPTIONS,
): PartitionEvaluation {
  const commits = window.commits
  const result: PartitionEvaluation = { status: 'OK', complete: window.complete, currentLag }
  if (commits.length === 0) return result
  result.start = commits[0]
  result.end = commits.at(-1)
  if (window.complete < options.minimumComplete) return result
  result.status = partitionStatus(commits, window.brokerOffsets, currentLag, nowMs, options.allowedLag)
  return result
}

/** Burrow's rules, in its order: no lag → OK; STOP; then, unless the lag was ever within allowed-lag, REWIND, STALL, WARN. */
export function partitionStatus(
  commits: readonly CommitSample[],
  brokerOffsets: readonly bigint[],
  currentLag: bigint,
  nowMs: number,
  allowedLag = 0n,
): PartitionStatus {
  if (commits.length === 0 || currentLag <= allowedLag) return 'OK'
  // Stopped even if the lag was once zero (that may be long ago), unless the consumer was caught up with the log
  // end in the broker's recent offsets (a quiet topic, not a dead consumer).
  if (stoppedCommitting(commits, nowMs) && !recentlyCaughtUp(commits, brokerOffsets, allowedLag)) return 'STOP'
  if (commits.some((c) => c.lag !== undefined && c.lag <= allowedLag)) return 'OK'
  if (rewound(commits)) return 'REWIND'
  if (commits.every((c) => c.offset === commits[0].offset)) return 'STALL'
  if (lagNeverDecreases(commits)) return 'WARN'
  return 'OK'
}

/** The time since the last commit is longer than the window's span of commits. */
function stoppedCommitting(commits: readonly CommitSample[], nowMs: number): boolean {
  const first = commits[0].timestampMs
  const last = commits[commits.length - 1].timestampMs
  return nowMs - last > last - first
}

function recentlyCaughtUp(commits: readonly CommitSample[], brokerOffsets: readonly bigint[], allowedLag: bigint) {
  const lastOffset = commits[commits.length - 1].offset
  return brokerOffsets.some((end) => end - lastOffset <= allowedLag)
}

/** The committed offset went back and has not yet come back to where it was before the drop. */
function rewound(commits: readonly CommitSample[]): boolean {
  const last = commits[commits.length - 1].offset
  for (let i = 1; i < commits.length; i++) {
    if (commits[i].offset < commits[i - 1].offset && last < commits[i - 1].offset) return true
  }
  return false
}

function lagNeverDecreases(commits: readonly CommitSample[]): boolean {
  let previous: bigint | undefined
  for (const { lag } of commits) {
    if (lag === undefined) continue
    if (previous !== undefined && lag < previous) return false
    previous = lag
  }
  return true
}

export interface GroupEvaluation<P extends { evaluation: PartitionEvaluation }> {
  status: GroupStatus
  complete: number
  totalLag: bigint
  maxLag?: P
  partitions: P[]
}

/**
 * The group's status: its worst partition's, STOP / STALL / REWIND reported as ERR. A group with no committed
 * partitions is OK with complete 0, as in Burrow (NOTFOUND is for a group the cluster does not have).
 */
export function evaluateGroup<P extends { evaluation: PartitionEvaluation }>(partitions: P[]): GroupEvaluation<P> {
  if (partitions.length === 0) return { status: 'OK', complete: 0, totalLag: 0n, partitions }
  let code = STATUS_CODES.OK
  let totalLag = 0n
  let complete = 0
  let maxLag: P | undefined
  for (const p of partitions) {
    const e = p.evaluation
    code = Math.max(code, Math.min(STATUS_CODES[e.status], STATUS_CODES.ERR))
    totalLag += e.currentLag
    if (e.complete >= 1) complete++
    if (!maxLag || e.currentLag > maxLag.evaluation.currentLag) maxLag = p
  }
  const status = (['NOTFOUND', 'OK', 'WARN', 'ERR'] as const)[code]
  return { status, complete: complete / partitions.length, totalLag, maxLag, partitions }
}
