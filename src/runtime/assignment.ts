// Which connectors and tasks a worker runs (Connect's assignment: connector names and task ids). The herder starts
// on its worker only what the assignment holds. Alone in its group (today's only mode) a worker is assigned every
// connector and task of the config store; in a group of workers the leader's assignment will take its place.
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

/** A worker alone in its group runs everything. */
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
