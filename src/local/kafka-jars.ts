// Resolves the Apache Kafka broker jars (and the JMX exporter agent) from Maven Central with `mvn`, over the pom in
// src/local/kafka/pom.xml, into a per-user cache outside the repo. Later starts reuse the cache (no network).
// The same resolution, over src/local/connect/pom.xml, gives the jars of a real Kafka Connect worker (compat tests),
// and over src/local/debezium/pom.xml the plugin folder of the real Debezium Postgres connector it loads.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Progress } from './progress.ts'
import { cacheDir } from './state-dir.ts'

export const POM_PATH = fileURLToPath(new URL('./kafka/pom.xml', import.meta.url))

/** A set of jars resolved over one pom into `~/.cache/flowscope/<name>-<version>`. */
export interface JarBundle {
  name: string
  pomPath: string
  /** What the progress line and errors call it. */
  title: string
  /** The pom property holding the version the cache folder is named after (default `kafka.version`). */
  versionProperty?: string
  /**
   * A sub-folder of the cache folder the jars go into: a Connect plugin must be a folder of its own under a
   * `plugin.path` entry (each jar directly under an entry would be a plugin of its own).
   */
  pluginFolder?: string
}

export const KAFKA_BROKER_BUNDLE: JarBundle = { name: 'kafka', pomPath: POM_PATH, title: 'Apache Kafka' }
export const CONNECT_WORKER_BUNDLE: JarBundle = {
  name: 'connect',
  pomPath: fileURLToPath(new URL('./connect/pom.xml', import.meta.url)),
  title: 'Apache Kafka Connect',
}
export const DEBEZIUM_POSTGRES_BUNDLE: JarBundle = {
  name: 'debezium-postgres',
  pomPath: fileURLToPath(new URL('./debezium/pom.xml', import.meta.url)),
  title: 'Debezium PostgreSQL connector',
  versionProperty: 'debezium.version',
  pluginFolder: 'debezium-connector-postgres',
}

export interface KafkaJars {
  dir: string
  version: string
  /** Every jar the broker needs on its classpath. */
  classpath: string[]
  /** The Prometheus JMX exporter java agent. */
  agentJar: string
}

export function kafkaVersion(pomPath = POM_PATH, property = 'kafka.version'): string {
  const escaped = property.replaceAll('.', '\\.')
  const match = new RegExp(`<${escaped}>([^<]+)</${escaped}>`).exec(readFileSync(pomPath, 'utf8'))
  if (!match) throw new Error(`${pomPath} does not set <${property}>`)
  return match[1]
}

/** Java 17+ and Maven must be on PATH to run the local broker; says what to do when they are not. */
export function checkJavaAndMaven(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error || java.status !== 0) {
    throw new Error(
      'Java 17+ is needed to run the local Kafka broker and was not found on PATH. Install it (e.g. `apt-get install openjdk-17-jre-headless`), or use an existing cluster with --bootstrap-servers host:port.',
    )
  }
  const major = /version "(\d+)/.exec(java.stderr)?.[1]
  if (major && Number(major) < 17) {
    throw new Error(
      `Java ${major} was found; the Kafka broker needs Java 17+. Install a newer JDK, or use an existing cluster with --bootstrap-servers host:port.`,
    )
  }
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' })
  if (mvn.error || mvn.status !== 0) {
    throw new Error(
      'Maven (`mvn`) is needed once to fetch the Kafka broker jars from Maven Central and was not found on PATH. Install it (e.g. `apt-get install maven`), or use an existing cluster with --bootstrap-servers host:port.',
    )
  }
}

function listJars(dir: string, version: string): KafkaJars {
  const jars = readdirSync(dir).filter((f) => f.endsWith('.jar'))
  const agent = jars.find((f) => f.startsWith('jmx_prometheus_javaagent'))
  if (!agent) throw new Error(`The JMX exporter agent is missing from ${dir}: delete that folder and start again`)
  return {
    dir,
    version,
    classpath: jars.filter((f) => f !== agent).map((f) => join(dir, f)),
    agentJar: join(dir, agent),
  }
}

export async function ensureKafkaJars(progress: Progress): Promise<KafkaJars> {
  const { dir, version } = await ensureJars(progress, KAFKA_BROKER_BUNDLE)
  return listJars(dir, version)
}

/** The jars of a bundle (resolved on first use, then from the cache): folder, version, every jar's path. */
export async function ensureJars(
  progress: Progress,
  bundle: JarBundle,
): Promise<{ dir: string; version: string; jars: string[] }> {
  const version = kafkaVersion(bundle.pomPath, bundle.versionProperty)
  const root = join(cacheDir(), `${bundle.name}-${version}`)
  const dir = bundle.pluginFolder ? join(root, bundle.pluginFolder) : root
  const marker = join(dir, '.complete')
  const pom = readFileSync(bundle.pomPath, 'utf8')
  const jarsIn = () => ({
    dir,
    version,
    jars: readdirSync(dir)
      .filter((f) => f.endsWith('.jar'))
      .map((f) => join(dir, f)),
  })
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pom) return jarsIn()

  checkJavaAndMaven()
  await mkdir(dir, { recursive: true })
  const done = progress.step(`Resolving ${bundle.title} ${version} jars from Maven Central (first use only)`)
  let downloaded = 0
  let lastReport = Date.now()
  const output: string[] = []
  const code = await new Promise<number | null>((resolve) => {
    const mvn = spawn(
      'mvn',
      [
        '-B',
        '-f',
        bundle.pomPath,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${dir}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        output.push(line)
        if (output.length > 60) output.shift()
        if (line.includes('Downloaded from')) {
          downloaded++
          if (Date.now() - lastReport > 2000) {
            progress.info(`${downloaded} files downloaded…`)
            lastReport = Date.now()
          }
        }
      }
    }
    mvn.stdout.on('data', onData)
    mvn.stderr.on('data', onData)
    mvn.on('error', () => resolve(null))
    mvn.on('exit', resolve)
  })
  if (code !== 0) {
    throw new Error(
      `mvn could not resolve the ${bundle.title} jars (exit ${code}). Check that Maven Central is reachable, or use an existing cluster with --bootstrap-servers.\n${output.slice(-20).join('\n')}`,
    )
  }
  await writeFile(marker, pom)
  const resolved = jarsIn()
  done(`${resolved.jars.length} jars in ${dir}`)
  return resolved
}
