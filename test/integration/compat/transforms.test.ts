// Compatibility by difference: the same records through Apache Kafka Connect 4.1.1's transforms and Debezium
// 3.6.1's ExtractNewRecordState (the real classes, on a JVM) and through flowscope's, compared record by record as
// JsonConverter writes them — topic, partition, timestamp, key, value, headers, schema included. A record one side
// refuses must be refused by the other at the same step, with the same message when a transform raised it.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { configErrorCases, connectCases, debeziumCases } from './transforms/cases.ts'
import { type Case, type CaseResult, type Outcome, runFlowscope, runUpstream } from './transforms/run-both.ts'

/**
 * Where flowscope's answer deliberately differs (docs/transforms.md lists these): case name → what each side says,
 * so a change on either side fails the test.
 */
const CONFIG_ERROR_DIFFERENCES: Record<string, { upstream: RegExp; flowscope: string }> = {
  // Java's and JavaScript's regex engines word syntax errors differently; the key and the "Invalid regex" are the same.
  'RegexRouter with a bad regex': {
    upstream: /^Invalid value \(unclosed for configuration regex: Invalid regex: Unclosed group/,
    flowscope:
      'Invalid value (unclosed for configuration regex: Invalid regex: Invalid regular expression: /(unclosed/: Unterminated group',
  },
  // Upstream passes its message as the key name of ConfigException(name, value): garbled; flowscope says it plainly.
  'Cast to an unknown type': {
    upstream:
      /^Invalid value java\.lang\.IllegalArgumentException: No enum constant .*INT128 for configuration Invalid type found in casting spec: int128$/,
    flowscope: 'Invalid type found in casting spec: int128',
  },
  // Debezium logs the reason and throws "Unable to validate config."; flowscope's message names the key and values.
  'ExtractNewRecordState: bad delete.tombstone.handling.mode': {
    upstream: /^Unable to validate config\.$/,
    flowscope:
      'Invalid value purge for configuration delete.tombstone.handling.mode: Value must be one of drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone',
  },
}

function compare(cases: Case[], upstream: CaseResult[], flowscope: CaseResult[]): number {
  assert.equal(flowscope.length, upstream.length)
  let compared = 0
  cases.forEach((c, i) => {
    const up = upstream[i] as CaseResult
    const fs = flowscope[i] as CaseResult
    assert.equal(up.name, c.name)
    const difference = CONFIG_ERROR_DIFFERENCES[c.name]
    if (difference) {
      assert.match(up.configError ?? '', difference.upstream, `${c.name}: upstream`)
      assert.equal(fs.configError, difference.flowscope, `${c.name}: flowscope`)
      compared++
      return
    }
    assert.equal(fs.configError, up.configError, `${c.name}: configure`)
    if (up.configError !== undefined) {
      compared++
      return
    }
    const upRecords = up.records ?? []
    const fsRecords = fs.records ?? []
    assert.equal(fsRecords.length, upRecords.length, `${c.name}: records`)
    upRecords.forEach((expected, j) => {
      const actual = fsRecords[j] as Outcome
      const where = `${c.name}, record ${j}`
      if ('error' in expected || 'error' in actual) {
        assert.ok('error' in expected, `${where}: flowscope refused what upstream took: ${JSON.stringify(actual)}`)
        assert.ok('error' in actual, `${where}: upstream refused (${expected.error}) what flowscope took`)
        assert.equal(actual.step, expected.step, `${where}: failing step (${expected.error} / ${actual.error})`)
        // Converters word their own errors (covered by the converter tests); a transform's message must match.
        if (expected.step === 'transform') assert.equal(actual.error, expected.error, where)
      } else {
        assert.deepEqual(actual, expected, where)
      }
      compared++
    })
  })
  return compared
}

describe('transforms: flowscope against the real upstream classes', () => {
  let connect: { cases: Case[]; upstream: CaseResult[] }
  let debezium: { cases: Case[]; upstream: CaseResult[] }

  before(async () => {
    const cases = [...connectCases, ...configErrorCases]
    connect = { cases, upstream: await runUpstream(cases) }
    debezium = { cases: debeziumCases, upstream: await runUpstream(debeziumCases, { debezium: true }) }
  })

  test("Apache Kafka Connect 4.1.1's transforms and predicates: same records out, same refusals", () => {
    const compared = compare(connect.cases, connect.upstream, runFlowscope(connect.cases))
    // Every case ran on both sides: records and refused configs together.
    assert.equal(compared, 68, 'outcomes compared (docs/transforms.md gives the count)')
  })

  test("Debezium 3.6.1's ExtractNewRecordState: same records out for every delete/tombstone mode", () => {
    const compared = compare(debezium.cases, debezium.upstream, runFlowscope(debezium.cases))
    assert.equal(compared, 71, 'outcomes compared (docs/transforms.md gives the count)')
  })
})
