// promtool on the generated Prometheus files: the config (with its rule files) is valid, the rules are valid, the
// rule unit tests pass, and every alert has a unit test in which it fires.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { findBinary } from '../../../src/local/prometheus.ts'
import { alertGroups } from '../../../src/monitoring/prometheus/alert-rules.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../../..')
// promtool ships in Debian's `prometheus` package; .ci/run installs it. Without it these tests fail, saying so.
const promtool = findBinary('promtool')
const dir = join(root, 'monitoring/prometheus')

async function promtoolOk(...args: string[]): Promise<string> {
  if (promtool === null) {
    throw new Error(
      'promtool is not on PATH: install Prometheus (Debian: apt-get install prometheus) to run these tests',
    )
  }
  const { stdout, stderr } = await run(promtool, args, { cwd: root })
  return stdout + stderr
}

test('promtool check config accepts prometheus.yml and resolves its rule files', async () => {
  const out = await promtoolOk('check', 'config', join(dir, 'prometheus.yml'))
  assert.match(out, /SUCCESS: 1 rule files found/)
})

test('promtool check rules accepts alert-rules.yml', async () => {
  const out = await promtoolOk('check', 'rules', join(dir, 'alert-rules.yml'))
  assert.match(out, new RegExp(`SUCCESS: ${alertGroups().flatMap((g) => g.rules).length} rules found`))
})

test('promtool test rules passes alert-rules.test.yml', async () => {
  const out = await promtoolOk('test', 'rules', join(dir, 'alert-rules.test.yml'))
  assert.match(out, /SUCCESS/)
})

interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[]
}

test('every alert has a test where it fires and one where it stays silent', () => {
  const tests = (parse(readFileSync(join(dir, 'alert-rules.test.yml'), 'utf8')) as { tests: RuleTest[] }).tests
  const checks = tests.flatMap((t) => t.alert_rule_test ?? [])
  const firing = new Set(checks.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname))
  const silent = new Set(checks.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname))
  const rulesFile = parse(readFileSync(join(dir, 'alert-rules.yml'), 'utf8')) as {
    groups: { rules: { alert: string }[] }[]
  }
  const alerts = rulesFile.groups.flatMap((g) => g.rules.map((r) => r.alert))
  assert.ok(alerts.length >= 12)
  assert.deepEqual(
    alerts.filter((a) => !firing.has(a)),
    [],
    'alerts without a firing test',
  )
  assert.deepEqual(
    alerts.filter((a) => !silent.has(a)),
    [],
    'alerts without a silent test',
  )
})

test('every alert has for, a severity and annotations that say what to do', () => {
  for (const r of alertGroups().flatMap((g) => g.rules)) {
    assert.match(r.for, /^\d+[smh]$/, r.alert)
    assert.ok(['page', 'warning'].includes(r.labels.severity), r.alert)
    assert.ok(r.annotations.summary.length > 10, r.alert)
    assert.ok(r.annotations.description.length > 60, r.alert)
  }
})
