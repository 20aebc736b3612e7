// Connect's predicates (org.apache.kafka.connect.transforms.predicates.*), named by a transform's `predicate` key.
import { ConfigDef, ConfigTypes, Importance } from '../../config/config-def.ts'
import type { SourceRecord } from '../../record/source-record.ts'
import { invalidValue } from '../errors.ts'
import { compileJavaPattern, type JavaPattern } from '../java-regex.ts'
import { Settings } from '../settings.ts'
import type { Predicate } from '../transformation.ts'

const PACKAGE = 'org.apache.kafka.connect.transforms.predicates'
export const TOPIC_NAME_MATCHES = `${PACKAGE}.TopicNameMatches`
export const HAS_HEADER_KEY = `${PACKAGE}.HasHeaderKey`
export const RECORD_IS_TOMBSTONE = `${PACKAGE}.RecordIsTombstone`

const nonEmpty = (value: unknown, name: string) =>
  typeof value === 'string' && value === '' ? invalidValue(name, value, 'String must be non-empty') : undefined

const topicNameMatchesDef = new ConfigDef().define({
  name: 'pattern',
  type: ConfigTypes.STRING,
  importance: Importance.MEDIUM,
  documentation: "A Java regular expression for matching against the name of a record's topic.",
  validator: (value, name) => {
    if (typeof value !== 'string') return undefined
    const empty = nonEmpty(value, name)
    if (empty) return empty
    try {
      compileJavaPattern(value)
      return undefined
    } catch (error) {
      return invalidValue(name, value, `Invalid regex: ${(error as Error).message}`)
    }
  },
})

/** True for records whose whole topic name matches `pattern`. */
export class TopicNameMatches implements Predicate {
  readonly configDef = topicNameMatchesDef
  #pattern: JavaPattern | undefined

  configure(config: Record<string, string>): void {
    this.#pattern = compileJavaPattern(new Settings(topicNameMatchesDef, config).string('pattern') ?? '')
  }

  test(record: SourceRecord): boolean {
    return (this.#pattern as JavaPattern).matches(record.topic)
  }
}

const hasHeaderKeyDef = new ConfigDef().define({
  name: 'name',
  type: ConfigTypes.STRING,
  importance: Importance.MEDIUM,
  documentation: 'The header name.',
  validator: nonEmpty,
})

/** True for records with at least one header named `name`. */
export class HasHeaderKey implements Predicate {
  readonly configDef = hasHeaderKeyDef
  #name = ''

  configure(config: Record<string, string>): void {
    this.#name = new Settings(hasHeaderKeyDef, config).string('name') ?? ''
  }

  test(record: SourceRecord): boolean {
    return record.headers?.some((h) => h.key === this.#name) ?? false
  }
}

const recordIsTombstoneDef = new ConfigDef()

/** True for records whose value is null. */
export class RecordIsTombstone implements Predicate {
  readonly configDef = recordIsTombstoneDef

  configure(): void {}

  test(record: SourceRecord): boolean {
    return record.value === null || record.value === undefined
  }
}
