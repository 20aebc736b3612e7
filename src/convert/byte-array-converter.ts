// org.apache.kafka.connect.converters.ByteArrayConverter: Buffer (or any Uint8Array) in → the same bytes out;
// bytes back → an optional bytes value. Anything else is rejected with a DataError.
import type { Schema } from '../record/schema.ts'
import { SchemaTypes } from '../record/schema.ts'
import type { Converter, SchemaAndValue } from './converter.ts'
import { DataError, describe } from './data-error.ts'

const OPTIONAL_BYTES: Schema = { type: SchemaTypes.BYTES, optional: true }

export class ByteArrayConverter implements Converter {
  #root = 'record value'

  configure(_config: Record<string, string>, isKey: boolean): void {
    this.#root = isKey ? 'record key' : 'record value'
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Buffer | null {
    if (schema && schema.type !== SchemaTypes.BYTES) {
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type} (${this.#root} must be bytes)`)
    }
    if (value === null || value === undefined) return null
    if (Buffer.isBuffer(value)) return value
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    throw new DataError(`ByteArrayConverter is not compatible with ${this.#root} of type ${describe(value)}`)
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_BYTES, value: bytes }
  }
}
