// Builds transform chains and records for the transform unit tests.
import type { Schema } from '../../../src/record/schema.ts'
import type { SourceRecord } from '../../../src/record/source-record.ts'
import { aliasesOf } from '../../../src/transform/transform-config.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'

export const T = 'org.apache.kafka.connect.transforms'

/** One transform `type` with `settings`, as a connector config would hold it, built into a chain. */
export function single(type: string, settings: Record<string, string> = {}) {
  const config: Record<string, string> = { transforms: 'x', 'transforms.x.type': type }
  for (const [k, v] of Object.entries(settings)) config[`transforms.x.${k}`] = v
  return chain(config)
}

export function chain(config: Record<string, string>) {
  const built = buildTransformChain(config, aliasesOf(config, 'transforms'))
  return { apply: (record: SourceRecord) => built.apply(record) }
}

export function record(fields: Partial<SourceRecord> = {}): SourceRecord {
  return { sourcePartition: {}, sourceOffset: {}, topic: 'topic', ...fields }
}

export function struct(name: string | undefined, fields: [string, Schema][], optional = false): Schema {
  return {
    type: 'struct',
    optional,
    ...(name ? { name } : {}),
    fields: fields.map(([field, schema], index) => ({ name: field, index, schema })),
  }
}

export const str = (optional = true): Schema => ({ type: 'string', optional })
export const int64 = (optional = false): Schema => ({ type: 'int64', optional })
