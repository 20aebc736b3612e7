// The components besides the worker whose metrics docs/metrics.md documents, after the worker's. A component adds
// its definition here and regenerates the page with `node src/metrics/docs.ts`. (Kept apart from components.ts,
// which every component imports, so the list can import the components without an import cycle.)
import { cdcMetrics } from '../connectors/postgres-cdc/metrics.ts'
import { sampleConsumerMetrics } from '../consume/metrics.ts'
import { lagExporterMetrics } from '../lag/metrics.ts'
import type { MetricComponent } from './components.ts'

export const metricComponents: readonly MetricComponent[] = [cdcMetrics, lagExporterMetrics, sampleConsumerMetrics]
