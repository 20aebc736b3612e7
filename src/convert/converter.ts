// The converter contract (Connect's org.apache.kafka.connect.storage.Converter): a record's schema + value in,
// the key or value bytes written to Kafka out; and back, for readers of those topics.
import { type ConfigKey, ConfigTypes, Importance, oneOf } from '../config/config-def.ts'
import type { Schema } from '../record/schema.ts'

export interface SchemaAndValue {
  schema: Schema | null
  value: unknown
}

export interface Converter {
  /**
   * Converter-specific settings WITHOUT the `key.converter.` / `value.converter.` prefix (e.g.
   * `{"schemas.enable": "false"}`). Throws an Error naming every invalid key.
   */
  configure(config: Record<string, string>, isKey: boolean): void
  /** Throws a DataError naming the field path when `value` does not match `schema`. */
  fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue
}

/** ConverterConfig's `converter.type`, which every converter's config declares. */
export const converterTypeKey: ConfigKey = {
  name: 'converter.type',
  type: ConfigTypes.STRING,
  default: null,
  validator: oneOf(['key', 'value', 'header']),
  importance: Importance.LOW,
  documentation: 'How this converter will be used.',
}
