// Reading queries out of dashboard JSON and substituting Grafana template variables.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  panelQueries,
  parseLabelValues,
  substituteVariables,
  variableQueries,
} from '../../../src/monitoring/panel-queries.ts'

const dashboard = {
  title: 'D',
  templating: {
    list: [
      { type: 'query', name: 'topic', query: { query: 'label_values(kafka_log_log_size, topic)' } },
      { type: 'custom', name: 'x', query: 'a,b' },
    ],
  },
  panels: [
    {
      id: 1,
      type: 'row',
      title: 'R',
      collapsed: true,
      panels: [{ id: 2, title: 'Nested', targets: [{ refId: 'A', expr: 'up' }] }],
    },
    {
      id: 3,
      title: 'Two',
      targets: [
        { refId: 'A', expr: 'a' },
        { refId: 'B', expr: '' },
        { refId: 'C', expr: 'b' },
      ],
    },
    { id: 4, title: '', targets: [{ expr: 'c' }] },
  ],
}

test('panelQueries lists every non-empty target, nested row panels included', () => {
  assert.deepEqual(
    panelQueries(dashboard).map((q) => [q.dashboard, q.panel, q.expr, q.refId]),
    [
      ['D', 'Nested', 'up', 'A'],
      ['D', 'Two', 'a', 'A'],
      ['D', 'Two', 'b', 'C'],
      ['D', '#4', 'c', undefined],
    ],
  )
  assert.throws(() => panelQueries('nope'), /JSON object/)
})

test('variableQueries and parseLabelValues read label_values queries', () => {
  assert.deepEqual(variableQueries(dashboard), [
    { dashboard: 'D', name: 'topic', query: 'label_values(kafka_log_log_size, topic)' },
  ])
  assert.deepEqual(parseLabelValues('label_values(kafka_log_log_size{job="kafka-broker"}, topic)'), {
    selector: 'kafka_log_log_size{job="kafka-broker"}',
    label: 'topic',
  })
  assert.deepEqual(parseLabelValues('label_values(env)'), { label: 'env' })
  assert.equal(parseLabelValues('query_result(up)'), undefined)
})

test('substituteVariables fills every variable syntax and the interval built-ins', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax under test
  const expr = 'rate(x{a="$env",b=~"${instance}",c=~"[[topic]]",d="${env:raw}"}[$__rate_interval]) offset $__range'
  assert.equal(
    substituteVariables(expr, { env: 'dev', instance: 'h:1', topic: 't' }, { rateInterval: '2m', range: '6h' }),
    'rate(x{a="dev",b=~"h:1",c=~"t",d="dev"}[2m]) offset 6h',
  )
  assert.equal(substituteVariables('x{t=~"$topic"}', { topic: ['a.b', 'c'] }), 'x{t=~"(a\\.b|c)"}')
  assert.equal(substituteVariables('x[$__interval]', {}), 'x[15s]')
})

test('substituteVariables names a variable without a value', () => {
  assert.throws(() => substituteVariables('x{a="$env",b="$instance"}', { env: 'dev' }), /\$instance has no value/)
})
