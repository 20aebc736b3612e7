// One consumer group through the admin API: its state and members (client id, host, assigned partitions), its
// committed offsets with lag, the reset of its offsets (plan, then commit exactly the plan) and its deletion.
// Kafka refuses to move the offsets of, or delete, a group that has members; so do we, before asking, and Kafka's
// own refusal is mapped to the same 409.
import type { Admin } from '@platformatic/kafka'
import { ApiError, notFound, unreachable } from './errors.ts'
import { type PartitionOffsets, type PlannedReset, planReset, type ResetSpec } from './offset-reset.ts'

export interface GroupMemberView {
  id: string
  clientId: string
  host: string
  assignments: { topic: string; partitions: number[] }[]
}

export interface GroupDetail {
  group: string
  state: string
  protocol: string
  members: GroupMemberView[]
  offsets: { topic: string; partition: number; committed: number; end: number | null; lag: number | null }[]
}

/** Kafka's error names inside a client error (ProtocolError's apiId, nested in MultipleErrors). */
export function kafkaErrorIds(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return []
  const e = error as { apiId?: unknown; errors?: unknown[] }
  const own = typeof e.apiId === 'string' ? [e.apiId] : []
  return [...own, ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => kafkaErrorIds(x, depth + 1)) : [])]
}

const conflict = (message: string) => new ApiError(409, message)
const ACTIVE_MEMBER_ERRORS = ['NON_EMPTY_GROUP', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']

export class GroupAdmin {
  readonly #admin: Admin
  readonly #cluster: string
  constructor(admin: Admin, cluster: string) {
    this.#admin = admin
    this.#cluster = cluster
  }

  async #kafka<T>(work: Promise<T>, group: string): Promise<T> {
    try {
      return await work
    } catch (error) {
      const ids = kafkaErrorIds(error)
      if (ids.some((id) => ACTIVE_MEMBER_ERRORS.includes(id)))
        throw conflict(
          `Kafka refused: group "${group}" has active members (${ids.join(', ')}); stop its consumers first`,
        )
      if (ids.includes('GROUP_ID_NOT_FOUND')) throw notFound(`group "${group}" does not exist`)
      throw unreachable(`Kafka cluster ${this.#cluster}`, error)
    }
  }

  async describe(group: string): Promise<Omit<GroupDetail, 'offsets'>> {
    const groups = await this.#kafka(this.#admin.describeGroups({ groups: [group] }), group)
    const g = groups.get(group)
    if (!g || String(g.state).toUpperCase() === 'DEAD')
      throw notFound(`group "${group}" does not exist on Kafka cluster ${this.#cluster}`)
    return {
      group,
      state: g.state,
      protocol: g.protocol,
      members: [...g.members.values()].map((m) => ({
        id: m.id,
        clientId: m.clientId,
        host: m.clientHost,
        assignments: [...(m.assignments?.values() ?? [])].map((a) => ({ topic: a.topic, partitions: a.partitions })),
      })),
    }
  }

  async #committed(group: string): Promise<Map<string, Map<number, number>>> {
    const [answer] = await this.#kafka(this.#admin.listConsumerGroupOffsets({ groups: [group] }), group)
    const out = new Map<string, Map<number, number>>()
    for (const t of answer?.topics ?? []) {
      const m = new Map<number, number>()
      for (const p of t.partitions) if (p.committedOffset >= 0n) m.set(p.partitionIndex, Number(p.committedOffset))
      if (m.size > 0) out.set(t.name, m)
    }
    return out
  }

  async #listOffsets(topic: string, partitions: number[], timestamp: bigint): Promise<Map<number, number>> {
    const answer = await this.#kafka(
      this.#admin.listOffsets({
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      }),
      topic,
    )
    return new Map(answer.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, Number(p.offset)] as const)))
  }

  async detail(group: string): Promise<GroupDetail> {
    const [info, committed] = await Promise.all([this.describe(group), this.#committed(group)])
    const offsets: GroupDetail['offsets'] = []
    for (const [topic, parts] of committed) {
      const ends = await this.#listOffsets(topic, [...parts.keys()], -1n).catch(() => new Map<number, number>())
      for (const [partition, offset] of [...parts].sort((a, b) => a[0] - b[0])) {
        const end = ends.get(partition) ?? null
        offsets.push({ topic, partition, committed: offset, end, lag: end === null ? null : Math.max(0, end - offset) })
      }
    }
    return { ...info, offsets }
  }

  async #partitionsOf(topic: string): Promise<number[]> {
    let metadata: Awaited<ReturnType<Admin['metadata']>>
    try {
      metadata = await this.#admin.metadata({ topics: [topic] })
    } catch (error) {
      // The client reports Kafka's UNKNOWN_TOPIC_OR_PARTITION as its own "Unknown topic …" error.
      const unknown =
        kafkaErrorIds(error).includes('UNKNOWN_TOPIC_OR_PARTITION') || /^Unknown topic /.test((error as Error).message)
      if (unknown) throw notFound(`topic "${topic}" does not exist`)
      throw unreachable(`Kafka cluster ${this.#cluster}`, error)
    }
    const t = metadata.topics.get(topic)
    if (!t) throw notFound(`topic "${topic}" does not exist`)
    return t.partitions.map((_, i) => i)
  }

  /** The reset's plan (the preview): current → new offset and the lag change per partition. */
  async plan(group: string, spec: ResetSpec): Promise<PlannedReset[]> {
    const all = await this.#partitionsOf(spec.topic)
    const chosen = spec.partitions ?? all
    const missing = chosen.filter((p) => !all.includes(p))
    if (missing.length > 0)
      throw new ApiError(
        400,
        `"partitions": topic "${spec.topic}" has no partition ${missing.join(', ')} (it has 0–${all.length - 1})`,
      )
    const [committed, earliest, latest, atTimestamp] = await Promise.all([
      this.#committed(group),
      this.#listOffsets(spec.topic, chosen, -2n),
      this.#listOffsets(spec.topic, chosen, -1n),
      spec.to === 'timestamp' ? this.#listOffsets(spec.topic, chosen, BigInt(spec.timestamp ?? 0)) : null,
    ])
    const rows: PartitionOffsets[] = chosen.map((partition) => {
      const at = atTimestamp?.get(partition)
      return {
        partition,
        committed: committed.get(spec.topic)?.get(partition) ?? null,
        earliest: earliest.get(partition) ?? 0,
        latest: latest.get(partition) ?? 0,
        atTimestamp: at === undefined || at < 0 ? null : at,
      }
    })
    return planReset(spec, rows)
  }

  async #refuseIfActive(group: string, what: string): Promise<void> {
    const info = await this.describe(group).catch((error) => {
      // A group with no members and no offsets yet is "not found" by describe; a reset may create its offsets.
      if (error instanceof ApiError && error.status === 404 && what === 'reset') return null
      throw error
    })
    if (info && info.members.length > 0)
      throw conflict(
        `group "${group}" has ${info.members.length} active member(s) (state ${info.state}): ` +
          `Kafka only lets an empty group's offsets be ${what === 'reset' ? 'reset' : 'deleted'}; stop its consumers first`,
      )
  }

  /** Commits the plan computed now; returns it (what was committed). */
  async reset(group: string, spec: ResetSpec): Promise<PlannedReset[]> {
    await this.#refuseIfActive(group, 'reset')
    const plan = await this.plan(group, spec)
    await this.#kafka(
      this.#admin.alterConsumerGroupOffsets({
        groupId: group,
        topics: [
          {
            name: spec.topic,
            partitionOffsets: plan.map((r) => ({ partition: r.partition, offset: BigInt(r.target) })),
          },
        ],
      }),
      group,
    )
    return plan
  }

  async remove(group: string): Promise<void> {
    await this.#refuseIfActive(group, 'delete')
    await this.#kafka(this.#admin.deleteGroups({ groups: [group] }), group)
  }
}
