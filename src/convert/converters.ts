// Converter registry: a worker/connector `key.converter` / `value.converter` class name in → a fresh, unconfigured
// Converter out. Accepts Connect's fully-qualified class names and their short names.
import type { ConfigDef } from '../config/config-def.ts'
import { ByteArrayConverter } from './byte-array-converter.ts'
import type { Converter } from './converter.ts'
import { JsonConverter, jsonConverterConfigDef } from './json-converter.ts'
import { StringConverter, stringConverterConfigDef } from './string-converter.ts'

export const ConverterClasses = {
  JSON: 'org.apache.kafka.connect.json.JsonConverter',
  STRING: 'org.apache.kafka.connect.storage.StringConverter',
  BYTE_ARRAY: 'org.apache.kafka.connect.converters.ByteArrayConverter',
} as const

/** Fully-qualified names of every converter flowscope provides (for `GET /connector-plugins?connectorsOnly=false`). */
export const converterClassNames: readonly string[] = Object.values(ConverterClasses)

interface ConverterPlugin {
  create: () => Converter
  configDef?: ConfigDef
}

const plugins: Record<string, ConverterPlugin> = {
  [ConverterClasses.JSON]: { create: () => new JsonConverter(), configDef: jsonConverterConfigDef },
  [ConverterClasses.STRING]: { create: () => new StringConverter(), configDef: stringConverterConfigDef },
  [ConverterClasses.BYTE_ARRAY]: { create: () => new ByteArrayConverter() },
}

/** The fully-qualified class name for a full or short name, or undefined when flowscope has no such converter. */
export function resolveConverterClass(className: string): string | undefined {
  const name = className.trim()
  if (Object.hasOwn(plugins, name)) return name
  return converterClassNames.find((full) => full.slice(full.lastIndexOf('.') + 1) === name)
}

function pluginFor(className: string): ConverterPlugin {
  const resolved = resolveConverterClass(className)
  if (resolved === undefined) {
    throw new Error(
      `Converter class ${className} is not supported by flowscope; supported converters: ${converterClassNames.join(', ')} (short names accepted)`,
    )
  }
  return plugins[resolved]
}

/** A new, unconfigured converter. Throws an Error naming the class and the supported ones when unknown. */
export function createConverter(className: string): Converter {
  return pluginFor(className).create()
}

/** The converter's own config definition (empty for converters without settings). */
export function converterConfigDef(className: string): ConfigDef | undefined {
  return pluginFor(className).configDef
}
