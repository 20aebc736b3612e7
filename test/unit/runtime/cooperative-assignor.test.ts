// Connect's incremental cooperative assignment: members keep their work, and only changes are handed out.
import assert from 'node:assert/strict'
import test from 'node:test'
import { CooperativeAssignor, type CooperativeMember } from '../../../src/runtime/cooperative-assignor.ts'
import type { ConnectorTaskId } from '../../../src/runtime/herder.ts'

function configs(tasksPerConnector: Record<string, number>) {
  return {
    connectorNames: () => Object.keys(tasksPerConnector),
    taskConfigs: (name: string) => Array.from({ length: tasksPerConnector[name] ?? 0 }, () => ({})),
  }
}

const t = (connector: string, task: number): ConnectorTaskId => ({ connector, task })
const ids = (tasks: readonly ConnectorTaskId[]) => tasks.map((x) => `${x.connector}-${x.task}`).sort()

/** Runs rounds as a group would: each member reports what it ran after applying the previous round. */
class Group {
  readonly assignor: CooperativeAssignor
  readonly work = new Map<string, { connectors: string[]; tasks: ConnectorTaskId[] }>()
  generation = 0
  clock = 1_000_000

  constructor(maxDelayMs: number) {
    this.assignor = new CooperativeAssignor({ maxDelayMs, now: () => this.clock })
  }

  round(members: string[], config: Record<string, number>) {
    const reported: CooperativeMember[] = members.map((memberId) => ({
      memberId,
      connectors: this.work.get(memberId)?.connectors ?? [],
      tasks: this.work.get(memberId)?.tasks ?? [],
    }))
    const lastCompleted = this.generation
    this.generation++
    const result = this.assignor.assign(configs(config), reported, lastCompleted, this.generation)
    for (const gone of [...this.work.keys()]) if (!members.includes(gone)) this.work.delete(gone)
    for (const [memberId, changes] of result.members) this.work.set(memberId, changes.all)
    return result
  }
}

test('a fresh group: every connector and task dealt once, evenly, nothing revoked', () => {
  const group = new Group(300_000)
  const result = group.round(['w1', 'w2', 'w3'], { a: 2, b: 2, c: 2 })
  const all = [...result.members.values()]
  assert.deepEqual(all.flatMap((m) => m.connectors).sort(), ['a', 'b', 'c'])
  assert.deepEqual(ids(all.flatMap((m) => m.tasks)), ['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1'])
  for (const m of all) {
    assert.equal(m.connectors.length, 1)
    assert.equal(m.tasks.length, 2)
    assert.deepEqual(m.revokedConnectors, [])
    assert.deepEqual(m.revokedTasks, [])
  }
  assert.equal(result.delayMs, 0)
})

test('a worker joins: only the surplus is revoked from the busy members, then dealt to it; the rest never stops', () => {
  const group = new Group(300_000)
  group.round(['w1', 'w2'], { a: 3, b: 3 })
  const before = new Map([...group.work].map(([k, v]) => [k, ids(v.tasks)]))
  const first = group.round(['w1', 'w2', 'w3'], { a: 3, b: 3 })
  const revoked = [...first.members.values()].flatMap((m) => ids(m.revokedTasks))
  assert.equal(revoked.length, 2, 'two of six tasks move to the new worker')
  assert.deepEqual(first.members.get('w3')?.tasks, [], 'nothing is handed out in the revoking round')
  for (const w of ['w1', 'w2']) {
    const kept = ids(group.work.get(w)?.tasks ?? [])
    for (const task of kept) assert.ok(before.get(w)?.includes(task), `${w} keeps ${task} running`)
  }
  const second = group.round(['w1', 'w2', 'w3'], { a: 3, b: 3 })
  assert.deepEqual(ids(second.members.get('w3')?.tasks ?? []), revoked.sort(), 'the revoked tasks go to the new worker')
  assert.deepEqual(second.members.get('w1')?.tasks, [], 'the others start nothing')
  for (const m of second.members.values()) assert.deepEqual(m.revokedTasks, [])
  assert.deepEqual([...group.work.values()].map((w) => w.tasks.length).sort(), [2, 2, 2])
})

test('a departed worker: its work waits for the scheduled delay, goes to a worker that joins meanwhile, then at once', () => {
  const group = new Group(60_000)
  group.round(['w1', 'w2', 'w3'], { a: 1, b: 1, c: 1 })
  const lostTasks = ids(group.work.get('w3')?.tasks ?? [])
  const lostConnectors = group.work.get('w3')?.connectors ?? []
  const held = group.round(['w1', 'w2'], { a: 1, b: 1, c: 1 })
  assert.equal(held.delayMs, 60_000, 'members are told to wait the whole delay')
  for (const m of held.members.values()) {
    assert.deepEqual(m.tasks, [], 'the lost work is not handed out yet')
    assert.deepEqual(m.revokedTasks, [])
  }
  group.clock += 20_000
  const joined = group.round(['w1', 'w2', 'w4'], { a: 1, b: 1, c: 1 })
  assert.equal(joined.delayMs, 40_000, 'a rebalance inside the delay hands out what is left of it')
  assert.deepEqual(joined.members.get('w4')?.tasks, [])
  group.clock += 40_000
  const due = group.round(['w1', 'w2', 'w4'], { a: 1, b: 1, c: 1 })
  assert.equal(due.delayMs, 0)
  assert.deepEqual(ids(due.members.get('w4')?.tasks ?? []), lostTasks, 'the worker that joined gets the lost work')
  assert.deepEqual(due.members.get('w4')?.connectors, lostConnectors)
  assert.deepEqual(due.members.get('w1')?.tasks, [])
})

test("with scheduled.rebalance.max.delay.ms=0 a departed worker's work is reassigned in the same round", () => {
  const group = new Group(0)
  group.round(['w1', 'w2', 'w3'], { a: 2, b: 1 })
  const lost = ids(group.work.get('w3')?.tasks ?? [])
  assert.ok(lost.length > 0)
  const result = group.round(['w1', 'w2'], { a: 2, b: 1 })
  assert.equal(result.delayMs, 0)
  const handedOut = [...result.members.values()].flatMap((m) => ids(m.tasks)).sort()
  assert.deepEqual(handedOut, lost)
  assert.deepEqual(ids([...group.work.values()].flatMap((w) => w.tasks)), ['a-0', 'a-1', 'b-0'])
})

test('a deleted connector and fewer tasks: revoked from whoever runs them, nothing else moves', () => {
  const group = new Group(300_000)
  group.round(['w1', 'w2'], { a: 2, b: 2 })
  const result = group.round(['w1', 'w2'], { a: 1 })
  const revokedConnectors = [...result.members.values()].flatMap((m) => m.revokedConnectors)
  const revokedTasks = [...result.members.values()].flatMap((m) => ids(m.revokedTasks)).sort()
  assert.deepEqual(revokedConnectors, ['b'])
  assert.deepEqual(revokedTasks, ['a-1', 'b-0', 'b-1'])
  assert.deepEqual(ids([...group.work.values()].flatMap((w) => w.tasks)), ['a-0'])
})

test('a task two members report running is revoked from both, then assigned to one', () => {
  const group = new Group(300_000)
  const assignor = group.assignor
  const members: CooperativeMember[] = [
    { memberId: 'w1', connectors: ['a'], tasks: [t('a', 0)] },
    { memberId: 'w2', connectors: [], tasks: [t('a', 0)] },
  ]
  const first = assignor.assign(configs({ a: 1 }), members, -1, 1)
  assert.deepEqual(ids(first.members.get('w1')?.revokedTasks ?? []), ['a-0'])
  assert.deepEqual(ids(first.members.get('w2')?.revokedTasks ?? []), ['a-0'])
  const second = assignor.assign(
    configs({ a: 1 }),
    [
      { memberId: 'w1', connectors: ['a'], tasks: [] },
      { memberId: 'w2', connectors: [], tasks: [] },
    ],
    1,
    2,
  )
  const assigned = [...second.members.values()].flatMap((m) => ids(m.tasks))
  assert.deepEqual(assigned, ['a-0'], 'handed to exactly one member')
})
