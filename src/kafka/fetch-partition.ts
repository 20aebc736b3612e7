// One Fetch request for one partition, straight to its leader, outside any consumer group (nothing is joined or
// committed): what the lag exporter reads a record's timestamp with and the console's message browser scans with.
import type { Consumer } from '@platformatic/kafka'

export interface PartitionFetch {
  /** Node id of the partition's leader. */
  readonly leader: number
  readonly topicId: string
  readonly partition: number
  readonly offset: bigint
  /** Upper bound of the response; the broker still returns a whole first batch when it is larger. */
  readonly maxBytes: number
}

/** Any consumer: fetch() does not depend on its deserialisers. */
// biome-ignore lint/suspicious/noExplicitAny: the four type parameters only type consume(), which is not used here
type AnyConsumer = Consumer<any, any, any, any>
type FetchResponse = Awaited<ReturnType<AnyConsumer['fetch']>>
type PartitionResult = FetchResponse['responses'][number]['partitions'][number]

/** The broker's answer for that partition: its error code (0 = none) and its record batches. */
export async function fetchPartition(
  consumer: AnyConsumer,
  f: PartitionFetch,
): Promise<{ errorCode: number; batches: NonNullable<PartitionResult['records']> }> {
  const response = await consumer.fetch({
    node: f.leader,
    maxBytes: f.maxBytes,
    minBytes: 1,
    maxWaitTime: 0,
    topics: [
      {
        topicId: f.topicId,
        partitions: [
          {
            partition: f.partition,
            fetchOffset: f.offset,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
            partitionMaxBytes: f.maxBytes,
          },
        ],
      },
    ],
  })
  for (const t of response.responses) {
    for (const p of t.partitions) {
      if (p.partitionIndex === f.partition) return { errorCode: p.errorCode, batches: p.records ?? [] }
    }
  }
  return { errorCode: 0, batches: [] }
}
