// KIP-618 task-count records shared with a real Apache Kafka Connect 4.1.1 worker (exactly.once.source.support=
// enabled) on one config topic. flowscope's config store reads the record Connect's leader writes, and Connect's
// leader acts on the one flowscope writes: after flowscope records 3 tasks for a FileStream connector that Connect runs
// with 1, Connect's next reconfiguration fences the transactional ids of tasks 0..2 — a producer holding task 2's id
// fails its commit. Had Connect not read flowscope's record, its last count would be 1, and with 1 task before and
// after it fences nothing (DistributedHerder skips that case): the producer would commit.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { RecordProducer } from '../../../src/produce/record-producer.ts'
import { taskTransactionalId } from '../../../src/runtime/exactly-once.ts'
import { openConfigTopicView } from '../../support/config-topic-view.ts'
import { testStack } from '../../support/stack.ts'
import { eventually, waitForState } from '../worker/helpers.ts'
import { startUpstreamConnect, type UpstreamConnect } from './upstream-connect.ts'

const bootstrapServers = testStack().bootstrapServers.split(',')
const cleanup: (() => Promise<unknown>)[] = []
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {})
})

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector'

/** The Kafka error codes (by name) in a client error and the errors it aggregates. */
function kafkaErrors(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return []
  const own = (error as { apiId?: unknown }).apiId
  const nested = (error as { errors?: unknown }).errors
  return [...(typeof own === 'string' ? [own] : []), ...(Array.isArray(nested) ? nested.flatMap(kafkaErrors) : [])]
}

test("Connect 4.1.1 reads flowscope's task-count record and fences by it; flowscope reads Connect's", async () => {
  const upstream: UpstreamConnect = await startUpstreamConnect({
    properties: { 'exactly.once.source.support': 'enabled' },
  })
  cleanup.push(() => upstream.stop())
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-task-count-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'lines.txt')
  await writeFile(file, 'a\nb\n')
  const name = 'eos-file'
  const topic = `${upstream.groupId}-lines`
  const config = { 'connector.class': FILE_SOURCE, file, topic, 'tasks.max': '1' }
  const created = await upstream.request('POST', '/connectors', { name, config })
  assert.equal(created.status, 201, created.text)
  await waitForState(upstream.request, name, 'RUNNING', 'RUNNING', 60_000)

  // flowscope's config store on Connect's config topic: it reads the record Connect's leader wrote at the task start.
  const view = await openConfigTopicView(`${upstream.groupId}-configs`, 'task-count-compat')
  cleanup.push(() => view.stop())
  const store = view.store
  await eventually(
    async () => {
      await store.readToEnd()
      return store.taskCountRecord(name) !== undefined ? true : undefined
    },
    () => "Connect's task-count record never appeared",
    30_000,
  )
  assert.equal(store.taskCountRecord(name), 1)
  assert.equal(store.pendingFencing(name), false)

  // flowscope's record: 3 tasks. Then a zombie holding task 2's transactional id, a record in an open transaction.
  await store.putTaskCountRecord(name, 3)
  await store.readToEnd()
  assert.equal(store.taskCountRecord(name), 3)
  const zombie = new RecordProducer({
    bootstrapServers,
    clientId: 'zombie-task',
    overrides: {},
    metrics: { recordSend() {}, recordErrors() {}, recordRetries() {}, requestsInFlight() {} },
    transactionalId: taskTransactionalId(upstream.groupId, name, 2),
  })
  cleanup.push(() => zombie.close())
  await zombie.beginTransaction()
  await zombie.send([{ topic, key: null, value: Buffer.from('zombie') }])

  // New task configs (another topic): before the new task starts, Connect's leader fences by the latest record.
  const updated = await upstream.request('PUT', `/connectors/${name}/config`, { ...config, topic: `${topic}-2` })
  assert.equal(updated.status, 200, updated.text)
  await eventually(
    async () => {
      await store.readToEnd()
      return store.taskCountRecord(name) === 1 && !store.pendingFencing(name) ? true : undefined
    },
    () => `Connect wrote no new task-count record (latest ${store.taskCountRecord(name)})`,
    60_000,
  )
  await assert.rejects(zombie.commitTransaction(), (error: unknown) => {
    assert.deepEqual(kafkaErrors(error), ['PRODUCER_FENCED'], String(error))
    return true
  })
})
