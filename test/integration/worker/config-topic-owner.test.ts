// A config topic belongs to one group: the first worker writes its group.id and Kafka cluster id into it, and a
// worker of another group.id given the same internal topics refuses to start with a message naming both — instead
// of running the other group's connectors a second time. The owning group's next worker starts as before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TopicOwnershipError } from '../../../src/storage/topic-ownership.ts'
import { startTestWorker, workerIdentity } from './helpers.ts'

test("a worker of another group.id on a group's config topic is refused, naming the group it belongs to", async () => {
  const owner = await workerIdentity('owner')
  const topics = {
    'config.storage.topic': `${owner.groupId}-configs`,
    'offset.storage.topic': `${owner.groupId}-offsets`,
    'status.storage.topic': `${owner.groupId}-status`,
  }
  const first = await startTestWorker(owner)
  await first.worker.stop()

  const stranger = await workerIdentity('stranger', topics)
  await assert.rejects(startTestWorker(stranger), (error: Error) => {
    assert.ok(error instanceof TopicOwnershipError, String(error))
    assert.match(error.message, new RegExp(`config\\.storage\\.topic '${topics['config.storage.topic']}'`))
    assert.match(error.message, new RegExp(`group\\.id '${owner.groupId}'`))
    assert.match(error.message, new RegExp(`'${stranger.groupId}'`))
    assert.match(error.message, new RegExp(`group\\.id=${owner.groupId}`), 'says what to do')
    return true
  })

  // The owner's group starts again on its own topics, with a new port (a restart elsewhere).
  const again = await startTestWorker({ ...owner, port: (await workerIdentity('owner_again')).port })
  await again.worker.stop()
})
