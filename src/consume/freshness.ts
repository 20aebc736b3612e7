// How old a record is when the consumer processes it: against its Kafka timestamp (age), and against the source
// time the flowscope worker puts in its headers (freshness: `flowscope.source.timestamp`, epoch ms as a decimal
// string, with `flowscope.source.timestamp.basis` = change | poll). Pure, so the header rules are unit-tested.

export const SOURCE_TIMESTAMP_HEADER = 'flowscope.source.timestamp'
export const SOURCE_TIMESTAMP_BASIS_HEADER = 'flowscope.source.timestamp.basis'
export const FreshnessBases = { change: 'change', poll: 'poll' } as const
export type FreshnessBasis = (typeof FreshnessBases)[keyof typeof FreshnessBases]

export interface RecordTiming {
  readonly ageSeconds: number
  /** Absent when the record carries no (valid) source timestamp header: nothing is made up. */
  readonly freshness?: { readonly seconds: number; readonly basis: FreshnessBasis }
}

type Headers = ReadonlyMap<Buffer | string, Buffer | string | undefined> | Iterable<[unknown, unknown]>

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return undefined
}

/** The source timestamp headers of a record, or undefined when absent or malformed. */
export function sourceTimestamp(headers: Headers): { ms: number; basis: FreshnessBasis } | undefined {
  let raw: string | undefined
  let basis: string | undefined
  for (const [key, value] of headers as Iterable<[unknown, unknown]>) {
    const name = text(key)
    if (name === SOURCE_TIMESTAMP_HEADER) raw = text(value)
    else if (name === SOURCE_TIMESTAMP_BASIS_HEADER) basis = text(value)
  }
  if (raw === undefined || !/^\d{1,16}$/.test(raw.trim())) return undefined
  const ms = Number(raw.trim())
  // Without a known basis the time's meaning is unknown: no guess.
  if (basis !== FreshnessBases.change && basis !== FreshnessBases.poll) return undefined
  return { ms, basis }
}

/** Age and freshness of a record processed at `processedAtMs`. */
export function recordTiming(headers: Headers, recordTimestampMs: number, processedAtMs: number): RecordTiming {
  const age = (processedAtMs - recordTimestampMs) / 1000
  const source = sourceTimestamp(headers)
  return source
    ? { ageSeconds: age, freshness: { seconds: (processedAtMs - source.ms) / 1000, basis: source.basis } }
    : { ageSeconds: age }
}
