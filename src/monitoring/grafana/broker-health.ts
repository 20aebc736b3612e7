// The broker-health stat panels both the Kafka cluster and the pipeline overview dashboards show: the active
// controller count and the three partition counts that must stay at zero.
import { type PanelSpec, q } from './panels.ts'

/** Exactly one active KRaft controller: red at 0 and at 2 or more. `selector` picks the broker series. */
export function activeControllersStat(selector: string): PanelSpec {
  return {
    kind: 'stat',
    title: 'Active controllers',
    description: 'Exactly one KRaft controller is active in a healthy cluster.',
    queries: [q(`sum(kafka_controller_kafkacontroller_activecontrollercount{${selector}})`)],
    baseColor: 'red',
    thresholds: [
      [1, 'green'],
      [2, 'red'],
    ],
  }
}

/** Under-replicated, under-min-ISR and offline partitions: anything above zero is red. */
export function partitionHealthStats(selector: string): PanelSpec[] {
  const zeroOrRed = (title: string, expr: string): PanelSpec => ({
    kind: 'stat',
    title,
    queries: [q(expr)],
    thresholds: [[1, 'red']],
  })
  return [
    zeroOrRed('Under-replicated partitions', `sum(kafka_server_replicamanager_underreplicatedpartitions{${selector}})`),
    zeroOrRed('Under min ISR partitions', `sum(kafka_cluster_partition_underminisr{${selector}})`),
    zeroOrRed('Offline partitions', `sum(kafka_controller_kafkacontroller_offlinepartitionscount{${selector}})`),
  ]
}
