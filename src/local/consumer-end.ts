// The consumer end of the local stack: `flowscope lag-exporter` and the sample consumer (`flowscope consume` on the
// seed topic), each a supervised child process in its own process group (src/local/child-process.ts) running this
// checkout's CLI on the Node that runs `up`, with its output in a log file of the state folder. Neither is critical:
// one that fails to start is reported in the summary and the rest of the stack runs on.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { V8_FLAGS } from '../cli/v8-flags.ts'
import { DEFAULT_CONSUME_GROUP } from '../consume/options.ts'
import { type Supervised, startProcess } from './child-process.ts'
import { waitForPort } from './ports.ts'
import type { Progress } from './progress.ts'

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
export const SAMPLE_CONSUMER_GROUP = DEFAULT_CONSUME_GROUP
/** The lag exporter's cluster name under `up`: the `cluster_name` label and Burrow's path segment. */
export const LOCAL_CLUSTER_NAME = 'local'

/** What became of a part of the consumer end, for the summary. */
export type ConsumerEndState =
  | { state: 'running'; url: string }
  | { state: 'disabled'; why: string }
  | { state: 'failed'; reason: string }

export interface ConsumerEndPart {
  readonly state: ConsumerEndState
  stop(): Promise<void>
}

async function startCli(
  o: { name: string; what: string; port: number; logFile: string; progress: Progress },
  args: string[],
): Promise<ConsumerEndPart> {
  const done = o.progress.step(`Starting the ${o.what} on localhost:${o.port}`)
  const child: Supervised = startProcess(o.name, process.execPath, [...V8_FLAGS, CLI, ...args], o.logFile, {
    ...process.env,
    FLOWSCOPE_LOG_LEVEL: process.env.FLOWSCOPE_LOG_LEVEL ?? 'info',
  })
  try {
    await Promise.race([
      waitForPort(o.port, '127.0.0.1', 30_000, `the ${o.what}`),
      child.exited.then((code) => {
        throw new Error(`exited with code ${code} during start-up (see ${o.logFile})`)
      }),
    ])
  } catch (error) {
    await child.stop()
    const reason = (error as Error).message
    o.progress.info(`The ${o.what} did not start: ${reason}`)
    return { state: { state: 'failed', reason }, stop: async () => {} }
  }
  done()
  return { state: { state: 'running', url: `http://localhost:${o.port}` }, stop: () => child.stop() }
}

export function startLagExporter(o: {
  bootstrapServers: string
  port: number
  stateDir: string
  progress: Progress
}): Promise<ConsumerEndPart> {
  return startCli(
    {
      name: 'lag-exporter',
      what: 'lag exporter',
      port: o.port,
      logFile: join(o.stateDir, 'lag-exporter.log'),
      progress: o.progress,
    },
    [
      'lag-exporter',
      '--bootstrap-servers',
      o.bootstrapServers,
      '--port',
      String(o.port),
      '--cluster-name',
      LOCAL_CLUSTER_NAME,
      // The seed's bulk connector re-sends the table every 100 ms (about 100 records/s): a consumer that commits
      // every second is never at the log end when it commits, so "caught up" means within two seconds of it.
      '--allowed-lag',
      String(LOCAL_ALLOWED_LAG),
    ],
  )
}

/** The sample consumer reads `topic` from its first record (a first start shows every row the connector wrote). */
/** Burrow's allowed-lag of the local stack's lag exporter: about two seconds of the seed connector's stream. */
export const LOCAL_ALLOWED_LAG = 200

export function startSampleConsumer(o: {
  bootstrapServers: string
  topic: string
  port: number
  stateDir: string
  progress: Progress
}): Promise<ConsumerEndPart> {
  return startCli(
    {
      name: 'consumer',
      what: 'sample consumer',
      port: o.port,
      logFile: join(o.stateDir, 'consumer.log'),
      progress: o.progress,
    },
    [
      'consume',
      '--bootstrap-servers',
      o.bootstrapServers,
      '--topic',
      o.topic,
      '--group',
      SAMPLE_CONSUMER_GROUP,
      '--metrics-port',
      String(o.port),
      '--from-beginning',
    ],
  )
}

/** The Burrow-style status URL of the sample consumer's group on the lag exporter. */
export function burrowStatusUrl(lagExporterUrl: string, group = SAMPLE_CONSUMER_GROUP): string {
  return `${lagExporterUrl}/v3/kafka/${LOCAL_CLUSTER_NAME}/consumer/${group}/status`
}
