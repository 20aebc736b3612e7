import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ByteArrayConverter } from '../../../src/convert/byte-array-converter.ts'
import { converterClassNames, converterConfigDef, createConverter } from '../../../src/convert/converters.ts'
import { JsonConverter } from '../../../src/convert/json-converter.ts'
import { StringConverter } from '../../../src/convert/string-converter.ts'

test('full and short class names create the matching converter', () => {
  assert.ok(createConverter('org.apache.kafka.connect.json.JsonConverter') instanceof JsonConverter)
  assert.ok(createConverter('JsonConverter') instanceof JsonConverter)
  assert.ok(createConverter('org.apache.kafka.connect.storage.StringConverter') instanceof StringConverter)
  assert.ok(createConverter('StringConverter') instanceof StringConverter)
  assert.ok(createConverter('org.apache.kafka.connect.converters.ByteArrayConverter') instanceof ByteArrayConverter)
  assert.ok(createConverter(' ByteArrayConverter ') instanceof ByteArrayConverter)
  // Each call gives a fresh instance (converters hold per-connector configuration).
  assert.notEqual(createConverter('JsonConverter'), createConverter('JsonConverter'))
})

test('an unsupported class is refused, naming it and every supported one', () => {
  assert.throws(
    () => createConverter('io.confluent.connect.avro.AvroConverter'),
    (error: unknown) =>
      error instanceof Error &&
      error.message.includes('io.confluent.connect.avro.AvroConverter') &&
      converterClassNames.every((name) => error.message.includes(name)),
  )
  assert.throws(() => createConverter('org.example.JsonConverter'), /org\.example\.JsonConverter is not supported/)
})

test('the registry lists the three Connect converters and exposes their config definitions', () => {
  assert.deepEqual([...converterClassNames].sort(), [
    'org.apache.kafka.connect.converters.ByteArrayConverter',
    'org.apache.kafka.connect.json.JsonConverter',
    'org.apache.kafka.connect.storage.StringConverter',
  ])
  assert.equal(converterConfigDef('JsonConverter')?.key('schemas.enable')?.default, true)
  assert.equal(converterConfigDef('StringConverter')?.key('converter.encoding')?.default, 'UTF-8')
})
