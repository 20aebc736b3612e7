// The transformations and predicates flowscope ships, under their upstream class names (Connect's `$Key` / `$Value`
// nested classes included): what `transforms.<alias>.type` / `predicates.<alias>.type` may name and what
// GET /connector-plugins?connectorsOnly=false lists.
import { CAST, Cast } from './connect/cast.ts'
import { EXTRACT_FIELD, ExtractField } from './connect/extract-field.ts'
import { FILTER, Filter } from './connect/filter.ts'
import { INSERT_FIELD, InsertField } from './connect/insert-field.ts'
import {
  HAS_HEADER_KEY,
  HasHeaderKey,
  RECORD_IS_TOMBSTONE,
  RecordIsTombstone,
  TOPIC_NAME_MATCHES,
  TopicNameMatches,
} from './connect/predicates.ts'
import { REGEX_ROUTER, RegexRouter } from './connect/regex-router.ts'
import { REPLACE_FIELD, ReplaceField } from './connect/replace-field.ts'
import { TIMESTAMP_CONVERTER, TimestampConverter } from './connect/timestamp-converter.ts'
import { VALUE_TO_KEY, ValueToKey } from './connect/value-to-key.ts'
import { EXTRACT_NEW_RECORD_STATE, ExtractNewRecordState } from './debezium/extract-new-record-state.ts'
import { KEY, type RecordPart, VALUE } from './record-data.ts'
import type { Predicate, Transformation } from './transformation.ts'

const perPart = (className: string, create: (part: RecordPart) => Transformation): [string, () => Transformation][] => [
  [`${className}$Key`, () => create(KEY)],
  [`${className}$Value`, () => create(VALUE)],
]

export const transformationClasses: ReadonlyMap<string, () => Transformation> = new Map<string, () => Transformation>([
  ...perPart(CAST, (part) => new Cast(part)),
  ...perPart(EXTRACT_FIELD, (part) => new ExtractField(part)),
  [FILTER, () => new Filter()],
  ...perPart(INSERT_FIELD, (part) => new InsertField(part)),
  [REGEX_ROUTER, () => new RegexRouter()],
  ...perPart(REPLACE_FIELD, (part) => new ReplaceField(part)),
  ...perPart(TIMESTAMP_CONVERTER, (part) => new TimestampConverter(part)),
  [VALUE_TO_KEY, () => new ValueToKey()],
  [EXTRACT_NEW_RECORD_STATE, () => new ExtractNewRecordState()],
])

export const predicateClasses: ReadonlyMap<string, () => Predicate> = new Map<string, () => Predicate>([
  [HAS_HEADER_KEY, () => new HasHeaderKey()],
  [RECORD_IS_TOMBSTONE, () => new RecordIsTombstone()],
  [TOPIC_NAME_MATCHES, () => new TopicNameMatches()],
])

/**
 * The full class name for a name or alias: as Connect's class loader, a unique simple name (`RegexRouter`,
 * `ExtractNewRecordState`) also names its class; `$Key` / `$Value` classes need the full name.
 */
export function resolveClass(classes: ReadonlyMap<string, unknown>, name: string): string | undefined {
  if (classes.has(name)) return name
  const matches = [...classes.keys()].filter((cls) => cls.slice(cls.lastIndexOf('.') + 1) === name)
  return matches.length === 1 ? matches[0] : undefined
}
