// `flowscope consume` flags: defaults, repeatable and comma-listed topics, and one clear FlagError per bad flag.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  DEFAULT_CONSUME_GROUP,
  DEFAULT_CONSUME_TOPIC,
  DEFAULT_CONSUMER_METRICS_PORT,
  FlagError,
  parseConsumeArgs,
} from '../../../src/consume/options.ts'

const parse = (...argv: string[]) => parseConsumeArgs(argv, {})

test('defaults: the seed topic, the sample group, port 8001, latest, commit every second', () => {
  const s = parse()
  assert.notEqual(s, 'help')
  if (s === 'help') return
  assert.deepEqual(s.topics, [DEFAULT_CONSUME_TOPIC])
  assert.equal(s.groupId, DEFAULT_CONSUME_GROUP)
  assert.equal(s.clientId, `${DEFAULT_CONSUME_GROUP}-1`)
  assert.equal(s.metricsPort, DEFAULT_CONSUMER_METRICS_PORT)
  assert.deepEqual(s.bootstrapServers, ['localhost:9092'])
  assert.equal(s.offsetReset, 'latest')
  assert.equal(s.slowMs, 0)
  assert.equal(s.pause, false)
  assert.equal(s.commitIntervalMs, 1000)
})

test('topics repeat and take comma lists (deduplicated); env gives the bootstrap servers', () => {
  const s = parseConsumeArgs(['--topic', 'a,b', '--topic', 'c', '--topic', 'a'], { KAFKA_BOOTSTRAP_SERVERS: 'k:1,k:2' })
  assert.ok(s !== 'help')
  assert.deepEqual(s.topics, ['a', 'b', 'c'])
  assert.deepEqual(s.bootstrapServers, ['k:1', 'k:2'])
})

test('flags: group, client id, port 0, --from-beginning, --slow, --pause, --print', () => {
  const s = parse('--group', 'g', '--client-id', 'c-1', '--metrics-port', '0', '--from-beginning', '--slow', '250')
  assert.ok(s !== 'help')
  assert.equal(s.groupId, 'g')
  assert.equal(s.clientId, 'c-1')
  assert.equal(s.metricsPort, 0)
  assert.equal(s.offsetReset, 'earliest')
  assert.equal(s.slowMs, 250)
  const p = parse('--pause', '--print', '--auto-offset-reset', 'earliest')
  assert.ok(p !== 'help')
  assert.equal(p.pause, true)
  assert.equal(p.print, true)
  assert.equal(p.offsetReset, 'earliest')
  assert.equal(parse('--help'), 'help')
  assert.equal(parse('-h'), 'help')
})

test('every bad flag is a FlagError that names it', () => {
  const cases: [string[], RegExp][] = [
    [['--slow', 'fast'], /^--slow fast: expected a whole number from 0 to 3600000$/],
    [['--slow=-5'], /^--slow -5: expected a whole number/],
    [['--slow', '-5'], /'--slow' argument is ambiguous/],
    [['--slow'], /--slow/],
    [['--metrics-port', '70000'], /^--metrics-port 70000: expected a whole number from 0 to 65535$/],
    [['--commit-interval-ms', '10'], /^--commit-interval-ms 10: expected a whole number from 100/],
    [['--bootstrap-servers', 'http://x'], /^--bootstrap-servers http:\/\/x: expected host:port/],
    [['--topic', 'a b'], /^--topic "a b": a topic name is/],
    [['--topic', 'a,,b'], /^--topic "": a topic name is/],
    [['--group', ' '], /^--group is empty/],
    [['--client-id', 'a/b'], /^--client-id "a\/b"/],
    [['--auto-offset-reset', 'none'], /^--auto-offset-reset none: expected earliest or latest$/],
    [['--from-beginning', '--auto-offset-reset', 'latest'], /^--from-beginning contradicts/],
    [['--pause', '--slow', '10'], /^--slow has no effect with --pause/],
    [['--nope'], /Unknown option '--nope'.*--help/],
    [['extra'], /extra/],
  ]
  for (const [argv, message] of cases) {
    assert.throws(
      () => parse(...argv),
      (e: unknown) => e instanceof FlagError && message.test(e.message),
      argv.join(' '),
    )
  }
})
