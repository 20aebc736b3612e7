import assert from 'node:assert/strict'
import { test } from 'node:test'
import { healthChecks } from '../../../src/console/server/health-checks.ts'
import type { ClusterOverview } from '../../../src/console/server/kafka.ts'
import type { GroupLag } from '../../../src/console/server/lag.ts'

const overview = (o: Partial<ClusterOverview>): ClusterOverview => ({
  clusterId: 'x',
  brokers: [{ id: 1, host: 'h', port: 9092, rack: null }],
  controller: 1,
  topics: 3,
  partitions: 3,
  underReplicated: 0,
  offline: 0,
  ...o,
})

const group = (g: Partial<GroupLag>): GroupLag => ({
  group: 'g',
  status: 'OK',
  maxLag: 0,
  maxLagSeconds: 0,
  totalLag: 0,
  consumeRate: null,
  drainEtaSeconds: null,
  topics: {},
  ...g,
})

test('a healthy pipeline raises nothing', () => {
  assert.deepEqual(
    healthChecks({
      clusters: [{ name: 'local', overview: { ok: true, value: overview({}) } }],
      connects: [{ name: 'c', connectors: { ok: true, value: [] } }],
      lag: { ok: true, value: { groups: [group({})] } },
      lagSecondsThreshold: 60,
    }),
    [],
  )
})

test('each check: parts down, partitions, failed connector and task, lag status and seconds', () => {
  const alerts = healthChecks({
    clusters: [
      { name: 'a', overview: { ok: true, value: overview({ offline: 2, underReplicated: 3 }) } },
      { name: 'b', overview: { ok: false, error: { error_code: 502, message: 'Kafka cluster b did not answer' } } },
    ],
    connects: [
      {
        name: 'c',
        connectors: {
          ok: true,
          value: [
            {
              name: '<b>x</b>',
              type: 'source',
              className: 'X',
              config: {},
              state: 'RUNNING',
              workerId: 'w',
              tasks: [{ id: 1, state: 'FAILED', worker_id: 'w', trace: 't' }],
              topics: null,
            },
            {
              name: 'dead',
              type: 'source',
              className: 'X',
              config: {},
              state: 'FAILED',
              workerId: 'w',
              tasks: [],
              topics: null,
            },
          ],
        },
      },
      {
        name: 'gone',
        connectors: { ok: false, error: { error_code: 502, message: 'Connect cluster gone did not answer' } },
      },
    ],
    lag: {
      ok: true,
      value: {
        groups: [
          group({ group: 'slow', status: 'WARN', maxLagSeconds: 75 }),
          group({ group: 'stuck', status: 'STOP' }),
        ],
      },
    },
    lagSecondsThreshold: 60,
  })
  assert.deepEqual(
    alerts.map((a) => [a.severity, a.id]),
    [
      ['error', 'offline:a'],
      ['warn', 'urp:a'],
      ['error', 'kafka-down:b'],
      ['error', 'task-failed:c/<b>x</b>/1'],
      ['error', 'connector-failed:c/dead'],
      ['error', 'connect-down:gone'],
      ['warn', 'group-status:slow'],
      ['warn', 'group-lag-seconds:slow'],
      ['error', 'group-status:stuck'],
    ],
  )
  assert.equal(alerts[3].link, '/connect/c/%3Cb%3Ex%3C%2Fb%3E')
  assert.match(alerts[7].message, /75\.0 s behind \(threshold 60 s\)/)
})

test('the lag exporter down is a warning of its own', () => {
  const alerts = healthChecks({
    clusters: [],
    connects: [],
    lag: { ok: false, error: { error_code: 502, message: 'the lag exporter did not answer' } },
    lagSecondsThreshold: 60,
  })
  assert.deepEqual(
    alerts.map((a) => [a.severity, a.id, a.link]),
    [['warn', 'lag-exporter-down', '/consumers']],
  )
})
