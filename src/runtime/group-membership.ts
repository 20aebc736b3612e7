// The worker's membership of its Connect group: it joins Kafka's group coordinator under its `group.id` with protocol
// type `connect` (as Connect's WorkerGroupMember does), offering Connect's eager `default` protocol with Connect's
// member metadata (its REST URL), keeps heartbeating, and leaves the group on stop. Until distributed mode exists
// (issue #11), one live worker per group.id runs the connectors: a worker that finds another live member at start-up
// — a flowscope worker or a real Kafka Connect worker — refuses to start, naming that member and what to do.
// In: bootstrap servers, group.id, this worker's client id and URL. Out: a joined membership, or GroupConflictError.
import {
  Connection,
  describeGroupsV5,
  findCoordinatorV6,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  syncGroupV5,
} from '@platformatic/kafka'
import { ErrorCodes, FlowscopeError, messageOf } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { KafkaClientNetwork } from '../metrics/kafka-client-network.ts'

export const CONNECT_PROTOCOL_TYPE = 'connect'
/** ConnectProtocolCompatibility.EAGER: every Connect worker offers it, so a mixed group still agrees on one. */
export const EAGER_PROTOCOL = 'default'
const GROUP_KEY_TYPE = 0 // FindCoordinatorKeyTypes.GROUP

export interface GroupMembershipOptions {
  bootstrapServers: string[]
  groupId: string
  clientId: string
  /** This worker's advertised REST URL (Connect's member metadata `url`). */
  url: string
  /** Connect's defaults: session.timeout.ms 10 s, rebalance.timeout.ms 60 s, heartbeat.interval.ms 3 s. */
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Counts this membership's connections (kafka_connect_connect_metrics_* of the worker's client id). */
  network?: KafkaClientNetwork
}

/** Another live member holds the group: this worker must not run its connectors. */
export class GroupConflictError extends FlowscopeError {
  constructor(message: string) {
    super(ErrorCodes.STARTUP, message)
    this.name = 'GroupConflictError'
  }
}

export interface GroupMember {
  memberId: string
  clientId: string
  clientHost: string
  /** The member's REST URL from its Connect metadata, when readable. */
  url: string | null
}

export interface GroupMembership {
  readonly memberId: string
  readonly generationId: number
  /** Leaves the group (the next worker may start at once) and closes the connection. */
  leave(): Promise<void>
}

const log = getLogger('flowscope.runtime.group')

/** Joins the group as its only live member, or throws GroupConflictError naming the member already there. */
export async function joinWorkerGroup(options: GroupMembershipOptions): Promise<GroupMembership> {
  const o = {
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000,
    heartbeatIntervalMs: 3_000,
    ...options,
  }
  const deadline = Date.now() + 30_000
  // A member with this worker's own REST URL is this worker's previous run (killed, so it never left): this process
  // already serves that URL, so no live worker can. It is waited out until its session expires, not refused.
  let predecessorDeadline: number | undefined
  for (;;) {
    const connection = await coordinatorConnection(o)
    try {
      // A group with a live member refuses us before we join: joining would make that member rebalance.
      const present = await liveMembers(connection, o.groupId)
      const others = present.filter((m) => m.url !== o.url)
      if (others.length > 0) throw conflictError(o, others[0])
      if (present.length > 0) {
        predecessorDeadline ??= Date.now() + o.sessionTimeoutMs + 5_000
        if (Date.now() > predecessorDeadline) throw conflictError(o, present[0])
        log.info(
          { groupId: o.groupId, url: o.url, sessionTimeoutMs: o.sessionTimeoutMs },
          "this worker's previous run is still a member of its group until its session times out; waiting",
        )
        await connection.close().catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        continue
      }
      const membership = new Membership(connection, o)
      await membership.join()
      return membership
    } catch (error) {
      await connection.close().catch(() => {})
      // A fresh cluster creates and loads __consumer_offsets first; a moved coordinator is looked up again.
      const retriable = errorIds(error).some((id) => COORDINATOR_ERRORS.includes(id))
      if (!retriable || Date.now() > deadline) throw error
      log.debug({ err: error, groupId: o.groupId }, 'group coordinator not ready; retrying')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

const COORDINATOR_ERRORS = ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE']

/** Connect's member metadata: header version, then (every protocol version) the worker URL and config offset. */
export function encodeMemberMetadata(url: string, configOffset = -1n): Buffer {
  const urlBytes = Buffer.from(url, 'utf8')
  const out = Buffer.alloc(2 + 2 + urlBytes.length + 8)
  out.writeInt16BE(0, 0)
  out.writeInt16BE(urlBytes.length, 2)
  urlBytes.copy(out, 4)
  out.writeBigInt64BE(configOffset, 4 + urlBytes.length)
  return out
}

/** The URL in any Connect protocol version's member metadata; null when it is not Connect metadata. */
export function decodeMemberUrl(metadata: Buffer): string | null {
  if (metadata.length < 4) return null
  const length = metadata.readInt16BE(2)
  if (length < 0 || metadata.length < 4 + length) return null
  return metadata.toString('utf8', 4, 4 + length)
}

/**
 * Connect's eager assignment (ConnectProtocol v0) with no connectors and no tasks: what the leader hands every
 * member, so a Connect worker that joined a flowscope group sits idle instead of running connectors twice.
 */
export function encodeEmptyAssignment(leaderId: string, leaderUrl: string, configOffset = -1n): Buffer {
  const leader = Buffer.from(leaderId, 'utf8')
  const url = Buffer.from(leaderUrl, 'utf8')
  const out = Buffer.alloc(2 + 2 + 2 + leader.length + 2 + url.length + 8 + 4)
  let at = out.writeInt16BE(0, 0) // version
  at = out.writeInt16BE(0, at) // error: none
  at = out.writeInt16BE(leader.length, at)
  at += leader.copy(out, at)
  at = out.writeInt16BE(url.length, at)
  at += url.copy(out, at)
  at = out.writeBigInt64BE(configOffset, at)
  out.writeInt32BE(0, at) // no connector assignments
  return out
}

export function conflictMessage(groupId: string, member: GroupMember, sessionTimeoutMs: number): string {
  const who = [
    `client id '${member.clientId}'`,
    `host ${member.clientHost.replace(/^\//, '')}`,
    ...(member.url ? [`REST ${member.url}`] : []),
  ].join(', ')
  return (
    `Another worker is already a live member of group.id '${groupId}' (${who}). flowscope runs one worker per ` +
    'group.id until distributed mode exists (issue #11): give this worker another group.id (with its own ' +
    'config/offset/status topics), or stop the other worker. A worker that was killed stays a member until its ' +
    `session times out (${sessionTimeoutMs} ms).`
  )
}

type Options = Required<Omit<GroupMembershipOptions, 'network'>> & Pick<GroupMembershipOptions, 'network'>

function conflictError(o: Options, member: GroupMember): GroupConflictError {
  return new GroupConflictError(conflictMessage(o.groupId, member, o.sessionTimeoutMs))
}

/** The protocol error names (e.g. REBALANCE_IN_PROGRESS) of a @platformatic/kafka response error. */
function errorIds(error: unknown): string[] {
  const e = error as { apiId?: string; errors?: { apiId?: string }[] }
  return [e.apiId, ...(e.errors ?? []).map((inner) => inner.apiId)].filter((id): id is string => Boolean(id))
}

const hasError = (error: unknown, id: string) => errorIds(error).includes(id)

function parseBroker(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':')
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) }
}

async function connect(
  clientId: string,
  host: string,
  port: number,
  requestTimeout: number,
  network: KafkaClientNetwork | undefined,
): Promise<Connection> {
  const connection = new Connection(clientId, { requestTimeout })
  network?.watchConnection(connection)
  try {
    await connection.connect(host, port)
  } catch (error) {
    await connection.close().catch(() => {})
    throw error
  }
  return connection
}

/** A connection to the group's coordinator; retries while the coordinator is being elected (fresh cluster). */
async function coordinatorConnection(o: Options): Promise<Connection> {
  const requestTimeout = o.rebalanceTimeoutMs + 10_000
  const deadline = Date.now() + 30_000
  let lastError: unknown
  for (;;) {
    for (const address of o.bootstrapServers) {
      const { host, port } = parseBroker(address)
      let bootstrap: Connection | undefined
      try {
        bootstrap = await connect(o.clientId, host, port, 10_000, o.network)
        const response = await findCoordinatorV6.api.async(bootstrap, GROUP_KEY_TYPE, [o.groupId])
        const coordinator = response.coordinators[0]
        if (coordinator.host === host && coordinator.port === port) {
          // The bootstrap broker is the coordinator, but its connection's request timeout is too short for a join.
          await bootstrap.close()
          bootstrap = undefined
        }
        return await connect(o.clientId, coordinator.host, coordinator.port, requestTimeout, o.network)
      } catch (error) {
        lastError = error
      } finally {
        await bootstrap?.close().catch(() => {})
      }
    }
    if (Date.now() > deadline) {
      throw new FlowscopeError(
        ErrorCodes.STARTUP,
        `Could not reach the group coordinator of group.id '${o.groupId}' through ${o.bootstrapServers.join(',')}: ${messageOf(lastError)}`,
        { cause: lastError },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

/** The group's members, unless the group is empty or dead. */
async function liveMembers(connection: Connection, groupId: string, except?: string): Promise<GroupMember[]> {
  const { groups } = await describeGroupsV5.api.async(connection, [groupId], false)
  const group = groups.find((g) => g.groupId === groupId)
  if (!group || group.groupState === 'Empty' || group.groupState === 'Dead') return []
  return group.members
    .filter((m) => m.memberId !== except)
    .map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      url: group.protocolType === CONNECT_PROTOCOL_TYPE ? decodeMemberUrl(m.memberMetadata) : null,
    }))
}

class Membership implements GroupMembership {
  readonly #connection: Connection
  readonly #o: Options
  #memberId = ''
  #generationId = -1
  #timer: NodeJS.Timeout | undefined
  /** Heartbeats, rejoins and the leave run one at a time. */
  #work: Promise<void> = Promise.resolve()
  #left = false

  constructor(connection: Connection, o: Options) {
    this.#connection = connection
    this.#o = o
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#generationId
  }

  /** Joins, and — as the group's leader — syncs; a member that is not the leader was not first: it refuses. */
  async join(): Promise<void> {
    const o = this.#o
    const protocols = [{ name: EAGER_PROTOCOL, metadata: encodeMemberMetadata(o.url) }]
    const joinOnce = () =>
      joinGroupV9.api.async(
        this.#connection,
        o.groupId,
        o.sessionTimeoutMs,
        o.rebalanceTimeoutMs,
        this.#memberId,
        null,
        CONNECT_PROTOCOL_TYPE,
        protocols,
        null,
      )
    let response: Awaited<ReturnType<typeof joinOnce>>
    try {
      response = await joinOnce()
    } catch (error) {
      // JoinGroup v4+: the first join only hands out a member id; the second one joins.
      const given = (error as { response?: { memberId?: string } }).response?.memberId
      if (!hasError(error, 'MEMBER_ID_REQUIRED') || !given) throw this.#joinFailure(error)
      this.#memberId = given
      response = await joinOnce().catch((again) => {
        throw this.#joinFailure(again)
      })
    }
    this.#memberId = response.memberId
    this.#generationId = response.generationId
    if (response.leader !== this.#memberId) {
      // Another member leads the group: it was there first (or won the race). Step aside, say who it is.
      const others = await liveMembers(this.#connection, o.groupId, this.#memberId).catch(() => [])
      await this.#leaveGroup()
      const leader = others.find((m) => m.memberId === response.leader) ??
        others[0] ?? { memberId: response.leader, clientId: 'unknown', clientHost: 'unknown', url: null }
      throw conflictError(o, leader)
    }
    const assignment = encodeEmptyAssignment(this.#memberId, o.url)
    try {
      await syncGroupV5.api.async(
        this.#connection,
        o.groupId,
        this.#generationId,
        this.#memberId,
        null,
        CONNECT_PROTOCOL_TYPE,
        EAGER_PROTOCOL,
        response.members.map((m) => ({ memberId: m.memberId, assignment })),
      )
    } catch (error) {
      // A worker joined between our join and our sync: join again (as the leader still) so it sees us lead.
      if (hasError(error, 'REBALANCE_IN_PROGRESS')) return this.join()
      throw error
    }
    if (response.members.length > 1) {
      log.warn(
        { groupId: o.groupId, members: response.members.length },
        'other workers joined this group; they are refused and this worker keeps running every connector',
      )
    }
    this.#schedule()
  }

  leave(): Promise<void> {
    this.#left = true
    clearTimeout(this.#timer)
    const leaving = this.#work.then(async () => {
      await this.#leaveGroup()
      await this.#connection.close().catch(() => {})
    })
    this.#work = leaving.catch(() => {})
    return leaving
  }

  #joinFailure(error: unknown): Error {
    if (hasError(error, 'INCONSISTENT_GROUP_PROTOCOL')) {
      return new GroupConflictError(
        `group.id '${this.#o.groupId}' is in use by a group that is not a Connect worker group (or offers no protocol in common with Connect's eager one): give this worker another group.id.`,
      )
    }
    return new FlowscopeError(ErrorCodes.STARTUP, `Could not join group.id '${this.#o.groupId}': ${messageOf(error)}`, {
      cause: error,
    })
  }

  async #leaveGroup(): Promise<void> {
    if (!this.#memberId) return
    await leaveGroupV5.api
      .async(this.#connection, this.#o.groupId, [{ memberId: this.#memberId, reason: 'worker stopping' }])
      .catch((error) => log.debug({ err: error }, 'leaving the group failed'))
  }

  #schedule(): void {
    if (this.#left) return
    this.#timer = setTimeout(() => {
      this.#work = this.#work.then(() => this.#heartbeat())
    }, this.#o.heartbeatIntervalMs)
    this.#timer.unref()
  }

  async #heartbeat(): Promise<void> {
    if (this.#left) return
    try {
      await heartbeatV4.api.async(this.#connection, this.#o.groupId, this.#generationId, this.#memberId, null)
    } catch (error) {
      if (this.#left) return
      if (hasError(error, 'REBALANCE_IN_PROGRESS')) {
        // A worker is joining: rejoin at once, so it learns (as a follower) that this worker leads the group.
        await this.#rejoin()
      } else if (hasError(error, 'UNKNOWN_MEMBER_ID') || hasError(error, 'ILLEGAL_GENERATION')) {
        log.warn({ groupId: this.#o.groupId }, 'group membership expired (session timeout?); joining again')
        this.#memberId = ''
        await this.#rejoin()
      } else {
        log.warn({ err: error, groupId: this.#o.groupId }, 'group heartbeat failed; retrying')
      }
    }
    this.#schedule()
  }

  async #rejoin(): Promise<void> {
    try {
      await this.join()
      // join() scheduled the next heartbeat already; the caller schedules another: keep only one.
      clearTimeout(this.#timer)
    } catch (error) {
      log.error(
        { err: error, groupId: this.#o.groupId },
        'this worker lost the lead of its group while running; another worker may run the same connectors',
      )
    }
  }
}
