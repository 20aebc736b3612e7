// Keyed records land on the partition a Java producer would choose: the same 300 keys are produced by flowscope's
// producer and by kcat with librdkafka's `murmur2_random` partitioner (documented as the Java producer's), each into
// a topic of 3 partitions (not a power of two: there the client's own unsigned rule differs from Java's for half the
// keys) and of 7. Each key must sit on the same partition in both topics.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { Admin } from '@platformatic/kafka'
import { createWorkerMetrics } from '../../../src/metrics/worker-metrics.ts'
import { RecordProducer } from '../../../src/produce/record-producer.ts'
import { testStack, uniqueName } from '../../support/stack.ts'

const run = promisify(execFile)
const bootstrap = testStack().bootstrapServers
const admin = new Admin({ clientId: 'partitioning-test', bootstrapBrokers: bootstrap.split(',') })
const producer = new RecordProducer({
  bootstrapServers: bootstrap.split(','),
  clientId: 'partitioning-test',
  overrides: {},
  metrics: createWorkerMetrics({
    workerId: 'w',
    clientId: 'partitioning-test',
    version: '0',
    commitId: 'x',
    startTimeMs: 0,
    defaultMetrics: false,
  }).producer,
})
after(async () => {
  await producer.close()
  await admin.close()
})

// Keys as Connect's JsonConverter writes them, plus plain strings: short and long, every tail length.
const KEYS = Array.from({ length: 300 }, (_, i) =>
  i % 2 === 0 ? `{"schema":{"type":"int32","optional":false},"payload":${i}}` : `user-${i}`,
)

async function partitionsByKey(topic: string): Promise<Map<string, number>> {
  const { stdout } = await run('kcat', ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%k\t%p\n'], {
    maxBuffer: 8 * 1024 * 1024,
  })
  const byKey = new Map<string, number>()
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [key, partition] = line.split('\t')
    byKey.set(key, Number(partition))
  }
  return byKey
}

for (const partitions of [3, 7]) {
  test(`a key goes to the Java producer's partition of ${partitions}`, async () => {
    const ours = uniqueName(`partitioning_fs_${partitions}`)
    const java = uniqueName(`partitioning_kcat_${partitions}`)
    await admin.createTopics({ topics: [ours, java], partitions, replicas: 1 })

    await producer.send(KEYS.map((key) => ({ topic: ours, key: Buffer.from(key), value: Buffer.from('v') })))
    // kcat reads key<TAB>value lines from its standard input.
    const child = execFile('kcat', ['-b', bootstrap, '-P', '-t', java, '-K', '\t', '-X', 'partitioner=murmur2_random'])
    child.stdin?.end(KEYS.map((key) => `${key}\tv\n`).join(''))
    await new Promise<void>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}`)))),
    )

    const [mine, theirs] = [await partitionsByKey(ours), await partitionsByKey(java)]
    assert.equal(mine.size, KEYS.length)
    assert.equal(theirs.size, KEYS.length)
    const moved = KEYS.filter((key) => mine.get(key) !== theirs.get(key))
    assert.deepEqual(moved, [], 'keys on another partition than the Java rule puts them')
    assert.ok(new Set(mine.values()).size === partitions, 'the keys spread over every partition')
  })
}

test('sends issued back to back to topics that do not exist yet reach them in the order they were issued', async () => {
  // The first send of a new topic waits for the broker to create it; the sends behind it must not overtake it.
  for (let round = 0; round < 5; round++) {
    const topic = uniqueName('ordering_new_topic')
    // Every other poll writes a topic new to the producer too: its send waits for that topic's metadata, and the
    // next send, to topics the producer knows, must still not go out before it.
    const batches = Array.from({ length: 8 }, (_, b) => [
      ...(b % 2 === 0 ? [{ topic: `${topic}_side_${b}`, key: null, value: Buffer.from('side') }] : []),
      ...Array.from({ length: 40 }, (_, i) => ({
        topic,
        key: Buffer.from('k'),
        value: Buffer.from(String(b * 40 + i)),
      })),
    ])
    // As a task's loop issues them: each poll's send while the earlier ones are still in flight.
    const sends: Promise<void>[] = []
    for (const batch of batches) {
      sends.push(producer.send(batch))
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
    await Promise.all(sends)
    const { stdout } = await run('kcat', ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%s\n'])
    const values = stdout.split('\n').filter(Boolean).map(Number)
    assert.deepEqual(
      values,
      Array.from({ length: 320 }, (_, i) => i),
      `round ${round}: records out of the order they were sent in`,
    )
  }
})
