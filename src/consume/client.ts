// Where the sample consumer's Kafka client is created, with its client-level network metrics (the Java consumer's
// `kafka_consumer_consumer_metrics_connection_count`, `_failed_authentication_rate` and
// `kafka_consumer_consumer_node_metrics_response_rate`) read from its connections by src/metrics/kafka-client-network.ts.
import { Consumer } from '@platformatic/kafka'
import type { Registry } from 'prom-client'
import { KafkaClientNetwork, registerNetworkMetrics } from '../metrics/kafka-client-network.ts'
import { sampleConsumerMetrics } from './metrics.ts'
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

/** The client's network metrics (connection count, failed authentication rate, response rate) on `registry`. */
export function attachClientMetrics(consumer: SampleConsumerClient, registry: Registry, clientId: string): void {
  const network = new KafkaClientNetwork()
  network.watch(consumer)
  registerNetworkMetrics(registry, sampleConsumerMetrics.metrics, () => [{ labels: { client_id: clientId }, network }])
}
