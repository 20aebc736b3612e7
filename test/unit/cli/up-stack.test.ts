// `flowscope up`'s pure parts: which ports are checked before anything starts, how the summary reports each part,
// how stop requests arrive, and the broker's start-up helpers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCAL_RETENTION, quickStartJvmFlags, randomClusterId } from '../../../src/local/kafka.ts'
import { onStopRequest, STOP_SIGNALS, startedByNpm } from '../../../src/local/lifecycle.ts'
import { defaultPorts, portsToCheck } from '../../../src/local/stack.ts'
import { postgresLine, prometheusLine, readyLine, renderSummary } from '../../../src/local/summary.ts'

const installed = { prometheus: '/usr/bin/prometheus', nodeExporter: '/usr/bin/prometheus-node-exporter' }

test('every port of a full local stack is checked, the Kafka controller and metrics ports included', () => {
  const flags = portsToCheck({ ports: defaultPorts, lagExporter: true, consumer: true }, installed).map(
    (p) => `${p.flag}=${p.port}`,
  )
  assert.deepEqual(flags, [
    '--postgres-port=5433',
    '--kafka-port=9092',
    '--kafka-controller-port=9093',
    '--broker-metrics-port=9404',
    '--rest-port=8083',
    '--lag-exporter-port=8000',
    '--consumer-metrics-port=8001',
    '--prometheus-port=9090',
    '--node-exporter-port=9100',
  ])
})

test('ports of parts that do not start are not checked', () => {
  const flags = portsToCheck(
    { ports: defaultPorts, postgresUrl: 'postgres://x@db/app', bootstrapServers: 'b:9092', prometheus: false },
    installed,
  ).map((p) => p.flag)
  assert.deepEqual(flags, ['--rest-port'])
  const noConsumer = portsToCheck({ ports: defaultPorts, lagExporter: true, consumer: false }, installed).map(
    (p) => p.flag,
  )
  assert.ok(noConsumer.includes('--lag-exporter-port') && !noConsumer.includes('--consumer-metrics-port'))
  const noBinaries = portsToCheck({ ports: defaultPorts }, { prometheus: null, nodeExporter: null }).map((p) => p.flag)
  assert.ok(!noBinaries.includes('--prometheus-port'))
  assert.ok(noBinaries.includes('--kafka-controller-port'))
})

test('one port given to two parts is refused, naming both', () => {
  assert.throws(
    () => portsToCheck({ ports: { ...defaultPorts, kafkaController: defaultPorts.postgres } }, installed),
    /Port 5433 is given to both PostgreSQL and the Kafka controller: choose another with --kafka-controller-port/,
  )
})

test('the summary says what became of Prometheus: running, disabled by flag, not installed, failed', () => {
  assert.equal(prometheusLine({ state: 'running', url: 'http://localhost:9090' }), 'http://localhost:9090')
  assert.equal(prometheusLine({ state: 'disabled' }), 'not started (--no-prometheus)')
  assert.match(prometheusLine({ state: 'not-installed' }), /^not installed: `apt-get install prometheus/)
  assert.equal(prometheusLine({ state: 'failed', reason: 'boom' }), 'failed to start: boom')
})

test('the local Postgres URL is printed whole; a Postgres given by URL is masked', () => {
  const local = 'postgres://postgres:postgres@127.0.0.1:5433/postgres'
  assert.match(postgresLine(local, true), /^postgres:\/\/postgres:postgres@127\.0\.0\.1:5433\/postgres .*psql/)
  assert.equal(postgresLine('postgres://app:s3cret@db:5432/app', false), 'postgres://app:****@db:5432/app')
})

test('ready times are seconds since start, for the parts that started', () => {
  const t0 = 1_000_000
  assert.equal(
    readyLine(t0, { postgres: t0 + 1200, kafka: t0 + 4000, worker: t0 + 5100, prometheus: t0 + 5300 }, t0 + 5650),
    'PostgreSQL 1.2 s, Kafka 4.0 s, worker 5.1 s, Prometheus 5.3 s, first record 5.7 s',
  )
  assert.equal(readyLine(t0, { worker: t0 + 900 }, null), 'worker 0.9 s')
})

test('the summary shows the retention and the ready times, and says when no record came', () => {
  const stack = {
    postgresUrl: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
    bootstrapServers: 'localhost:9092',
    brokerMetricsAddress: 'localhost:9404',
    prometheus: { state: 'disabled' } as const,
    retention: 'each partition keeps ≤ 256 MiB',
    topic: 'postgres-jdbc-users',
    cdc: { state: 'registered', connector: 'postgres-cdc-users', topic: 'postgres-cdc.public.users' } as const,
    restUrl: 'http://127.0.0.1:8083',
    readyAt: { postgres: 2000, kafka: 3000, worker: 4000 },
    lagExporter: { state: 'running', url: 'http://localhost:8000' } as const,
    consumer: { state: 'running', url: 'http://localhost:8001' } as const,
    consumerGroup: 'flowscope-sample-consumer',
  }
  const text = renderSummary({ stack, startedAt: 1000, firstRecordAt: null, firstRecordWaitS: 60 })
  assert.match(
    text,
    /Sample consumer {4}group flowscope-sample-consumer reads postgres-jdbc-users {3}\(metrics http:\/\/localhost:8001\/metrics\)/,
  )
  assert.match(
    text,
    /Lag exporter {7}http:\/\/localhost:8000\/metrics {3}\(Burrow status: curl http:\/\/localhost:8000\/v3\/kafka\/local\/consumer\/flowscope-sample-consumer\/status\)/,
  )
  const without = renderSummary({
    stack: { ...stack, consumer: { state: 'disabled', why: '--no-consumer' } },
    startedAt: 1000,
    firstRecordAt: 5000,
    firstRecordWaitS: 60,
  })
  assert.match(without, /Sample consumer {4}not started \(--no-consumer\)/)
  assert.match(
    text,
    /Changes arrive in {2}topic postgres-cdc\.public\.users {3}\(connector postgres-cdc-users, Debezium's envelope; kcat -b localhost:9092 -t postgres-cdc\.public\.users -C -o beginning\)/,
  )
  const noCdc = renderSummary({
    stack: { ...stack, cdc: { state: 'disabled', why: '--no-cdc' } },
    startedAt: 1000,
    firstRecordAt: 5000,
    firstRecordWaitS: 60,
  })
  assert.match(noCdc, /Changes arrive in {2}not registered \(--no-cdc\)/)
  assert.match(text, /Topic retention {4}each partition keeps ≤ 256 MiB/)
  assert.match(text, /Ready after {8}PostgreSQL 1\.0 s, Kafka 2\.0 s, worker 3\.0 s {3}\(seconds since start\)/)
  assert.match(text, /not seen within 60 s: check `curl http:\/\/127\.0\.0\.1:8083\/connectors\/jdbc-postgres-source/)
  assert.match(text, /Prometheus {9}not started \(--no-prometheus\)/)
})

test('npm is recognised as the parent from the variables it sets', () => {
  assert.equal(startedByNpm({ npm_lifecycle_event: 'start' }), true)
  assert.equal(startedByNpm({ npm_command: 'exec' }), true)
  assert.equal(startedByNpm({}), false)
})

test('each stop signal reaches the handler, which replaces the other listeners', (t) => {
  const saved = STOP_SIGNALS.map((s) => [s, process.listeners(s)] as const)
  t.after(() => {
    for (const [s, listeners] of saved) {
      process.removeAllListeners(s)
      for (const l of listeners) process.on(s, l)
    }
  })
  let other = 0
  process.on('SIGHUP', () => other++)
  const reasons: string[] = []
  const unwatch = onStopRequest((r) => reasons.push(r), { watchParent: true })
  for (const s of STOP_SIGNALS) process.emit(s)
  unwatch()
  assert.deepEqual(reasons, ['SIGINT', 'SIGTERM', 'SIGHUP'])
  assert.equal(other, 0)
})

test('cluster ids look like kafka-storage random-uuid output', () => {
  for (let i = 0; i < 200; i++) {
    const id = randomClusterId()
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
    assert.equal(Buffer.from(id, 'base64url').length, 16)
  }
})

test('the quick-start JVM flags write a class-data archive first, then use it', () => {
  // Both runs carry the same AllowArchivingWithJavaAgent setting: Java 17 ignores an archive dumped otherwise.
  const common = ['-XX:TieredStopAtLevel=1', '-XX:+UnlockDiagnosticVMOptions', '-XX:+AllowArchivingWithJavaAgent']
  assert.deepEqual(quickStartJvmFlags('/nonexistent/kafka.jsa'), [
    ...common,
    '-XX:ArchiveClassesAtExit=/nonexistent/kafka.jsa',
    '-Xlog:cds=error',
  ])
  const existing = new URL(import.meta.url).pathname
  assert.deepEqual(quickStartJvmFlags(existing), [...common, `-XX:SharedArchiveFile=${existing}`])
})

test('the local retention lets segments close well before the per-partition limit', () => {
  assert.ok(Number(LOCAL_RETENTION['log.segment.bytes']) * 4 <= Number(LOCAL_RETENTION['log.retention.bytes']))
})
