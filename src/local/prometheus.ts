// The local Prometheus (Debian's `prometheus` binary when it is on PATH) with the generated scrape config and alert
// rules, and the Node Exporter when `prometheus-node-exporter`/`node_exporter` is on PATH.
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderAlertRules } from '../monitoring/prometheus/alert-rules.ts'
import { renderPrometheusConfig } from '../monitoring/prometheus/prometheus-config.ts'
import { type Supervised, startProcess } from './child-process.ts'
import { assertPortFree, waitForPort } from './ports.ts'
import type { Progress } from './progress.ts'

export function findBinary(...names: string[]): string | null {
  for (const name of names) {
    const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
    if (which.status === 0 && which.stdout.trim()) return which.stdout.trim()
  }
  return null
}

/** The binaries startLocalPrometheus would run (null when not on PATH). */
export function prometheusBinaries(): { prometheus: string | null; nodeExporter: string | null } {
  return {
    prometheus: findBinary('prometheus'),
    nodeExporter: findBinary('prometheus-node-exporter', 'node_exporter'),
  }
}

export interface LocalPrometheusOptions {
  dataDir: string
  port: number
  workerAddress: string
  brokerExporterAddress: string | null
  nodeExporterPort: number | null
  /** host:port of the lag exporter and of the sample consumer's /metrics; absent or null: not scraped. */
  lagExporterAddress?: string | null
  consumerAddress?: string | null
  connectClusterId: string
  scrapeInterval?: string
  progress: Progress
}

export interface LocalPrometheus {
  readonly url: string
  readonly nodeExporterAddress: string | null
  stop(): Promise<void>
}

export async function startLocalPrometheus(o: LocalPrometheusOptions): Promise<LocalPrometheus | null> {
  const prometheus = findBinary('prometheus')
  if (!prometheus) {
    o.progress.info(
      'Prometheus not found on PATH: install it (e.g. `apt-get install prometheus`) to scrape this stack.',
    )
    return null
  }
  await assertPortFree(o.port, 'Prometheus', '--prometheus-port')
  await mkdir(join(o.dataDir, 'data'), { recursive: true })
  const children: Supervised[] = []
  let nodeExporterAddress: string | null = null
  const nodeExporter = o.nodeExporterPort === null ? null : findBinary('prometheus-node-exporter', 'node_exporter')
  if (nodeExporter && o.nodeExporterPort !== null) {
    await assertPortFree(o.nodeExporterPort, 'the Node Exporter', '--node-exporter-port')
    children.push(
      startProcess(
        'node-exporter',
        nodeExporter,
        [`--web.listen-address=127.0.0.1:${o.nodeExporterPort}`],
        join(o.dataDir, 'node-exporter.log'),
      ),
    )
    nodeExporterAddress = `localhost:${o.nodeExporterPort}`
  }
  const configFile = join(o.dataDir, 'prometheus.yml')
  await writeFile(join(o.dataDir, 'alert-rules.yml'), renderAlertRules())
  await writeFile(
    configFile,
    renderPrometheusConfig({
      workerAddress: o.workerAddress,
      brokerExporterAddress: o.brokerExporterAddress ?? [],
      nodeExporterAddress,
      lagExporterAddress: o.lagExporterAddress ?? null,
      consumerAddress: o.consumerAddress ?? null,
      prometheusAddress: `localhost:${o.port}`,
      scrapeInterval: o.scrapeInterval ?? '5s',
      ruleFiles: ['alert-rules.yml'],
      connectClusterId: o.connectClusterId,
    }),
  )
  const done = o.progress.step(`Starting Prometheus on localhost:${o.port}`)
  const log = join(o.dataDir, 'prometheus.log')
  const server = startProcess(
    'prometheus',
    prometheus,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(o.dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${o.port}`,
      '--web.enable-lifecycle',
    ],
    log,
  )
  children.push(server)
  try {
    await Promise.race([
      waitForPort(o.port, '127.0.0.1', 30_000, 'Prometheus'),
      server.exited.then((code) => {
        throw new Error(`prometheus exited with code ${code} during start-up`)
      }),
    ])
  } catch (error) {
    await Promise.allSettled(children.map((c) => c.stop()))
    throw new Error(`${(error as Error).message} (see ${log})`, { cause: error })
  }
  done()
  return {
    url: `http://localhost:${o.port}`,
    nodeExporterAddress,
    stop: async () => {
      await Promise.allSettled(children.map((c) => c.stop()))
    },
  }
}
