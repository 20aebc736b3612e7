// Resetting a consumer group's committed offsets, the pure part: what the browser asks for (validated), and the
// plan per partition — current committed offset → new offset, and the lag before and after — computed from the
// partition's earliest/latest offsets (and, for a timestamp, the first offset at or after it). The same plan is
// shown as the preview and then committed, so what is applied is exactly what was previewed.
import { badRequest } from './errors.ts'
import type { Query } from './validation.ts'

export const RESET_TARGETS = ['earliest', 'latest', 'timestamp', 'shift'] as const
export type ResetTarget = (typeof RESET_TARGETS)[number]

export interface ResetSpec {
  topic: string
  /** Chosen partitions; null: every partition of the topic. */
  partitions: number[] | null
  to: ResetTarget
  /** Epoch milliseconds, for `timestamp`. */
  timestamp: number | null
  /** Offsets to move by (negative: back), for `shift`. */
  shift: number | null
}

const field = (source: Record<string, unknown>, key: string): string | undefined => {
  const value = source[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string') throw badRequest(`"${key}" must be given once, as text or a number`)
  return value
}

function partitionList(raw: unknown): number[] | null {
  if (raw === undefined || raw === null || raw === '' || raw === 'all') return null
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw]
  const out = new Set<number>()
  for (const item of items) {
    const text = String(item).trim()
    if (!/^\d{1,6}$/.test(text)) throw badRequest(`"partitions": ${JSON.stringify(item)} is not a partition number`)
    out.add(Number(text))
  }
  if (out.size === 0) throw badRequest('"partitions" is empty: name at least one partition, or leave it out for all')
  return [...out].sort((a, b) => a - b)
}

/** A timestamp as epoch milliseconds or an ISO-8601 date-time. */
export function parseTimestamp(text: string): number {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isFinite(ms) || ms < 0)
    throw badRequest(`"timestamp": ${JSON.stringify(text)} is not epoch milliseconds or an ISO-8601 date-time`)
  return ms
}

/** The reset asked for, from a JSON body or a query string (the preview is a GET, so it works read-only). */
export function resetSpec(source: unknown): ResetSpec {
  if (typeof source !== 'object' || source === null || Array.isArray(source))
    throw badRequest('the request must be an object with topic, to and (for some targets) timestamp or shift')
  const record = source as Query
  for (const key of Object.keys(record)) {
    if (!['topic', 'partitions', 'to', 'timestamp', 'shift'].includes(key))
      throw badRequest(`unknown field "${key}": a reset takes topic, partitions, to, timestamp and shift`)
  }
  const topic = field(record, 'topic')
  if (!topic) throw badRequest('"topic" is missing: name the topic whose offsets to reset')
  if (topic.length > 249) throw badRequest('"topic" is longer than 249 characters')
  const to = field(record, 'to')
  if (!to || !(RESET_TARGETS as readonly string[]).includes(to))
    throw badRequest(`"to": ${JSON.stringify(to ?? null)} is not one of ${RESET_TARGETS.join(', ')}`)
  const ts = field(record, 'timestamp')
  const shiftText = field(record, 'shift')
  if (to === 'timestamp' && ts === undefined)
    throw badRequest('"timestamp" is missing: a reset to a timestamp needs it')
  if (to === 'shift' && shiftText === undefined) throw badRequest('"shift" is missing: how many offsets to move by')
  if (to !== 'timestamp' && ts !== undefined) throw badRequest(`"timestamp" only goes with "to": "timestamp"`)
  if (to !== 'shift' && shiftText !== undefined) throw badRequest(`"shift" only goes with "to": "shift"`)
  let shift: number | null = null
  if (shiftText !== undefined) {
    if (!/^[-+]?\d{1,15}$/.test(shiftText) || Number(shiftText) === 0)
      throw badRequest(`"shift": ${JSON.stringify(shiftText)} is not a non-zero whole number (negative moves back)`)
    shift = Number(shiftText)
  }
  return {
    topic,
    partitions: partitionList(record.partitions),
    to: to as ResetTarget,
    timestamp: ts === undefined ? null : parseTimestamp(ts),
    shift,
  }
}

export interface PartitionOffsets {
  partition: number
  /** Committed offset of the group; null when it has none for this partition. */
  committed: number | null
  earliest: number
  latest: number
  /** First offset whose timestamp is at or after the asked one; null when none is (then: latest). */
  atTimestamp?: number | null
}

export interface PlannedReset {
  partition: number
  current: number | null
  target: number
  lagBefore: number | null
  lagAfter: number
}

/** New offset per partition, clamped to what the log holds (as kafka-consumer-groups --reset-offsets does). */
export function planReset(spec: Pick<ResetSpec, 'to' | 'shift'>, partitions: PartitionOffsets[]): PlannedReset[] {
  return partitions.map((p) => {
    let target: number
    switch (spec.to) {
      case 'earliest':
        target = p.earliest
        break
      case 'latest':
        target = p.latest
        break
      case 'timestamp':
        target = p.atTimestamp ?? p.latest
        break
      case 'shift':
        // With no committed offset there is nothing to shift from: start from the earliest, as Kafka's tool does.
        target = (p.committed ?? p.earliest) + (spec.shift ?? 0)
        break
    }
    target = Math.min(Math.max(target, p.earliest), p.latest)
    return {
      partition: p.partition,
      current: p.committed,
      target,
      lagBefore: p.committed === null ? null : Math.max(0, p.latest - p.committed),
      lagAfter: p.latest - target,
    }
  })
}
