// What one consumer client does, read from @platformatic/kafka's tracing channels: every Fetch request its message
// stream sends (`plt:kafka:consumer:fetches`: latency from start to response, the broker's throttle time, bytes per
// topic, the largest partition lag in the response) and every failed group join or sync (`…:consumer:group`).
// Other clients in the process publish on the same channels; only this client's events count.
import { consumerFetchesChannel, consumerGroupChannel } from '@platformatic/kafka'
import type { FetchObservation } from './metrics.ts'

interface FetchContext {
  client?: unknown
  options?: { topics?: { topicId: string; partitions: { partition: number; fetchOffset: bigint }[] }[] }
  result?: FetchResponseLike
}

interface FetchResponseLike {
  throttleTimeMs: number
  responses: {
    topicId: string
    partitions: {
      partitionIndex: number
      errorCode: number
      highWatermark: bigint
      records?: { firstOffset: bigint; lastOffsetDelta: number; length: number }[] | null
    }[]
  }[]
}

/** Bytes a record batch takes in the log: its `length` field counts from after the 8-byte offset and itself. */
const LOG_OVERHEAD = 12

/** What a fetch response says: bytes per topic (by id) and the largest high watermark − position after it. */
export function summariseFetch(
  requested: FetchContext['options'],
  response: FetchResponseLike,
): { bytesByTopicId: Map<string, number>; lagMax: number | undefined } {
  const fetchOffsets = new Map<string, bigint>()
  for (const t of requested?.topics ?? []) {
    for (const p of t.partitions) fetchOffsets.set(`${t.topicId}:${p.partition}`, p.fetchOffset)
  }
  const bytesByTopicId = new Map<string, number>()
  let lagMax: number | undefined
  for (const topic of response.responses) {
    let bytes = bytesByTopicId.get(topic.topicId) ?? 0
    for (const p of topic.partitions) {
      if (p.errorCode !== 0) continue
      let position = fetchOffsets.get(`${topic.topicId}:${p.partitionIndex}`)
      for (const batch of p.records ?? []) {
        bytes += batch.length + LOG_OVERHEAD
        const next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
        if (position === undefined || next > position) position = next
      }
      if (position !== undefined && p.highWatermark >= 0n) {
        const lag = Number(p.highWatermark > position ? p.highWatermark - position : 0n)
        if (lagMax === undefined || lag > lagMax) lagMax = lag
      }
    }
    bytesByTopicId.set(topic.topicId, bytes)
  }
  return { bytesByTopicId, lagMax }
}

/**
 * Calls `onFetch` for every successful fetch of `client`; topic ids are turned into names with `topicName` (which
 * may look them up asynchronously). Returns the unsubscribe function.
 */
export function observeFetches(
  client: unknown,
  topicName: (topicId: string) => Promise<string | undefined>,
  onFetch: (observation: FetchObservation) => void,
): () => void {
  const started = new WeakMap<object, number>()
  const handlers = {
    start(message: unknown) {
      const context = message as FetchContext
      if (context.client === client) started.set(context, performance.now())
    },
    end() {},
    asyncStart() {},
    asyncEnd(message: unknown) {
      const context = message as FetchContext
      const t0 = started.get(context)
      if (context.client !== client || t0 === undefined || !context.result) return
      started.delete(context)
      const latencyMs = performance.now() - t0
      const response = context.result
      const { bytesByTopicId, lagMax } = summariseFetch(context.options, response)
      void Promise.all(
        [...bytesByTopicId].map(async ([id, bytes]) => [(await topicName(id)) ?? id, bytes] as const),
      ).then((named) => {
        const bytesByTopic = new Map<string, number>()
        for (const [name, bytes] of named) bytesByTopic.set(name, (bytesByTopic.get(name) ?? 0) + bytes)
        onFetch({ latencyMs, throttleTimeMs: response.throttleTimeMs, bytesByTopic, lagMax })
      })
    },
    error(message: unknown) {
      started.delete(message as object)
    },
  }
  consumerFetchesChannel.subscribe(handlers as Parameters<typeof consumerFetchesChannel.subscribe>[0])
  return () =>
    void consumerFetchesChannel.unsubscribe(handlers as Parameters<typeof consumerFetchesChannel.unsubscribe>[0])
}

/** Calls `onFailed` when a join or sync of `client`'s group fails (Java's failed rebalance). Returns the unsubscribe. */
export function observeFailedRebalances(
  client: unknown,
  onFailed: (operation: string, error: unknown) => void,
): () => void {
  const handlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error(message: unknown) {
      const context = message as { client?: unknown; operation?: string; error?: unknown }
      if (context.client !== client) return
      if (context.operation === 'joinGroup' || context.operation === 'syncGroup')
        onFailed(context.operation, context.error)
    },
  }
  consumerGroupChannel.subscribe(handlers as Parameters<typeof consumerGroupChannel.subscribe>[0])
  return () => void consumerGroupChannel.unsubscribe(handlers as Parameters<typeof consumerGroupChannel.unsubscribe>[0])
}
