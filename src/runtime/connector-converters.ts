// A connector's own key/value converter: its `key.converter` / `value.converter` class configured with the
// connector's `key.converter.*` / `value.converter.*` keys. Used to validate a config (herder) and to run one (worker).
import type { Converter } from '../convert/converter.ts'
import { createConverter } from '../convert/converters.ts'

export type ConverterKey = 'key.converter' | 'value.converter'

export function connectorConverter(className: string, config: Record<string, string>, which: ConverterKey): Converter {
  const converter = createConverter(className)
  const sub: Record<string, string> = {}
  for (const [k, v] of Object.entries(config)) if (k.startsWith(`${which}.`)) sub[k.slice(which.length + 1)] = v
  converter.configure(sub, which === 'key.converter')
  return converter
}
