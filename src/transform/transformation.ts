// Single Message Transforms: each record passes through the connector's `transforms` chain, in order, between poll
// and convert. A transform returns the record (changed or not) or null to drop it; a stage with a predicate applies
// its transform only to records the predicate matches (or, negated, does not match), as Connect's
// TransformationStage does. Which classes exist and how a connector config names them: transform-config.ts.
import type { ConfigDef } from '../config/config-def.ts'
import type { SourceRecord } from '../record/source-record.ts'
import { TransformConfigError } from './errors.ts'
import { classOf, create, NEGATE_KEY, ownKeys, PLUGIN_VERSION_KEY, PREDICATE_KEY } from './transform-config.ts'

/** Connect's Transformation: `configure` gets the alias's keys without the `transforms.<alias>.` prefix. */
export interface Transformation {
  /** The keys this transformation accepts (Connect's `config()`), shown by `/connector-plugins/{class}/config`. */
  readonly configDef: ConfigDef
  /** Throws TransformConfigError (errors.ts) naming the key at fault. */
  configure(config: Record<string, string>): void
  /** Throws DataError (Connect's DataException) for a record it cannot handle. */
  apply(record: SourceRecord): SourceRecord | null
}

/** Connect's Predicate: `configure` gets the alias's keys without the `predicates.<alias>.` prefix. */
export interface Predicate {
  readonly configDef: ConfigDef
  configure(config: Record<string, string>): void
  test(record: SourceRecord): boolean
}

export interface TransformStage {
  transformation: Transformation
  predicate?: Predicate
  negate?: boolean
}

export class TransformChain {
  readonly #stages: TransformStage[]

  constructor(stages: TransformStage[]) {
    this.#stages = stages
  }

  apply(record: SourceRecord): SourceRecord | null {
    let current: SourceRecord = record
    for (const { transformation, predicate, negate } of this.#stages) {
      if (predicate && predicate.test(current) === Boolean(negate)) continue
      const next = transformation.apply(current)
      if (next === null) return null
      current = next
    }
    return current
  }

  get length(): number {
    return this.#stages.length
  }
}

/** The chain a task runs; call only on a config that validated (errors here are programming errors). */
export function buildTransformChain(config: Record<string, string>, aliases: string[]): TransformChain {
  const stages = aliases.map((alias): TransformStage => {
    const prefix = `transforms.${alias}.`
    const className = classOf(config, 'transforms', alias)
    if (!className) throw new TransformConfigError(`Unknown transformation for alias ${alias}`, 'type')
    const transformation = create('transforms', className)
    transformation.configure(ownKeys(config, prefix, ['type', PLUGIN_VERSION_KEY, PREDICATE_KEY, NEGATE_KEY]))
    const predicateAlias = config[`${prefix}${PREDICATE_KEY}`]?.trim()
    if (!predicateAlias) return { transformation }
    const predicateClass = classOf(config, 'predicates', predicateAlias)
    if (!predicateClass) throw new TransformConfigError(`Unknown predicate for alias ${predicateAlias}`, PREDICATE_KEY)
    const predicate = create('predicates', predicateClass)
    predicate.configure(ownKeys(config, `predicates.${predicateAlias}.`, ['type', PLUGIN_VERSION_KEY]))
    return { transformation, predicate, negate: config[`${prefix}${NEGATE_KEY}`]?.trim().toLowerCase() === 'true' }
  })
  return new TransformChain(stages)
}
