// org.apache.kafka.connect.transforms.RegexRouter: when the whole topic matches `regex`, the topic becomes Java's
// Matcher.replaceFirst(replacement) of it (`$1`, `${name}` refer to groups).
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { invalidValue } from '../errors.ts'
import { compileJavaPattern, type JavaPattern } from '../java-regex.ts'
import { Settings } from '../settings.ts'
import type { Transformation } from '../transformation.ts'

export const REGEX_ROUTER = 'org.apache.kafka.connect.transforms.RegexRouter'

/** Connect's RegexValidator, as a validator of a flowscope ConfigDef. */
export function javaRegexValidator(value: unknown, name: string): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    compileJavaPattern(value)
    return undefined
  } catch (error) {
    return invalidValue(name, value, `Invalid regex: ${(error as Error).message}`)
  }
}

const configDef = new ConfigDef()
  .define({
    name: 'regex',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation: 'Regular expression to use for matching.',
    validator: javaRegexValidator,
  })
  .define({
    name: 'replacement',
    type: ConfigTypes.STRING,
    importance: Importance.HIGH,
    documentation: 'Replacement string.',
  })

export class RegexRouter implements Transformation {
  readonly configDef = configDef
  #regex: JavaPattern | undefined
  #replacement = ''

  configure(config: Record<string, string>): void {
    const settings = new Settings(configDef, config)
    this.#regex = compileJavaPattern(settings.string('regex') ?? '')
    this.#replacement = settings.string('replacement') ?? ''
  }

  apply(record: SourceRecord): SourceRecord {
    const regex = this.#regex as JavaPattern
    if (!regex.matches(record.topic)) return record
    return { ...record, topic: regex.replaceFirst(record.topic, this.#replacement) }
  }
}
