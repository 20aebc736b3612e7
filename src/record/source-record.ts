// What a source task hands the runtime: one row (or event) with where it came from (partition) and how far the
// source has read (offset). The runtime commits `sourceOffset` only after Kafka acknowledged this record and every
// record before it from the same task.
import type { Schema } from './schema.ts'
import type { SourceTime } from './source-time.ts'

/** Schemaless JSON maps, exactly as stored in the offsets topic (key: [connector, partition], value: offset). */
export type SourcePartition = Record<string, unknown>
export type SourceOffset = Record<string, unknown>

/**
 * A Kafka record header in Connect's data model: any value the schema allows (see schema.ts), converted to bytes by
 * the header converter (SimpleHeaderConverter: text as UTF-8). Keys may repeat; order is kept.
 */
export interface Header {
  key: string
  /** The value's schema; without one the converter goes by the value's JavaScript type. */
  schema?: Schema | null
  value: unknown
}

export interface SourceRecord {
  sourcePartition: SourcePartition
  sourceOffset: SourceOffset
  topic: string
  kafkaPartition?: number
  keySchema?: Schema | null
  key?: unknown
  valueSchema?: Schema | null
  value?: unknown
  /** Milliseconds since the epoch; the producer's time when absent. */
  timestamp?: number
  headers?: Header[]
  /** When the source saw the data (source-time.ts); the worker's source→Kafka histogram reads it at the ack. */
  sourceTime?: SourceTime
}
