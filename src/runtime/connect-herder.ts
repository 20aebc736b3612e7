// The worker's herder (Connect's Herder): the control plane behind the REST API. It decides, the worker
// (worker.ts) runs. Config changes are written to the config topic first and the in-memory view is read back from it
// (so a restarted worker, or any other worker of the same group.id, sees the same history); from that view and the
// target states the herder decides what should run — connectors, their task configs, pause, resume, stop, restart —
// and asks its worker to run the part assigned to it.
// In a group of workers (Connect's DistributedHerder) the group's leader computes every member's assignment
// (RebalanceListener below); config changes are made by the leader only (a follower's request is forwarded to it
// through RequestTargetError), every worker acts on the config records for what it runs, and a change of which
// connectors or tasks exist makes the worker ask for a new assignment.
import { type ConfigInfos, type ConfigKeyInfo, configInfos, keyInfo } from '../config/config-def.ts'
import { converterClassNames } from '../convert/converters.ts'
import { badRequest, conflict, ErrorCodes, FlowscopeError, messageOf, notFound, RequestTargetError } from '../errors.ts'
import { getLogger } from '../logging.ts'
import type { WorkerMetricsRecorder } from '../metrics/recorder.ts'
import type { SourcePartition } from '../record/source-record.ts'
import type {
  ConfigBackingStore,
  ConfigChange,
  OffsetBackingStore,
  StatusBackingStore,
} from '../storage/backing-stores.ts'
import type { ConnectorOffsetsLookup } from '../storage/connector-offsets.ts'
import { pluginConfigDef, transformPlugins, transformsValidation } from '../transform/transform-config.ts'
import {
  type Assignment,
  type Assignor,
  assignEverything,
  assignedTasks,
  eagerAssignments,
  type MemberState,
} from './assignment.ts'
import { type ConnectAssignment, NO_ERROR, protocolVersionOf } from './connect-protocol.ts'
import { connectorConfigDef, connectorOffsetsTopicConfigDef } from './connector-config.ts'
import { connectorConverter } from './connector-converters.ts'
import { CooperativeAssignor } from './cooperative-assignor.ts'
import { exactlyOnceConfigDef, exactlyOncePreflight } from './exactly-once.ts'
import type { AssignmentRound, RebalanceListener, Revocation } from './group-membership.ts'
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorStatus,
  ConnectorTaskId,
  HealthStatus,
  Herder,
  InitialState,
  PluginInfo,
  RestartRequest,
  ServerInfo,
  TargetState,
  TaskInfo,
  TaskStatus,
} from './herder.ts'
import { LeaderRequestError, type PutFence, postTaskConfigs, putFence } from './leader-client.ts'
import type { PluginRegistry } from './plugins.ts'
import { generateSessionKey, keyLength, type RequestSignature, signatureProblem } from './request-signature.ts'
import type { Worker } from './worker.ts'
import type { ExactlyOncePreflight } from './worker-source-task.ts'

export interface ConnectHerderOptions {
  version: string
  commit: string
  plugins: PluginRegistry
  configs: ConfigBackingStore
  offsets: OffsetBackingStore
  /** Each connector's offsets (its own offsets.storage.topic first); `offsets` alone when absent. */
  offsetStores?: ConnectorOffsetsLookup
  statuses: StatusBackingStore
  /** Runs what this herder assigns to it; its id is this herder's worker id. */
  worker: Worker
  metrics: Pick<WorkerMetricsRecorder, 'recordRebalance' | 'recordRebalanceStart' | 'recordAssignment' | 'recordGroup'>
  /** The Kafka cluster's id (GET / answers it), asked once at start. */
  clusterId(): Promise<string>
  topicTrackingEnabled: boolean
  topicTrackingAllowReset: boolean
  /** exactly.once.source.support=enabled on this worker (exactly.once.support=required needs it). */
  exactlyOnceSourceSupport?: boolean
  /** Outside a group: which connectors and tasks the worker runs; every one of them when absent. */
  assignor?: Assignor
  /** A member of a group of workers: what runs here is what the group's leader assigns (see attachGroup). */
  group?: boolean
  /** scheduled.rebalance.max.delay.ms, for the cooperative assignor this worker runs when it leads its group. */
  scheduledRebalanceMaxDelayMs?: number
  /** worker.sync.timeout.ms: how long a member may take to read the config topic up to its assignment (3 s). */
  workerSyncTimeoutMs?: number
  /** worker.unsync.backoff.ms: how long a member that could not catch up stays out of the group (5 min). */
  workerUnsyncBackoffMs?: number
  /** Signing of internal requests (the inter.worker.* keys); Connect's defaults when absent. */
  interWorker?: InterWorkerSettings
  /**
   * Fences out the producers of the connector's tasks 0..taskCount-1 (Connect's Worker#fenceZombies): what the
   * leader does before a new generation of an exactly-once connector's tasks starts.
   */
  fenceZombies?(connector: string, taskCount: number): Promise<void>
  /**
   * Asks the group's leader for that fencing (a task's preflight on a follower): PUT /connectors/<name>/fence
   * (leader-client.ts's putFence) when absent.
   */
  requestLeaderFence?(request: PutFence): Promise<void>
}

/** The inter.worker.* worker keys: how the leader makes session keys, and how requests are signed and checked. */
export interface InterWorkerSettings {
  keyGenerationAlgorithm: string
  /** null: the algorithm's default length. */
  keySizeBits: number | null
  /** How long a session key lives before the leader writes a new one; 0: it does not expire. */
  keyTtlMs: number
  signatureAlgorithm: string
  verificationAlgorithms: string[]
}

export const DEFAULT_INTER_WORKER: Readonly<InterWorkerSettings> = {
  keyGenerationAlgorithm: 'HmacSHA256',
  keySizeBits: null,
  keyTtlMs: 3_600_000,
  signatureAlgorithm: 'HmacSHA256',
  verificationAlgorithms: ['HmacSHA256'],
}

/** What the herder needs of its group membership. */
export interface GroupHandle {
  requestRejoin(reason: string): void
  /**
   * This worker could not read the config topic up to its assignment in worker.sync.timeout.ms: give up all work,
   * leave the group, wait `backoffMs` (worker.unsync.backoff.ms), then join again (Connect's readConfigToEnd).
   */
  leaveAndBackOff?(backoffMs: number, reason: string): void
}

/** Restart flags of POST /connectors/<name>/restart. */
type Restart = { includeTasks: boolean; onlyFailed: boolean }

const log = getLogger('flowscope.runtime.herder')

/** How long a request waits for a rebalance to finish before it is answered 409 (Connect's rebalance.timeout.ms). */
const ASSIGNMENT_WAIT_MS = 60_000

/** A follower's failed forward of task configs is retried after 250 ms, doubling up to 60 s (Connect's backoff). */
const RECONFIGURE_BACKOFF_INITIAL_MS = 250
const RECONFIGURE_BACKOFF_MAX_MS = 60_000
/** A 403 this soon after the first attempt is likely a session key that rotated meanwhile (logged at debug only). */
const EXPIRED_KEY_WINDOW_MS = 60_000
/** How long a task's preflight keeps asking the leader for zombie fencing while the session key is not in place. */
const FENCE_KEY_WINDOW_MS = 15_000
/** A failed write of a new session key is tried again this much later. */
const KEY_WRITE_RETRY_MS = 1_000

/** Where a task reconfiguration is in its retries: when it was first asked for, and how many attempts failed. */
interface ReconfigureAttempt {
  since: number
  failures: number
}

export class ConnectHerder implements Herder, RebalanceListener {
  readonly #o: ConnectHerderOptions
  readonly #worker: Worker
  readonly #assignor: Assignor
  /** Connectors whose task reconfiguration is queued (one at a time per connector). */
  readonly #reconfiguring = new Set<string>()
  #clusterId = ''
  #started = false
  /**
   * Management calls and rebalance steps run one at a time, like Connect's herder thread, and only once start() has
   * read the cluster id; the REST API waits for whenStarted() (answering /health "starting" meanwhile).
   */
  #queue: Promise<unknown>
  #openQueue: () => void = () => {}
  readonly #startedPromise: Promise<void>
  #markStarted: () => void = () => {}

  // ---- in a group of workers ----
  #group: GroupHandle | undefined
  /** This member's assignment of the current generation; null before the first one and between revocation and the next. */
  #groupAssignment: ConnectAssignment | null = null
  #memberId = ''
  /** As the leader: every member's URL and assignment, to forward a request to the worker running its target. */
  #leaderView = new Map<string, { url: string; assignment: ConnectAssignment }>()
  /** Offset of the newest config record that changes which connectors or tasks exist. */
  #assignmentChangeOffset = -1n
  /** Config and target state each connector instance here was started with: a record acted on is not acted on again. */
  readonly #applied = new Map<string, { config: string; target: TargetState }>()
  /** Restart requests read while this member had no assignment: acted on once it has one. */
  readonly #pendingRestarts = new Map<string, Restart>()
  #rebalanceStartedAt: number | undefined
  /**
   * Closed from the moment a rebalance is due (requested, or revocation) until the next assignment has started:
   * requests wait on it, as Connect's herder thread rebalances before it serves them.
   */
  #assignedGate: Promise<void>
  #gateOpen = false
  #openAssignedGate: () => void = () => {}
  #leaderUrl: string | null = null
  #stopping = false
  /** Connect's IncrementalCooperativeAssignor: used when this worker leads a group on a cooperative protocol. */
  readonly #cooperative: CooperativeAssignor
  /** The protocol the group agreed on at the last assignment (null before the first). */
  #protocol: string | null = null
  /** As the leader: the zombie fencing under way per connector; a second request for it joins the first. */
  readonly #activeFencings = new Map<string, Promise<void>>()

  // ---- internal request signing (the `sessioned` protocol) ----
  readonly #interWorker: InterWorkerSettings
  /** Whether internal requests must be signed: set by the rebalance path once the group agrees on `sessioned`. */
  #requestValidation = false
  /** As the leader: writes a new session key when the current one expires. */
  #keyRotationTimer: NodeJS.Timeout | undefined
  /** Backoff timers of failed task-config forwards (cleared at stop). */
  readonly #retryTimers = new Set<NodeJS.Timeout>()

  constructor(options: ConnectHerderOptions) {
    this.#o = options
    this.#worker = options.worker
    this.#assignor = options.assignor ?? assignEverything
    this.#cooperative = new CooperativeAssignor({ maxDelayMs: options.scheduledRebalanceMaxDelayMs ?? 300_000 })
    this.#interWorker = options.interWorker ?? DEFAULT_INTER_WORKER
    this.#queue = new Promise<void>((resolve) => {
      this.#openQueue = resolve
    })
    this.#startedPromise = new Promise<void>((resolve) => {
      this.#markStarted = () => {
        this.#started = true
        resolve()
      }
    })
    this.#assignedGate = this.#closedGate()
    if (options.group) options.configs.onChange = (change) => this.#onConfigChange(change)
  }

  #closedGate(): Promise<void> {
    this.#gateOpen = false
    return new Promise<void>((resolve) => {
      this.#openAssignedGate = () => {
        this.#gateOpen = true
        resolve()
      }
    })
  }

  /** A new assignment is needed: requests wait for it, and the membership rejoins. */
  #rebalance(reason: string): void {
    if (this.#gateOpen) this.#assignedGate = this.#closedGate()
    this.#group?.requestRejoin(reason)
  }

  /** The membership this herder asks for a new assignment when the set of connectors or tasks changes. */
  attachGroup(group: GroupHandle): void {
    this.#group = group
  }

  /** Outside a group: starts every connector and task. In a group: the first assignment starts the work. */
  async start(): Promise<void> {
    this.#clusterId = await this.#o.clusterId()
    this.#openQueue()
    if (this.#o.group) return
    const started = performance.now()
    // Management calls queue behind this, so none can start a connector this loop starts too.
    await this.#serial(async () => {
      for (const name of this.#assignment().connectors) await this.#startConnector(name)
    })
    this.#o.metrics.recordRebalance(performance.now() - started)
    this.#markStarted()
  }

  /**
   * Graceful shutdown: every task stops polling, flushes, commits offsets. In a group this runs before the worker
   * leaves (as Connect's herder halts before its member stops), and no assignment starts work afterwards, so the
   * workers taking over never run a task this one still runs.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#keyRotationTimer)
    for (const timer of this.#retryTimers) clearTimeout(timer)
    this.#retryTimers.clear()
    await this.#worker.stop()
    if (this.#o.group) await this.#serial(() => this.#worker.stop())
  }

  // ---- group membership (RebalanceListener) ----------------------------------------------------------------------

  configOffset(): bigint {
    return this.#o.configs.offset
  }

  /**
   * As the group's leader, over the config view read to its end: Connect's eager round-robin, or under a
   * cooperative protocol Connect's incremental cooperative assignor (what each member starts and stops).
   */
  async performAssignment(
    leaderId: string,
    members: MemberState[],
    round: AssignmentRound = { protocol: 'default', generation: -1, lastCompletedGeneration: -1 },
  ): Promise<Map<string, ConnectAssignment>> {
    await this.#o.configs.readToEnd()
    const leaderOffset = this.#o.configs.offset
    if (protocolVersionOf(round.protocol) === 0) {
      const assignments = eagerAssignments(leaderId, members, leaderOffset, this.#o.configs)
      this.#leaderView = new Map()
      for (const m of members) {
        const assignment = assignments.get(m.memberId)
        if (assignment) this.#leaderView.set(m.memberId, { url: m.url, assignment })
      }
      return assignments
    }
    const leader = members.find((m) => m.memberId === leaderId)
    if (!leader) throw new Error(`the leader ${leaderId} is not among the group's members`)
    const maxOffset = members.reduce((max, m) => (m.configOffset > max ? m.configOffset : max), leaderOffset)
    const base = { leader: leaderId, leaderUrl: leader.url, configOffset: leaderOffset, delayMs: 0 }
    const nothing = { connectors: [], tasks: [], revokedConnectors: [], revokedTasks: [] }
    if (maxOffset > leaderOffset) {
      // A member has read further than the leader could: every member reads to the end and rejoins.
      return new Map(members.map((m) => [m.memberId, { ...base, ...nothing, error: 1, configOffset: maxOffset }]))
    }
    const result = this.#cooperative.assign(
      this.#o.configs,
      members.map((m) => ({
        memberId: m.memberId,
        connectors: m.allocation?.connectors ?? [],
        tasks: m.allocation?.tasks ?? [],
      })),
      round.lastCompletedGeneration,
      round.generation,
    )
    const assignments = new Map<string, ConnectAssignment>()
    this.#leaderView = new Map()
    for (const m of members) {
      const changes = result.members.get(m.memberId)
      const assignment: ConnectAssignment = {
        ...base,
        error: NO_ERROR,
        delayMs: result.delayMs,
        connectors: changes?.connectors ?? [],
        tasks: changes?.tasks ?? [],
        revokedConnectors: changes?.revokedConnectors ?? [],
        revokedTasks: changes?.revokedTasks ?? [],
      }
      assignments.set(m.memberId, assignment)
      const all = changes?.all ?? { connectors: [], tasks: [] }
      this.#leaderView.set(m.memberId, { url: m.url, assignment: { ...assignment, ...all } })
    }
    if (result.delayMs > 0) {
      log.info({ delayMs: result.delayMs }, 'work of a departed worker is held back until the scheduled rebalance')
    }
    return assignments
  }

  /** A rebalance begins: rebalancing = 1 and its time counted from here, until the next assignment has started. */
  joining(): void {
    if (this.#rebalanceStartedAt !== undefined) return
    this.#rebalanceStartedAt = performance.now()
    this.#o.metrics.recordRebalanceStart?.()
  }

  /**
   * Stops work before the next assignment, each task committing its acknowledged offsets first. Nothing named (an
   * eager rebalance, or a lost membership): everything. Named (a cooperative revocation): only that; the rest runs on.
   */
  revoked(what?: Revocation): Promise<void> {
    return this.#serial(async () => {
      this.joining()
      if (this.#gateOpen) this.#assignedGate = this.#closedGate()
      if (!what) {
        this.#groupAssignment = null
        await this.#worker.release()
        this.#applied.clear()
        return
      }
      await this.#worker.release(what)
      for (const name of what.connectors) this.#applied.delete(name)
      const current = this.#groupAssignment
      if (current) {
        const gone = new Set(what.tasks.map((t) => `${t.connector}-${t.task}`))
        this.#groupAssignment = {
          ...current,
          connectors: current.connectors.filter((c) => !what.connectors.includes(c)),
          tasks: current.tasks.filter((t) => !gone.has(`${t.connector}-${t.task}`)),
        }
      }
    })
  }

  /**
   * Starts exactly what the assignment holds, once the config view has read up to the assignment's config offset
   * (Connect: no worker runs on a view older than the one the leader assigned from).
   */
  assigned(
    assignment: ConnectAssignment,
    generation: number,
    memberId: string,
    protocol = 'default',
  ): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#stopping) return false
      const startedAt = this.#rebalanceStartedAt ?? performance.now()
      this.#memberId = memberId
      this.#protocol = protocol
      if (assignment.leader !== memberId) this.#leaderView.clear()
      this.#leaderUrl = assignment.leaderUrl
      this.#o.metrics.recordGroup?.(assignment.leaderUrl, protocol)
      // Internal requests are signed and checked while the group runs `sessioned` (Connect's onAssigned).
      this.setRequestValidation(protocolVersionOf(protocol) >= 2)
      if (assignment.error !== NO_ERROR) {
        log.info({ generation }, "the leader's config view was behind a member's: reading to the end and rejoining")
        await this.#o.configs.readToEnd()
        this.#rebalance('config offset mismatch')
        return false
      }
      if (this.#o.configs.offset < assignment.configOffset) {
        const syncMs = this.#o.workerSyncTimeoutMs ?? 3_000
        await this.#o.configs.readToEnd(syncMs).catch(() => {})
        if (this.#o.configs.offset < assignment.configOffset) {
          const backoffMs = this.#o.workerUnsyncBackoffMs ?? 300_000
          log.warn(
            { generation, at: String(this.#o.configs.offset), needed: String(assignment.configOffset), backoffMs },
            `could not read the config topic up to the assignment in worker.sync.timeout.ms (${syncMs} ms): leaving the group for worker.unsync.backoff.ms`,
          )
          if (this.#gateOpen) this.#assignedGate = this.#closedGate()
          if (this.#group?.leaveAndBackOff) this.#group.leaveAndBackOff(backoffMs, 'config topic behind the assignment')
          else this.#rebalance('config topic behind the assignment')
          return false
        }
      }
      // Cooperative: what ran before and is still assigned keeps running; only what is new here starts. What ran
      // and is no longer assigned (the group moved from a cooperative protocol to eager, which revokes nothing
      // explicitly) stops first.
      const before = this.#groupAssignment
      this.#groupAssignment = assignment
      this.#worker.setGeneration?.(generation)
      // As the leader under `sessioned`: a session key for the group's signed requests, written before work starts.
      await this.ensureSessionKey()
      const assigned = this.#assignment()
      if (before) {
        const keep = new Set(assigned.tasks.map((t) => `${t.connector}-${t.task}`))
        const connectors = before.connectors.filter((c) => !assigned.connectors.has(c))
        const tasks = before.tasks.filter((t) => !keep.has(`${t.connector}-${t.task}`))
        if (connectors.length > 0 || tasks.length > 0) {
          await this.#worker.release({ connectors, tasks })
          for (const name of connectors) this.#applied.delete(name)
        }
      }
      const started = new Set(before?.connectors ?? [])
      for (const name of assigned.connectors) if (!started.has(name)) await this.#startConnector(name)
      for (const { connector, task } of assigned.tasks) {
        if (!this.#worker.hasTask({ connector, task })) await this.#startTask(connector, task)
      }
      this.#o.metrics.recordRebalance(performance.now() - startedAt, generation)
      this.#o.metrics.recordAssignment?.(assigned.connectors.size, assigned.tasks.length)
      this.#rebalanceStartedAt = undefined
      log.info(
        {
          generation,
          leader: assignment.leaderUrl,
          connectors: [...assigned.connectors],
          tasks: assigned.tasks.map((t) => `${t.connector}-${t.task}`),
        },
        'assignment started',
      )
      this.#markStarted()
      if (this.#assignmentChangeOffset > assignment.configOffset) {
        this.#rebalance('connectors or tasks changed since the assignment')
      } else {
        this.#openAssignedGate()
      }
      for (const [name, request] of this.#pendingRestarts) await this.#executeRestart(name, request)
      this.#pendingRestarts.clear()
      return true
    })
  }

  /** Whether this worker leads its group (outside a group it handles every request itself). */
  isLeader(): boolean {
    return !this.#o.group || (this.#groupAssignment !== null && this.#groupAssignment.leader === this.#memberId)
  }

  /** The leader's REST URL as of the last assignment; null before the first one. */
  leaderUrl(): string | null {
    return this.#leaderUrl
  }

  // ---- internal requests between workers (the `sessioned` protocol) ---------------------------------------------

  /**
   * Turns checking of internal request signatures on or off: on once the group runs the `sessioned` protocol (v2),
   * off under `eager`/`compatible` (Connect's internalRequestValidationEnabled). Off by default.
   */
  setRequestValidation(enabled: boolean): void {
    if (enabled === this.#requestValidation) return
    this.#requestValidation = enabled
    if (enabled) log.info('internal request validation enabled: requests between workers must be signed')
    else {
      clearTimeout(this.#keyRotationTimer)
      log.warn(
        "internal request validation disabled: the group does not run the 'sessioned' protocol, so requests between workers are not verified (KIP-507)",
      )
    }
  }

  requestValidationEnabled(): boolean {
    return this.#requestValidation
  }

  /**
   * As the leader with validation on: writes a new session key to the config topic when none has been written, the
   * current one has expired, or it does not match this worker's key settings (Connect's checkForKeyRotation), and
   * schedules the next rotation. Does nothing otherwise. Does not queue behind the herder's serial work, so the
   * rebalance path may call it from inside that work (e.g. once an assignment has been taken).
   */
  async ensureSessionKey(now = Date.now()): Promise<boolean> {
    if (!this.#requestValidation || !this.isLeader() || this.#stopping) return false
    const current = this.#o.configs.sessionKey()
    const settings = this.#interWorker
    const reason =
      current === undefined
        ? 'no session key has been distributed yet'
        : settings.keyTtlMs > 0 && current.creationTimestamp + settings.keyTtlMs <= now
          ? 'the session key has expired'
          : current.algorithm !== settings.keyGenerationAlgorithm ||
              current.key.length !== keyLength(settings.keyGenerationAlgorithm, settings.keySizeBits)
            ? 'the session key uses another algorithm or key size than this worker is configured for'
            : undefined
    if (reason === undefined) {
      this.#scheduleKeyRotation()
      return false
    }
    log.info({ reason }, 'distributing a new session key')
    try {
      await this.#o.configs.putSessionKey(
        generateSessionKey(settings.keyGenerationAlgorithm, settings.keySizeBits, now),
      )
    } catch (error) {
      // As Connect: not fatal to the caller's rebalance; tried again shortly (reading the topic to its end first).
      log.warn({ err: error }, 'writing a new session key to the config topic failed; retrying in 1 s')
      this.#scheduleKeyRotation(KEY_WRITE_RETRY_MS)
      return false
    }
    this.#scheduleKeyRotation()
    return true
  }

  /**
   * As the leader: a timer for when the current key expires (Connect's tick wakes at keyExpiration), or `retryInMs`
   * after a failed write.
   */
  #scheduleKeyRotation(retryInMs?: number): void {
    clearTimeout(this.#keyRotationTimer)
    this.#keyRotationTimer = undefined
    if (!this.#requestValidation || !this.isLeader() || this.#stopping) return
    const key = this.#o.configs.sessionKey()
    let delay = retryInMs
    if (delay === undefined) {
      if (!key || this.#interWorker.keyTtlMs <= 0) return
      delay = Math.max(0, key.creationTimestamp + this.#interWorker.keyTtlMs - Date.now())
    }
    this.#keyRotationTimer = setTimeout(
      () => {
        void this.#serial(async () => {
          if (retryInMs !== undefined) await this.#o.configs.readToEnd()
          await this.ensureSessionKey()
        }).catch((error) => log.warn({ err: error }, 'checking the session key failed'))
      },
      Math.min(delay, 2_147_483_647),
    )
    this.#keyRotationTimer.unref()
  }

  /**
   * POST /connectors/<name>/tasks from another worker (Connect's putTaskConfigs): with validation on, the signature
   * must verify against the current session key; then the leader writes the task configs (others point to it).
   */
  async putTaskConfigs(
    name: string,
    configs: Record<string, string>[],
    signature: RequestSignature | null,
  ): Promise<void> {
    this.#verifySignature(signature)
    const notLeader = 'Only the leader may write task configurations.'
    await this.#leaderOnly(notLeader)
    return this.#serial(async () => {
      if (!this.isLeader()) throw new RequestTargetError(notLeader, this.#leaderUrl)
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Connector ${name} not found`)
      await this.#writeTaskConfigs(name, configs)
    })
  }

  /** The leader's write of a connector's task configs (Connect's writeTaskConfigs). */
  async #writeTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    if (configs.length > 0 && this.#o.configs.targetState(name) === 'STOPPED') {
      throw badRequest(`Cannot submit non-empty set of task configs for stopped connector ${name}`)
    }
    await this.#o.configs.putTaskConfigs(name, configs)
    await this.#o.configs.readToEnd()
  }

  // ---- info --------------------------------------------------------------------------------------------------

  serverInfo(): ServerInfo {
    return { version: this.#o.version, commit: this.#o.commit, kafka_cluster_id: this.#clusterId }
  }

  health(): HealthStatus {
    return this.#started
      ? { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }
      : { status: 'starting', message: 'Worker is still starting up.' }
  }

  workerId(): string {
    return this.#worker.workerId
  }

  whenStarted(): Promise<void> {
    return this.#startedPromise
  }

  async catchUp(): Promise<void> {
    if (this.#o.group) await this.#o.configs.readToEnd()
  }

  connectors(): string[] {
    return this.#o.configs.connectorNames()
  }

  connectorInfo(name: string): ConnectorInfo {
    const config = this.connectorConfig(name)
    return {
      name,
      config,
      tasks: this.#o.configs.taskConfigs(name).map((_, task) => ({ connector: name, task })),
      type: this.#typeOf(config),
    }
  }

  connectorConfig(name: string): Record<string, string> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config) throw notFound(`Connector ${name} not found`)
    return { ...config }
  }

  connectorStatus(name: string): ConnectorStatus {
    const config = this.#o.configs.connectorConfig(name)
    // Connect's message: the status endpoints look the connector up in the status store.
    if (!config) throw notFound(`No status found for connector ${name}`)
    const status = this.#o.statuses.connector(name)
    const tasks = this.#o.configs.taskConfigs(name).map((_, i) => this.#taskStatus(name, i))
    return {
      name,
      connector: {
        state: status?.state ?? 'UNASSIGNED',
        worker_id: status?.worker_id ?? this.#worker.workerId,
        ...(status?.trace ? { trace: status.trace } : {}),
        ...(status?.version ? { version: status.version } : {}),
      },
      tasks,
      type: this.#typeOf(config),
    }
  }

  taskStatus(name: string, task: number): TaskStatus {
    if (
      !this.#o.configs.connectorConfig(name) ||
      !Number.isInteger(task) ||
      task < 0 ||
      task >= this.#o.configs.taskConfigs(name).length
    ) {
      throw notFound(`No status found for task ${name}-${task}`)
    }
    return this.#taskStatus(name, task)
  }

  taskConfigs(name: string): TaskInfo[] {
    this.connectorConfig(name)
    return this.#o.configs.taskConfigs(name).map((config, task) => ({ id: { connector: name, task }, config }))
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    const out: PluginInfo[] = this.#o.plugins
      .all()
      .map((p) => ({ class: p.className, type: p.type, version: p.version }))
    if (!connectorsOnly) {
      for (const cls of converterClassNames) out.push({ class: cls, type: 'converter', version: this.#o.version })
      for (const p of transformPlugins()) out.push({ ...p, version: this.#o.version })
    }
    return out
  }

  pluginConfig(pluginClass: string): ConfigKeyInfo[] {
    const transformDef = pluginConfigDef(pluginClass)
    if (transformDef) return transformDef.keys().map(keyInfo)
    return this.#o.plugins.forPluginPath(pluginClass).configDef.keys().map(keyInfo)
  }

  async validateConnectorConfig(pluginClass: string, config: Record<string, string>): Promise<ConfigInfos> {
    const plugin = this.#o.plugins.forConnectorClass(pluginClass)
    // As Connect's enriched ConfigDef: the common and source keys, then each transform's and predicate's, then the plugin's.
    const transforms = transformsValidation(config)
    const def = connectorConfigDef
      .merge(exactlyOnceConfigDef)
      .merge(connectorOffsetsTopicConfigDef)
      .merge(transforms.def)
      .merge(plugin.configDef)
    const extra = new Map<string, string[]>()
    const add = (key: string, message: string) => extra.set(key, [...(extra.get(key) ?? []), message])
    for (const [key, errors] of transforms.errors) for (const e of errors) add(key, e)
    for (const which of ['key.converter', 'value.converter'] as const) {
      const cls = config[which]
      if (!cls) continue
      try {
        connectorConverter(cls, config, which)
      } catch (error) {
        add(which, messageOf(error))
      }
    }
    for (const [key, errors] of exactlyOncePreflight(plugin, config, this.#o.exactlyOnceSourceSupport === true)) {
      for (const e of errors) add(key, e)
    }
    if (plugin.validate && def.parse(config).errors.size === 0) {
      try {
        for (const [key, errors] of await plugin.validate(config)) for (const e of errors) add(key, e)
      } catch (error) {
        add('connector.class', `Validation by ${plugin.className} failed: ${messageOf(error)}`)
      }
    }
    return configInfos(plugin.className, def, config, extra)
  }

  // ---- changes -------------------------------------------------------------------------------------------------

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      const withName = { ...config }
      if (withName.name !== undefined && withName.name !== name) {
        throw badRequest(
          `Connector name configuration (${withName.name}) doesn't match connector name in the URL (${name})`,
        )
      }
      withName.name = name
      await this.#assertValid(withName)
      const exists = this.#o.configs.connectorConfig(name) !== undefined
      if (exists && !options.allowReplace) throw conflict(`Connector ${name} already exists`)
      if (exists) await this.#worker.stopConnector(name, false)
      const initial: TargetState | undefined = exists
        ? undefined
        : options.initialState === 'PAUSED'
          ? 'PAUSED'
          : options.initialState === 'STOPPED'
            ? 'STOPPED'
            : 'STARTED'
      await this.#o.configs.putConnectorConfig(name, withName, initial)
      await this.#o.configs.readToEnd()
      await this.#startConnector(name)
      return { created: !exists, info: this.connectorInfo(name) }
    })
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    await this.#leaderOnly()
    const current = this.connectorConfig(name)
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete current[key]
      else current[key] = value
    }
    const { info } = await this.putConnectorConfig(name, current, { allowReplace: true })
    return info
  }

  async deleteConnector(name: string): Promise<void> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      const config = this.connectorConfig(name)
      const taskCount = this.#o.configs.taskConfigs(name).length
      await this.#worker.removeConnector(name, config)
      this.#applied.delete(name)
      await this.#o.configs.removeConnector(name)
      await this.#o.statuses.removeConnector(name, taskCount)
      await this.#o.configs.readToEnd()
    })
  }

  async pauseConnector(name: string): Promise<void> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      // Connect's message (AbstractHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      if (this.#o.configs.targetState(name) === 'STOPPED') {
        // Pausing a STOPPED connector starts it in the PAUSED state (connector up, tasks created but not polling).
        await this.#o.configs.putTargetState(name, 'PAUSED')
        await this.#o.configs.readToEnd()
        await this.#startConnector(name)
        return
      }
      await this.#o.configs.putTargetState(name, 'PAUSED')
      await this.#o.configs.readToEnd()
      await this.#worker.setTargetState(name, 'PAUSED')
      this.#noteTarget(name)
    })
  }

  async resumeConnector(name: string): Promise<void> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      // Connect's message (AbstractHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      const before = this.#o.configs.targetState(name)
      await this.#o.configs.putTargetState(name, 'STARTED')
      await this.#o.configs.readToEnd()
      if (before === 'STOPPED' || !this.#worker.isRunning(name)) {
        await this.#startConnector(name)
        return
      }
      await this.#worker.setTargetState(name, 'STARTED')
      this.#noteTarget(name)
    })
  }

  async stopConnector(name: string): Promise<void> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      // Connect's message (DistributedHerder).
      if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector ${name}`)
      await this.#o.configs.putTargetState(name, 'STOPPED')
      // The connector's own worker records it STOPPED; tasks running here stop now, elsewhere at the rebalance.
      const here = this.#assignment().connectors.has(name)
      await this.#worker.stopConnector(name, here)
      // As Connect does: a stopped connector has no tasks (its task configs are emptied).
      await this.#o.configs.putTaskConfigs(name, [])
      await this.#o.configs.readToEnd()
      if (here) await this.#worker.connectorStopped(name)
      this.#noteTarget(name)
    })
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus | null> {
    if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector: ${name}`)
    const status = this.connectorStatus(name)
    if (!request.includeTasks && !request.onlyFailed) {
      await this.#whenAssigned()
      // As Connect: the connector's own worker restarts it; the leader points a request elsewhere to that worker.
      if (this.#o.group && !this.#assignment().connectors.has(name)) {
        throw this.#elsewhere(`connector ${name}`, (a) => a.connectors.includes(name))
      }
      await this.#serial(async () => {
        await this.#worker.stopConnector(name, false)
        await this.#startConnector(name)
      })
      return null
    }
    await this.#leaderOnly('Only the leader can process restart requests.')
    const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED'
    const tasks = request.includeTasks
      ? status.tasks.filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
      : []
    const answer: ConnectorStatus = {
      ...status,
      connector: restartConnector
        ? { ...withVersion(status.connector.version), state: 'RESTARTING', worker_id: status.connector.worker_id }
        : status.connector,
      tasks: status.tasks.map((t) =>
        tasks.includes(t.id) ? { id: t.id, state: 'RESTARTING', worker_id: t.worker_id, ...withVersion(t.version) } : t,
      ),
    }
    if (this.#o.group) {
      // As Connect (KIP-745): a restart request in the config topic, acted on by every worker for what it runs.
      await this.#serial(async () => {
        await this.#o.configs.putRestartRequest(name, request)
        await this.#o.configs.readToEnd()
      })
    } else {
      await this.#serial(() => this.#executeRestart(name, request))
    }
    return answer
  }

  restartTask(name: string, task: number): Promise<void> {
    // Connect's messages (DistributedHerder.restartTask).
    if (!this.#o.configs.connectorConfig(name)) throw notFound(`Unknown connector: ${name}`)
    if (!Number.isInteger(task) || task < 0 || task >= this.#o.configs.taskConfigs(name).length) {
      throw notFound(`Unknown task: ${name}-${task}`)
    }
    return this.#restartTaskWhereItRuns(name, task)
  }

  /** The task's own worker restarts it; the leader points a request elsewhere to that worker. */
  async #restartTaskWhereItRuns(name: string, task: number): Promise<void> {
    await this.#whenAssigned()
    if (this.#o.group && !assignedTasks(this.#assignment(), name).includes(task)) {
      throw this.#elsewhere(`task ${name}-${task}`, (a) => a.tasks.some((t) => t.connector === name && t.task === task))
    }
    return this.#serial(() => this.#restartTask(name, task))
  }

  /** As Connect: an unknown connector has no topics (not a 404). */
  connectorActiveTopics(name: string): string[] {
    if (!this.#o.topicTrackingEnabled) {
      throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    }
    return this.#o.statuses.topics(name)
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    if (!this.#o.topicTrackingEnabled) throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking is disabled.')
    if (!this.#o.topicTrackingAllowReset) {
      throw new FlowscopeError(ErrorCodes.FORBIDDEN, 'Topic tracking reset is disabled.')
    }
    await this.#o.statuses.resetTopics(name)
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    const offsets = await this.#offsetsOf(name)
    await offsets.readToEnd()
    return offsets.all(name)
  }

  /** The store connector `name` keeps its offsets in (NOT_FOUND for an unknown connector). */
  async #offsetsOf(name: string): Promise<OffsetBackingStore> {
    const config = this.connectorConfig(name)
    return this.#o.offsetStores ? this.#o.offsetStores.forConnector(config) : this.#o.offsets
  }

  async alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<string> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      this.#assertStopped(name)
      for (const [i, entry] of offsets.entries()) {
        if (
          !entry ||
          typeof entry.partition !== 'object' ||
          entry.partition === null ||
          Array.isArray(entry.partition)
        ) {
          throw badRequest(`Offset entry ${i} has no source partition: each entry needs a "partition" object`)
        }
        if (entry.offset !== null && (typeof entry.offset !== 'object' || Array.isArray(entry.offset))) {
          throw badRequest(`Offset entry ${i} has an invalid "offset": it must be an object or null`)
        }
      }
      await this.#fenceBeforeOffsetsChange(name)
      const store = await this.#offsetsOf(name)
      await store.write(name, offsets)
      await store.readToEnd()
      return 'The offsets for this connector have been altered successfully'
    })
  }

  async resetConnectorOffsets(name: string): Promise<string> {
    await this.#leaderOnly()
    return this.#serial(async () => {
      this.#assertStopped(name)
      await this.#fenceBeforeOffsetsChange(name)
      const store = await this.#offsetsOf(name)
      await store.readToEnd()
      const partitions: { partition: SourcePartition; offset: null }[] = store
        .all(name)
        .map(({ partition }) => ({ partition, offset: null }))
      await store.write(name, partitions)
      await store.readToEnd()
      return 'The offsets for this connector have been reset successfully'
    })
  }

  // ---- exactly-once source tasks (KIP-618 zombie fencing) ------------------------------------------------------

  /**
   * Connect's doFenceZombieSourceTasks, on the leader only (others: RequestTargetError to it): when task configs
   * were committed after the connector's latest task-count record, fences out the producers of tasks
   * 0..(that count − 1), then writes a task-count record of the current task count, so no task of an older
   * generation — on any worker, running or not — can commit again. Skipped, the record still written, when there is
   * no record yet (no transactional producer ran) or both counts are 1 (the new task 0 fences the old one itself).
   * Unlike other requests it neither waits for a pending rebalance nor queues behind the herder's work: a task
   * start, which runs in that queue, waits on it. From another worker (`signature`: the request's), with request
   * validation on, the signature must verify against the session key first, as for the task-config POST.
   */
  /** With request validation on, a request from another worker must carry a signature the session key verifies. */
  #verifySignature(signature: RequestSignature | null): void {
    if (!this.#requestValidation) return
    const key = this.#o.configs.sessionKey()?.key ?? null
    const problem = signatureProblem(signature, key, this.#interWorker.verificationAlgorithms)
    if (problem) throw problem
  }

  async fenceZombieSourceTasks(name: string, signature: RequestSignature | null): Promise<void> {
    this.#verifySignature(signature)
    return this.#fenceZombieSourceTasks(name)
  }

  /** Connect's doFenceZombieSourceTasks (this worker's own requests: a task preflight, an offsets change). */
  async #fenceZombieSourceTasks(name: string): Promise<void> {
    if (!this.isLeader()) throw new RequestTargetError('Only the leader may perform zombie fencing.', this.#leaderUrl)
    const config = this.#o.configs.connectorConfig(name)
    if (!config) throw notFound(`Connector ${name} not found`)
    if (this.#typeOf(config) !== 'source') throw badRequest(`Connector ${name} is not a source connector`)
    await this.#readConfigsOrFail('Failed to read to end of config topic before performing zombie fencing')
    // One round per connector at a time, as Connect's herder thread runs them: a request arriving meanwhile (another
    // task's preflight) waits for it, and afterwards finds nothing pending.
    const active = this.#activeFencings.get(name)
    if (active) return active
    if (!this.#o.configs.pendingFencing(name)) return
    const round = this.#fencingRound(name).finally(() => this.#activeFencings.delete(name))
    this.#activeFencings.set(name, round)
    return round
  }

  /** Connect's ZombieFencing: fences the old generation's producers when needed, then records the new task count. */
  async #fencingRound(name: string): Promise<void> {
    const configs = this.#o.configs
    const taskCount = configs.taskConfigs(name).length
    const previous = configs.taskCountRecord(name)
    if (previous === undefined || (previous === 1 && taskCount === 1)) {
      log.debug({ connector: name, previous, taskCount }, 'no zombie fencing needed: writing the task-count record')
      await configs.putTaskCountRecord(name, taskCount)
      await configs.readToEnd()
      return
    }
    await this.#fence(name, previous, taskCount)
  }

  async #fence(name: string, tasksToFence: number, tasksToRecord: number): Promise<void> {
    const generation = this.#o.configs.taskConfigGeneration(name)
    const fence = this.#o.fenceZombies
    if (!fence) throw new FlowscopeError(ErrorCodes.CONNECT, 'This worker cannot fence out producers')
    log.info({ connector: name, tasksToFence, tasksToRecord }, 'fencing out older generations of the connector tasks')
    await fence(name, tasksToFence)
    await this.#readConfigsOrFail('Failed to read to end of config topic')
    if (this.#o.configs.taskConfigGeneration(name) !== generation) {
      throw conflict('Fencing failed because new task configurations were generated for the connector')
    }
    await this.#o.configs.putTaskCountRecord(name, tasksToRecord)
    await this.#o.configs.readToEnd()
  }

  /**
   * As Connect's modifyConnectorOffsets: with exactly-once source support, a round of zombie fencing before a
   * stopped connector's offsets change, so no task of it still running somewhere can commit offsets over them.
   */
  async #fenceBeforeOffsetsChange(name: string): Promise<void> {
    if (!this.#o.exactlyOnceSourceSupport) return
    try {
      await this.#fenceZombieSourceTasks(name)
    } catch (cause) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `Failed to perform zombie fencing for source connector prior to modifying offsets: ${messageOf(cause)}`,
        { cause },
      )
    }
    // The round ran outside the herder's queue: the connector must still be stopped (Connect checks again too).
    this.#assertStopped(name)
  }

  /**
   * The preflight of an exactly-once source task starting here (Connect's DistributedHerder.startTask): before its
   * producer starts, the leader fences older task generations (this worker, or asked over REST); after, the task's
   * configs must still be the newest and the task still assigned here. Taken when the task is handed its configs.
   */
  exactlyOncePreflight(id: ConnectorTaskId): ExactlyOncePreflight {
    const generation = this.#o.configs.taskConfigGeneration(id.connector)
    return {
      beforeProducer: () => this.#preflightFencing(id),
      afterProducer: () => this.#verifyTaskGenerationAndOwnership(id, generation),
    }
  }

  async #preflightFencing(id: ConnectorTaskId): Promise<void> {
    let leader: string | null
    try {
      await this.#fenceZombieSourceTasks(id.connector)
      return
    } catch (error) {
      if (!(error instanceof RequestTargetError)) {
        throw new FlowscopeError(ErrorCodes.CONNECT, `Failed to perform zombie fencing: ${messageOf(error)}`, {
          cause: error,
        })
      }
      leader = error.forwardUrl
    }
    if (leader === null) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        'Failed to perform zombie fencing: the leader of the group is not known, and it must fence out older task generations before an exactly-once source task starts',
      )
    }
    log.debug({ connector: id.connector, task: id.task, leader }, 'asking the leader for zombie fencing')
    const send = this.#o.requestLeaderFence ?? putFence
    const since = Date.now()
    for (let failures = 0; ; failures++) {
      const sessionKey = this.#o.configs.sessionKey()
      try {
        await send({
          leaderUrl: leader,
          connector: id.connector,
          sessionKey,
          signatureAlgorithm: this.#interWorker.signatureAlgorithm,
        })
        return
      } catch (error) {
        // The leader writes the session key as it takes its assignment, so a member's first tasks may start before
        // the key reaches it (sent unsigned: 400), or before the leader has one (503), or just after a rotation
        // (403): read the config topic again and retry for a while, as a follower's task-config POST is retried.
        const status = error instanceof LeaderRequestError ? error.statusCode : 0
        const keyProblem = status === 503 || status === 403 || (status === 400 && sessionKey === undefined)
        if (!keyProblem || this.#stopping || Date.now() > since + FENCE_KEY_WINDOW_MS) {
          throw new FlowscopeError(
            ErrorCodes.CONNECT,
            `Forwarding zombie fencing request to the leader at ${leader} failed${status ? ` with ${status}` : ''}: ${messageOf(error)}`,
            { cause: error },
          )
        }
        await this.#o.configs.readToEnd().catch(() => {})
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(RECONFIGURE_BACKOFF_INITIAL_MS * 2 ** failures, 2_000)),
        )
      }
    }
  }

  /** Connect's verifyTaskGenerationAndOwnership (its messages). */
  async #verifyTaskGenerationAndOwnership(id: ConnectorTaskId, generation: number | undefined): Promise<void> {
    await this.#readConfigsOrFail('Failed to read to end of config topic', 30_000)
    const task = `${id.connector}-${id.task}`
    if (this.#o.configs.taskConfigGeneration(id.connector) !== generation) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `Cannot start source task ${task} with exactly-once support as the connector has already generated a new set of task configs`,
      )
    }
    if (!assignedTasks(this.#assignment(), id.connector).includes(id.task)) {
      throw new FlowscopeError(
        ErrorCodes.CONNECT,
        `Cannot start source task ${task} as it has already been revoked from this worker`,
      )
    }
  }

  /** Reads the config topic to its end within `timeoutMs` (worker.sync.timeout.ms when absent), else fails with `message`. */
  async #readConfigsOrFail(message: string, timeoutMs = this.#o.workerSyncTimeoutMs ?? 3_000): Promise<void> {
    try {
      await this.#o.configs.readToEnd(timeoutMs)
    } catch (cause) {
      throw new FlowscopeError(ErrorCodes.CONNECT, message, { cause })
    }
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  /**
   * In a group only the leader changes configs (Connect's NotLeaderException): others forward the request to it.
   * Mid-rebalance the request waits for the next assignment, as Connect's herder thread makes it wait.
   */
  async #leaderOnly(
    message = 'Cannot complete request because this worker is not the leader of its group',
  ): Promise<void> {
    await this.#whenAssigned()
    if (this.isLeader()) return
    throw new RequestTargetError(message, this.#leaderUrl)
  }

  /** In a group: resolves once this member holds an assignment (at most a rebalance timeout later). */
  async #whenAssigned(): Promise<void> {
    if (!this.#o.group || this.#gateOpen) return
    let timer: NodeJS.Timeout | undefined
    let timedOut = false
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true
        resolve()
      }, ASSIGNMENT_WAIT_MS)
    })
    try {
      // The gate may close again before this wakes (another rebalance became due): wait for that one too.
      while (!this.#gateOpen && !timedOut) await Promise.race([this.#assignedGate, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Connect's NotAssignedException (the leader knows who runs it) or NotLeaderException (ask the leader). */
  #elsewhere(what: string, runs: (assignment: ConnectAssignment) => boolean): RequestTargetError {
    if (!this.isLeader())
      return new RequestTargetError('Only the leader can process restart requests.', this.#leaderUrl)
    const owner = [...this.#leaderView.values()].find((member) => runs(member.assignment))
    return new RequestTargetError(`Cannot restart ${what} since it is not assigned to this member`, owner?.url ?? null)
  }

  /** A config record read from the topic (own writes included), in a group: act on it for what runs here. */
  #onConfigChange(change: ConfigChange): void {
    const offset = this.#o.configs.offset
    if (change.kind === 'session-key') {
      // Connect's onSessionKeyUpdate: the key every signature is checked against from now on; the leader times its
      // rotation from the new key's creation.
      log.info('session key updated')
      this.#scheduleKeyRotation()
      return
    }
    if (change.kind === 'tasks' || (change.kind === 'connector' && change.existed !== change.exists)) {
      // Which connectors or tasks exist changed: every worker's assignment may change (Connect rebalances).
      if (offset > this.#assignmentChangeOffset) this.#assignmentChangeOffset = offset
      const current = this.#groupAssignment
      if (current && offset > current.configOffset) {
        // Cooperative: a rebalance stops nothing by itself, so what ran on the old configs stops now (Connect's
        // processTaskConfigUpdatesWithIncrementalCooperative); tasks still assigned here restart after it.
        if (protocolVersionOf(this.#protocol) > 0) void this.#serial(() => this.#stopOutdated(change))
        this.#rebalance(`connector ${change.name} changed`)
      }
      return
    }
    if (change.kind === 'restart') {
      // Restart requests read while starting up are history; one read mid-rebalance waits for the next assignment.
      if (!this.#started) return
      const request = { includeTasks: change.includeTasks, onlyFailed: change.onlyFailed }
      if (!this.#groupAssignment) this.#pendingRestarts.set(change.name, request)
      else void this.#serial(() => this.#executeRestart(change.name, request))
      return
    }
    if (!this.#groupAssignment) return
    // An updated config or a new target state of a connector (written by the leader): applied to what runs here.
    void this.#serial(() => this.#reconcile(change.name)).catch((error) =>
      log.error({ err: error, connector: change.name }, 'applying a config change failed'),
    )
  }

  /** Brings what runs here of connector `name` in line with its stored config and target state. */
  async #reconcile(name: string): Promise<void> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config || !this.#groupAssignment) return
    const target = this.#o.configs.targetState(name)
    const assignment = this.#assignment()
    if (assignment.connectors.has(name)) {
      const applied = this.#applied.get(name)
      if (applied && applied.config === JSON.stringify(config) && applied.target === target) return
      if (
        applied &&
        applied.config === JSON.stringify(config) &&
        applied.target !== 'STOPPED' &&
        target !== 'STOPPED'
      ) {
        await this.#worker.setTargetState(name, target === 'PAUSED' ? 'PAUSED' : 'STARTED')
        this.#noteTarget(name)
        return
      }
      if (target === 'STOPPED') {
        await this.#worker.stopConnector(name, true)
        this.#noteTarget(name)
        return
      }
      await this.#worker.stopConnector(name, false)
      await this.#startConnector(name)
    } else if (assignedTasks(assignment, name).length > 0 && target !== 'STOPPED') {
      await this.#worker.setTargetState(name, target === 'PAUSED' ? 'PAUSED' : 'STARTED')
    }
  }

  /** Stops what runs here of a connector that was deleted (everything) or got new task configs (its tasks). */
  async #stopOutdated(change: Extract<ConfigChange, { kind: 'connector' | 'tasks' }>): Promise<void> {
    const name = change.name
    const here = this.#assignment()
    const tasks = assignedTasks(here, name)
      .map((task) => ({ connector: name, task }))
      .filter((id) => this.#worker.hasTask(id))
    const deleted = change.kind === 'connector' && !change.exists
    const connectors = deleted && here.connectors.has(name) ? [name] : []
    if (tasks.length === 0 && connectors.length === 0) return
    log.info({ connector: name, deleted, tasks: tasks.map((t) => t.task) }, 'stopping work on outdated configs')
    await this.#worker.release({ connectors, tasks })
    if (deleted) this.#applied.delete(name)
  }

  /** Records the connector's current target state as applied here. */
  #noteTarget(name: string): void {
    const applied = this.#applied.get(name)
    if (applied) applied.target = this.#o.configs.targetState(name)
  }

  /** Restarts, of what runs here, the connector and/or tasks the request selects (onlyFailed: FAILED ones). */
  async #executeRestart(name: string, request: Restart): Promise<void> {
    if (!this.#o.configs.connectorConfig(name)) return
    const status = this.connectorStatus(name)
    const here = this.#assignment()
    const localTasks = assignedTasks(here, name)
    const restartConnector = here.connectors.has(name) && (!request.onlyFailed || status.connector.state === 'FAILED')
    const tasks = request.includeTasks
      ? status.tasks.filter((t) => localTasks.includes(t.id) && (!request.onlyFailed || t.state === 'FAILED'))
      : []
    if (restartConnector && (request.includeTasks ? tasks.length === localTasks.length : true)) {
      await this.#worker.stopConnector(name, false)
      await this.#startConnector(name)
    } else {
      if (restartConnector) await this.#restartConnectorInstanceOnly(name)
      for (const task of tasks) await this.#restartTask(name, task.id)
    }
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => {})
    return next
  }

  #typeOf(config: Record<string, string>): ConnectorInfo['type'] {
    return this.#o.plugins.find(config['connector.class'] ?? '')?.type ?? 'unknown'
  }

  #taskStatus(name: string, task: number): TaskStatus {
    const s = this.#o.statuses.task(name, task)
    return {
      id: task,
      state: s?.state ?? 'UNASSIGNED',
      worker_id: s?.worker_id ?? this.#worker.workerId,
      ...(s?.trace ? { trace: s.trace } : {}),
      ...withVersion(s?.version),
    }
  }

  #assertStopped(name: string): void {
    this.connectorConfig(name)
    if (this.#o.configs.targetState(name) !== 'STOPPED' || this.#worker.isRunning(name)) {
      throw badRequest(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      )
    }
  }

  async #assertValid(config: Record<string, string>): Promise<void> {
    const cls = config['connector.class']
    if (!cls) {
      throw new FlowscopeError(
        ErrorCodes.INVALID_CONFIG,
        'Connector config {…} contains no connector type: add "connector.class" (e.g. io.confluent.connect.jdbc.JdbcSourceConnector)',
      )
    }
    const infos = await this.validateConnectorConfig(cls, config)
    if (infos.error_count === 0) return
    const lines = infos.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`))
    throw new FlowscopeError(
      ErrorCodes.INVALID_CONFIG,
      `Connector configuration is invalid and contains the following ${infos.error_count} error(s):\n${lines.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``,
    )
  }

  /** What this herder's worker runs now: its group assignment, or (outside a group) what its assignor says. */
  #assignment(): Assignment {
    if (!this.#o.group) return this.#assignor.assignment(this.#worker.workerId, this.#o.configs)
    const a = this.#groupAssignment
    return { connectors: new Set(a?.connectors ?? []), tasks: a?.tasks ?? [] }
  }

  /** Starts an assigned connector in its target state, then, once it runs, its task configs and assigned tasks. */
  async #startConnector(name: string): Promise<void> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config || !this.#assignment().connectors.has(name)) return
    const target = this.#o.configs.targetState(name)
    const running = await this.#worker.startConnector(name, config, target, () => this.#requestReconfiguration(name))
    this.#applied.set(name, { config: JSON.stringify(config), target })
    if (!running) return
    try {
      await this.#refreshTaskConfigs(name)
      await this.#startTasks(name)
    } catch (error) {
      await this.#worker.connectorFailed(name, error)
    }
  }

  /**
   * Asks the running connector for task configs; when they changed, the leader writes them (true), a follower sends
   * them to the leader off the serial queue (false: they arrive through the config topic, as the leader's write).
   */
  async #refreshTaskConfigs(name: string, attempt: ReconfigureAttempt = { since: Date.now(), failures: 0 }) {
    if (!this.#worker.isRunning(name)) return false
    const fresh = await this.#worker.connectorTaskConfigs(name)
    const stored = this.#o.configs.taskConfigs(name)
    if (JSON.stringify(fresh) === JSON.stringify(stored)) return false
    if (this.isLeader()) {
      await this.#writeTaskConfigs(name, fresh)
      return true
    }
    this.#forwardTaskConfigs(name, fresh, attempt)
    return false
  }

  /**
   * A follower's task configs to the leader, not awaited by the serial queue (Connect forwards on a separate
   * executor: a slow leader must not keep this worker from its rebalances). A failure asks the connector again after
   * a backoff (250 ms doubling to 60 s, for as long as it runs), as Connect's reconfigureConnectorTasksWithRetry.
   */
  #forwardTaskConfigs(name: string, configs: Record<string, string>[], attempt: ReconfigureAttempt): void {
    const request = {
      leaderUrl: this.#leaderUrl,
      connector: name,
      configs,
      sessionKey: this.#o.configs.sessionKey(),
      signatureAlgorithm: this.#interWorker.signatureAlgorithm,
    }
    postTaskConfigs(request).then(
      () => log.debug({ connector: name, leader: request.leaderUrl }, 'task configs sent to the leader'),
      (error: unknown) => this.#retryLater(name, attempt, error),
    )
  }

  /** Connect's reconfigureConnectorTasksWithRetry: after a failed attempt, the connector is asked again later. */
  #retryLater(name: string, attempt: ReconfigureAttempt, error: unknown): void {
    if (this.#stopping) return
    const delay = Math.min(RECONFIGURE_BACKOFF_INITIAL_MS * 2 ** attempt.failures, RECONFIGURE_BACKOFF_MAX_MS)
    const expiredKey =
      error instanceof LeaderRequestError &&
      error.statusCode === 403 &&
      Date.now() <= attempt.since + EXPIRED_KEY_WINDOW_MS
    if (expiredKey) {
      log.debug(
        { connector: name },
        'task configs refused by the leader (403), possibly an expired session key; retrying',
      )
    } else {
      log.error(
        { err: error, connector: name, retryInMs: delay },
        "reconfiguring the connector's tasks failed; retrying",
      )
    }
    const next = { since: attempt.since, failures: attempt.failures + 1 }
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer)
      void this.#serial(() => this.#retryReconfiguration(name, next)).catch((error) =>
        log.error({ err: error, connector: name }, 'restarting tasks after a task reconfiguration failed'),
      )
    }, delay)
    this.#retryTimers.add(timer)
  }

  /** A retried reconfiguration: only while the connector still runs here and is meant to (Connect's checks). */
  async #retryReconfiguration(name: string, attempt: ReconfigureAttempt): Promise<void> {
    if (this.#stopping || !this.#worker.isRunning(name) || this.#o.configs.targetState(name) !== 'STARTED') return
    await this.#reconfigure(name, attempt)
  }

  /**
   * One reconfiguration attempt: asks the connector for task configs and stores them (or sends them to the leader);
   * a failure is retried later, as Connect retries. Outside a group, changed configs restart the tasks here; in a
   * group the task-config record drives the restart on every worker running a task (#onConfigChange).
   */
  async #reconfigure(name: string, attempt: ReconfigureAttempt): Promise<void> {
    let changed: boolean
    try {
      changed = await this.#refreshTaskConfigs(name, attempt)
    } catch (error) {
      this.#retryLater(name, attempt, error)
      return
    }
    if (!changed || this.#o.group) return
    log.info({ connector: name }, 'task configs changed: restarting tasks')
    await this.#worker.stopTasks(name)
    await this.#startTasks(name)
  }

  /** Starts the connector's assigned tasks that do not run here yet. */
  async #startTasks(name: string): Promise<void> {
    for (const task of assignedTasks(this.#assignment(), name)) {
      if (!this.#worker.hasTask({ connector: name, task })) await this.#startTask(name, task)
    }
  }

  async #startTask(name: string, task: number): Promise<void> {
    const connectorConfig = this.#o.configs.connectorConfig(name) ?? {}
    const taskConfig = this.#o.configs.taskConfigs(name)[task]
    // Assigned from an older view (the config topic has moved on, e.g. the connector was stopped): the rebalance
    // that change causes assigns what exists now.
    if (!taskConfig) return
    await this.#worker.startTask(
      { connector: name, task },
      connectorConfig,
      taskConfig,
      this.#o.configs.targetState(name),
    )
  }

  async #restartConnectorInstanceOnly(name: string): Promise<void> {
    const config = this.#o.configs.connectorConfig(name)
    if (!config) return
    const target = this.#o.configs.targetState(name)
    await this.#worker.restartConnectorInstance(name, config, target, () => this.#requestReconfiguration(name))
  }

  async #restartTask(name: string, task: number): Promise<void> {
    if (!this.#worker.isRunning(name) || !assignedTasks(this.#assignment(), name).includes(task)) return
    const connectorConfig = this.#o.configs.connectorConfig(name) ?? {}
    const taskConfig = this.#o.configs.taskConfigs(name)[task]
    const target = this.#o.configs.targetState(name)
    await this.#worker.restartTask({ connector: name, task }, connectorConfig, taskConfig, target)
  }

  /** The connector asked for new task configs: stored, and its tasks restarted, only when they changed. */
  #requestReconfiguration(name: string): void {
    if (this.#reconfiguring.has(name)) return
    this.#reconfiguring.add(name)
    void this.#serial(async () => {
      try {
        if (!this.#worker.isRunning(name)) return
        await this.#reconfigure(name, { since: Date.now(), failures: 0 })
      } catch (error) {
        log.error({ err: error, connector: name }, 'restarting tasks after a task reconfiguration failed')
      } finally {
        this.#reconfiguring.delete(name)
      }
    })
  }
}

/** `{version}` when the version is known, else nothing (Connect leaves out a null version). */
function withVersion(version: string | null | undefined): { version?: string } {
  return version ? { version } : {}
}
