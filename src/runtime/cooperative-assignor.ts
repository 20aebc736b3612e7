// Connect's IncrementalCooperativeAssignor (KIP-415), run by the group's leader under the `compatible` and
// `sessioned` protocols. Unlike the eager assignor it hands each member only what changes: the connectors and tasks
// it should start, and those it should stop (revoked). A member keeps running everything else through a rebalance.
// - Deleted connectors/tasks are revoked from whoever runs them; duplicates (two members reporting one task) are
//   revoked from all of them and reassigned afterwards.
// - Work a departed member ran ("lost") is held back for scheduled.rebalance.max.delay.ms so a restarting worker gets
//   it back instead of a storm of moves; members are told the delay left and rejoin when it ends. A member that
//   joins empty-handed during the delay is a candidate to receive the lost work. With the delay 0 it moves at once.
// - When the load is uneven (a worker joined), the busiest members have the surplus revoked; the next rebalance
//   (members that revoked something rejoin at once) deals it to the least loaded. Successive revoking rebalances
//   back off exponentially (×40 from 1 ms up to the max delay), as upstream does to stop a revocation storm.
// State carried between rebalances (previous assignment, generation, members, the scheduled rebalance) lives in one
// instance per worker: only the leader uses it, and a new leader starts from the members' reported assignments.
import type { AssignableConfigs } from './assignment.ts'
import type { ConnectorTaskId } from './herder.ts'

/** Connectors and tasks as sets; tasks keyed by `taskKey` so equal ids are equal members. */
export interface ConnectorsAndTasks {
  connectors: Set<string>
  tasks: Map<string, ConnectorTaskId>
}

/** One member's current work as it reports it in its JoinGroup metadata (null: none, e.g. a new worker). */
export interface CooperativeMember {
  memberId: string
  connectors: readonly string[]
  tasks: readonly ConnectorTaskId[]
}

/** What the leader hands one member: what to start, what to stop, and the scheduled delay left. */
export interface MemberChanges {
  connectors: string[]
  tasks: ConnectorTaskId[]
  revokedConnectors: string[]
  revokedTasks: ConnectorTaskId[]
  /** Every connector and task the member runs after applying the changes (the leader's view, for forwarding). */
  all: { connectors: string[]; tasks: ConnectorTaskId[] }
}

export interface CooperativeResult {
  members: Map<string, MemberChanges>
  delayMs: number
}

const taskKey = (t: ConnectorTaskId) => `${t.connector}\u0000${t.task}`

/** Java's ConnectorTaskId order: connector name, then task number. */
export function compareTasks(a: ConnectorTaskId, b: ConnectorTaskId): number {
  if (a.connector !== b.connector) return a.connector < b.connector ? -1 : 1
  return a.task - b.task
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function empty(): ConnectorsAndTasks {
  return { connectors: new Set(), tasks: new Map() }
}

function of(connectors: Iterable<string>, tasks: Iterable<ConnectorTaskId>): ConnectorsAndTasks {
  const out = empty()
  for (const c of connectors) out.connectors.add(c)
  for (const t of tasks) out.tasks.set(taskKey(t), t)
  return out
}

function addAll(into: ConnectorsAndTasks, from: ConnectorsAndTasks): void {
  for (const c of from.connectors) into.connectors.add(c)
  for (const [k, t] of from.tasks) into.tasks.set(k, t)
}

function removeAll(from: ConnectorsAndTasks, what: ConnectorsAndTasks): void {
  for (const c of what.connectors) from.connectors.delete(c)
  for (const k of what.tasks.keys()) from.tasks.delete(k)
}

/** `base` minus every one of `subtract`. */
function diff(base: ConnectorsAndTasks, ...subtract: ConnectorsAndTasks[]): ConnectorsAndTasks {
  const out = of(base.connectors, base.tasks.values())
  for (const s of subtract) removeAll(out, s)
  return out
}

function isEmpty(a: ConnectorsAndTasks): boolean {
  return a.connectors.size === 0 && a.tasks.size === 0
}

/** Sorted as Java's TreeSet would iterate them (the order work is dealt in). */
function sortedConnectors(a: ConnectorsAndTasks): string[] {
  return [...a.connectors].sort(byString)
}

function sortedTasks(a: ConnectorsAndTasks): ConnectorTaskId[] {
  return [...a.tasks.values()].sort(compareTasks)
}

/** A member's load while the assignment is computed (Connect's WorkerLoad); lists keep the member's own order. */
interface WorkerLoad {
  worker: string
  connectors: string[]
  tasks: ConnectorTaskId[]
}

const loadOf = (worker: string, a: ConnectorsAndTasks): WorkerLoad => ({
  worker,
  connectors: [...a.connectors],
  tasks: [...a.tasks.values()],
})

function removeFromLoads(loads: WorkerLoad[], toRemove: Map<string, ConnectorsAndTasks>): void {
  for (const load of loads) {
    const remove = toRemove.get(load.worker)
    if (!remove) continue
    load.connectors = load.connectors.filter((c) => !remove.connectors.has(c))
    load.tasks = load.tasks.filter((t) => !remove.tasks.has(taskKey(t)))
  }
}

function addToMap(into: Map<string, ConnectorsAndTasks>, from: Map<string, ConnectorsAndTasks>): void {
  for (const [worker, a] of from) {
    const current = into.get(worker) ?? empty()
    addAll(current, a)
    into.set(worker, current)
  }
}

/** Per member, what of `what` it holds. */
function intersection(what: ConnectorsAndTasks, members: Map<string, ConnectorsAndTasks>) {
  const out = new Map<string, ConnectorsAndTasks>()
  for (const [worker, a] of members) {
    out.set(
      worker,
      of(
        [...a.connectors].filter((c) => what.connectors.has(c)),
        [...a.tasks.values()].filter((t) => what.tasks.has(taskKey(t))),
      ),
    )
  }
  return out
}

/** Kafka's ExponentialBackoff without jitter: initial × multiplier^attempts, capped at max. */
function exponentialBackoff(initial: number, multiplier: number, max: number, attempts: number): number {
  const expMax = max > initial ? Math.log(max / Math.max(initial, 1)) / Math.log(multiplier) : 0
  if (expMax === 0) return initial
  const value = Math.floor(initial * multiplier ** Math.min(attempts, expMax))
  return value > max ? max : value
}

export interface CooperativeAssignorOptions {
  /** scheduled.rebalance.max.delay.ms */
  maxDelayMs: number
  now?: () => number
}

export class CooperativeAssignor {
  readonly #maxDelay: number
  readonly #now: () => number
  #previousAssignment = empty()
  #previousRevocation = empty()
  #previousGenerationId = -1
  #previousMembers = new Set<string>()
  #revokedInPrevious = false
  #successiveRevokingRebalances = 0
  /** Delay handed to members in this round (0: none scheduled). */
  #delay = 0
  /** When the scheduled rebalance is due (epoch ms; 0: none). */
  #scheduledRebalance = 0
  readonly #candidateWorkers = new Set<string>()

  constructor(options: CooperativeAssignorOptions) {
    this.#maxDelay = options.maxDelayMs
    this.#now = options.now ?? Date.now
  }

  /**
   * Connect's performTaskAssignment: from the configured connectors and tasks and each member's reported work,
   * the changes per member. `lastCompletedGeneration` is the leader's last completed generation: when it is not the
   * one this assignor computed last, the remembered previous assignment may be stale and is dropped.
   */
  assign(
    configs: AssignableConfigs,
    members: readonly CooperativeMember[],
    lastCompletedGeneration: number,
    currentGeneration: number,
  ): CooperativeResult {
    if (this.#previousGenerationId !== lastCompletedGeneration) this.#previousAssignment = empty()

    const names = [...configs.connectorNames()].sort(byString)
    const configured = of(
      names,
      names.flatMap((connector) => configs.taskConfigs(connector).map((_, task) => ({ connector, task }))),
    )
    // Members in id order: upstream iterates a HashMap; a stable order makes the result reproducible.
    const sortedMembers = [...members].sort((a, b) => byString(a.memberId, b.memberId))
    const memberAssignments = new Map(sortedMembers.map((m) => [m.memberId, of(m.connectors, m.tasks)]))
    const active = empty()
    for (const a of memberAssignments.values()) addAll(active, a)

    if (!isEmpty(this.#previousRevocation)) {
      // Something revoked last round is still reported running: the previous assignment is not what runs.
      const stillRunning =
        [...this.#previousRevocation.connectors].some((c) => active.connectors.has(c)) ||
        [...this.#previousRevocation.tasks.keys()].some((k) => active.tasks.has(k))
      if (stillRunning) this.#previousAssignment = of(active.connectors, active.tasks.values())
      this.#previousRevocation = empty()
    }

    const deleted = diff(this.#previousAssignment, configured)
    const duplicated = this.#duplicated(memberAssignments)
    const lost = diff(this.#previousAssignment, active, deleted)
    const created = diff(configured, this.#previousAssignment, active)

    const current = sortedMembers.map((m) =>
      loadOf(m.memberId, diff(memberAssignments.get(m.memberId) ?? empty(), deleted)),
    )

    const toRevoke = new Map<string, ConnectorsAndTasks>()
    const deletedToRevoke = intersection(deleted, memberAssignments)
    addToMap(toRevoke, deletedToRevoke)
    const duplicatedToRevoke = intersection(duplicated, memberAssignments)
    addToMap(toRevoke, duplicatedToRevoke)

    const next = sortedMembers.map((m) => loadOf(m.memberId, memberAssignments.get(m.memberId) ?? empty()))
    removeFromLoads(next, deletedToRevoke)
    removeFromLoads(next, duplicatedToRevoke)

    const lostToReassign = this.#handleLost(lost, next)

    if (this.#delay === 0) {
      const balancing = this.#loadBalancingRevocations(configured, next)
      if (this.#revokedInPrevious && balancing.size > 0) {
        this.#successiveRevokingRebalances++
        this.#delay = exponentialBackoff(
          this.#maxDelay === 0 ? 0 : 1,
          40,
          this.#maxDelay,
          this.#successiveRevokingRebalances,
        )
        if (this.#delay !== 0) {
          this.#scheduledRebalance = this.#now() + this.#delay
        } else {
          addToMap(toRevoke, balancing)
          removeFromLoads(next, balancing)
        }
      } else if (balancing.size > 0) {
        addToMap(toRevoke, balancing)
        removeFromLoads(next, balancing)
        this.#revokedInPrevious = true
      } else if (this.#revokedInPrevious) {
        this.#revokedInPrevious = false
        this.#successiveRevokingRebalances = 0
      }
    } else {
      this.#revokedInPrevious = false
    }

    const toAssign = of(created.connectors, created.tasks.values())
    addAll(toAssign, lostToReassign)
    assignConnectors(next, sortedConnectors(toAssign))
    assignTasks(next, sortedTasks(toAssign))

    // The previous assignment for next time: everything now assigned, minus what is revoked, plus what is held back.
    const previous = empty()
    for (const load of next) addAll(previous, of(load.connectors, load.tasks))
    for (const revoked of toRevoke.values()) {
      removeAll(previous, revoked)
      addAll(this.#previousRevocation, revoked)
    }
    addAll(previous, lost)
    this.#previousAssignment = previous
    this.#previousGenerationId = currentGeneration
    this.#previousMembers = new Set(memberAssignments.keys())

    const result = new Map<string, MemberChanges>()
    for (const load of next) {
      const before = current.find((c) => c.worker === load.worker)
      const beforeConnectors = new Set(before?.connectors ?? [])
      const beforeTasks = new Set((before?.tasks ?? []).map(taskKey))
      const revoked = toRevoke.get(load.worker) ?? empty()
      const kept = diff(of(load.connectors, load.tasks), revoked)
      result.set(load.worker, {
        connectors: load.connectors.filter((c) => !beforeConnectors.has(c)),
        tasks: load.tasks.filter((t) => !beforeTasks.has(taskKey(t))),
        revokedConnectors: sortedConnectors(revoked),
        revokedTasks: sortedTasks(revoked),
        all: { connectors: sortedConnectors(kept), tasks: sortedTasks(kept) },
      })
    }
    return { members: result, delayMs: this.#delay }
  }

  #duplicated(memberAssignments: Map<string, ConnectorsAndTasks>): ConnectorsAndTasks {
    const connectorCounts = new Map<string, number>()
    const taskCounts = new Map<string, { id: ConnectorTaskId; n: number }>()
    for (const a of memberAssignments.values()) {
      for (const c of a.connectors) connectorCounts.set(c, (connectorCounts.get(c) ?? 0) + 1)
      for (const [k, id] of a.tasks) taskCounts.set(k, { id, n: (taskCounts.get(k)?.n ?? 0) + 1 })
    }
    return of(
      [...connectorCounts].filter(([, n]) => n > 1).map(([c]) => c),
      [...taskCounts.values()].filter(({ n }) => n > 1).map(({ id }) => id),
    )
  }

  /** Connect's handleLostAssignments: what of the lost work is reassigned now (some may go straight to candidates). */
  #handleLost(lost: ConnectorsAndTasks, next: WorkerLoad[]): ConnectorsAndTasks {
    const reassign = empty()
    if (isEmpty(lost) && !this.#revokedInPrevious) {
      this.#resetDelay()
      return reassign
    }
    const now = this.#now()
    const activeMembers = new Set(next.map((l) => l.worker))
    const everyPreviousMemberHere = [...this.#previousMembers].every((m) => activeMembers.has(m))
    if (this.#scheduledRebalance <= 0 && everyPreviousMemberHere) {
      // No member left: the work went missing because a member did not get its last assignment. Reassign it.
      addAll(reassign, lost)
      return reassign
    }
    if (this.#maxDelay === 0) {
      addAll(reassign, lost)
      return reassign
    }
    if (this.#scheduledRebalance > 0 && now >= this.#scheduledRebalance) {
      // The delay is over: lost work goes to members that joined empty-handed meanwhile, or is dealt to everyone.
      const candidates = next.filter((l) => this.#candidateWorkers.has(l.worker))
      if (candidates.length > 0) {
        let i = 0
        for (const connector of sortedConnectors(lost)) candidates[i++ % candidates.length]?.connectors.push(connector)
        i = 0
        for (const task of sortedTasks(lost)) candidates[i++ % candidates.length]?.tasks.push(task)
      } else {
        addAll(reassign, lost)
      }
      this.#resetDelay()
      this.#revokedInPrevious = false
    } else {
      for (const load of next) {
        if (load.connectors.length === 0 && load.tasks.length === 0) this.#candidateWorkers.add(load.worker)
      }
      if (now < this.#scheduledRebalance) {
        this.#delay = Math.min(this.#scheduledRebalance - now, this.#maxDelay)
      } else {
        this.#delay = this.#maxDelay
      }
      this.#scheduledRebalance = now + this.#delay
    }
    return reassign
  }

  #resetDelay(): void {
    this.#candidateWorkers.clear()
    this.#scheduledRebalance = 0
    this.#delay = 0
  }

  #loadBalancingRevocations(configured: ConnectorsAndTasks, workers: WorkerLoad[]): Map<string, ConnectorsAndTasks> {
    const result = new Map<string, ConnectorsAndTasks>()
    if (workers.every((w) => w.connectors.length === 0 && w.tasks.length === 0)) return result
    if (isEmpty(configured)) return result
    const connectors = revocations(configured.connectors.size, workers, (w) => w.connectors)
    const tasks = revocations(configured.tasks.size, workers, (w) => w.tasks)
    for (const [worker, revoked] of connectors) result.set(worker, of(revoked, []))
    for (const [worker, revoked] of tasks) {
      const current = result.get(worker) ?? empty()
      addAll(current, of([], revoked))
      result.set(worker, current)
    }
    return result
  }
}

/** Upstream loadBalancingRevocations: the surplus of every member above its fair share (a share + 1 for the first few). */
function revocations<E>(total: number, workers: WorkerLoad[], allocation: (w: WorkerLoad) => E[]): Map<string, E[]> {
  const result = new Map<string, E[]>()
  const min = Math.floor(total / workers.length)
  const extras = total % workers.length
  const atMin = workers.filter((w) => allocation(w).length === min).length
  const atExtra = workers.filter((w) => allocation(w).length === min + 1).length
  if (atExtra === extras && atMin + atExtra === workers.length) return result
  let allocatedExtras = 0
  for (const worker of workers) {
    const size = allocation(worker).length
    if (size <= min) continue
    let max: number
    if (allocatedExtras < extras) {
      allocatedExtras++
      if (size === min + 1) continue
      max = min + 1
    } else {
      max = min
    }
    result.set(worker.worker, allocation(worker).slice(0, size - max))
  }
  return result
}

/** Deals connectors to the least loaded members first (fewest connectors, then member id), as upstream. */
function assignConnectors(loads: WorkerLoad[], connectors: string[]): void {
  deal(
    loads,
    connectors,
    (w) => w.connectors.length,
    (w, c) => w.connectors.push(c),
  )
}

function assignTasks(loads: WorkerLoad[], tasks: ConnectorTaskId[]): void {
  deal(
    loads,
    tasks,
    (w) => w.tasks.length,
    (w, t) => w.tasks.push(t),
  )
}

/**
 * Upstream's dealing: sort by load; give one item each to every member as lightly loaded as the first, and repeat
 * (the comparison is against the first member's load as it grows, so the least loaded catch up first).
 */
function deal<E>(
  loads: WorkerLoad[],
  items: E[],
  size: (w: WorkerLoad) => number,
  give: (w: WorkerLoad, e: E) => void,
) {
  if (loads.length === 0) return
  loads.sort((a, b) => size(a) - size(b) || byString(a.worker, b.worker))
  const first = loads[0]
  let next = 0
  while (next < items.length) {
    const firstLoad = size(first)
    let upTo = loads.findIndex((w) => size(w) > firstLoad)
    if (upTo === -1) upTo = loads.length
    for (const worker of loads.slice(0, upTo)) {
      give(worker, items[next++] as E)
      if (next >= items.length) break
    }
  }
}
