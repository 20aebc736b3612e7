// How a connector config names its transforms and predicates: the per-alias keys the validate endpoint reports,
// the errors found on them, the chain a task runs, and the classes the plugin endpoints list.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { connectorConfigDef } from '../../../src/runtime/connector-config.ts'
import {
  aliasesOf,
  pluginConfigDef,
  transformPlugins,
  transformsValidation,
} from '../../../src/transform/transform-config.ts'
import { buildTransformChain } from '../../../src/transform/transformation.ts'
import { record, T } from './helpers.ts'

function errorsOf(config: Record<string, string>): Record<string, string[]> {
  const { def, errors } = transformsValidation(config)
  const out: Record<string, string[]> = {}
  for (const [key, messages] of [...def.parse(config).errors, ...errors]) out[key] = [...(out[key] ?? []), ...messages]
  return out
}

describe('transforms in a connector config', () => {
  test("each alias's type, implicit predicate/negate and own keys are declared under its prefix and group", () => {
    const { def } = transformsValidation({
      transforms: 'route',
      'transforms.route.type': 'RegexRouter',
      predicates: 'p',
      'predicates.p.type': `${T}.predicates.HasHeaderKey`,
    })
    assert.deepEqual(
      def.keys().map((k) => [k.name, k.group]),
      [
        ['transforms.route.type', 'Transforms: route'],
        ['transforms.route.plugin.version', 'Transforms: route'],
        ['transforms.route.predicate', 'Transforms: route'],
        ['transforms.route.negate', 'Transforms: route'],
        ['transforms.route.regex', 'Transforms: route'],
        ['transforms.route.replacement', 'Transforms: route'],
        ['predicates.p.type', 'Predicates: p'],
        ['predicates.p.plugin.version', 'Predicates: p'],
        ['predicates.p.name', 'Predicates: p'],
      ],
    )
  })

  test('errors land on the key at fault, worded as Connect words them', () => {
    const errors = errorsOf({
      transforms: 'a,b,c,d',
      'transforms.a.type': 'com.example.Nope',
      'transforms.b.type': `${T}.RegexRouter`,
      'transforms.b.regex': '[',
      'transforms.c.type': `${T}.Filter`,
      'transforms.c.negate': 'true',
      'transforms.d.type': `${T}.ValueToKey`,
      'transforms.d.fields': 'id',
      'transforms.d.predicate': 'ghost',
    })
    const unknownClass = errors['transforms.a.type']?.[0] ?? ''
    delete errors['transforms.a.type']
    assert.match(
      unknownClass,
      /^Invalid value com\.example\.Nope for configuration transforms\.a\.type: Class com\.example\.Nope could not be found\. flowscope's transformations: .*org\.apache\.kafka\.connect\.transforms\.RegexRouter/,
    )
    assert.deepEqual(errors, {
      'transforms.b.regex': [
        'Invalid value [ for configuration regex: Invalid regex: Invalid regular expression: /[/: Unterminated character class',
      ],
      'transforms.b.replacement': [
        'Missing required configuration "transforms.b.replacement" which has no default value.',
      ],
      'transforms.c.type': [
        "Config 'transforms.c.negate' was provided but there is no config 'transforms.c.predicate' defining a predicate to be negated.",
      ],
      'transforms.d.predicate': ["Predicate alias 'ghost' is not listed in 'predicates' (none listed)."],
    })
  })

  test('a setting each key accepts alone but the class refuses is reported under that key', () => {
    assert.deepEqual(
      errorsOf({
        transforms: 'ts',
        'transforms.ts.type': `${T}.TimestampConverter$Value`,
        'transforms.ts.target.type': 'string',
      }),
      {
        'transforms.ts.format': [
          'TimestampConverter requires format option to be specified when using string timestamps',
        ],
      },
    )
  })

  test('a valid config has no errors; aliases are read once each, in order', () => {
    const config = {
      transforms: ' route , route,drop',
      'transforms.route.type': `${T}.RegexRouter`,
      'transforms.route.regex': '.*',
      'transforms.route.replacement': 'x',
      'transforms.drop.type': 'Filter',
      'transforms.drop.predicate': 'tomb',
      'transforms.drop.negate': 'false',
      predicates: 'tomb',
      'predicates.tomb.type': 'RecordIsTombstone',
    }
    assert.deepEqual(errorsOf(config), {})
    assert.deepEqual(aliasesOf(config, 'transforms'), ['route', 'drop'])
    const chain = buildTransformChain(config, aliasesOf(config, 'transforms'))
    assert.equal(chain.length, 2)
    assert.equal(chain.apply(record({ value: null })), null)
    assert.equal(chain.apply(record({ value: 1 }))?.topic, 'x')
  })

  test('an alias listed twice is refused as Connect refuses it', () => {
    const { errors } = connectorConfigDef.parse({
      name: 'c',
      'connector.class': 'x',
      transforms: 'a,b,a',
      predicates: 'p',
    })
    assert.deepEqual(errors.get('transforms'), [
      'Invalid value [a, b, a] for configuration transforms: Duplicate alias provided.',
    ])
    assert.equal(errors.get('predicates'), undefined)
    assert.equal(connectorConfigDef.key('predicates')?.group, 'Predicates')
  })

  test('simple names resolve only when unique: `$Key`/`$Value` classes need their full name', () => {
    assert.ok(errorsOf({ transforms: 'a', 'transforms.a.type': 'Key' })['transforms.a.type'])
    assert.deepEqual(
      errorsOf({ transforms: 'a', 'transforms.a.type': 'ExtractNewRecordState' }),
      {},
      'Debezium’s simple name',
    )
  })

  test('the plugin list and each class’s config definition', () => {
    const plugins = transformPlugins()
    assert.equal(plugins.filter((p) => p.type === 'transformation').length, 14)
    assert.deepEqual(
      plugins.filter((p) => p.type === 'predicate').map((p) => p.class),
      [`${T}.predicates.HasHeaderKey`, `${T}.predicates.RecordIsTombstone`, `${T}.predicates.TopicNameMatches`],
    )
    assert.deepEqual(
      pluginConfigDef(`${T}.TimestampConverter$Key`)
        ?.keys()
        .map((k) => [k.name, k.default ?? 'required']),
      [
        ['field', ''],
        ['target.type', 'required'],
        ['format', ''],
        ['unix.precision', 'milliseconds'],
        ['replace.null.with.default', true],
      ],
    )
    assert.equal(pluginConfigDef('com.example.Nope'), undefined)
  })
})
