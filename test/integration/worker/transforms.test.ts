// Transforms on a real worker: a JDBC connector's `transforms` chain reshapes what lands in Kafka; the validate
// endpoint reports each transform's and predicate's keys with their errors; the plugin endpoints list them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ConfigInfos } from '../../../src/config/config-def.ts'
import {
  createConnector,
  createTable,
  eventually,
  insertRows,
  jdbcConfig,
  readTopic,
  waitForState,
  workerForFile,
} from './helpers.ts'

const file = workerForFile('transforms')
const T = 'org.apache.kafka.connect.transforms'

test('a JDBC connector with RegexRouter, ReplaceField and InsertFields gated by a predicate: Kafka holds the reshaped rows', async () => {
  const { request } = file.running
  const table = await createTable('smt')
  file.tables.push(table)
  const ids = await insertRows(table, 5)
  const name = `${table}-connector`
  await createConnector(
    request,
    name,
    jdbcConfig(table, {
      transforms: 'route,rename,stamp,notStamped',
      'transforms.route.type': `${T}.RegexRouter`,
      'transforms.route.regex': '.*-(.*)',
      'transforms.route.replacement': '$1.reshaped',
      'transforms.rename.type': `${T}.ReplaceField$Value`,
      'transforms.rename.renames': 'v:label',
      // Both InsertFields apply only where the (routed) topic matches: the negated one never does.
      'transforms.stamp.type': `${T}.InsertField$Value`,
      'transforms.stamp.topic.field': 'from_topic',
      'transforms.stamp.static.field': 'pipeline',
      'transforms.stamp.static.value': 'smt-test',
      'transforms.stamp.predicate': 'reshaped',
      'transforms.notStamped.type': `${T}.InsertField$Value`,
      'transforms.notStamped.static.field': 'never',
      'transforms.notStamped.static.value': 'x',
      'transforms.notStamped.predicate': 'reshaped',
      'transforms.notStamped.negate': 'true',
      predicates: 'reshaped',
      'predicates.reshaped.type': `${T}.predicates.TopicNameMatches`,
      'predicates.reshaped.pattern': '.*\\.reshaped',
    }),
  )
  await waitForState(request, name, 'RUNNING')
  const topic = `${table}.reshaped`
  const values = await eventually(
    async () => {
      const read = (await readTopic(topic)) as {
        payload: Record<string, unknown>
        schema: { fields: { field: string }[] }
      }[]
      return read.length >= ids.length ? read : undefined
    },
    () => `${ids.length} rows in ${topic}`,
    30_000,
  )
  assert.deepEqual(
    values.map((v) => v.payload),
    ids.map((id, i) => ({ id, label: `row-${i + 1}`, from_topic: topic, pipeline: 'smt-test' })),
  )
  assert.deepEqual(
    values[0]?.schema.fields.map((f) => f.field),
    ['id', 'label', 'from_topic', 'pipeline'],
  )
  assert.deepEqual(await readTopic(`${table}-${table}`), [], 'nothing is written under the original topic')
  await request('DELETE', `/connectors/${name}`)
})

test('validate reports every transform and predicate key, with the errors on the keys at fault', async () => {
  const { request } = file.running
  const config = jdbcConfig('any_table', {
    transforms: 'route,stamp,cast,only',
    'transforms.route.type': `${T}.RegexRouter`,
    'transforms.stamp.type': `${T}.InsertField$Value`,
    'transforms.cast.type': `${T}.Cast$Value`,
    'transforms.cast.spec': 'a:int128',
    'transforms.only.type': `${T}.Filter`,
    'transforms.only.predicate': 'missing',
    predicates: 'tomb',
    'predicates.tomb.type': 'com.example.NoSuchPredicate',
  })
  const response = await request('PUT', '/connector-plugins/JdbcSourceConnector/config/validate', config)
  assert.equal(response.status, 200, response.text)
  const infos = response.body as ConfigInfos
  const errorsOf = (key: string) => {
    const entry = infos.configs.find((c) => c.value.name === key)
    assert.ok(entry, `validate lists ${key}`)
    return entry.value.errors
  }
  assert.deepEqual(errorsOf('transforms.route.regex'), [
    'Missing required configuration "transforms.route.regex" which has no default value.',
  ])
  assert.deepEqual(errorsOf('transforms.stamp.type'), ['No field insertion configured'])
  assert.deepEqual(errorsOf('transforms.cast.spec'), ['Invalid type found in casting spec: int128'])
  assert.deepEqual(errorsOf('transforms.only.predicate'), [
    "Predicate alias 'missing' is not listed in 'predicates' (tomb).",
  ])
  assert.match(errorsOf('predicates.tomb.type')[0] ?? '', /Class com\.example\.NoSuchPredicate could not be found/)
  assert.deepEqual(errorsOf('transforms.stamp.static.field'), [], 'keys without problems are listed too')
  assert.ok(
    infos.groups.includes('Transforms: route') && infos.groups.includes('Predicates: tomb'),
    infos.groups.join(),
  )
  assert.ok(infos.error_count >= 6, `error_count ${infos.error_count}`)

  // The same config is refused on create, naming the keys.
  const created = await request('POST', '/connectors', { name: 'smt-invalid', config })
  assert.equal(created.status, 400, created.text)
  assert.match(created.text, /transforms\.route\.regex: Missing required configuration/)
})

test('the plugin endpoints list every transformation and predicate and give their config definitions', async () => {
  const { request } = file.running
  const listed = await request('GET', '/connector-plugins?connectorsOnly=false')
  assert.equal(listed.status, 200, listed.text)
  const plugins = listed.body as { class: string; type: string }[]
  const of = (type: string) => plugins.filter((p) => p.type === type).map((p) => p.class)
  for (const cls of [
    `${T}.RegexRouter`,
    `${T}.Cast$Key`,
    `${T}.Cast$Value`,
    `${T}.Filter`,
    `${T}.TimestampConverter$Value`,
    'io.debezium.transforms.ExtractNewRecordState',
  ]) {
    assert.ok(of('transformation').includes(cls), `${cls} listed as a transformation`)
  }
  assert.deepEqual(of('predicate'), [
    `${T}.predicates.HasHeaderKey`,
    `${T}.predicates.RecordIsTombstone`,
    `${T}.predicates.TopicNameMatches`,
  ])
  const connectorsOnly = (await request('GET', '/connector-plugins')).body as { type: string }[]
  assert.ok(connectorsOnly.every((p) => p.type === 'source' || p.type === 'sink'))

  const cast = await request('GET', `/connector-plugins/${encodeURIComponent(`${T}.Cast$Value`)}/config`)
  assert.equal(cast.status, 200, cast.text)
  const keys = cast.body as { name: string; required: boolean; default_value: string | null }[]
  assert.deepEqual(
    keys.map((k) => [k.name, k.required, k.default_value]),
    [
      ['spec', true, null],
      ['replace.null.with.default', false, 'true'],
    ],
  )
})

test('a record a transform cannot handle fails the task with the reason, or is skipped under errors.tolerance=all', async () => {
  const { request } = file.running
  const table = await createTable('smt_bad')
  file.tables.push(table)
  await insertRows(table, 3)
  // `v` holds text such as "row-1": Java's Integer.parseInt refuses it, and so does flowscope's Cast.
  const cast = { transforms: 'cast', 'transforms.cast.type': `${T}.Cast$Value`, 'transforms.cast.spec': 'v:int32' }
  const failing = `${table}-failing`
  await createConnector(request, failing, jdbcConfig(table, cast))
  const failed = await waitForState(request, failing, 'RUNNING', 'FAILED')
  assert.match(failed.tasks[0]?.trace ?? '', /Value \(row-1\) was out of range for requested data type/)
  await request('DELETE', `/connectors/${failing}`)

  const tolerant = `${table}-tolerant`
  await createConnector(
    request,
    tolerant,
    jdbcConfig(table, { ...cast, 'errors.tolerance': 'all', 'topic.prefix': `${table}-tolerant-` }),
  )
  await waitForState(request, tolerant, 'RUNNING')
  const metrics = await eventually(
    async () => {
      const text = await (await fetch(`${file.running.url}/metrics`)).text()
      const skipped = new RegExp(
        `kafka_connect_task_error_metrics_total_records_skipped\\{[^}]*connector="${tolerant}"[^}]*\\} (\\d+)`,
      ).exec(text)
      return skipped && Number(skipped[1]) >= 3 ? Number(skipped[1]) : undefined
    },
    () => `${tolerant}: 3 records skipped in /metrics`,
    30_000,
  )
  assert.equal(metrics, 3)
  assert.equal((await waitForState(request, tolerant, 'RUNNING')).tasks[0]?.state, 'RUNNING')
  await request('DELETE', `/connectors/${tolerant}`)
})
