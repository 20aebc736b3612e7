import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { allMetrics, notApplicable } from '../../../src/metrics/definitions.ts'
import { renderMetricsDoc } from '../../../src/metrics/docs.ts'

test('docs/metrics.md is generated from the definitions and up to date (node src/metrics/docs.ts)', () => {
  const checkedIn = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8')
  assert.equal(checkedIn, renderMetricsDoc())
})

test('the docs name every defined metric and every not-applicable entry', () => {
  const doc = renderMetricsDoc()
  for (const def of allMetrics) assert.ok(doc.includes(`\`${def.name}\``), def.name)
  for (const entry of notApplicable) assert.ok(doc.includes(`\`${entry.name}\``), entry.name)
})

test('definitions are well formed: unique names, _total only on counters, every counter ends in _total', () => {
  const names = allMetrics.map((d) => d.name)
  assert.equal(new Set(names).size, names.length)
  for (const def of allMetrics) {
    assert.match(def.name, /^[a-z_][a-z0-9_]*$/, def.name)
    if (def.type === 'counter') assert.ok(def.name.endsWith('_total'), `${def.name} is a counter`)
    if (def.name.endsWith('_total')) assert.equal(def.type, 'counter', def.name)
    assert.ok(def.help.length > 10 && def.unit.length > 0, def.name)
  }
})
