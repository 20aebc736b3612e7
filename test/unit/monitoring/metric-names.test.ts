// The monitoring code (dashboards, alert rules) takes the worker's metric names from src/metrics/definitions.ts: a
// renamed or removed metric then breaks the build, not a panel. Broker and host names (kafka_server_*, jvm_*, node_*)
// are not ours and stay strings.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'

const root = new URL('../../../src/monitoring/', import.meta.url)
const files = [
  'panel-queries.ts',
  'prometheus/alert-rules.ts',
  ...readdirSync(new URL('grafana/', root)).map((f) => `grafana/${f}`),
]
/** Labels and variables that share the prefix but are not metric names. */
const notMetrics = new Set(['kafka_connect_cluster_id'])

test('src/monitoring names no kafka_connect_* / kafka_producer_* / kafka_consumer* / kafka_partition_* / flowscope_* metric as a bare string', () => {
  for (const file of files) {
    const code = readFileSync(new URL(file, root), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//') && !line.trimStart().startsWith('*'))
      .join('\n')
    const bare = [
      ...code.matchAll(
        /\b(?:kafka_connect|kafka_producer|kafka_consumer(?:group)?|kafka_partition|flowscope)_[a-z0-9_]+/g,
      ),
    ]
      .map((m) => m[0])
      .filter((name) => !notMetrics.has(name))
    assert.deepEqual(bare, [], `${file} spells metric names out instead of using the definitions`)
  }
})
