// Runs the same transform cases through the real upstream classes (UpstreamTransforms.java on a JVM, over the
// cached Apache Kafka Connect jars and, when asked, Debezium's) and through flowscope's chain, with the records
// read and written by each side's own JsonConverter, so the two outputs compare as JSON.
import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JsonConverter } from '../../../../src/convert/json-converter.ts'
import { CONNECT_WORKER_BUNDLE, DEBEZIUM_POSTGRES_BUNDLE, ensureJars } from '../../../../src/local/kafka-jars.ts'
import { consoleProgress } from '../../../../src/local/progress.ts'
import type { Header, SourceRecord } from '../../../../src/record/source-record.ts'
import { aliasesOf } from '../../../../src/transform/transform-config.ts'
import { buildTransformChain } from '../../../../src/transform/transformation.ts'

export interface InputRecord {
  topic: string
  partition?: number
  timestamp?: number
  keySchema?: unknown
  key?: unknown
  valueSchema?: unknown
  value?: unknown
  headers?: { key: string; schema?: unknown; value: unknown }[]
}

export interface Case {
  name: string
  config: Record<string, string>
  records: InputRecord[]
}

export type Outcome =
  | { dropped: true }
  | { error: string; step: 'input' | 'transform' | 'output' }
  | { topic: string; partition?: number; timestamp?: number; key: unknown; value: unknown; headers: unknown[] }

export interface CaseResult {
  name: string
  configError?: string
  records?: Outcome[]
}

const HARNESS = fileURLToPath(new URL('./UpstreamTransforms.java', import.meta.url))
/** Printed before the results (logging may write to stdout too). */
const RESULT_MARKER = '@@transform-results@@'

/** Debezium's Postgres plugin jars, resolved and cached like Kafka's (the slf4j API is on the Connect classpath). */
async function debeziumJars(): Promise<string[]> {
  const { jars } = await ensureJars(consoleProgress(), DEBEZIUM_POSTGRES_BUNDLE)
  return jars.filter((jar) => !basename(jar).startsWith('slf4j-api'))
}

export async function runUpstream(cases: Case[], options: { debezium?: boolean } = {}): Promise<CaseResult[]> {
  const { jars } = await ensureJars(consoleProgress(), CONNECT_WORKER_BUNDLE)
  const classpath = [...jars, ...(options.debezium ? await debeziumJars() : [])].join(':')
  const child = spawn('java', ['-Duser.timezone=UTC', '-Xmx256m', '-cp', classpath, HARNESS], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  child.stdin.end(JSON.stringify(cases))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`UpstreamTransforms.java exited with ${code}:\n${stderr.slice(-4000)}`)
  const marker = stdout.indexOf(RESULT_MARKER)
  if (marker < 0)
    throw new Error(`UpstreamTransforms.java printed no results:\n${stdout.slice(-2000)}${stderr.slice(-2000)}`)
  return JSON.parse(stdout.slice(marker + RESULT_MARKER.length))
}

export function runFlowscope(cases: Case[]): CaseResult[] {
  const withSchemas = new JsonConverter()
  withSchemas.configure({ 'schemas.enable': 'true' }, false)
  const schemaless = new JsonConverter()
  schemaless.configure({ 'schemas.enable': 'false' }, false)
  const read = (topic: string, schema: unknown, hasSchema: boolean, value: unknown) => {
    if (hasSchema) {
      return withSchemas.toConnectData(topic, Buffer.from(JSON.stringify({ schema, payload: value ?? null })))
    }
    if (value === undefined || value === null) return { schema: null, value: null }
    return schemaless.toConnectData(topic, Buffer.from(JSON.stringify(value)))
  }
  const written = (topic: string, schema: SourceRecord['keySchema'], value: unknown) => {
    const bytes = withSchemas.fromConnectData(topic, schema ?? null, value ?? null)
    return bytes === null ? null : JSON.parse(bytes.toString('utf8'))
  }
  return cases.map((c) => {
    let chain: ReturnType<typeof buildTransformChain>
    try {
      chain = buildTransformChain(c.config, aliasesOf(c.config, 'transforms'))
    } catch (error) {
      return { name: c.name, configError: (error as Error).message }
    }
    const records = c.records.map((input): Outcome => {
      let step: 'input' | 'transform' | 'output' = 'input'
      try {
        const key = read(input.topic, input.keySchema, 'keySchema' in input, input.key)
        const value = read(input.topic, input.valueSchema, 'valueSchema' in input, input.value)
        const headers: Header[] = (input.headers ?? []).map((h) => {
          const header = read(input.topic, h.schema, 'schema' in h, h.value)
          return { key: h.key, schema: header.schema, value: header.value }
        })
        const record: SourceRecord = {
          sourcePartition: {},
          sourceOffset: {},
          topic: input.topic,
          ...(input.partition !== undefined ? { kafkaPartition: input.partition } : {}),
          ...(input.timestamp !== undefined ? { timestamp: input.timestamp } : {}),
          keySchema: key.schema,
          key: key.value,
          valueSchema: value.schema,
          value: value.value,
          headers,
        }
        step = 'transform'
        const out = chain.apply(record)
        step = 'output'
        if (out === null) return { dropped: true }
        return {
          topic: out.topic,
          ...(out.kafkaPartition !== undefined ? { partition: out.kafkaPartition } : {}),
          ...(out.timestamp !== undefined ? { timestamp: out.timestamp } : {}),
          key: written(out.topic, out.keySchema, out.key),
          value: written(out.topic, out.valueSchema, out.value),
          headers: (out.headers ?? []).map((h) => ({ key: h.key, value: written(out.topic, h.schema, h.value) })),
        }
      } catch (error) {
        return { error: (error as Error).message, step }
      }
    })
    return { name: c.name, records }
  })
}
