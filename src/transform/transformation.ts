// Single Message Transforms: each record passes through the connector's `transforms` chain, in order, between poll
// and convert. A transform returns the record (changed or not) or null to drop it. Concrete transforms come later;
// an unknown transform type is a config error naming the alias.
import type { SourceRecord } from '../record/source-record.ts'

export interface Transformation {
  configure(config: Record<string, string>): void
  apply(record: SourceRecord): SourceRecord | null
}

export type TransformationFactory = () => Transformation

/** Known transformation classes (none yet: the plumbing is in place for them). */
export const transformationClasses = new Map<string, TransformationFactory>()

export class TransformChain {
  readonly #steps: Transformation[]

  constructor(steps: Transformation[]) {
    this.#steps = steps
  }

  apply(record: SourceRecord): SourceRecord | null {
    let current: SourceRecord | null = record
    for (const step of this.#steps) {
      current = step.apply(current)
      if (current === null) return null
    }
    return current
  }

  get length(): number {
    return this.#steps.length
  }
}

/** Per-alias config errors for `transforms` (Connect reports them under `transforms.<alias>.type`). */
export function transformErrors(config: Record<string, string>, aliases: string[]): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  for (const alias of aliases) {
    const key = `transforms.${alias}.type`
    const type = config[key]
    if (!type) errors.set(key, [`Missing required configuration "${key}" which has no default value.`])
    else if (!transformationClasses.has(type)) {
      const known = [...transformationClasses.keys()]
      errors.set(key, [
        `Invalid value ${type} for configuration ${key}: Class ${type} could not be found. ${known.length ? `Known transformations: ${known.join(', ')}` : 'flowscope ships no transformations yet'}.`,
      ])
    }
  }
  return errors
}

export function buildTransformChain(config: Record<string, string>, aliases: string[]): TransformChain {
  const steps = aliases.map((alias) => {
    const prefix = `transforms.${alias}.`
    const factory = transformationClasses.get(config[`${prefix}type`])
    if (!factory) throw new Error(`Unknown transformation for alias ${alias}`)
    const step = factory()
    const own: Record<string, string> = {}
    for (const [k, v] of Object.entries(config))
      if (k.startsWith(prefix) && k !== `${prefix}type`) own[k.slice(prefix.length)] = v
    step.configure(own)
    return step
  })
  return new TransformChain(steps)
}
