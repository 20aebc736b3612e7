// `flowscope consume`: the sample consumer in its own process (see src/consume/sample-consumer.ts). Bad flags print
// one line naming the flag and exit 2; SIGINT/SIGTERM commit what was processed, leave the group and exit 0.
import { consumeHelp, FlagError, parseConsumeArgs } from '../consume/options.ts'
import { getLogger } from '../logging.ts'

export async function consume(argv: string[]): Promise<void> {
  let settings: ReturnType<typeof parseConsumeArgs>
  try {
    settings = parseConsumeArgs(argv)
  } catch (error) {
    if (!(error instanceof FlagError)) throw error
    console.error(`flowscope consume: ${error.message}`)
    process.exit(2)
  }
  if (settings === 'help') return void console.log(consumeHelp)
  const s = settings
  // The Kafka client loads only once the flags are known good (it takes about a second to import).
  const [{ SampleConsumer }, { createConsumerServer, listenOn }] = await Promise.all([
    import('../consume/sample-consumer.ts'),
    import('../consume/server.ts'),
  ])
  const log = getLogger('flowscope.consume')
  let shutdown: (reason: string, code?: number) => Promise<void> = async () => {}
  const consumer = new SampleConsumer(s, log, {
    onFailure: (error) => {
      console.error(`flowscope consume: reading failed: ${error.message}`)
      void shutdown('reading failed', 1)
    },
  })
  const server = createConsumerServer(consumer.metrics, () => ({
    group: s.groupId,
    clientId: s.clientId,
    topics: s.topics,
    paused: s.pause,
    processed: consumer.processedCount,
  }))
  const port = await listenOn(server, s.metricsPort, s.metricsHost)
  let stopping = false
  let stoppingSince = 0
  shutdown = async (signal: string, code = 0) => {
    if (stopping) {
      // Ctrl-C under npx arrives twice at once (from the terminal and forwarded by npm): only a later one forces.
      if (Date.now() - stoppingSince < 1000) return
      console.error('Forced: exiting without the final commit (the last records will be re-delivered).')
      process.exit(130)
    }
    stopping = true
    stoppingSince = Date.now()
    console.error(`${signal}: committing processed offsets and leaving group ${s.groupId}…`)
    await consumer.stop()
    server.closeAllConnections()
    server.close()
    console.error(`Stopped after processing ${consumer.processedCount} records.`)
    process.exit(code)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  await consumer.start().catch((error: unknown) => {
    // Stopped while starting: shutdown() exits.
    if (stopping) return new Promise<never>(() => {})
    throw new Error(
      `${(error as Error).message} (bootstrap servers ${s.bootstrapServers.join(',')}: check --bootstrap-servers and that Kafka runs)`,
    )
  })
  const shown = s.metricsHost && s.metricsHost !== '0.0.0.0' && s.metricsHost !== '::' ? s.metricsHost : 'localhost'
  console.log(
    `flowscope consume: group ${s.groupId} (client ${s.clientId}) reading ${s.topics.join(',')} from ${s.bootstrapServers.join(',')}${s.pause ? ', paused (fetching nothing)' : ''}${s.slowMs ? `, ${s.slowMs} ms per record` : ''}; metrics on http://${shown}:${port}/metrics`,
  )
}
