// Resolves the Apache Kafka broker jars (and the JMX exporter agent) from Maven Central with `mvn`, over the pom in
// src/local/kafka/pom.xml, into a per-user cache outside the repo. Later starts reuse the cache (no network).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Progress } from './progress.ts'
import { cacheDir } from './state-dir.ts'

export const POM_PATH = fileURLToPath(new URL('./kafka/pom.xml', import.meta.url))

export interface KafkaJars {
  dir: string
  version: string
  /** Every jar the broker needs on its classpath. */
  classpath: string[]
  /** The Prometheus JMX exporter java agent. */
  agentJar: string
}

export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM_PATH, 'utf8'))
  if (!match) throw new Error(`${POM_PATH} does not set <kafka.version>`)
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
  const version = kafkaVersion()
  const dir = join(cacheDir(), `kafka-${version}`)
  const marker = join(dir, '.complete')
  const pom = readFileSync(POM_PATH, 'utf8')
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pom) return listJars(dir, version)

  checkJavaAndMaven()
  await mkdir(dir, { recursive: true })
  const done = progress.step(`Resolving Apache Kafka ${version} jars from Maven Central (first start only)`)
  let downloaded = 0
  let lastReport = Date.now()
  const output: string[] = []
  const code = await new Promise<number | null>((resolve) => {
    const mvn = spawn(
      'mvn',
      ['-B', '-f', POM_PATH, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`, '-DincludeScope=runtime'],
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
      `mvn could not resolve the Kafka jars (exit ${code}). Check that Maven Central is reachable, or use an existing cluster with --bootstrap-servers.\n${output.slice(-20).join('\n')}`,
    )
  }
  await writeFile(marker, pom)
  const jars = listJars(dir, version)
  done(`${jars.classpath.length} jars in ${dir}`)
  return jars
}
