// The group leader's eager assignment (Connect's EagerAssignor): members sorted by id, connectors dealt round-robin,
// then tasks dealt on from the same place of the circle; a leader behind a member's config view assigns nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eagerAssignments, type MemberState } from '../../../src/runtime/assignment.ts'
import { CONFIG_MISMATCH, NO_ERROR } from '../../../src/runtime/connect-protocol.ts'

const configs = (tasks: Record<string, number>) => ({
  connectorNames: () => Object.keys(tasks),
  taskConfigs: (name: string) => Array.from({ length: tasks[name] ?? 0 }, () => ({})),
})

const member = (memberId: string, configOffset = 10n): MemberState => ({
  memberId,
  url: `http://${memberId}:8083`,
  configOffset,
})

test('connectors first, then tasks, round-robin over members sorted by id', () => {
  // Given out of order: the assignor sorts members (b-…, a-…, c-…) and connectors.
  const members = [member('b'), member('a'), member('c')]
  const result = eagerAssignments('b', members, 10n, configs({ c2: 1, c1: 2, c3: 0 }))
  const view = (id: string) => {
    const a = result.get(id)
    assert.ok(a)
    return { connectors: a.connectors, tasks: a.tasks.map((t) => `${t.connector}-${t.task}`) }
  }
  // c1→a, c2→b, c3→c; then c1-0→a, c1-1→b, c2-0→c.
  assert.deepEqual(view('a'), { connectors: ['c1'], tasks: ['c1-0'] })
  assert.deepEqual(view('b'), { connectors: ['c2'], tasks: ['c1-1'] })
  assert.deepEqual(view('c'), { connectors: ['c3'], tasks: ['c2-0'] })
  for (const a of result.values()) {
    assert.equal(a.error, NO_ERROR)
    assert.equal(a.leader, 'b')
    assert.equal(a.leaderUrl, 'http://b:8083')
    assert.equal(a.configOffset, 10n)
  }
})

test('every connector and task assigned exactly once, spread evenly', () => {
  const members = ['m1', 'm2', 'm3'].map((id) => member(id))
  const result = eagerAssignments('m1', members, 10n, configs({ a: 1, b: 1, c: 1, d: 3 }))
  const connectors = [...result.values()].flatMap((a) => a.connectors).sort()
  const tasks = [...result.values()].flatMap((a) => a.tasks.map((t) => `${t.connector}-${t.task}`)).sort()
  assert.deepEqual(connectors, ['a', 'b', 'c', 'd'])
  assert.deepEqual(tasks, ['a-0', 'b-0', 'c-0', 'd-0', 'd-1', 'd-2'])
  const loads = [...result.values()].map((a) => a.connectors.length + a.tasks.length)
  assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `uneven: ${loads}`)
})

test('a member alone gets everything; with nothing configured every member gets an empty assignment', () => {
  const alone = eagerAssignments('m1', [member('m1')], 10n, configs({ a: 2 })).get('m1')
  assert.deepEqual(alone?.connectors, ['a'])
  assert.equal(alone?.tasks.length, 2)
  const empty = eagerAssignments('m1', [member('m1'), member('m2')], 10n, configs({}))
  for (const a of empty.values()) assert.deepEqual([a.connectors, a.tasks], [[], []])
})

test('a leader behind a member: CONFIG_MISMATCH, no work, the newest offset', () => {
  const members = [member('m1', 10n), member('m2', 12n)]
  const result = eagerAssignments('m1', members, 10n, configs({ a: 1 }))
  for (const a of result.values()) {
    assert.equal(a.error, CONFIG_MISMATCH)
    assert.equal(a.configOffset, 12n)
    assert.deepEqual([a.connectors, a.tasks], [[], []])
  }
})

test("the assignment carries the leader's offset when it has read past every member", () => {
  const result = eagerAssignments('m1', [member('m1', 10n), member('m2', 8n)], 15n, configs({ a: 1 }))
  assert.equal(result.get('m2')?.configOffset, 15n)
})
