// Fences out the producers of transactional ids (what Kafka's Admin.fenceProducers does, and Connect's leader asks
// of it before a new generation of an exactly-once connector's tasks starts): for each id, InitProducerId as a new
// producer of that id. The coordinator bumps the id's epoch and aborts any transaction still open under the old one,
// so an older producer of the id — a zombie task — fails its next send or commit with PRODUCER_FENCED.
import { Producer } from '@platformatic/kafka'
import { messageOf } from '../errors.ts'

export interface FenceProducersOptions {
  bootstrapServers: string[]
  clientId: string
  /** request.timeout.ms of each request (Kafka's default: 30 s). */
  timeoutMs?: number
}

/** Resolves once every id's epoch has been bumped; rejects with the first id that could not be fenced. */
export async function fenceProducers(
  options: FenceProducersOptions,
  transactionalIds: readonly string[],
): Promise<void> {
  await Promise.all(transactionalIds.map((id) => fenceOne(options, id)))
}

async function fenceOne(options: FenceProducersOptions, transactionalId: string): Promise<void> {
  const producer = new Producer({
    clientId: options.clientId,
    bootstrapBrokers: options.bootstrapServers,
    idempotent: true,
    acks: -1,
    timeout: options.timeoutMs ?? 30_000,
    // While the coordinator aborts the zombie's open transaction it answers CONCURRENT_TRANSACTIONS: retried, for
    // up to ~10 s (Kafka's Admin.fenceProducers retries until its timeout).
    retries: 50,
    retryDelay: 200,
    // "No producer yet" (-1/-1), as Java's producer asks (record-producer.ts says why the client's 0/0 fails).
    transactionalId,
    producerId: -1n,
    producerEpoch: -1,
  })
  try {
    // beginTransaction() is where the client sends FindCoordinator and InitProducerId for its id; nothing is written,
    // and cancel() only drops the client's own transaction object (no EndTxn: no partition joined it).
    const transaction = await producer.beginTransaction()
    await transaction.cancel()
  } catch (error) {
    throw new Error(`could not fence out the producers of transactional id ${transactionalId}: ${messageOf(error)}`, {
      cause: error,
    })
  } finally {
    await producer.close().catch(() => {})
  }
}
