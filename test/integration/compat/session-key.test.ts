// The `sessioned` protocol's secrets against a real Apache Kafka Connect 4.1.1 worker, alone in its group (so it runs
// its default `sessioned` protocol and, as leader, writes a session key): flowscope's config store reads that
// `session-key` record; a task-config POST that flowscope's signing module signs with it is accepted by the Connect
// worker, an altered or unsigned one refused with Connect's 403 / 400; and a session key flowscope's store writes is
// read by the Connect worker (requests signed with it are accepted from then on). Last, a flowscope worker joining the
// Connect worker's group (which then agrees on eager `default`) as a follower sends its connector's task configs to
// the Connect leader, which writes them; and a Connect worker joining a flowscope-led group sends its task configs to
// the flowscope leader's internal endpoint, which writes them.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Producer } from '@platformatic/kafka'
import { postTaskConfigs } from '../../../src/runtime/leader-client.ts'
import { generateSessionKey, type SessionKey, signatureHeaders } from '../../../src/runtime/request-signature.ts'
import { ConfigStore } from '../../../src/storage/config-store.ts'
import { KafkaLog } from '../../../src/storage/kafka-log.ts'
import { testStack, uniqueName } from '../../support/stack.ts'
import { createTable, jdbcConfig, sql, startTestWorker, workerIdentity } from '../worker/helpers.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

const CONNECTOR = 'signed-file-source'
const TASK_CLASS = 'org.apache.kafka.connect.file.FileStreamSourceTask'

let upstream: UpstreamConnect
let producer: Producer
let log: KafkaLog
let dir: string
let table: string | undefined
const store = new ConfigStore()

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowscope-session-key-'))
  await writeFile(join(dir, 'input.txt'), '')
  upstream = await startUpstreamConnect()
  producer = new Producer({
    clientId: 'session-key-test',
    bootstrapBrokers: [testStack().bootstrapServers],
    idempotent: true,
    acks: -1,
  })
  log = new KafkaLog({
    topic: `${upstream.groupId}-configs`,
    bootstrapServers: [testStack().bootstrapServers],
    clientId: 'session-key-test',
    producer,
    partitions: 1,
    onRecord: (key, value, _partition, offset) => store.apply(key, value, offset),
  })
  store.attach(log)
  await log.start()
  // PAUSED: the connector generates no task configs of its own; only the POSTs below write any.
  const created = await upstream.request('POST', '/connectors', {
    name: CONNECTOR,
    config: {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
      file: join(dir, 'input.txt'),
      topic: `${upstream.groupId}-file`,
      'tasks.max': '1',
    },
    initial_state: 'PAUSED',
  })
  assert.equal(created.status, 201, created.text)
})

after(async () => {
  await log?.stop()
  await producer?.close()
  await upstream?.stop()
  if (table) await sql(`DROP TABLE IF EXISTS ${table}`)
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const taskConfig = (marker: string) => ({ 'task.class': TASK_CLASS, file: join(dir, 'input.txt'), marker })

async function upstreamTaskMarkers(): Promise<string[]> {
  const response = await upstream.request('GET', `/connectors/${CONNECTOR}/tasks`)
  return (response.body as { config: Record<string, string> }[]).map((t) => t.config.marker ?? '')
}

/** The Connect worker answers GET /tasks from its snapshot, refreshed once it has read its own write. */
async function markersBecome(expected: string[]): Promise<void> {
  await eventually(`task markers ${expected.join(',')}`, async () => {
    const markers = await upstreamTaskMarkers()
    return JSON.stringify(markers) === JSON.stringify(expected) ? true : undefined
  })
}

/** POSTs `body` with the signature of `signedBody` (the same bytes unless testing an altered request). */
async function rawPost(body: string, headers: Record<string, string>) {
  const response = await fetch(`${upstream.url}/connectors/${CONNECTOR}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown }
}

let connectKey: SessionKey

test("flowscope's config store reads the session key the Connect leader wrote", async () => {
  connectKey = await eventually('a session-key record', async () => {
    await store.readToEnd()
    return store.sessionKey()
  })
  // Connect's defaults: HmacSHA256, the JDK KeyGenerator's 32-byte key, created moments ago.
  assert.equal(connectKey.algorithm, 'HmacSHA256')
  assert.equal(connectKey.key.length, 32)
  assert.ok(Math.abs(Date.now() - connectKey.creationTimestamp) < 10 * 60_000, 'a recent creation timestamp')
  assert.ok(store.connectorConfig(CONNECTOR), 'the same view holds the connector')
})

test('a task-config POST signed by flowscope with that key is accepted; altered or unsigned ones are refused', async () => {
  const configs = [taskConfig('signed-by-flowscope')]
  await postTaskConfigs({
    leaderUrl: upstream.url,
    connector: CONNECTOR,
    configs,
    sessionKey: connectKey,
    signatureAlgorithm: 'HmacSHA256',
  })
  await markersBecome(['signed-by-flowscope'])
  await store.readToEnd()
  assert.deepEqual(store.taskConfigs(CONNECTOR), configs, 'flowscope reads the task configs Connect wrote')

  const original = JSON.stringify([taskConfig('original')])
  const altered = JSON.stringify([taskConfig('altered')])
  const refused = await rawPost(altered, signatureHeaders(original, connectKey.key, 'HmacSHA256'))
  assert.deepEqual(refused, {
    status: 403,
    body: { error_code: 403, message: 'Internal request contained invalid signature.' },
  })
  const unsigned = await rawPost(altered, {})
  assert.deepEqual(unsigned, {
    status: 400,
    body: { error_code: 400, message: 'Internal request missing required signature' },
  })
  assert.deepEqual(await upstreamTaskMarkers(), ['signed-by-flowscope'], 'nothing refused was written')
})

test('a session key written by flowscope is read by the Connect worker', async () => {
  const ours = generateSessionKey('HmacSHA256', null)
  const body = JSON.stringify([taskConfig('signed-with-flowscope-key')])
  const signed = signatureHeaders(body, ours.key, 'HmacSHA256')
  assert.equal((await rawPost(body, signed)).status, 403, 'refused before the key is written')
  await store.putSessionKey(ours)
  // The Connect worker applies the record when it reads it (its config log consumer runs on its own).
  const accepted = await eventually('the Connect worker to accept our key', async () => {
    const response = await rawPost(body, signed)
    return response.status === 403 ? undefined : response
  })
  assert.equal(accepted.status, 204, JSON.stringify(accepted.body))
  await markersBecome(['signed-with-flowscope-key'])
})

test("a flowscope follower in the Connect worker's group sends its task configs to the Connect leader", async () => {
  // The Connect worker's REST request log (Jetty's, under RestServer's logger) shows who wrote the task configs.
  const logging = await upstream.request('PUT', '/admin/loggers/org.apache.kafka.connect.runtime.rest.RestServer', {
    level: 'INFO',
  })
  assert.equal(logging.status, 200, logging.text)
  const member = await startTestWorker({ ...(await workerIdentity('mixed')), groupId: upstream.groupId })
  try {
    assert.equal(member.worker.herder.isLeader(), false, 'the Connect worker, first in the group, leads')
    table = await createTable('mixed')
    // Written straight to the config topic (the Connect worker has no JDBC plugin to validate it through REST).
    // Connect's eager assignor deals connectors sorted by name over members sorted by id: "zz-…" after
    // "signed-file-source", and flowscope's member id ("flowscope-…") after Connect's ("connect-…").
    const name = 'zz-flowscope-jdbc'
    await store.putConnectorConfig(name, { ...jdbcConfig(table), name }, 'STARTED')
    const tasks = await eventually(`task configs of ${name} on the Connect worker`, async () => {
      const response = await upstream.request('GET', `/connectors/${name}/tasks`)
      const body = response.body as { config: Record<string, string> }[] | undefined
      return response.status === 200 && Array.isArray(body) && body.length > 0 ? body : undefined
    })
    // The JDBC connector's own task config (its table list), generated on flowscope and written by the Connect leader.
    assert.equal(tasks.length, 1)
    assert.match(tasks[0].config.tables ?? '', new RegExp(table))
    const status = (await upstream.request('GET', `/connectors/${name}/status`)).body as {
      connector: { worker_id: string }
    }
    assert.equal(status.connector.worker_id, member.worker.workerId, 'the connector ran on the flowscope worker')
    // Through the Connect leader's internal endpoint (its request log), not written by flowscope itself.
    const requests = await readFile(upstream.logFile, 'utf8')
    assert.match(requests, new RegExp(`"POST /connectors/${name}/tasks[^"]*" 204`))
  } finally {
    await member.worker.stop()
  }
})

test("a Connect follower in a flowscope worker's group sends its task configs to the flowscope leader", async () => {
  const groupId = uniqueName('flowscope_led')
  const leader = await startTestWorker({ ...(await workerIdentity('led')), groupId })
  let follower: UpstreamConnect | undefined
  const view = new ConfigStore()
  const viewLog = new KafkaLog({
    topic: `${groupId}-configs`,
    bootstrapServers: [testStack().bootstrapServers],
    clientId: 'session-key-test-led',
    producer,
    partitions: 1,
    onRecord: (key, value, _partition, offset) => view.apply(key, value, offset),
  })
  try {
    follower = await startUpstreamConnect({ groupId })
    assert.equal(leader.worker.herder.isLeader(), true, 'the flowscope worker, first in the group, leads')
    view.attach(viewLog)
    await viewLog.start()
    // Straight to the config topic (flowscope has no FileStream plugin to validate it through REST). The lone
    // connector goes to the first member by id: Connect's ("connect-…") before flowscope's ("flowscope-…").
    const name = 'file-source-on-connect'
    await view.putConnectorConfig(
      name,
      {
        // REST would add the name; Connect's ConnectorConfig requires it.
        name,
        'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
        file: join(dir, 'input.txt'),
        topic: `${groupId}-file`,
        'tasks.max': '1',
      },
      'STARTED',
    )
    const tasks = await eventually(`task configs of ${name} on the flowscope leader`, async () => {
      const response = await leader.request('GET', `/connectors/${name}/tasks`)
      const body = response.body as { config: Record<string, string> }[] | undefined
      return response.status === 200 && Array.isArray(body) && body.length > 0 ? body : undefined
    })
    // Generated by the Connect worker's connector; a Connect follower never writes task configs itself.
    assert.equal(tasks[0].config['task.class'], TASK_CLASS)
    const upstreamFollower = follower
    const status = await eventually('the connector RUNNING on the Connect worker', async () => {
      const response = await upstreamFollower.request('GET', `/connectors/${name}/status`)
      const body = response.body as { connector?: { state: string; worker_id: string } }
      return body.connector?.state === 'RUNNING' ? body.connector : undefined
    })
    assert.notEqual(status.worker_id, leader.worker.workerId, 'the connector ran on the Connect worker')
  } finally {
    await viewLog.stop().catch(() => {})
    await follower?.stop()
    await leader.worker.stop()
  }
})
