// Which connectors and tasks a worker runs (Connect's assignment: connector names and task ids). The herder starts
// on its worker only what the assignment holds. A herder outside a group (unit tests) is assigned every connector and
// task of the config store; in a group of workers the leader computes every member's assignment (eagerAssignments)
// and each member runs what it was handed.
import { CONFIG_MISMATCH, type ConnectAssignment, NO_ERROR } from './connect-protocol.ts'
import type { ConnectorTaskId } from './herder.ts'

export interface Assignment {
  connectors: ReadonlySet<string>
  tasks: readonly ConnectorTaskId[]
}

/** The part of the config store an assignment is computed from. */
export interface AssignableConfigs {
  connectorNames(): string[]
  taskConfigs(name: string): readonly unknown[]
}

export interface Assignor {
  /** What `workerId` runs now, from the config store's current view. */
  assignment(workerId: string, configs: AssignableConfigs): Assignment
}

/** A worker alone (outside any group) runs everything. */
export const assignEverything: Assignor = {
  assignment(_workerId, configs) {
    const names = configs.connectorNames()
    return {
      connectors: new Set(names),
      tasks: names.flatMap((connector) => configs.taskConfigs(connector).map((_, task) => ({ connector, task }))),
    }
  },
}

/** The task numbers of one connector in an assignment, ascending. */
export function assignedTasks(assignment: Assignment, connector: string): number[] {
  return assignment.tasks
    .filter((id) => id.connector === connector)
    .map((id) => id.task)
    .sort((a, b) => a - b)
}

/** A group member as the leader sees it in JoinGroup: its id, REST URL and how far it has read the config topic. */
export interface MemberState {
  memberId: string
  url: string
  configOffset: bigint
  /** Cooperative protocols: what the member runs now, as it reports it (null or absent: nothing). */
  allocation?: { connectors: string[]; tasks: ConnectorTaskId[] } | null
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Connect's EagerAssignor: members sorted by id, connectors sorted by name dealt round-robin over them, then every
 * connector's tasks (connectors by name, tasks by number) dealt on from the same position of the circle — so
 * single-task connectors do not put every connector on even members and every task on odd ones. `leaderOffset` is
 * how far the leader has read the config topic (after reading to its end); when a member has read further, the
 * leader's view is stale and every member gets CONFIG_MISMATCH with no work (they read to the end and rejoin).
 */
export function eagerAssignments(
  leaderId: string,
  members: readonly MemberState[],
  leaderOffset: bigint,
  configs: AssignableConfigs,
): Map<string, ConnectAssignment> {
  const leader = members.find((m) => m.memberId === leaderId)
  if (!leader) throw new Error(`the leader ${leaderId} is not among the group's members`)
  const maxOffset = members.reduce((max, m) => (m.configOffset > max ? m.configOffset : max), leaderOffset)
  const ids = members.map((m) => m.memberId).sort(byString)
  const connectors = new Map<string, string[]>(ids.map((id) => [id, []]))
  const tasks = new Map<string, ConnectorTaskId[]>(ids.map((id) => [id, []]))
  const mismatch = maxOffset > leaderOffset
  if (!mismatch) {
    let next = 0
    const names = [...configs.connectorNames()].sort(byString)
    for (const name of names) connectors.get(ids[next++ % ids.length])?.push(name)
    for (const name of names) {
      const count = configs.taskConfigs(name).length
      for (let task = 0; task < count; task++) tasks.get(ids[next++ % ids.length])?.push({ connector: name, task })
    }
  }
  return new Map(
    ids.map((id) => [
      id,
      {
        error: mismatch ? CONFIG_MISMATCH : NO_ERROR,
        leader: leaderId,
        leaderUrl: leader.url,
        configOffset: mismatch ? maxOffset : leaderOffset,
        connectors: connectors.get(id) ?? [],
        tasks: tasks.get(id) ?? [],
      },
    ]),
  )
}
