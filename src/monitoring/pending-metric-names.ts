// PLACEHOLDER, to be replaced at merge: metric families of issue #12 that other components declare (the sample
// consumer, the worker's source→Kafka histogram, the lag exporter's freshness gauge). The dashboards and alert rules
// take their names from here until the real definitions land; at merge, point each import at the real definition
// (src/metrics/definitions.ts, src/lag/metrics.ts, the consumer's metric component) and delete this file.
// Expected mapping (as named in the branches adding them): FRESHNESS_BUCKETS → src/metrics/freshness-buckets.ts;
// groupFreshness → lagMetrics.freshness; sourceToKafka → metrics.sourceToKafka; consumerFreshness / consumerRecordAge
// → histogramDefinitions.freshness / .recordAge of src/consume/metrics.ts; the kafka_consumer_* names → the same keys
// of sampleConsumerMetrics.metrics (recordsConsumed for recordsConsumedTotal).

/** The buckets (seconds) of every freshness histogram: an SLO threshold must be one of them. */
export const FRESHNESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const

const name = (n: string) => ({ name: n }) as const

export const pendingMetrics = {
  // lag exporter: {cluster_name, group, topic, partition, basis} — how stale the group's position is against Postgres.
  groupFreshness: name('flowscope_consumergroup_freshness_seconds'),
  // worker histogram {connector, table, basis}: Postgres change (or poll) time → Kafka ack.
  sourceToKafka: name('flowscope_source_to_kafka_seconds'),
  // sample consumer (`flowscope consume`, job kafka-consumer) histograms.
  consumerFreshness: name('flowscope_consumer_freshness_seconds'),
  consumerRecordAge: name('flowscope_consumer_record_age_seconds'),
  // sample consumer, under the Java client's names (the seed's kafka-consumer.json).
  recordsConsumedTotal: name('kafka_consumer_consumer_fetch_manager_metrics_records_consumed_total'),
  recordsLagMax: name('kafka_consumer_consumer_fetch_manager_metrics_records_lag_max'),
  fetchLatencyAvg: name('kafka_consumer_consumer_fetch_manager_metrics_fetch_latency_avg'),
  commitRate: name('kafka_consumer_consumer_coordinator_metrics_commit_rate'),
} as const
