// The broker JMX exporter rules: parse them, apply them the way the agent does to MBean attributes a Kafka 4.1 KRaft
// broker exposes, and check that every broker name the seed's kafka-cluster / kafka-topics dashboards query comes out.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { panelQueries, variableQueries } from '../../../src/monitoring/panel-queries.ts'
import { seedDashboard, seedMissing } from '../../support/seed.ts'

const root = join(import.meta.dirname, '../../..')

interface Rule {
  pattern: string
  name?: string
  labels?: Record<string, string>
}
interface Config {
  includeObjectNames?: string[]
  lowercaseOutputName?: boolean
  rules: Rule[]
}

const config = parse(readFileSync(join(root, 'monitoring/jmx/kafka-broker.yml'), 'utf8')) as Config

/** MBean attributes as the agent formats them for matching (`domain<props><keys>attribute: value`), seen on 4.1.1. */
const kafka411Attributes = [
  'kafka.server<type=KafkaServer, name=BrokerState><>Value: 3',
  'kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value: 1',
  'kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value: 0',
  'kafka.controller<type=KafkaController, name=PreferredReplicaImbalanceCount><>Value: 0',
  'kafka.controller<type=KafkaController, name=GlobalTopicCount><>Value: 2',
  'kafka.controller<type=KafkaController, name=GlobalPartitionCount><>Value: 51',
  'kafka.controller<type=KafkaController, name=ActiveBrokerCount><>Value: 1',
  'kafka.controller<type=ControllerStats, name=UncleanLeaderElectionsPerSec><>Count: 0',
  'kafka.server<type=ReplicaManager, name=LeaderCount><>Value: 51',
  'kafka.server<type=ReplicaManager, name=PartitionCount><>Value: 51',
  'kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value: 0',
  'kafka.server<type=ReplicaManager, name=IsrShrinksPerSec><>Count: 0',
  'kafka.server<type=ReplicaManager, name=IsrExpandsPerSec><>Count: 0',
  'kafka.cluster<type=Partition, name=UnderMinIsr, topic=users, partition=0><>Value: 0',
  'kafka.log<type=Log, name=Size, topic=users, partition=0><>Value: 1024',
  'kafka.log<type=Log, name=LogStartOffset, topic=users, partition=0><>Value: 0',
  'kafka.log<type=Log, name=LogEndOffset, topic=users, partition=0><>Value: 10',
  ...[
    'BytesInPerSec',
    'BytesOutPerSec',
    'MessagesInPerSec',
    'TotalFetchRequestsPerSec',
    'TotalProduceRequestsPerSec',
  ].map((n) => `kafka.server<type=BrokerTopicMetrics, name=${n}, topic=users><>Count: 5`),
  'kafka.server<type=BrokerTopicMetrics, name=ProduceMessageConversionsPerSec><>Count: 0',
  'kafka.server<type=BrokerTopicMetrics, name=FetchMessageConversionsPerSec><>Count: 0',
  'kafka.network<type=RequestMetrics, name=RequestsPerSec, request=Produce, version=7><>Count: 4',
  ...[
    'RequestQueueTimeMs',
    'LocalTimeMs',
    'RemoteTimeMs',
    'ResponseQueueTimeMs',
    'ResponseSendTimeMs',
    'TotalTimeMs',
  ].map((n) => `kafka.network<type=RequestMetrics, name=${n}, request=Produce><>99thPercentile: 1.0`),
  'kafka.network<type=SocketServer, name=NetworkProcessorAvgIdlePercent><>Value: 0.99',
  'kafka.network<type=Acceptor, name=AcceptorBlockedPercent, listener=PLAINTEXT><>Count: 0',
  'kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate: 0.98',
  'kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>Count: 123456',
  ...['connection-count', 'connection-creation-rate', 'connection-close-rate'].map(
    (a) => `kafka.server<type=socket-server-metrics, listener=PLAINTEXT, networkProcessor=0><>${a}: 1.0`,
  ),
  'kafka.server<type=socket-server-metrics, clientSoftwareName=librdkafka, clientSoftwareVersion=2.0.2, listener=PLAINTEXT, networkProcessor=0><>connections: 1.0',
  ...[
    'NumGroups',
    'NumGroupsStable',
    'NumGroupsPreparingRebalance',
    'NumGroupsCompletingRebalance',
    'NumGroupsEmpty',
    'NumGroupsDead',
  ].map((n) => `kafka.coordinator.group<type=GroupMetadataManager, name=${n}><>Value: 0`),
  'kafka.server<type=raft-metrics><>current-leader: 1.0',
  'kafka.server<type=raft-metrics><>high-watermark: 120.0',
  'kafka.server<type=group-coordinator-metrics><>event-processing-time-ms-p99: 1.0',
  'java.lang<type=Memory><HeapMemoryUsage>used: 1000',
  'java.lang<type=Memory><HeapMemoryUsage>max: 5000',
  'java.lang<type=Memory><NonHeapMemoryUsage>used: 100',
]

/** Names the agent itself exports (JVM and process collectors), not produced by rules. */
const agentNames = new Set(['jvm_gc_collection_seconds_sum', 'process_cpu_seconds_total'])
/** ZooKeeper-era names that a KRaft broker does not have (documented in docs/monitoring.md). */
const zookeeperNames = [
  'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms',
  'kafka_server_sessionexpirelistener_zookeepersyncconnectspersec',
  'kafka_server_sessionexpirelistener_zookeeperexpirespersec',
  'kafka_server_sessionexpirelistener_zookeeperdisconnectspersec',
  'kafka_server_sessionexpirelistener_zookeeperauthfailurespersec',
]

/** The agent's matching: the pattern anywhere in the string, `$n` replaced, unsafe characters to `_`, lower-cased. */
function exportedName(attribute: string): { name: string; labels: Record<string, string> } | undefined {
  for (const rule of config.rules) {
    const re = new RegExp(`^.*(?:${rule.pattern}).*$`)
    const m = re.exec(attribute)
    if (m === null) continue
    if (rule.name === undefined) return undefined
    const fill = (template: string) => template.replace(/\$(\d+)/g, (_s, i: string) => m[Number(i)] ?? '')
    let name = fill(rule.name)
      .replace(/[^a-zA-Z0-9:_]/g, '_')
      .replace(/__+/g, '_')
    if (config.lowercaseOutputName === true) name = name.toLowerCase()
    const labels: Record<string, string> = {}
    for (const [k, v] of Object.entries(rule.labels ?? {})) labels[fill(k).toLowerCase()] = fill(String(v))
    return { name, labels }
  }
  return undefined
}

/** JMX ObjectName pattern matching as the agent applies includeObjectNames: domain wildcards, key=value, `,*`. */
function objectNameMatches(pattern: string, attribute: string): boolean {
  const m = /^([^<]+)<([^>]*)>/.exec(attribute)
  if (m === null) throw new Error(`not an MBean attribute: ${attribute}`)
  const [domain, props] = [m[1], new Map(m[2].split(', ').map((kv) => kv.split('=') as [string, string]))]
  const [patternDomain, patternProps = ''] = pattern.split(/:(.*)/s)
  const glob = new RegExp(`^${patternDomain.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  if (!glob.test(domain)) return false
  const wanted = patternProps.split(',').filter((p) => p !== '*' && p !== '')
  const open = patternProps === '*' || patternProps.endsWith(',*')
  if (!open && wanted.length !== props.size) return false
  return wanted.every((kv) => {
    const [k, v] = kv.split('=')
    return props.get(k) === v
  })
}

/** Whether the agent reads this MBean at all (includeObjectNames; every MBean when the list is absent). */
function read(attribute: string): boolean {
  const include = config.includeObjectNames
  return include === undefined || include.some((p) => objectNameMatches(p, attribute))
}

/** Request types whose timing histograms a dashboard filters on (`request="X"` on a *timems metric). */
function timedRequestTypes(dashboards: unknown[]): Set<string> {
  const types = new Set<string>()
  for (const json of dashboards) {
    for (const { expr } of panelQueries(json)) {
      for (const m of expr.matchAll(/kafka_network_requestmetrics_\w+(?:timems|bytes)\{([^}]*)\}/g)) {
        for (const r of m[1].matchAll(/request=~?"([^"]+)"/g)) for (const t of r[1].split('|')) types.add(t)
      }
    }
  }
  return types
}

const FLOWSCOPE_DASHBOARDS = join(root, 'monitoring/grafana/dashboards')

function seedBrokerNames(): Set<string> {
  const names = new Set<string>()
  for (const file of ['kafka-cluster.json', 'kafka-topics.json']) {
    const json = seedDashboard(file)
    const exprs = [...panelQueries(json).map((p) => p.expr), ...variableQueries(json).map((v) => v.query)]
    for (const e of exprs) for (const m of e.matchAll(/\b(?:kafka|jvm|process)_[a-z0-9_]+/g)) names.add(m[0])
  }
  return names
}

test('the JMX rules file parses and every rule has a pattern and a name', () => {
  assert.ok(config.rules.length > 10)
  for (const r of config.rules) {
    assert.equal(typeof r.pattern, 'string')
    assert.equal(typeof r.name, 'string', `rule ${r.pattern} has no name`)
    assert.doesNotThrow(() => new RegExp(r.pattern), r.pattern)
  }
})

test('the rules produce every broker name the seed kafka-cluster and kafka-topics dashboards query', {
  skip: seedMissing,
}, () => {
  const produced = new Set(kafka411Attributes.map((a) => exportedName(a)?.name).filter((n) => n !== undefined))
  const seed = seedBrokerNames()
  assert.ok(seed.size > 40, `read ${seed.size} names from the seed dashboards`)
  const missing = [...seed].filter((n) => !produced.has(n) && !agentNames.has(n) && !zookeeperNames.includes(n))
  assert.deepEqual(missing, [])
})

test('the agent reads every MBean the rules are checked against (includeObjectNames keeps what dashboards need)', () => {
  const dropped = kafka411Attributes.filter((a) => !read(a))
  assert.deepEqual(dropped, [])
})

test('request timings are read for the request types dashboards chart, not for every one of the ~90 types', () => {
  const flowscope = readdirSync(FLOWSCOPE_DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(FLOWSCOPE_DASHBOARDS, f), 'utf8')))
  const seed = seedMissing ? [] : ['kafka-cluster.json', 'kafka-topics.json'].map(seedDashboard)
  const types = timedRequestTypes([...flowscope, ...seed])
  assert.ok(types.has('Produce') && types.has('FetchFollower'), `request types read from dashboards: ${[...types]}`)
  for (const type of types) {
    assert.ok(read(`kafka.network<type=RequestMetrics, name=TotalTimeMs, request=${type}><>99thPercentile`), type)
  }
  // An administrative request's timings are not read; its request rate still is.
  assert.equal(
    read('kafka.network<type=RequestMetrics, name=TotalTimeMs, request=DescribeAcls><>99thPercentile'),
    false,
  )
  assert.ok(read('kafka.network<type=RequestMetrics, name=RequestsPerSec, request=DescribeAcls, version=3><>Count'))
  assert.ok(read('kafka.network<type=RequestMetrics, name=ErrorsPerSec, request=DescribeAcls, error=NONE><>Count'))
})

test('rules map labels and quantiles as the seed dashboards filter on them', () => {
  assert.deepEqual(exportedName('kafka.log<type=Log, name=Size, topic=users, partition=3><>Value: 1'), {
    name: 'kafka_log_log_size',
    labels: { topic: 'users', partition: '3' },
  })
  assert.deepEqual(
    exportedName('kafka.network<type=RequestMetrics, name=LocalTimeMs, request=Fetch><>999thPercentile: 1'),
    {
      name: 'kafka_network_requestmetrics_localtimems',
      labels: { request: 'Fetch', quantile: '0.999' },
    },
  )
  assert.deepEqual(exportedName('java.lang<type=Memory><NonHeapMemoryUsage>used: 1'), {
    name: 'jvm_memory_bytes_used',
    labels: { area: 'nonheap' },
  })
  // The meter's Count must not land on the idle-ratio name (the 1.x agent would add an _objectname label).
  assert.notEqual(
    exportedName('kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>Count: 1')?.name,
    'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent',
  )
})

test("a broker's node.id is exported as a label (the console maps scrape targets to brokers by it)", () => {
  const attribute = 'kafka.server<type=app-info, id=3><>StartTimeMs: 1796287534687'
  assert.ok(read(attribute))
  assert.deepEqual(exportedName(attribute), { name: 'kafka_server_app_info_start_time_ms', labels: { broker_id: '3' } })
  // The registry's id-less app-info metric is left out: one series per broker.
  assert.equal(exportedName('kafka.server<type=app-info><>start-time-ms: 1796287534687'), undefined)
})
