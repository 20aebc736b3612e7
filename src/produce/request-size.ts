// Keeps produce requests within what the broker accepts. The Kafka client library sends one request per send() call,
// one record batch per partition, with no size cap; the broker refuses a batch over `message.max.bytes` (1 MB by
// default) with MESSAGE_TOO_LARGE. So, as Kafka's own producer does with `max.request.size`, records are split into
// requests whose estimated size stays under the limit, and a single record too large for any request is refused up
// front with a message that says which record and which setting.
import type { OutgoingRecord } from './record-producer.ts'

/** Kafka producer's default `max.request.size`. */
export const DEFAULT_MAX_REQUEST_BYTES = 1_048_576

/** A record batch's own header (magic v2): added once per partition. */
const BATCH_HEADER_BYTES = 61
/** Worst-case varints and attributes of one record inside a batch (length, attributes, deltas, lengths, count). */
const RECORD_OVERHEAD_BYTES = 36
/** Request header, client id, acks, timeout and topic names: kept free in every request. */
const REQUEST_RESERVE_BYTES = 1024

/** Upper bound of a record's uncompressed size inside a record batch (compression only makes it smaller). */
export function estimateRecordBytes(record: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  if (record.headers) {
    for (const [name, value] of record.headers) bytes += 10 + Buffer.byteLength(name) + (value?.length ?? 0)
  }
  return bytes
}

/** Connect's RecordTooLargeException: not retriable; with `errors.tolerance=all` the record is skipped. */
export class RecordTooLargeError extends Error {
  constructor(topic: string, bytes: number, maxRequestBytes: number) {
    super(
      `The record for topic ${topic} is ${bytes} bytes when serialized, which is larger than ${maxRequestBytes}, the ` +
        "value of the producer.max.request.size configuration. Raise producer.max.request.size (and the topic's " +
        'max.message.bytes) or make the record smaller.',
    )
    this.name = 'RecordTooLargeError'
  }
}

/** The error a record would get for its size, or undefined when it fits in a request on its own. */
export function checkRecordSize(record: OutgoingRecord, maxRequestBytes: number): RecordTooLargeError | undefined {
  const bytes = estimateRecordBytes(record) + BATCH_HEADER_BYTES
  return bytes > maxRequestBytes ? new RecordTooLargeError(record.topic, bytes, maxRequestBytes) : undefined
}

/**
 * Splits records, in order, into consecutive requests whose records together stay within `maxRequestBytes` minus a
 * reserve for headers. Each partition's batch in a request is then within the limit too, whatever the partitioner
 * picks. A record bigger than the budget travels alone (checkRecordSize has already refused the ones that can't).
 */
export function splitIntoRequests(records: OutgoingRecord[], maxRequestBytes: number): OutgoingRecord[][] {
  const budget = Math.max(maxRequestBytes - REQUEST_RESERVE_BYTES - BATCH_HEADER_BYTES, 1)
  const requests: OutgoingRecord[][] = []
  let current: OutgoingRecord[] = []
  let bytes = 0
  for (const record of records) {
    const size = estimateRecordBytes(record)
    if (current.length > 0 && bytes + size > budget) {
      requests.push(current)
      current = []
      bytes = 0
    }
    current.push(record)
    bytes += size
  }
  if (current.length > 0) requests.push(current)
  return requests
}
