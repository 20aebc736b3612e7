// KIP-821 field paths (`field.syntax.version`): V1 names a top-level field; V2 reads dots as nesting, with backtick
// pairs around names that contain dots (`` `foo.bar`.baz ``) and a backslash before a backtick that is part of a name.
import { type ConfigKey, ConfigTypes, Importance } from '../config/config-def.ts'
import type { Field, Schema, Struct } from '../record/schema.ts'
import { TransformConfigError } from './errors.ts'
import { fieldOf, fieldValue, requireMapOrNull, requireStructOrNull } from './record-data.ts'

export const FIELD_SYNTAX_VERSION = 'field.syntax.version'

export const fieldSyntaxVersionKey: ConfigKey = {
  name: FIELD_SYNTAX_VERSION,
  type: ConfigTypes.STRING,
  default: 'V1',
  importance: Importance.HIGH,
  documentation:
    'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".',
  validator: (value, name) =>
    typeof value === 'string' && !['V1', 'V2'].includes(value.toUpperCase())
      ? `Invalid value ${value} for configuration ${name}: String must be one of (case insensitive): V1, V2`
      : undefined,
  recommendedValues: ['V1', 'V2'],
}

export class FieldPath {
  readonly steps: readonly string[]

  constructor(text: string, version: string) {
    this.steps = version.toUpperCase() === 'V2' ? parseV2(text) : [text]
  }

  /** The field at the path in `schema`, or undefined when a step is missing. */
  fieldFrom(schema: Schema | null): Field | undefined {
    if (!schema) return undefined
    let current = schema
    for (const step of this.steps.slice(0, -1)) {
      const field = fieldOf(current, step)
      if (!field) return undefined
      current = field.schema
    }
    return fieldOf(current, this.steps[this.steps.length - 1] as string)
  }

  /** The value at the path in a Struct with `schema` (null when any step is missing or null). */
  valueFromStruct(struct: Struct | null, schema: Schema, withDefault: boolean): unknown {
    let current = struct
    let currentSchema = schema
    for (const step of this.steps.slice(0, -1)) {
      if (current === null) return null
      const field = fieldOf(currentSchema, step)
      if (!field) return null
      current = requireStructOrNull(fieldValue(current, field, true), 'nested field access')
      currentSchema = field.schema
    }
    if (current === null) return null
    const last = fieldOf(currentSchema, this.steps[this.steps.length - 1] as string)
    return last ? fieldValue(current, last, withDefault) : null
  }

  /** The value at the path in a schemaless map (null when any step is missing). */
  valueFromMap(map: Record<string, unknown> | null): unknown {
    let current = map
    for (const step of this.steps.slice(0, -1)) {
      if (current === null) return null
      current = requireMapOrNull(current[step], 'nested field access')
    }
    if (current === null) return null
    return current[this.steps[this.steps.length - 1] as string] ?? null
  }
}

function parseV2(path: string): string[] {
  const steps: string[] = []
  let i = 0
  while (i < path.length) {
    if (path[i] !== '`') {
      const dot = path.indexOf('.', i)
      if (dot < 0) {
        steps.push(path.slice(i))
        i = path.length
      } else {
        steps.push(path.slice(i, dot))
        i = dot + 1
      }
      continue
    }
    // A backtick-quoted step ends at a backtick followed by a dot or by the end, not escaped by a backslash.
    const openedAt = i
    let name = ''
    let start = i + 1
    let at = start
    for (;;) {
      const close = path.indexOf('`', at)
      if (close < 0) incompletePair(path, openedAt)
      const escaped = path[close - 1] === '\\'
      if (close >= path.length - 1) {
        if (escaped) incompletePair(path, openedAt)
        steps.push(name + path.slice(start, close))
        i = close + 1
        break
      }
      if (path[close + 1] !== '.') {
        at = close + 1
        continue
      }
      if (escaped) {
        name += `${path.slice(start, close - 1)}\``
        start = close + 1
        at = start
        continue
      }
      steps.push(name + path.slice(start, close))
      i = close + 2
      break
    }
  }
  if (path.endsWith('.')) steps.push('')
  return steps
}

function incompletePair(path: string, at: number): never {
  throw new TransformConfigError(
    `Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`,
  )
}
