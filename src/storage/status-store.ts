// Connector and task statuses, and the topics each connector wrote to, kept in the status topic in Kafka Connect's
// format (keys status-connector-<name>, status-task-<name>-<n>, status-topic-<topic>:connector-<name>).
import type { ConnectorStateName, TaskStateName } from '../runtime/herder.ts'
import type { StatusBackingStore, StoredStatus, StoreLog } from './backing-stores.ts'

export class StatusStore implements StatusBackingStore {
  readonly #connectors = new Map<string, StoredStatus<ConnectorStateName>>()
  readonly #tasks = new Map<string, StoredStatus<TaskStateName>>()
  /** connector → topics it wrote to */
  readonly #topics = new Map<string, Set<string>>()
  #log: StoreLog | undefined

  attach(log: StoreLog): void {
    this.#log = log
  }

  apply(key: string | null, value: Buffer | null): void {
    if (!key) return
    const body = value ? (JSON.parse(value.toString('utf8')) as Record<string, unknown>) : null
    if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length)
      if (body) this.#connectors.set(name, body as unknown as StoredStatus<ConnectorStateName>)
      else this.#connectors.delete(name)
    } else if (key.startsWith('status-task-')) {
      const id = key.slice('status-task-'.length)
      if (body) this.#tasks.set(id, body as unknown as StoredStatus<TaskStateName>)
      else this.#tasks.delete(id)
    } else if (key.startsWith('status-topic-')) {
      const match = /^status-topic-(.*):connector-(.*)$/s.exec(key)
      if (!match) return
      const [, topic, connector] = match
      const topics = this.#topics.get(connector) ?? new Set()
      if (body) topics.add(topic)
      else topics.delete(topic)
      this.#topics.set(connector, topics)
    }
  }

  connector(name: string): StoredStatus<ConnectorStateName> | undefined {
    return this.#connectors.get(name)
  }

  task(name: string, task: number): StoredStatus<TaskStateName> | undefined {
    return this.#tasks.get(`${name}-${task}`)
  }

  topics(connector: string): string[] {
    return [...(this.#topics.get(connector) ?? [])].sort()
  }

  async putConnector(name: string, status: StoredStatus<ConnectorStateName>): Promise<void> {
    this.#connectors.set(name, status)
    await this.#write(`status-connector-${name}`, status)
  }

  async putTask(name: string, task: number, status: StoredStatus<TaskStateName>): Promise<void> {
    this.#tasks.set(`${name}-${task}`, status)
    await this.#write(`status-task-${name}-${task}`, status)
  }

  async removeConnector(name: string, taskCount: number): Promise<void> {
    this.#connectors.delete(name)
    await this.#write(`status-connector-${name}`, null)
    for (let i = 0; i < taskCount; i++) {
      this.#tasks.delete(`${name}-${i}`)
      await this.#write(`status-task-${name}-${i}`, null)
    }
  }

  async putTopic(connector: string, topic: string, task: number): Promise<void> {
    const topics = this.#topics.get(connector) ?? new Set()
    if (topics.has(topic)) return
    topics.add(topic)
    this.#topics.set(connector, topics)
    await this.#write(`status-topic-${topic}:connector-${connector}`, {
      topic: { name: topic, connector, task, discoverTimestamp: Date.now() },
    })
  }

  async resetTopics(connector: string): Promise<void> {
    const topics = this.topics(connector)
    this.#topics.delete(connector)
    for (const topic of topics) await this.#write(`status-topic-${topic}:connector-${connector}`, null)
  }

  async #write(key: string, value: unknown): Promise<void> {
    await this.#log?.send(key, value === null ? null : Buffer.from(JSON.stringify(value)))
  }
}
