// The herder's decisions, with the real stores on in-memory logs and a worker that only records what it is asked:
// what a config put, pause, resume, stop, delete and a task reconfiguration make the worker do, and that only the
// assigned connectors and tasks are started; in a group of workers, what an assignment, a revocation and a request
// to a worker that is not the leader do.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigDef } from '../../../src/config/config-def.ts'
import type { SourceConnectorPlugin } from '../../../src/connectors/plugin.ts'
import { ErrorCodes, FlowscopeError, RequestTargetError } from '../../../src/errors.ts'
import type { Assignor } from '../../../src/runtime/assignment.ts'
import {
  ConnectHerder,
  type ConnectHerderOptions,
  DEFAULT_INTER_WORKER,
  type InterWorkerSettings,
} from '../../../src/runtime/connect-herder.ts'
import { CONFIG_MISMATCH, type ConnectAssignment, NO_ERROR } from '../../../src/runtime/connect-protocol.ts'
import type { ConnectorTaskId, TargetState } from '../../../src/runtime/herder.ts'
import { LeaderRequestError } from '../../../src/runtime/leader-client.ts'
import { PluginRegistry } from '../../../src/runtime/plugins.ts'
import { signatureFromHeaders, signatureHeaders } from '../../../src/runtime/request-signature.ts'
import type { Worker } from '../../../src/runtime/worker.ts'
import { type MemoryStores, memoryStores } from '../support/memory-stores.ts'

const CLASS = 'test.StubSourceConnector'

const plugin: SourceConnectorPlugin = {
  className: CLASS,
  aliases: [],
  type: 'source',
  version: '1.2.3',
  configDef: new ConfigDef(),
  createConnector: () => ({ start: async () => {}, taskConfigs: async () => [], stop: async () => {} }),
  createTask: () => ({ start: async () => {}, poll: async () => [], stop: async () => {} }),
}

/** Runs nothing: writes down each request, and answers as a worker whose connectors all start. */
class RecordingWorker implements Worker {
  readonly workerId = 'worker-1:8083'
  readonly calls: string[] = []
  readonly running = new Set<string>()
  /** Running tasks, as `connector-task`. */
  readonly tasks = new Set<string>()
  /** What each running connector answers for its task configs. */
  taskConfigsOf: (name: string) => Record<string, string>[] = (name) => [{ task: `${name}-0` }, { task: `${name}-1` }]
  readonly reconfigure = new Map<string, () => void>()
  readonly taskConfigsStarted = new Map<string, Record<string, string>>()

  async startConnector(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<boolean> {
    this.calls.push(`startConnector ${name} ${target} v=${config.v ?? ''}`)
    this.reconfigure.set(name, requestTaskReconfiguration)
    if (target === 'STOPPED') return false
    this.running.add(name)
    return true
  }
  isRunning(name: string): boolean {
    return this.running.has(name)
  }
  async connectorTaskConfigs(name: string): Promise<Record<string, string>[]> {
    this.calls.push(`taskConfigs ${name}`)
    return this.taskConfigsOf(name)
  }
  async connectorFailed(name: string): Promise<void> {
    this.calls.push(`connectorFailed ${name}`)
    this.running.delete(name)
  }
  async restartConnectorInstance(name: string, _config: Record<string, string>, target: TargetState): Promise<void> {
    this.calls.push(`restartConnectorInstance ${name} ${target}`)
  }
  async stopConnector(name: string, markStopped: boolean): Promise<void> {
    this.calls.push(`stopConnector ${name}${markStopped ? ' markStopped' : ''}`)
    this.running.delete(name)
    for (const key of [...this.tasks]) if (key.startsWith(`${name}-`)) this.tasks.delete(key)
  }
  async connectorStopped(name: string): Promise<void> {
    this.calls.push(`connectorStopped ${name}`)
  }
  async removeConnector(name: string): Promise<void> {
    this.calls.push(`removeConnector ${name}`)
    this.running.delete(name)
    for (const key of [...this.tasks]) if (key.startsWith(`${name}-`)) this.tasks.delete(key)
  }
  async startTask(
    id: ConnectorTaskId,
    _connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): Promise<void> {
    this.calls.push(`startTask ${id.connector}-${id.task} ${target}`)
    this.taskConfigsStarted.set(`${id.connector}-${id.task}`, taskConfig)
    this.tasks.add(`${id.connector}-${id.task}`)
  }
  hasTask(id: ConnectorTaskId): boolean {
    return this.tasks.has(`${id.connector}-${id.task}`)
  }
  async restartTask(id: ConnectorTaskId, _c: Record<string, string>, _t: Record<string, string>, target: TargetState) {
    this.calls.push(`restartTask ${id.connector}-${id.task} ${target}`)
  }
  async stopTasks(name: string): Promise<void> {
    this.calls.push(`stopTasks ${name}`)
    for (const key of [...this.tasks]) if (key.startsWith(`${name}-`)) this.tasks.delete(key)
  }
  async setTargetState(name: string, target: 'PAUSED' | 'STARTED'): Promise<void> {
    this.calls.push(`setTargetState ${name} ${target}`)
  }
  async stop(): Promise<void> {
    this.calls.push('stop')
  }
  async release(only?: { connectors: readonly string[]; tasks: readonly ConnectorTaskId[] }): Promise<void> {
    if (!only) {
      this.calls.push('release')
      this.running.clear()
      this.tasks.clear()
      return
    }
    const tasks = only.tasks.map((t) => `${t.connector}-${t.task}`)
    this.calls.push(`release ${[...only.connectors, ...tasks].join(' ')}`)
    for (const name of only.connectors) this.running.delete(name)
    for (const key of tasks) this.tasks.delete(key)
  }
}

interface Harness {
  herder: ConnectHerder
  worker: RecordingWorker
  stores: MemoryStores
  rebalances: number[]
}

async function startedHerder(
  assignor?: Assignor,
  stores = memoryStores(),
  interWorker?: InterWorkerSettings,
): Promise<Harness> {
  const worker = new RecordingWorker()
  const rebalances: number[] = []
  const herder = new ConnectHerder({
    version: '4.1.1',
    commit: 'test',
    plugins: new PluginRegistry([plugin]),
    configs: stores.configs,
    offsets: stores.offsets,
    statuses: stores.statuses,
    worker,
    metrics: { recordRebalance: (ms) => rebalances.push(ms) },
    clusterId: async () => 'cluster-under-test',
    topicTrackingEnabled: true,
    topicTrackingAllowReset: true,
    ...(assignor ? { assignor } : {}),
    ...(interWorker ? { interWorker } : {}),
  })
  await herder.start()
  return { herder, worker, stores, rebalances }
}

const config = (extra: Record<string, string> = {}) => ({ 'connector.class': CLASS, 'tasks.max': '2', ...extra })

test('a new connector: its config is stored, then the worker starts it and the tasks of its stored task configs', async () => {
  const { herder, worker, stores } = await startedHerder()
  const { created, info } = await herder.putConnectorConfig('a', config(), { allowReplace: false })
  assert.equal(created, true)
  assert.deepEqual(info.tasks, [
    { connector: 'a', task: 0 },
    { connector: 'a', task: 1 },
  ])
  assert.equal(stores.configs.connectorConfig('a')?.name, 'a', 'the name is stored with the config')
  assert.equal(stores.configs.targetState('a'), 'STARTED')
  assert.deepEqual(worker.calls, [
    'startConnector a STARTED v=',
    'taskConfigs a',
    'startTask a-0 STARTED',
    'startTask a-1 STARTED',
  ])
  assert.deepEqual(worker.taskConfigsStarted.get('a-1'), { task: 'a-1' }, 'each task runs its stored task config')
  assert.equal(herder.serverInfo().kafka_cluster_id, 'cluster-under-test')
  assert.equal(herder.health().status, 'healthy')
})

test('created PAUSED: the connector and its tasks start paused; created STOPPED: nothing runs', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('p', config(), { allowReplace: false, initialState: 'PAUSED' })
  await herder.putConnectorConfig('s', config(), { allowReplace: false, initialState: 'STOPPED' })
  assert.deepEqual(worker.calls, [
    'startConnector p PAUSED v=',
    'taskConfigs p',
    'startTask p-0 PAUSED',
    'startTask p-1 PAUSED',
    'startConnector s STOPPED v=',
  ])
  assert.equal(stores.configs.targetState('s'), 'STOPPED')
  assert.deepEqual(stores.configs.taskConfigs('s'), [], 'a connector created STOPPED gets no task configs')
})

test('a replaced config stops the running connector before the new config starts', async () => {
  const { herder, worker } = await startedHerder()
  await herder.putConnectorConfig('a', config({ v: '1' }), { allowReplace: true })
  worker.calls.length = 0
  const { created } = await herder.putConnectorConfig('a', config({ v: '2' }), { allowReplace: true })
  assert.equal(created, false)
  assert.deepEqual(worker.calls.slice(0, 3), ['stopConnector a', 'startConnector a STARTED v=2', 'taskConfigs a'])
  await assert.rejects(
    herder.putConnectorConfig('a', config(), { allowReplace: false }),
    (e: unknown) => e instanceof FlowscopeError && e.code === ErrorCodes.CONFLICT,
  )
})

test('pause → the task target state PAUSED is stored and the worker pauses; resume → it runs again', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  worker.calls.length = 0
  await herder.pauseConnector('a')
  assert.equal(stores.configs.targetState('a'), 'PAUSED')
  await herder.resumeConnector('a')
  assert.equal(stores.configs.targetState('a'), 'STARTED')
  assert.deepEqual(worker.calls, ['setTargetState a PAUSED', 'setTargetState a STARTED'])
})

test('stop → tasks stopped and their configs emptied; resume after stop starts the connector afresh', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  worker.calls.length = 0
  await herder.stopConnector('a')
  assert.equal(stores.configs.targetState('a'), 'STOPPED')
  assert.deepEqual(stores.configs.taskConfigs('a'), [])
  assert.deepEqual(worker.calls, ['stopConnector a markStopped', 'connectorStopped a'])
  worker.calls.length = 0
  await herder.resumeConnector('a')
  assert.deepEqual(worker.calls, [
    'startConnector a STARTED v=',
    'taskConfigs a',
    'startTask a-0 STARTED',
    'startTask a-1 STARTED',
  ])
})

test('delete → the worker stops and forgets the connector; its config, target state and statuses are removed', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  await stores.statuses.putConnector('a', { state: 'RUNNING', trace: null, worker_id: worker.workerId, generation: 1 })
  worker.calls.length = 0
  await herder.deleteConnector('a')
  assert.deepEqual(worker.calls, ['removeConnector a'])
  assert.equal(stores.configs.connectorConfig('a'), undefined)
  assert.equal(stores.statuses.connector('a'), undefined)
  assert.deepEqual(herder.connectors(), [])
  await assert.rejects(
    herder.deleteConnector('a'),
    (e: unknown) => e instanceof FlowscopeError && e.code === 'NOT_FOUND',
  )
})

test('an invalid config is refused with every error, and the worker is never asked to run it', async () => {
  const { herder, worker, stores } = await startedHerder()
  await assert.rejects(
    herder.putConnectorConfig('a', config({ 'tasks.max': '0' }), { allowReplace: false }),
    (e: unknown) => e instanceof FlowscopeError && e.code === ErrorCodes.INVALID_CONFIG && /tasks\.max/.test(e.message),
  )
  assert.deepEqual(worker.calls, [])
  assert.equal(stores.logs.configs.records.length, 0, 'nothing was written to the config topic')
})

test('a connector asking for reconfiguration: tasks restart only when its task configs changed', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  worker.calls.length = 0
  const reconfigure = worker.reconfigure.get('a')
  assert.ok(reconfigure)
  reconfigure()
  await herder.pauseConnector('a') // management calls run one at a time: the reconfiguration ran first

  assert.deepEqual(worker.calls, ['taskConfigs a', 'setTargetState a PAUSED'], 'unchanged configs: tasks left alone')
  worker.calls.length = 0
  worker.taskConfigsOf = () => [{ task: 'only' }]
  reconfigure()
  await herder.resumeConnector('a')
  assert.deepEqual(worker.calls, ['taskConfigs a', 'stopTasks a', 'startTask a-0 PAUSED', 'setTargetState a STARTED'])
  assert.deepEqual(stores.configs.taskConfigs('a'), [{ task: 'only' }])
})

test('start: only the assigned connectors and tasks are started on this worker', async () => {
  const stores = memoryStores()
  for (const name of ['a', 'b']) {
    await stores.configs.putConnectorConfig(name, { ...config(), name }, 'STARTED')
    await stores.configs.putTaskConfigs(name, [{ task: `${name}-0` }, { task: `${name}-1` }])
  }
  const onlyB1: Assignor = {
    assignment: () => ({ connectors: new Set(['b']), tasks: [{ connector: 'b', task: 1 }] }),
  }
  const { worker, rebalances } = await startedHerder(onlyB1, stores)
  assert.deepEqual(worker.calls, ['startConnector b STARTED v=', 'taskConfigs b', 'startTask b-1 STARTED'])
  assert.equal(rebalances.length, 1, 'the start-up assignment counts as one rebalance')
})

test('alone in its group, a restarted herder starts every stored connector in its target state', async () => {
  const stores = memoryStores()
  await stores.configs.putConnectorConfig('a', { ...config(), name: 'a' }, 'PAUSED')
  await stores.configs.putTaskConfigs('a', [{ task: 'a-0' }, { task: 'a-1' }])
  await stores.configs.putConnectorConfig('b', { ...config(), name: 'b' }, 'STOPPED')
  const { worker } = await startedHerder(undefined, stores)
  assert.deepEqual(worker.calls, [
    'startConnector a PAUSED v=',
    'taskConfigs a',
    'startTask a-0 PAUSED',
    'startTask a-1 PAUSED',
    'startConnector b STOPPED v=',
  ])
})

test('a failed task is restarted on the worker; an unknown task is NOT_FOUND', async () => {
  const { herder, worker } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  worker.calls.length = 0
  await herder.restartTask('a', 1)
  assert.deepEqual(worker.calls, ['restartTask a-1 STARTED'])
  assert.throws(
    () => herder.restartTask('a', 2),
    (e: unknown) => e instanceof FlowscopeError && e.code === 'NOT_FOUND',
  )
})

// ---- in a group of workers -----------------------------------------------------------------------------------------

interface GroupHarness extends Harness {
  rejoins: string[]
  assignments: [number, number][]
  /** The leader URL and protocol each assignment reported (recordGroup). */
  groups: string[]
}

/** A herder in a group, over stores already holding connectors a and b with the task configs their connectors make. */
async function groupHerder(extra: Partial<ConnectHerderOptions> = {}): Promise<GroupHarness> {
  const stores = memoryStores()
  for (const name of ['a', 'b']) {
    await stores.configs.putConnectorConfig(name, { ...config(), name }, 'STARTED')
    await stores.configs.putTaskConfigs(name, [{ task: `${name}-0` }, { task: `${name}-1` }])
  }
  const worker = new RecordingWorker()
  const rebalances: number[] = []
  const assignments: [number, number][] = []
  const groups: string[] = []
  const herder = new ConnectHerder({
    version: '4.1.1',
    commit: 'test',
    plugins: new PluginRegistry([plugin]),
    configs: stores.configs,
    offsets: stores.offsets,
    statuses: stores.statuses,
    worker,
    metrics: {
      recordRebalance: (ms) => rebalances.push(ms),
      recordAssignment: (connectors, tasks) => assignments.push([connectors, tasks]),
      recordGroup: (leaderUrl, protocol) => groups.push(`${leaderUrl} ${protocol}`),
    },
    clusterId: async () => 'cluster-under-test',
    topicTrackingEnabled: true,
    topicTrackingAllowReset: true,
    group: true,
    ...extra,
  })
  const rejoins: string[] = []
  herder.attachGroup({
    requestRejoin: (reason) => rejoins.push(reason),
    leaveAndBackOff: (ms, reason) => rejoins.push(`leave and back off ${ms} ms: ${reason}`),
  })
  await herder.start()
  return { herder, worker, stores, rebalances, rejoins, assignments, groups }
}

const assignment = (stores: MemoryStores, extra: Partial<ConnectAssignment> = {}): ConnectAssignment => ({
  error: NO_ERROR,
  leader: 'member-1',
  leaderUrl: 'http://worker-1:8083',
  configOffset: stores.configs.offset,
  connectors: [],
  tasks: [],
  ...extra,
})

test('in a group: nothing runs before the first assignment, then exactly what it holds', async () => {
  const { herder, worker, stores, assignments, groups } = await groupHerder()
  assert.deepEqual(worker.calls, [])
  assert.deepEqual(groups, [], 'no leader or protocol reported before the first assignment')
  assert.equal(herder.health().status, 'starting')
  const applied = await herder.assigned(
    assignment(stores, { connectors: ['a'], tasks: [{ connector: 'b', task: 1 }] }),
    4,
    'member-2',
  )
  assert.equal(applied, true)
  // Connector a (its task configs unchanged, so none written) and task b-1; not a's tasks, not connector b.
  assert.deepEqual(worker.calls, ['startConnector a STARTED v=', 'taskConfigs a', 'startTask b-1 STARTED'])
  assert.deepEqual(worker.taskConfigsStarted.get('b-1'), { task: 'b-1' })
  assert.equal(herder.health().status, 'healthy')
  assert.equal(herder.isLeader(), false)
  assert.equal(herder.leaderUrl(), 'http://worker-1:8083')
  assert.deepEqual(assignments, [[1, 1]])
  assert.deepEqual(groups, ['http://worker-1:8083 default'])
  await herder.assigned(assignment(stores, { leaderUrl: 'http://worker-3:8083' }), 5, 'member-2', 'sessioned')
  assert.deepEqual(groups, ['http://worker-1:8083 default', 'http://worker-3:8083 sessioned'])
})

test('in a group: a follower refuses config changes naming the leader; the leader writes them and rejoins', async () => {
  const follower = await groupHerder()
  await follower.herder.assigned(assignment(follower.stores), 4, 'member-2')
  for (const change of [
    () => follower.herder.putConnectorConfig('c', config(), { allowReplace: false }),
    () => follower.herder.pauseConnector('a'),
    () => follower.herder.deleteConnector('a'),
    () => follower.herder.restartConnector('a', { includeTasks: true, onlyFailed: false }),
  ]) {
    await assert.rejects(change(), (error: unknown) => {
      assert.ok(error instanceof RequestTargetError, String(error))
      assert.equal(error.forwardUrl, 'http://worker-1:8083')
      return true
    })
  }
  assert.equal(follower.stores.configs.connectorConfig('c'), undefined, 'nothing written by a follower')

  const leader = await groupHerder()
  await leader.herder.assigned(assignment(leader.stores), 4, 'member-1')
  assert.equal(leader.herder.isLeader(), true)
  await leader.herder.putConnectorConfig('c', config(), { allowReplace: false })
  assert.ok(leader.stores.configs.connectorConfig('c'))
  assert.deepEqual(leader.rejoins, ['connector c changed'], 'a new connector needs a new assignment')
  assert.equal(leader.worker.running.has('c'), false, 'not started before it is assigned')
})

test('in a group: the leader points a restart of a task running elsewhere to the worker running it', async () => {
  const { herder, stores } = await groupHerder()
  const members = [
    { memberId: 'member-1', url: 'http://worker-1:8083', configOffset: stores.configs.offset },
    { memberId: 'member-2', url: 'http://worker-2:8083', configOffset: stores.configs.offset },
  ]
  const all = await herder.performAssignment('member-1', members)
  const mine = all.get('member-1')
  assert.ok(mine)
  await herder.assigned(mine, 2, 'member-1')
  const elsewhere = all.get('member-2')?.tasks[0]
  assert.ok(elsewhere, 'member-2 runs a task')
  await assert.rejects(herder.restartTask(elsewhere.connector, elsewhere.task), (error: unknown) => {
    assert.ok(error instanceof RequestTargetError)
    assert.equal(error.forwardUrl, 'http://worker-2:8083')
    return true
  })
})

test('in a group: revocation stops everything; an assignment the config view has not reached is not applied', async () => {
  const { herder, worker, stores, rejoins } = await groupHerder()
  await herder.assigned(assignment(stores, { connectors: ['a'] }), 1, 'member-1')
  await herder.revoked()
  assert.equal(worker.calls.at(-1), 'release')
  worker.calls.length = 0
  const ahead = await herder.assigned(
    assignment(stores, { connectors: ['b'], configOffset: stores.configs.offset + 5n }),
    2,
    'member-1',
  )
  assert.equal(ahead, false)
  assert.deepEqual(worker.calls, [], 'nothing started on a stale view')
  const mismatch = await herder.assigned(assignment(stores, { error: CONFIG_MISMATCH }), 3, 'member-1')
  assert.equal(mismatch, false)
  // Not caught up within worker.sync.timeout.ms: the member leaves for worker.unsync.backoff.ms (Connect's defaults).
  assert.deepEqual(rejoins, [
    'leave and back off 300000 ms: config topic behind the assignment',
    'config offset mismatch',
  ])
})

test('internal task-config POST: written by the leader; with validation on, the signature must match the session key', async () => {
  const { herder, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  const body = Buffer.from('[{"task":"x"}]')
  const key = Buffer.alloc(32, 9)
  const signed = (with_: Buffer) => signatureFromHeaders(body, signatureHeaders(body, with_, 'HmacSHA256'))

  // Validation off (the default): no signature needed.
  await herder.putTaskConfigs('a', [{ task: 'x' }], null)
  assert.deepEqual(stores.configs.taskConfigs('a'), [{ task: 'x' }])
  await assert.rejects(herder.putTaskConfigs('nope', [], null), /Connector nope not found/)

  herder.setRequestValidation(true)
  const status = (e: unknown) => (e instanceof FlowscopeError ? e.status : 0)
  await assert.rejects(herder.putTaskConfigs('a', [{ task: 'y' }], null), (e) => status(e) === 400)
  await assert.rejects(herder.putTaskConfigs('a', [{ task: 'y' }], signed(key)), (e) => status(e) === 503)
  await stores.configs.putSessionKey({ key, algorithm: 'HmacSHA256', creationTimestamp: Date.now() })
  await assert.rejects(
    herder.putTaskConfigs('a', [{ task: 'y' }], signed(Buffer.alloc(32, 1))),
    (e) => status(e) === 403,
  )
  assert.deepEqual(stores.configs.taskConfigs('a'), [{ task: 'x' }], 'nothing written on a refused request')
  await herder.putTaskConfigs('a', [{ task: 'y' }], signed(key))
  assert.deepEqual(stores.configs.taskConfigs('a'), [{ task: 'y' }])

  await herder.stopConnector('a')
  await assert.rejects(
    herder.putTaskConfigs('a', [{ task: 'z' }], signed(key)),
    /Cannot submit non-empty set of task configs for stopped connector a/,
  )
  await herder.stop()
})

test('ensureSessionKey: the leader writes a key only with validation on, and again once it has expired', async () => {
  const { herder, stores } = await startedHerder()
  assert.equal(await herder.ensureSessionKey(), false, 'validation off: no key')
  assert.equal(stores.configs.sessionKey(), undefined)
  herder.setRequestValidation(true)
  const now = Date.now()
  assert.equal(await herder.ensureSessionKey(now), true)
  const first = stores.configs.sessionKey()
  assert.equal(first?.algorithm, 'HmacSHA256')
  assert.equal(first?.key.length, 32)
  assert.equal(first?.creationTimestamp, now)
  assert.equal(await herder.ensureSessionKey(now + 1000), false, 'a current key is kept')
  assert.equal(await herder.ensureSessionKey(now + 3_600_000), true, 'expired after inter.worker.key.ttl.ms')
  assert.notDeepEqual(stores.configs.sessionKey()?.key, first?.key)
  assert.equal(stores.logs.configs.records.filter((r) => r.key === 'session-key').length, 2)
  await herder.stop()
})

test('the leader rotates the session key when it expires, and retries a failed write', async () => {
  const stores = memoryStores()
  const { herder } = await startedHerder(undefined, stores, { ...DEFAULT_INTER_WORKER, keyTtlMs: 300 })
  herder.setRequestValidation(true)
  // The first write fails (broker unavailable): not thrown at the rebalance path, tried again a second later.
  const write = stores.configs.putSessionKey.bind(stores.configs)
  let failures = 1
  stores.configs.putSessionKey = async (key) => {
    if (failures-- > 0) throw new Error('broker unavailable')
    await write(key)
  }
  assert.equal(await herder.ensureSessionKey(), false)
  const keys = () => stores.logs.configs.records.filter((r) => r.key === 'session-key').length
  assert.equal(keys(), 0)
  const deadline = Date.now() + 5_000
  while (keys() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  // The retried write, then a rotation every 300 ms.
  assert.ok(keys() >= 3, `keys written: ${keys()}`)
  await herder.stop()
  const afterStop = keys()
  await new Promise((resolve) => setTimeout(resolve, 700))
  assert.equal(keys(), afterStop, 'no rotation after stop')
})

test('a task reconfiguration that fails is retried after a backoff, asking the connector again', async () => {
  const { herder, worker, stores } = await startedHerder()
  await herder.putConnectorConfig('a', config(), { allowReplace: false })
  let failures = 2
  worker.taskConfigsOf = () => {
    if (failures-- > 0) throw new Error('source database unreachable')
    return [{ task: 'after-retry' }]
  }
  worker.calls.length = 0
  const started = Date.now()
  worker.reconfigure.get('a')?.()
  const deadline = started + 5_000
  while (stores.configs.taskConfigs('a')[0]?.task !== 'after-retry' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.deepEqual(stores.configs.taskConfigs('a'), [{ task: 'after-retry' }])
  // Two failures: retried after 250 ms, then 500 ms.
  assert.ok(Date.now() - started >= 700, `written ${Date.now() - started} ms after the request`)
  assert.equal(worker.calls.filter((c) => c === 'taskConfigs a').length, 3)
  await herder.stop()
})

// ---- zombie fencing (KIP-618) ----------------------------------------------------------------------------------------

/** A group herder recording the fencings it performs and the ones it asks the leader for. */
async function fencingHerder(memberId: string) {
  const fenced: string[] = []
  const asked: string[] = []
  const harness = await groupHerder({
    fenceZombies: async (connector, taskCount) => {
      fenced.push(`${connector} ${taskCount}`)
    },
    requestLeaderFence: async (request) => {
      asked.push(`${request.leaderUrl} ${request.connector}`)
    },
  })
  await harness.herder.assigned(assignment(harness.stores, { tasks: [{ connector: 'a', task: 0 }] }), 1, memberId)
  const taskCountRecords = () =>
    harness.stores.logs.configs.records.filter((r) => r.key.startsWith('tasks-fencing-')).map((r) => r.value)
  return { ...harness, fenced, asked, taskCountRecords }
}

test('zombie fencing on the leader: first the task-count record only, then after a shrink the old ids fenced and the new count recorded', async () => {
  const { herder, stores, fenced, taskCountRecords } = await fencingHerder('member-1')
  assert.equal(stores.configs.pendingFencing('a'), true)
  // No task-count record yet: no transactional producer ran, so nothing to fence; the record is written.
  await herder.fenceZombieSourceTasks('a', null)
  assert.deepEqual(fenced, [])
  assert.deepEqual(taskCountRecords(), [{ 'task-count': 2 }])
  // Nothing pending any more: nothing fenced, nothing written.
  await herder.fenceZombieSourceTasks('a', null)
  assert.deepEqual(taskCountRecords(), [{ 'task-count': 2 }])

  await stores.configs.putTaskConfigs('a', [{ task: 'a-0' }])
  await herder.fenceZombieSourceTasks('a', null)
  assert.deepEqual(fenced, ['a 2'], "the previous generation's ids 0..1")
  assert.deepEqual(taskCountRecords(), [{ 'task-count': 2 }, { 'task-count': 1 }])
  assert.equal(stores.configs.pendingFencing('a'), false)

  // 1 → 1: the new task 0's producer fences the old one itself; only the record is written.
  await stores.configs.putTaskConfigs('a', [{ task: 'a-0', v: '2' }])
  await herder.fenceZombieSourceTasks('a', null)
  assert.deepEqual(fenced, ['a 2'])
  assert.deepEqual(taskCountRecords().at(-1), { 'task-count': 1 })
  assert.equal(taskCountRecords().length, 3)
})

test('zombie fencing: concurrent requests share one round; new task configs during it fail it with 409 and no record', async () => {
  const fenced: string[] = []
  let release: () => void = () => {}
  let duringFencing: () => Promise<void> = async () => {}
  const { herder, stores } = await groupHerder({
    fenceZombies: async (connector, taskCount) => {
      fenced.push(`${connector} ${taskCount}`)
      await new Promise<void>((resolve) => {
        release = resolve
      })
      await duringFencing()
    },
  })
  await herder.assigned(assignment(stores), 1, 'member-1')
  await stores.configs.putTaskCountRecord('a', 2)
  await stores.configs.putTaskConfigs('a', [{ task: 'a-0' }])
  const first = herder.fenceZombieSourceTasks('a', null)
  const second = herder.fenceZombieSourceTasks('a', null)
  await new Promise((resolve) => setImmediate(resolve))
  release()
  await Promise.all([first, second])
  assert.deepEqual(fenced, ['a 2'], 'one round for both')
  assert.equal(stores.configs.taskCountRecord('a'), 1)

  await stores.configs.putTaskConfigs('a', [{ task: 'a-0' }, { task: 'a-1' }])
  duringFencing = () => stores.configs.putTaskConfigs('a', [{ task: 'a-0', v: 'newer' }])
  const racing = herder.fenceZombieSourceTasks('a', null)
  await new Promise((resolve) => setImmediate(resolve))
  release()
  await assert.rejects(racing, (error: unknown) => {
    assert.ok(error instanceof FlowscopeError)
    assert.equal(error.code, ErrorCodes.CONFLICT)
    assert.equal(error.message, 'Fencing failed because new task configurations were generated for the connector')
    return true
  })
  assert.equal(stores.configs.taskCountRecord('a'), 1, 'no record after a failed round')
  assert.equal(stores.configs.pendingFencing('a'), true)
})

test("zombie fencing: a follower refuses it naming the leader, and its task's preflight asks the leader; unknown connectors are 404", async () => {
  const { herder, stores, fenced, asked, taskCountRecords } = await fencingHerder('member-2')
  await assert.rejects(herder.fenceZombieSourceTasks('a', null), (error: unknown) => {
    assert.ok(error instanceof RequestTargetError)
    assert.equal(error.message, 'Only the leader may perform zombie fencing.')
    assert.equal(error.forwardUrl, 'http://worker-1:8083')
    return true
  })
  await herder.exactlyOncePreflight({ connector: 'a', task: 0 }).beforeProducer()
  assert.deepEqual(asked, ['http://worker-1:8083 a'])
  assert.deepEqual(fenced, [])
  assert.deepEqual(taskCountRecords(), [], 'a follower writes no task-count record')
  assert.ok(stores.configs.pendingFencing('a'))

  const leader = await fencingHerder('member-1')
  await assert.rejects(leader.herder.fenceZombieSourceTasks('nope', null), (error: unknown) => {
    assert.ok(error instanceof FlowscopeError)
    assert.equal(error.code, ErrorCodes.NOT_FOUND)
    assert.equal(error.message, 'Connector nope not found')
    return true
  })
})

test("exactly-once preflight after the producer started: Connect's errors for newer task configs and a revoked task", async () => {
  const { herder, stores } = await fencingHerder('member-1')
  const current = herder.exactlyOncePreflight({ connector: 'a', task: 0 })
  await current.afterProducer()

  await stores.configs.putTaskConfigs('a', [{ task: 'a-0', v: 'newer' }])
  await assert.rejects(current.afterProducer(), {
    message:
      'Cannot start source task a-0 with exactly-once support as the connector has already generated a new set of task configs',
  })
  await assert.rejects(herder.exactlyOncePreflight({ connector: 'a', task: 1 }).afterProducer(), {
    message: 'Cannot start source task a-1 as it has already been revoked from this worker',
  })
})

test('with exactly-once support, altering or resetting a stopped connector offsets first fences its last task generation', async () => {
  const fenced: string[] = []
  const { herder, stores } = await groupHerder({
    exactlyOnceSourceSupport: true,
    fenceZombies: async (connector, taskCount) => {
      fenced.push(`${connector} ${taskCount}`)
    },
  })
  await herder.assigned(assignment(stores), 1, 'member-1')
  await stores.configs.putTaskCountRecord('a', 2)
  await herder.stopConnector('a')
  assert.equal(stores.configs.pendingFencing('a'), true, 'the stop wrote an empty set of task configs')
  const message = await herder.alterConnectorOffsets('a', [{ partition: { t: 'x' }, offset: { id: 1 } }])
  assert.equal(message, 'The offsets for this connector have been altered successfully')
  assert.deepEqual(fenced, ['a 2'])
  assert.equal(stores.configs.taskCountRecord('a'), 0)
  await herder.resetConnectorOffsets('a')
  assert.deepEqual(fenced, ['a 2'], 'nothing pending any more')
})

test('zombie fencing from another worker with request validation on: unsigned 400, wrong key 403, signed done', async () => {
  const { herder, stores, fenced, taskCountRecords } = await fencingHerder('member-1')
  herder.setRequestValidation(true)
  const key = Buffer.alloc(32, 4)
  await stores.configs.putSessionKey({ key, algorithm: 'HmacSHA256', creationTimestamp: Date.now() })
  const empty = Buffer.alloc(0)
  const signed = (with_: Buffer) => signatureFromHeaders(empty, signatureHeaders(empty, with_, 'HmacSHA256'))
  const status = (e: unknown) => (e instanceof FlowscopeError ? e.status : 0)
  await assert.rejects(herder.fenceZombieSourceTasks('a', null), (e) => status(e) === 400)
  await assert.rejects(herder.fenceZombieSourceTasks('a', signed(Buffer.alloc(32, 1))), (e) => status(e) === 403)
  assert.deepEqual(taskCountRecords(), [], 'nothing done on a refused request')
  await herder.fenceZombieSourceTasks('a', signed(key))
  assert.deepEqual(taskCountRecords(), [{ 'task-count': 2 }])
  assert.deepEqual(fenced, [])
})

test("a follower's preflight retries while the leader has no session key (503), then sends it signed", async () => {
  const sent: string[] = []
  const { herder, stores } = await groupHerder({
    requestLeaderFence: async (request) => {
      sent.push(request.sessionKey ? 'signed' : 'unsigned')
      if (sent.length === 1) throw new LeaderRequestError(503, 'no session key yet')
    },
  })
  await herder.assigned(assignment(stores, { tasks: [{ connector: 'a', task: 0 }] }), 1, 'member-2')
  const preflight = herder.exactlyOncePreflight({ connector: 'a', task: 0 }).beforeProducer()
  while (sent.length === 0) await new Promise((resolve) => setImmediate(resolve))
  await stores.configs.putSessionKey({ key: Buffer.alloc(32, 2), algorithm: 'HmacSHA256', creationTimestamp: 1 })
  await preflight
  assert.deepEqual(sent, ['unsigned', 'signed'])

  // Any other refusal fails the task's preflight at once, naming the leader and its answer.
  const refusing = await groupHerder({
    requestLeaderFence: async () => {
      throw new LeaderRequestError(404, 'Connector a not found')
    },
  })
  await refusing.herder.assigned(assignment(refusing.stores), 1, 'member-2')
  await assert.rejects(refusing.herder.exactlyOncePreflight({ connector: 'a', task: 0 }).beforeProducer(), {
    message:
      'Forwarding zombie fencing request to the leader at http://worker-1:8083 failed with 404: Connector a not found',
  })
})
