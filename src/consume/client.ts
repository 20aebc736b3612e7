// Where the sample consumer's Kafka client is created — and the seam for client-level network metrics: the Java
// consumer's `kafka_consumer_consumer_metrics_connection_count`, `_failed_authentication_rate` and
// `kafka_consumer_consumer_node_metrics_response_rate` belong to a shared Kafka-client network-metrics module
// (src/metrics/, diagnostics_channel based). `attachClientMetrics` is where it attaches to this client and registry.
import { Consumer } from '@platformatic/kafka'
import type { Registry } from 'prom-client'
import type { ConsumeSettings } from './options.ts'

export type SampleConsumerClient = Consumer<Buffer, Buffer, Buffer, Buffer>

export function createConsumerClient(settings: ConsumeSettings, registry: Registry): SampleConsumerClient {
  const consumer = new Consumer({
    clientId: settings.clientId,
    groupId: settings.groupId,
    bootstrapBrokers: settings.bootstrapServers,
    // Offsets are committed by the application after processing (src/consume/sample-consumer.ts), never on fetch.
    autocommit: false,
    // A consumer stopped by kill -9 leaves the group after this; the lag exporter then sees no members.
    sessionTimeout: 10_000,
    heartbeatInterval: 3000,
  })
  attachClientMetrics(consumer, registry, settings.clientId)
  return consumer
}

/**
 * The network metrics of the client (connection count, failed authentication rate, node response rate), once the
 * shared module exists; until then the consumer serves none of them rather than made-up values.
 */
export function attachClientMetrics(_consumer: SampleConsumerClient, _registry: Registry, _clientId: string): void {}
