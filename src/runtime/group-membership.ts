// The worker's membership of its Connect group (Connect's WorkerGroupMember + WorkerCoordinator): it joins Kafka's
// group coordinator under its group.id with protocol type `connect`, offering the protocols of its connect.protocol
// (`sessioned`, `compatible`, eager `default`) with Connect's member metadata (its REST URL, config-topic offset and,
// for the cooperative ones, the work it runs now). The member the coordinator picks as leader computes every
// member's assignment; each member runs what SyncGroup hands it until the next rebalance.
// Eager (`default`): before every rejoin the member gives up all its work (listener.revoked), so no connector or
// task runs on two workers at once. Cooperative (`compatible`, `sessioned`): the member keeps its work through a
// rebalance; the assignment names what to start and what to stop. A member that stopped something rejoins at once
// (the leader deals it out in that round); one told of a scheduled delay rejoins when it ends.
// Either way, a member that lost its membership (its session expired, or no heartbeat for a session timeout) gives
// up all its work before it rejoins: the coordinator has treated it as gone, so its work may run elsewhere.
// In: bootstrap servers, group.id, client id, timeouts, and the listener (the herder). Out: a running membership.
import { Connection, findCoordinatorV6, heartbeatV4, joinGroupV9, leaveGroupV5, syncGroupV5 } from '@platformatic/kafka'
import { ErrorCodes, FlowscopeError, messageOf } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { KafkaClientNetwork } from '../metrics/kafka-client-network.ts'
import type { MemberState } from './assignment.ts'
import {
  CONNECT_PROTOCOL_TYPE,
  type ConnectAssignment,
  type ConnectProtocolMode,
  decodeAssignment,
  decodeMetadata,
  EAGER_PROTOCOL,
  encodeAssignment,
  encodeMetadata,
  NO_ERROR,
  offeredProtocols,
  protocolVersionOf,
} from './connect-protocol.ts'
import type { ConnectorTaskId } from './herder.ts'

const GROUP_KEY_TYPE = 0 // FindCoordinatorKeyTypes.GROUP

/** Work to stop: some connector instances and tasks (a cooperative revocation). */
export interface Revocation {
  connectors: readonly string[]
  tasks: readonly ConnectorTaskId[]
}

/** The round the leader assigns for: the protocol agreed on and the generations Connect's assignor compares. */
export interface AssignmentRound {
  protocol: string
  generation: number
  /** The generation of this member's last completed join (-1: none). */
  lastCompletedGeneration: number
}

/** What the membership asks of the herder. */
export interface RebalanceListener {
  /** How far the config topic has been read (one past the last record): this member's metadata at every join. */
  configOffset(): bigint
  /** As the leader: every member's assignment, from the leader's config view read to its end. */
  performAssignment(
    leaderId: string,
    members: MemberState[],
    round: AssignmentRound,
  ): Promise<Map<string, ConnectAssignment>>
  /** A join begins (a rebalance, which under a cooperative protocol may stop nothing here). */
  joining?(): void
  /** Stop this work (nothing named: every connector and task, as before an eager rejoin). */
  revoked(what?: Revocation): Promise<void>
  /**
   * The assignment of generation `generation` for member `memberId`: run exactly what it holds (under a cooperative
   * protocol, everything this member runs after the revocation, not only what is new). False when it could not be
   * applied (the listener has asked to rejoin).
   */
  assigned(assignment: ConnectAssignment, generation: number, memberId: string, protocol: string): Promise<boolean>
}

export interface GroupMembershipOptions {
  bootstrapServers: string[]
  groupId: string
  clientId: string
  /** This worker's advertised REST URL (Connect's member metadata `url`). */
  url: string
  /** connect.protocol: which protocols this member offers (Connect's default: sessioned). */
  protocol?: ConnectProtocolMode
  /** Connect's defaults: session.timeout.ms 10 s, rebalance.timeout.ms 60 s, heartbeat.interval.ms 3 s. */
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Counts this membership's connections (kafka_connect_connect_metrics_* of the worker's client id). */
  network?: KafkaClientNetwork
  listener: RebalanceListener
}

export interface GroupMembership {
  readonly memberId: string
  readonly generationId: number
  /** The protocol the group agreed on at the last join (null before the first). */
  readonly protocol: string | null
  /**
   * Why this member cannot be sure the coordinator still counts it in (never joined, rejoining after losing its
   * membership, or no heartbeat answered for most of a session timeout), or null. The coordinator hands a lapsed
   * member's work to others, so its tasks must not commit offsets over theirs.
   */
  lapsed(): string | null
  /** Gives up this member's work and rejoins (a config change needs a new assignment). */
  requestRejoin(reason: string): void
  /** Gives up all work, leaves the group, waits `backoffMs`, then joins again (a member that cannot catch up). */
  leaveAndBackOff(backoffMs: number, reason: string): void
  /** Leaves the group (its work is reassigned at once) and closes the connection. */
  leave(): Promise<void>
}

const log = getLogger('flowscope.runtime.group')

/** A membership not yet joined: start() joins and applies the first assignment; then it lives until leave(). */
export function createGroupMembership(options: GroupMembershipOptions): GroupMembership & { start(): Promise<void> } {
  return new Membership({
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000,
    heartbeatIntervalMs: 3_000,
    protocol: 'sessioned',
    ...options,
  })
}

type Options = Required<Omit<GroupMembershipOptions, 'network'>> & Pick<GroupMembershipOptions, 'network'>

const COORDINATOR_ERRORS = ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE']
const MEMBERSHIP_LOST = ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']

/** The protocol error names (e.g. REBALANCE_IN_PROGRESS) of a @platformatic/kafka response error. */
function errorIds(error: unknown): string[] {
  const e = error as { apiId?: string; errors?: { apiId?: string }[] }
  return [e.apiId, ...(e.errors ?? []).map((inner) => inner.apiId)].filter((id): id is string => Boolean(id))
}

const hasError = (error: unknown, ids: string[]) => errorIds(error).some((id) => ids.includes(id))

function parseBroker(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':')
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class Membership implements GroupMembership {
  readonly #o: Options
  #connection: Connection | undefined
  #memberId = ''
  #generationId = -1
  #rejoinNeeded = true
  #left = false
  /** Wakes the membership loop (a rejoin was requested, or leave()). */
  #wake: () => void = () => {}
  #loop: Promise<void> | undefined
  #heartbeatTimer: NodeJS.Timeout | undefined
  #heartbeating = false
  #lastHeartbeatOk = 0
  /** When the last heartbeat (or the join) that the coordinator answered was sent. */
  #lastAliveSentAt = 0
  #joined: { resolve(): void; reject(error: unknown): void } | undefined
  /** The protocol agreed on at the last completed join. */
  #protocol: string | null = null
  /** Everything this member runs as of its last assignment (null: nothing; Connect's assignmentSnapshot). */
  #snapshot: ConnectAssignment | null = null
  #lastCompletedGeneration = -1
  /** Set when the coordinator may have handed this member's work to others: give it all up before rejoining. */
  #workLost = false
  #delayTimer: NodeJS.Timeout | undefined
  /** Set by leaveAndBackOff: before the next join, leave and wait this long. */
  #backoffMs = 0

  constructor(o: Options) {
    this.#o = o
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#generationId
  }

  get protocol(): string | null {
    return this.#protocol
  }

  lapsed(): string | null {
    if (this.#left) return 'the worker left its group'
    if (this.#workLost || this.#lastAliveSentAt === 0) return 'not a member of its group'
    // The coordinator's session clock started no earlier than the send; a heartbeat interval of slack.
    const since = Date.now() - this.#lastAliveSentAt
    if (since > this.#o.sessionTimeoutMs - this.#o.heartbeatIntervalMs) {
      return `no heartbeat answered for ${since} ms (session.timeout.ms ${this.#o.sessionTimeoutMs})`
    }
    return null
  }

  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => {
      this.#joined = { resolve, reject }
    })
    this.#loop = this.#run()
    return first
  }

  requestRejoin(reason: string): void {
    if (this.#left || this.#rejoinNeeded) return
    log.info({ groupId: this.#o.groupId, reason }, 'rejoining the group')
    this.#rejoinNeeded = true
    this.#wake()
  }

  leaveAndBackOff(backoffMs: number, reason: string): void {
    if (this.#left) return
    log.warn({ groupId: this.#o.groupId, reason, backoffMs }, 'leaving the group and backing off before rejoining')
    this.#backoffMs = Math.max(backoffMs, 1)
    this.#workLost = true
    this.#rejoinNeeded = true
    this.#wake()
  }

  async leave(): Promise<void> {
    if (this.#left) return this.#loop
    this.#left = true
    this.#stopHeartbeats()
    clearTimeout(this.#delayTimer)
    this.#wake()
    const memberId = this.#memberId
    // A JoinGroup may be waiting for the rest of the group (up to rebalance.timeout.ms) and a broker answers one
    // connection's requests in order: that connection is dropped, and LeaveGroup goes on a fresh one.
    await this.#dropConnection()
    await this.#loop?.catch(() => {})
    if (!memberId) return
    const connection = await this.#coordinator().catch(() => undefined)
    if (connection) {
      await leaveGroupV5.api
        .async(connection, this.#o.groupId, [{ memberId: this.#memberId || memberId, reason: 'worker stopping' }])
        .catch((error) => log.debug({ err: error }, 'leaving the group failed'))
    }
    await this.#dropConnection()
  }

  /** Join, sync, apply; then wait until a rejoin is needed. Runs until leave(). */
  async #run(): Promise<void> {
    const startDeadline = Date.now() + 60_000
    let first = true
    while (!this.#left) {
      if (!this.#rejoinNeeded) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve
        })
        continue
      }
      try {
        this.#o.listener.joining?.()
        // Heartbeats go on while the work stops (a slow task stop must not cost this member its session).
        if (!first && (this.#workLost || protocolVersionOf(this.#protocol) === 0)) await this.#revokeAll()
        this.#stopHeartbeats()
        clearTimeout(this.#delayTimer)
        if (this.#backoffMs > 0) await this.#leaveForBackoff()
        if (this.#left) break
        const { assignment, generation, protocol } = await this.#joinAndSync()
        this.#rejoinNeeded = false
        this.#startHeartbeats()
        const applied = await this.#apply(assignment, generation, protocol)
        if (applied && first) {
          this.#joined?.resolve()
          first = false
        }
      } catch (error) {
        if (this.#left) break
        if (first && (Date.now() > startDeadline || error instanceof FlowscopeError)) {
          this.#joined?.reject(error)
          this.#left = true
          break
        }
        log.warn({ err: error, groupId: this.#o.groupId }, 'joining the group failed; retrying')
        this.#rejoinNeeded = true
        await sleep(first ? 250 : 1_000)
      }
    }
    this.#stopHeartbeats()
  }

  /** Leaves the group (the others rebalance without this member at once), then waits out the backoff. */
  async #leaveForBackoff(): Promise<void> {
    const backoffMs = this.#backoffMs
    this.#backoffMs = 0
    const memberId = this.#memberId
    this.#memberId = ''
    const connection = memberId ? await this.#coordinator().catch(() => undefined) : undefined
    if (connection) {
      await leaveGroupV5.api
        .async(connection, this.#o.groupId, [{ memberId, reason: 'could not read the config topic in time' }])
        .catch((error) => log.debug({ err: error }, 'leaving the group failed'))
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, backoffMs)
      this.#wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  /** Gives up all work: the member rejoins with nothing (its snapshot is gone). */
  async #revokeAll(): Promise<void> {
    await this.#o.listener.revoked()
    this.#snapshot = null
    this.#workLost = false
  }

  /**
   * Applies an assignment. Cooperative: stops what it revokes, then runs the member's snapshot minus the revoked plus
   * the new (Connect's WorkerCoordinator.onJoinComplete); a revocation makes the member rejoin at once, a scheduled
   * delay when it ends. A failed assignment (the leader's config view was behind) changes no work.
   */
  async #apply(assignment: ConnectAssignment, generation: number, protocol: string): Promise<boolean> {
    this.#protocol = protocol
    this.#lastCompletedGeneration = generation
    if (protocolVersionOf(protocol) === 0) {
      this.#snapshot = assignment
      return this.#o.listener.assigned(assignment, generation, this.#memberId, protocol)
    }
    const revokedConnectors = assignment.revokedConnectors ?? []
    const revokedTasks = assignment.revokedTasks ?? []
    const revoking = revokedConnectors.length > 0 || revokedTasks.length > 0
    if (revoking) await this.#o.listener.revoked({ connectors: revokedConnectors, tasks: revokedTasks })
    const kept = this.#snapshot
    const gone = new Set(revokedTasks.map((t) => `${t.connector}\u0000${t.task}`))
    const full: ConnectAssignment = {
      ...assignment,
      connectors: [
        ...new Set([
          ...(kept?.connectors ?? []).filter((c) => !revokedConnectors.includes(c)),
          ...assignment.connectors,
        ]),
      ],
      tasks: [
        ...(kept?.tasks ?? []).filter((t) => !gone.has(`${t.connector}\u0000${t.task}`)),
        ...assignment.tasks.filter(
          (t) => !(kept?.tasks ?? []).some((k) => k.connector === t.connector && k.task === t.task),
        ),
      ],
    }
    this.#snapshot = full
    const applied = await this.#o.listener.assigned(full, generation, this.#memberId, protocol)
    if (assignment.error === NO_ERROR) {
      if (revoking) this.requestRejoin('work was revoked: the leader deals it out in the next round')
      else if ((assignment.delayMs ?? 0) > 0) {
        this.#delayTimer = setTimeout(
          () => this.requestRejoin('the scheduled rebalance delay is over'),
          assignment.delayMs,
        )
        this.#delayTimer.unref()
      }
    }
    return applied
  }

  async #joinAndSync(): Promise<{ assignment: ConnectAssignment; generation: number; protocol: string }> {
    const o = this.#o
    for (;;) {
      const connection = await this.#coordinator()
      try {
        return await this.#joinAndSyncOn(connection)
      } catch (error) {
        if (hasError(error, MEMBERSHIP_LOST)) {
          this.#memberId = ''
          // Evicted mid-rebalance: the leader may be dealing this member's work out right now.
          if (this.#snapshot) await this.#revokeAll()
        }
        if (hasError(error, [...COORDINATOR_ERRORS, ...MEMBERSHIP_LOST, 'REBALANCE_IN_PROGRESS'])) {
          if (hasError(error, COORDINATOR_ERRORS)) await this.#dropConnection()
          if (this.#left) throw error
          log.debug({ err: error, groupId: o.groupId }, 'rebalance interrupted; joining again')
          await sleep(100)
          continue
        }
        if (hasError(error, ['INCONSISTENT_GROUP_PROTOCOL'])) {
          throw new FlowscopeError(
            ErrorCodes.STARTUP,
            `group.id '${o.groupId}' is in use by a group that is not a Connect worker group (or offers no protocol in common with Connect's eager one): give this worker another group.id.`,
          )
        }
        // A broken connection: find the coordinator again.
        await this.#dropConnection()
        throw error
      }
    }
  }

  async #joinAndSyncOn(
    connection: Connection,
  ): Promise<{ assignment: ConnectAssignment; generation: number; protocol: string }> {
    const o = this.#o
    const state = { url: o.url, configOffset: o.listener.configOffset(), allocation: this.#snapshot }
    const protocols = offeredProtocols(o.protocol).map(({ name, version }) => ({
      name,
      metadata: encodeMetadata(version, state),
    }))
    const joinOnce = () =>
      joinGroupV9.api.async(
        connection,
        o.groupId,
        o.sessionTimeoutMs,
        o.rebalanceTimeoutMs,
        this.#memberId,
        null,
        CONNECT_PROTOCOL_TYPE,
        protocols,
        null,
      )
    let joined: Awaited<ReturnType<typeof joinOnce>>
    try {
      joined = await joinOnce()
    } catch (error) {
      // JoinGroup v4+: the first join only hands out a member id; the second one joins.
      const given = (error as { response?: { memberId?: string } }).response?.memberId
      if (!hasError(error, ['MEMBER_ID_REQUIRED']) || !given) throw error
      this.#memberId = given
      joined = await joinOnce()
    }
    this.#memberId = joined.memberId
    this.#generationId = joined.generationId
    const protocol = joined.protocolName ?? EAGER_PROTOCOL
    const version = protocolVersionOf(protocol)
    let assignments: { memberId: string; assignment: Buffer }[] = []
    if (joined.leader === this.#memberId) {
      const members: MemberState[] = joined.members.map((m) => {
        const state = decodeMetadata(m.metadata)
        const allocation = version > 0 && state.allocation ? state.allocation : null
        return {
          memberId: m.memberId,
          url: state.url,
          configOffset: state.configOffset,
          allocation: allocation && { connectors: allocation.connectors, tasks: allocation.tasks },
        }
      })
      const computed = await o.listener.performAssignment(this.#memberId, members, {
        protocol,
        generation: joined.generationId,
        lastCompletedGeneration: this.#lastCompletedGeneration,
      })
      assignments = [...computed].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(version, a) }))
      log.info(
        { groupId: o.groupId, generation: joined.generationId, protocol, members: members.map((m) => m.url) },
        'leading the group: assignments computed',
      )
    }
    const synced = await syncGroupV5.api.async(
      connection,
      o.groupId,
      joined.generationId,
      this.#memberId,
      null,
      CONNECT_PROTOCOL_TYPE,
      protocol,
      assignments,
    )
    return { assignment: decodeAssignment(synced.assignment), generation: joined.generationId, protocol }
  }

  #startHeartbeats(): void {
    this.#lastHeartbeatOk = Date.now()
    this.#lastAliveSentAt = this.#lastHeartbeatOk
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.#o.heartbeatIntervalMs)
    this.#heartbeatTimer.unref()
  }

  #stopHeartbeats(): void {
    clearInterval(this.#heartbeatTimer)
    this.#heartbeatTimer = undefined
  }

  async #heartbeat(): Promise<void> {
    const connection = this.#connection
    if (this.#heartbeating || this.#left || !connection) return
    this.#heartbeating = true
    try {
      const sentAt = Date.now()
      await heartbeatV4.api.async(connection, this.#o.groupId, this.#generationId, this.#memberId, null)
      this.#lastHeartbeatOk = Date.now()
      this.#lastAliveSentAt = sentAt
    } catch (error) {
      if (this.#rejoinNeeded) {
        // Already on its way back into the group: nothing to add.
      } else if (hasError(error, ['REBALANCE_IN_PROGRESS'])) {
        this.requestRejoin('the group is rebalancing')
      } else if (hasError(error, MEMBERSHIP_LOST)) {
        log.warn({ groupId: this.#o.groupId }, 'group membership expired (session timeout?); joining again')
        this.#memberId = ''
        this.#workLost = true
        this.requestRejoin('membership lost')
      } else if (Date.now() - this.#lastHeartbeatOk > this.#o.sessionTimeoutMs) {
        // The coordinator has expired this member by now and handed its work to others: stop it, then rejoin.
        log.warn({ err: error, groupId: this.#o.groupId }, 'no heartbeat for a session timeout; giving up work')
        this.#workLost = true
        await this.#dropConnection()
        this.requestRejoin('heartbeats failing for a session timeout')
      } else {
        log.warn({ err: error, groupId: this.#o.groupId }, 'group heartbeat failed; retrying')
      }
    } finally {
      this.#heartbeating = false
    }
  }

  async #dropConnection(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    await connection?.close().catch(() => {})
  }

  /** The connection to the group's coordinator (found through a bootstrap broker, retried while it is elected). */
  async #coordinator(): Promise<Connection> {
    if (this.#connection) return this.#connection
    const o = this.#o
    const deadline = Date.now() + 30_000
    let lastError: unknown
    for (;;) {
      for (const address of o.bootstrapServers) {
        const { host, port } = parseBroker(address)
        let bootstrap: Connection | undefined
        try {
          bootstrap = await this.#connect(host, port, 10_000)
          const response = await findCoordinatorV6.api.async(bootstrap, GROUP_KEY_TYPE, [o.groupId])
          const coordinator = response.coordinators[0]
          // The request timeout must outlast a JoinGroup that waits for every member (rebalance.timeout.ms).
          this.#connection = await this.#connect(coordinator.host, coordinator.port, o.rebalanceTimeoutMs + 10_000)
          return this.#connection
        } catch (error) {
          lastError = error
        } finally {
          await bootstrap?.close().catch(() => {})
        }
      }
      if (Date.now() > deadline || this.#left) {
        throw new FlowscopeError(
          ErrorCodes.STARTUP,
          `Could not reach the group coordinator of group.id '${o.groupId}' through ${o.bootstrapServers.join(',')}: ${messageOf(lastError)}`,
          { cause: lastError },
        )
      }
      await sleep(500)
    }
  }

  async #connect(host: string, port: number, requestTimeout: number): Promise<Connection> {
    const connection = new Connection(this.#o.clientId, { requestTimeout })
    this.#o.network?.watchConnection(connection)
    try {
      await connection.connect(host, port)
    } catch (error) {
      await connection.close().catch(() => {})
      throw error
    }
    return connection
  }
}
