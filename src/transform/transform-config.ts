// A connector config's `transforms` and `predicates` as Connect reads them (ConnectorConfig.enrich): per alias a
// `transforms.<alias>.type` class, the implicit `predicate` / `negate` keys, and the class's own keys under the
// alias's prefix — validated key by key for the validate endpoint; transformation.ts builds the chain from them.
import { ConfigDef, type ConfigKey, ConfigTypes, Importance } from '../config/config-def.ts'
import { FLOWSCOPE_VERSION } from '../version.ts'
import { TransformConfigError } from './errors.ts'
import { predicateClasses, resolveClass, transformationClasses } from './registry.ts'
import type { Predicate, Transformation } from './transformation.ts'

export const PREDICATE_KEY = 'predicate'
export const NEGATE_KEY = 'negate'
/** KIP-891's per-alias plugin version (Connect 4.1); flowscope has one version of each class. */
export const PLUGIN_VERSION_KEY = 'plugin.version'

type Kind = 'transforms' | 'predicates'

const KINDS = {
  transforms: { classes: transformationClasses, group: 'Transforms', noun: 'transformation', base: 'Transformation' },
  predicates: { classes: predicateClasses, group: 'Predicates', noun: 'predicate', base: 'Predicate' },
} as const

/** Aliases listed in `transforms` or `predicates` (comma-separated, duplicates once, as Connect's LinkedHashSet). */
export function aliasesOf(config: Record<string, string>, kind: Kind): string[] {
  const text = config[kind]?.trim() ?? ''
  return text === '' ? [] : [...new Set(text.split(',').map((s) => s.trim()))]
}

/** The class a `<kind>.<alias>.type` names, resolved; undefined when unknown or missing. */
export function classOf(config: Record<string, string>, kind: Kind, alias: string): string | undefined {
  const type = config[`${kind}.${alias}.type`]?.trim()
  return type ? resolveClass(KINDS[kind].classes, type) : undefined
}

export function create(kind: 'transforms', className: string): Transformation
export function create(kind: 'predicates', className: string): Predicate
export function create(kind: Kind, className: string): Transformation | Predicate
export function create(kind: Kind, className: string): Transformation | Predicate {
  const factory = (KINDS[kind].classes as ReadonlyMap<string, () => Transformation | Predicate>).get(className)
  if (!factory) throw new Error(`Unknown ${KINDS[kind].noun} class ${className}`)
  return factory()
}

/** The keys of `<kind>.<alias>.`, without that prefix. */
export function ownKeys(config: Record<string, string>, prefix: string, skip: string[]): Record<string, string> {
  const own: Record<string, string> = {}
  for (const [k, v] of Object.entries(config)) {
    if (k.startsWith(prefix) && !skip.includes(k.slice(prefix.length))) own[k.slice(prefix.length)] = v
  }
  return own
}

/**
 * Connect's enriched definition for this config's aliases (to merge with the connector's keys) and the problems no
 * single key's parse finds: a class that cannot be configured with its settings, a `negate` with no predicate, a
 * `predicate` naming no listed alias. Both keyed by the full config key.
 */
export function transformsValidation(config: Record<string, string>): {
  def: ConfigDef
  errors: Map<string, string[]>
} {
  const def = new ConfigDef()
  const errors = new Map<string, string[]>()
  const add = (key: string, message: string) => errors.set(key, [...(errors.get(key) ?? []), message])
  const predicates = aliasesOf(config, 'predicates')
  for (const kind of ['transforms', 'predicates'] as const) {
    const { classes, group: kindGroup, noun, base } = KINDS[kind]
    for (const alias of aliasesOf(config, kind)) {
      const prefix = `${kind}.${alias}.`
      const typeKey = `${prefix}type`
      const group = `${kindGroup}: ${alias}`
      let order = 0
      def.define({
        name: typeKey,
        type: ConfigTypes.CLASS,
        importance: Importance.HIGH,
        documentation: `Class for the '${alias}' ${noun}.`,
        group,
        orderInGroup: order++,
        width: 'LONG',
        displayName: `${base} type for ${alias}`,
        recommendedValues: [...classes.keys()],
        validator: (value) =>
          typeof value === 'string' && !resolveClass(classes, value)
            ? `Invalid value ${value} for configuration ${typeKey}: Class ${value} could not be found. flowscope's ${noun}s: ${[...classes.keys()].join(', ')}.`
            : undefined,
      })
      const className = classOf(config, kind, alias)
      if (!className) continue
      def.define({
        name: `${prefix}${PLUGIN_VERSION_KEY}`,
        type: ConfigTypes.STRING,
        default: FLOWSCOPE_VERSION,
        importance: Importance.LOW,
        documentation: `Version of the '${alias}' ${noun}.`,
        group,
        orderInGroup: order++,
        notActedOn: `flowscope ships one version of each ${noun}, its own`,
      })
      if (kind === 'transforms') {
        for (const implicit of implicitTransformKeys(prefix, group)) def.define({ ...implicit, orderInGroup: order++ })
        if (config[`${prefix}${NEGATE_KEY}`] !== undefined && config[`${prefix}${PREDICATE_KEY}`] === undefined) {
          add(
            typeKey,
            `Config '${prefix}${NEGATE_KEY}' was provided but there is no config '${prefix}${PREDICATE_KEY}' defining a predicate to be negated.`,
          )
        }
        const predicate = config[`${prefix}${PREDICATE_KEY}`]?.trim()
        if (predicate && !predicates.includes(predicate)) {
          add(
            `${prefix}${PREDICATE_KEY}`,
            `Predicate alias '${predicate}' is not listed in 'predicates' (${predicates.join(', ') || 'none listed'}).`,
          )
        }
      }
      const instance = create(kind, className)
      for (const key of instance.configDef.keys()) {
        if (key.name === PLUGIN_VERSION_KEY) continue
        if (kind === 'transforms' && (key.name === PREDICATE_KEY || key.name === NEGATE_KEY)) continue
        def.define(embedded(key, prefix, group, order++))
      }
      // Settings each key accepts on its own may still not configure the class (e.g. InsertField with no field).
      const own = ownKeys(config, prefix, [
        'type',
        PLUGIN_VERSION_KEY,
        ...(kind === 'transforms' ? [PREDICATE_KEY, NEGATE_KEY] : []),
      ])
      if (instance.configDef.parse(own).errors.size > 0) continue
      try {
        instance.configure(own)
      } catch (error) {
        const key = error instanceof TransformConfigError && error.key ? `${prefix}${error.key}` : typeKey
        add(key, (error as Error).message)
      }
    }
  }
  return { def, errors }
}

function implicitTransformKeys(prefix: string, group: string): ConfigKey[] {
  return [
    {
      name: `${prefix}${PREDICATE_KEY}`,
      type: ConfigTypes.STRING,
      default: null,
      importance: Importance.MEDIUM,
      documentation: 'The alias of a predicate used to determine whether to apply this transformation.',
      group,
    },
    {
      name: `${prefix}${NEGATE_KEY}`,
      type: ConfigTypes.BOOLEAN,
      default: false,
      importance: Importance.MEDIUM,
      documentation: 'Whether the configured predicate should be negated.',
      group,
    },
  ]
}

/** ConfigDef.embed: the key under the prefix; its validator still sees the unprefixed name, as upstream. */
function embedded(key: ConfigKey, prefix: string, group: string, orderInGroup: number): ConfigKey {
  const { validator } = key
  return {
    ...key,
    name: `${prefix}${key.name}`,
    group,
    orderInGroup,
    ...(validator ? { validator: (value, name) => validator(value, name.slice(prefix.length)) } : {}),
  }
}

/** The ConfigDef of a transformation or predicate class (for GET /connector-plugins/{class}/config). */
export function pluginConfigDef(name: string): ConfigDef | undefined {
  for (const kind of ['transforms', 'predicates'] as const) {
    const className = resolveClass(KINDS[kind].classes, name)
    if (className) return create(kind, className).configDef
  }
  return undefined
}

/** What GET /connector-plugins?connectorsOnly=false adds: every transformation, then every predicate. */
export function transformPlugins(): { class: string; type: 'transformation' | 'predicate' }[] {
  return [
    ...[...transformationClasses.keys()].sort().map((cls) => ({ class: cls, type: 'transformation' as const })),
    ...[...predicateClasses.keys()].sort().map((cls) => ({ class: cls, type: 'predicate' as const })),
  ]
}
