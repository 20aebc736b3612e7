// Transform cases run through both upstream's classes and flowscope's (transforms.test.ts): the examples of
// Connect's and Debezium's docs, schema'd and schemaless records, predicates, and the settings each refuses.
import type { Case, InputRecord } from './run-both.ts'

const T = 'org.apache.kafka.connect.transforms'
const P = `${T}.predicates`

const userSchema = {
  type: 'struct',
  name: 'shop.public.users.Value',
  optional: false,
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'name', type: 'string', optional: true },
    { field: 'email', type: 'string', optional: true, default: 'none@example.com' },
    { field: 'score', type: 'double', optional: true },
    { field: 'active', type: 'boolean', optional: true },
    { field: 'photo', type: 'bytes', optional: true },
    { field: 'created', type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1, optional: true },
    { field: 'birthday', type: 'int32', name: 'org.apache.kafka.connect.data.Date', version: 1, optional: true },
    { field: 'alarm', type: 'int32', name: 'org.apache.kafka.connect.data.Time', version: 1, optional: true },
    {
      field: 'balance',
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: '2' },
      optional: true,
    },
    { field: 'epoch', type: 'int64', optional: true },
    { field: 'when', type: 'string', optional: true },
    {
      field: 'address',
      type: 'struct',
      optional: true,
      fields: [
        { field: 'city', type: 'string', optional: true },
        { field: 'zip.code', type: 'string', optional: true },
      ],
    },
  ],
}

// 2024-02-29T13:45:30.123Z, 2024-02-29, 13:45:30.123, 1234.56 as Decimal bytes (123456 = 0x01E240).
const user = {
  id: 42,
  name: 'Ada',
  email: null,
  score: 97.5,
  active: true,
  photo: Buffer.from('hello').toString('base64'),
  created: 1709214330123,
  birthday: 19782,
  alarm: 49530123,
  balance: Buffer.from([0x01, 0xe2, 0x40]).toString('base64'),
  epoch: 1709214330,
  when: '2024-02-29 13:45:30',
  address: { city: 'London', 'zip.code': 'N1' },
}

const withSchema = (
  topic: string,
  value: Record<string, unknown> = user,
  extra: Partial<InputRecord> = {},
): InputRecord => ({
  topic,
  partition: 3,
  timestamp: 1700000000000,
  keySchema: { type: 'int64', optional: false },
  key: value.id,
  valueSchema: userSchema,
  value,
  ...extra,
})

const schemaless = (topic: string, extra: Partial<InputRecord> = {}): InputRecord => ({
  topic,
  partition: 1,
  timestamp: 1700000000000,
  key: { id: 7 },
  value: { id: 7, name: 'Bo', score: 3.25, epoch: 1709214330123, when: '2024-02-29 13:45:30', tags: ['a'] },
  ...extra,
})

const tombstone = (topic: string): InputRecord => ({ topic, keySchema: { type: 'int64', optional: false }, key: 1 })

export const connectCases: Case[] = [
  {
    name: 'RegexRouter: groups, named groups, no match',
    config: {
      transforms: 'route,named',
      'transforms.route.type': `${T}.RegexRouter`,
      'transforms.route.regex': '(.*)\\.public\\.(.*)',
      'transforms.route.replacement': '$1_$2',
      'transforms.named.type': `${T}.RegexRouter`,
      'transforms.named.regex': '(?<db>[a-z]+)_(?<table>.*)',
      // Java's replacement syntax: ${name} names a group, \$ is a literal dollar.
      'transforms.named.replacement': ['$', '{table}-from-$', '{db}\\$'].join(''),
    },
    records: [withSchema('shop.public.users'), withSchema('other'), schemaless('db.public.t')],
  },
  {
    name: 'RegexRouter: replaceFirst finds the first match, not the whole topic',
    config: {
      transforms: 'r',
      'transforms.r.type': `${T}.RegexRouter`,
      'transforms.r.regex': 'a*?',
      'transforms.r.replacement': 'X',
    },
    records: [schemaless('aaa'), schemaless('')],
  },
  {
    name: 'ValueToKey: Struct and map',
    config: {
      transforms: 'k',
      'transforms.k.type': `${T}.ValueToKey`,
      'transforms.k.fields': 'id,email',
    },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'ValueToKey without defaults, and a field the value lacks',
    config: {
      transforms: 'k',
      'transforms.k.type': `${T}.ValueToKey`,
      'transforms.k.fields': 'email,missing',
      'transforms.k.replace.null.with.default': 'false',
    },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'ExtractField$Value and $Key',
    config: {
      transforms: 'v,k',
      'transforms.v.type': `${T}.ExtractField$Value`,
      'transforms.v.field': 'email',
      'transforms.k.type': `${T}.ExtractField$Key`,
      'transforms.k.field': 'id',
    },
    records: [
      withSchema('t', user, {
        keySchema: { type: 'struct', fields: [{ field: 'id', type: 'int64' }] },
        key: { id: 42 },
      }),
      schemaless('t'),
      {
        topic: 't',
        keySchema: { type: 'struct', fields: [{ field: 'id', type: 'int64' }] },
        key: { id: 1 },
        valueSchema: userSchema,
      },
    ],
  },
  {
    name: 'ExtractField V2 nested paths with backticks',
    config: {
      transforms: 'v',
      'transforms.v.type': `${T}.ExtractField$Value`,
      'transforms.v.field': 'address.`zip.code`',
      'transforms.v.field.syntax.version': 'V2',
    },
    records: [
      withSchema('t'),
      { topic: 't', value: { address: { 'zip.code': 'E2' } } },
      { topic: 't', value: { x: 1 } },
    ],
  },
  {
    name: 'ExtractField of a field the schema lacks',
    config: { transforms: 'v', 'transforms.v.type': `${T}.ExtractField$Value`, 'transforms.v.field': 'nope' },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'InsertField$Value: topic, partition, timestamp, static (required and optional)',
    config: {
      transforms: 'ins',
      'transforms.ins.type': `${T}.InsertField$Value`,
      'transforms.ins.topic.field': 'kafka_topic!',
      'transforms.ins.partition.field': 'kafka_partition',
      'transforms.ins.timestamp.field': 'kafka_ts?',
      'transforms.ins.static.field': 'origin',
      'transforms.ins.static.value': 'flowscope-test',
    },
    records: [withSchema('t'), schemaless('t'), tombstone('t')],
  },
  {
    name: 'InsertField$Key on a Struct key, and offset.field on a source record',
    config: {
      transforms: 'ins,off',
      'transforms.ins.type': `${T}.InsertField$Key`,
      'transforms.ins.topic.field': 'topic',
      'transforms.off.type': `${T}.InsertField$Value`,
      'transforms.off.offset.field': 'offset',
    },
    records: [
      withSchema('t', user, {
        keySchema: { type: 'struct', fields: [{ field: 'id', type: 'int64' }] },
        key: { id: 42 },
      }),
    ],
  },
  {
    name: 'ReplaceField$Value: include and renames',
    config: {
      transforms: 'rf',
      'transforms.rf.type': `${T}.ReplaceField$Value`,
      'transforms.rf.include': 'id,name,email,score',
      'transforms.rf.renames': 'name:full_name,score:points',
    },
    records: [withSchema('t'), schemaless('t'), tombstone('t')],
  },
  {
    name: 'ReplaceField$Value: exclude wins over include, no defaults',
    config: {
      transforms: 'rf',
      'transforms.rf.type': `${T}.ReplaceField$Value`,
      'transforms.rf.include': 'id,name,email',
      'transforms.rf.exclude': 'name',
      'transforms.rf.replace.null.with.default': 'false',
    },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'Cast$Value: numbers, booleans, bytes, logical types, decimals',
    config: {
      transforms: 'c',
      'transforms.c.type': `${T}.Cast$Value`,
      'transforms.c.spec':
        'id:int8,score:int32,active:int16,photo:string,created:int64,birthday:int32,alarm:string,balance:float64,epoch:float64,name:string,email:string',
    },
    records: [
      withSchema('t'),
      withSchema('t', { ...user, id: 300, score: -1e12, active: false, created: -5, epoch: 123456789 }),
      schemaless('t'),
    ],
  },
  {
    name: 'Cast$Value: text to numbers and booleans',
    config: {
      transforms: 'c',
      'transforms.c.type': `${T}.Cast$Value`,
      'transforms.c.spec': 'name:boolean,when:string,address:string',
    },
    records: [withSchema('t', { ...user, name: 'TRUE', address: null })],
  },
  {
    name: 'Cast$Value: text out of range',
    config: { transforms: 'c', 'transforms.c.type': `${T}.Cast$Value`, 'transforms.c.spec': 'name:int32' },
    records: [withSchema('t'), withSchema('t', { ...user, name: '-2147483648' }), schemaless('t')],
  },
  {
    name: 'Cast to float32 (values a float holds exactly: float text differs between JVM versions)',
    config: {
      transforms: 'c',
      'transforms.c.type': `${T}.Cast$Value`,
      'transforms.c.spec': 'score:float32,id:float32',
    },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'Cast$Key: the whole key',
    config: { transforms: 'c', 'transforms.c.type': `${T}.Cast$Key`, 'transforms.c.spec': 'string' },
    records: [withSchema('t'), { topic: 't', key: 12.5, value: 'x' }],
  },
  {
    name: 'TimestampConverter$Value: Timestamp field to text',
    config: {
      transforms: 'ts',
      'transforms.ts.type': `${T}.TimestampConverter$Value`,
      'transforms.ts.field': 'created',
      'transforms.ts.target.type': 'string',
      'transforms.ts.format': "yyyy-MM-dd'T'HH:mm:ss.SSSXXX EEE MMM",
    },
    records: [withSchema('t'), withSchema('t', { ...user, created: null })],
  },
  {
    name: 'TimestampConverter$Value: unix seconds to Timestamp',
    config: {
      transforms: 'ts',
      'transforms.ts.type': `${T}.TimestampConverter$Value`,
      'transforms.ts.field': 'epoch',
      'transforms.ts.target.type': 'Timestamp',
      'transforms.ts.unix.precision': 'seconds',
    },
    records: [withSchema('t'), schemaless('t')],
  },
  {
    name: 'TimestampConverter$Value: text to unix microseconds, Date and Time',
    config: {
      transforms: 'a,b,c',
      'transforms.a.type': `${T}.TimestampConverter$Value`,
      'transforms.a.field': 'when',
      'transforms.a.target.type': 'unix',
      'transforms.a.format': 'yyyy-MM-dd HH:mm:ss',
      'transforms.a.unix.precision': 'microseconds',
      'transforms.b.type': `${T}.TimestampConverter$Value`,
      'transforms.b.field': 'created',
      'transforms.b.target.type': 'Date',
      'transforms.c.type': `${T}.TimestampConverter$Value`,
      'transforms.c.field': 'birthday',
      'transforms.c.target.type': 'Time',
    },
    records: [withSchema('t'), withSchema('t', { ...user, when: 'not a time' })],
  },
  {
    name: 'TimestampConverter$Value: the whole value, schemaless',
    config: {
      transforms: 'ts',
      'transforms.ts.type': `${T}.TimestampConverter$Value`,
      'transforms.ts.target.type': 'string',
      'transforms.ts.format': 'dd/MM/yy hh:mm a',
    },
    records: [
      { topic: 't', value: 1709214330123 },
      {
        topic: 't',
        valueSchema: { type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1 },
        value: 0,
      },
      { topic: 't', value: true },
    ],
  },
  {
    name: '$Key variants: ReplaceField$Key, TimestampConverter$Key, gated by a negated HasHeaderKey',
    config: {
      transforms: 'rk,tk',
      'transforms.rk.type': `${T}.ReplaceField$Key`,
      'transforms.rk.renames': 'id:user_id',
      'transforms.tk.type': `${T}.TimestampConverter$Key`,
      'transforms.tk.field': 'at',
      'transforms.tk.target.type': 'string',
      'transforms.tk.format': 'yyyy-MM-dd HH:mm:ss.SSS',
      'transforms.tk.predicate': 'raw',
      'transforms.tk.negate': 'true',
      predicates: 'raw',
      'predicates.raw.type': `${P}.HasHeaderKey`,
      'predicates.raw.name': 'raw',
    },
    records: [
      ...[[], [{ key: 'raw', value: 'yes' }]].map((headers) => ({
        topic: 't',
        keySchema: {
          type: 'struct',
          name: 'k',
          fields: [
            { field: 'id', type: 'int64' },
            { field: 'at', type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1 },
          ],
        },
        key: { id: 1, at: 1709214330123 },
        value: 'v',
        headers,
      })),
      { topic: 't', key: { id: 2, at: 1709214330123 }, value: 'schemaless key' },
    ],
  },
  {
    name: 'Filter with TopicNameMatches, negated, and RecordIsTombstone',
    config: {
      transforms: 'keepUsers,dropTombstones,route',
      'transforms.keepUsers.type': `${T}.Filter`,
      'transforms.keepUsers.predicate': 'isUsers',
      'transforms.keepUsers.negate': 'true',
      'transforms.dropTombstones.type': `${T}.Filter`,
      'transforms.dropTombstones.predicate': 'isTombstone',
      'transforms.route.type': `${T}.RegexRouter`,
      'transforms.route.regex': '.*',
      'transforms.route.replacement': 'all-users',
      'transforms.route.predicate': 'hasTrace',
      predicates: 'isUsers,isTombstone,hasTrace',
      'predicates.isUsers.type': `${P}.TopicNameMatches`,
      'predicates.isUsers.pattern': '.*\\.users',
      'predicates.isTombstone.type': `${P}.RecordIsTombstone`,
      'predicates.hasTrace.type': `${P}.HasHeaderKey`,
      'predicates.hasTrace.name': 'trace',
    },
    records: [
      withSchema('shop.public.users'),
      withSchema('shop.public.orders'),
      tombstone('shop.public.users'),
      withSchema('shop.public.users', user, {
        headers: [{ key: 'trace', schema: { type: 'string' }, value: 'abc' }],
      }),
    ],
  },
]

/** Settings upstream refuses when the transform is configured, with its message. */
export const configErrorCases: Case[] = [
  ['RegexRouter without regex', { type: `${T}.RegexRouter`, replacement: 'x' }],
  ['RegexRouter with a bad regex', { type: `${T}.RegexRouter`, regex: '(unclosed', replacement: 'x' }],
  ['ValueToKey with no fields', { type: `${T}.ValueToKey`, fields: '' }],
  ['ExtractField without field', { type: `${T}.ExtractField$Value` }],
  [
    'ExtractField with an unknown syntax version',
    { type: `${T}.ExtractField$Value`, field: 'a', 'field.syntax.version': 'v3' },
  ],
  ['InsertField with nothing to insert', { type: `${T}.InsertField$Value` }],
  ['ReplaceField with a bad rename', { type: `${T}.ReplaceField$Value`, renames: 'a:b:c' }],
  ['ReplaceField with a boolean that is not', { type: `${T}.ReplaceField$Value`, 'replace.null.with.default': 'yes' }],
  ['Cast with an empty spec', { type: `${T}.Cast$Value`, spec: '' }],
  ['Cast to an unknown type', { type: `${T}.Cast$Value`, spec: 'a:int128' }],
  ['Cast to bytes', { type: `${T}.Cast$Value`, spec: 'a:bytes' }],
  ['Cast whole value and a field', { type: `${T}.Cast$Value`, spec: 'int32,a:string' }],
  ['TimestampConverter with a bad target type', { type: `${T}.TimestampConverter$Value`, 'target.type': 'timestamp' }],
  ['TimestampConverter to text without format', { type: `${T}.TimestampConverter$Value`, 'target.type': 'string' }],
  [
    'TimestampConverter with a bad precision',
    { type: `${T}.TimestampConverter$Value`, 'target.type': 'unix', 'unix.precision': 'minutes' },
  ],
].map(([name, settings]) => ({
  name: name as string,
  config: {
    transforms: 'x',
    ...Object.fromEntries(Object.entries(settings as Record<string, string>).map(([k, v]) => [`transforms.x.${k}`, v])),
  },
  records: [],
}))

// ---- Debezium change events -------------------------------------------------------------------------------------

const rowSchema = {
  type: 'struct',
  name: 'srv.public.items.Value',
  optional: true,
  fields: [
    { field: 'id', type: 'int32', optional: false },
    { field: 'title', type: 'string', optional: true },
    { field: 'dest', type: 'string', optional: true },
    { field: 'qty', type: 'int32', optional: true, default: 1 },
  ],
}

const envelopeSchema = {
  type: 'struct',
  name: 'srv.public.items.Envelope',
  version: 2,
  optional: false,
  fields: [
    { field: 'before', ...rowSchema },
    { field: 'after', ...rowSchema },
    {
      field: 'source',
      type: 'struct',
      name: 'io.debezium.connector.postgresql.Source',
      optional: false,
      fields: [
        { field: 'version', type: 'string', optional: false },
        { field: 'connector', type: 'string', optional: false },
        { field: 'name', type: 'string', optional: false },
        { field: 'ts_ms', type: 'int64', optional: false },
        {
          field: 'snapshot',
          type: 'string',
          name: 'io.debezium.data.Enum',
          version: 1,
          parameters: { allowed: 'true,first,last,false,incremental' },
          default: 'false',
          optional: true,
        },
        { field: 'db', type: 'string', optional: false },
        { field: 'schema', type: 'string', optional: false },
        { field: 'table', type: 'string', optional: false },
        { field: 'txId', type: 'int64', optional: true },
        { field: 'lsn', type: 'int64', optional: true },
      ],
    },
    {
      field: 'transaction',
      type: 'struct',
      name: 'event.block',
      version: 1,
      optional: true,
      fields: [
        { field: 'id', type: 'string', optional: false },
        { field: 'total_order', type: 'int64', optional: false },
        { field: 'data_collection_order', type: 'int64', optional: false },
      ],
    },
    { field: 'op', type: 'string', optional: false },
    { field: 'ts_ms', type: 'int64', optional: true },
  ],
}

const itemKeySchema = {
  type: 'struct',
  name: 'srv.public.items.Key',
  optional: false,
  fields: [{ field: 'id', type: 'int32', optional: false }],
}

const source = {
  version: '3.6.1.Final',
  connector: 'postgresql',
  name: 'srv',
  ts_ms: 1709214330000,
  snapshot: 'false',
  db: 'shop',
  schema: 'public',
  table: 'items',
  txId: 771,
  lsn: 23456789,
}

function event(op: string, before: unknown, after: unknown, transaction: unknown = null): InputRecord {
  return {
    topic: 'srv.public.items',
    keySchema: itemKeySchema,
    key: { id: 5 },
    valueSchema: envelopeSchema,
    value: { before, after, source, transaction, op, ts_ms: 1709214330500 },
  }
}

const row = { id: 5, title: 'pen', dest: 'routed.items', qty: null }
const changed = { id: 5, title: 'ink pen', dest: 'routed.items', qty: 3 }
const debeziumEvents: InputRecord[] = [
  event('r', null, row),
  event('c', null, row, { id: '771:23456789', total_order: 1, data_collection_order: 1 }),
  event('u', row, changed),
  event('d', changed, null),
  { topic: 'srv.public.items', keySchema: itemKeySchema, key: { id: 5 } },
  event('t', null, null),
  {
    topic: 'srv.public.items',
    keySchema: { type: 'string' },
    key: 'k',
    valueSchema: { type: 'string' },
    value: 'not an envelope',
  },
]

const unwrap = (settings: Record<string, string> = {}): Record<string, string> => ({
  transforms: 'unwrap',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`transforms.unwrap.${k}`, v])),
})

export const debeziumCases: Case[] = [
  { name: 'ExtractNewRecordState: defaults', config: unwrap(), records: debeziumEvents },
  ...['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'].map((mode) => ({
    name: `ExtractNewRecordState: delete.tombstone.handling.mode=${mode}`,
    config: unwrap({ 'delete.tombstone.handling.mode': mode }),
    records: debeziumEvents,
  })),
  {
    name: 'ExtractNewRecordState: add.fields, add.headers, prefixes and renames',
    config: unwrap({
      'add.fields': 'op,table,source.ts_ms,lsn:LSN,ts_ms,id,snapshot',
      'add.fields.prefix': 'meta_',
      'add.headers': 'op,db,source.name:server',
      'delete.tombstone.handling.mode': 'rewrite',
    }),
    records: debeziumEvents,
  },
  {
    name: 'ExtractNewRecordState: route.by.field, no default replacement',
    config: unwrap({
      'route.by.field': 'dest',
      'replace.null.with.default': 'false',
      'delete.tombstone.handling.mode': 'rewrite-with-tombstone',
      'add.headers': 'op',
    }),
    records: debeziumEvents,
  },
  {
    name: 'ExtractNewRecordState: fields listed in a header dropped from value and key',
    config: unwrap({
      'drop.fields.header.name': 'dropped',
      'drop.fields.from.key': 'true',
      'drop.fields.keep.schema.compatible': 'false',
      'add.fields': 'op',
    }),
    records: debeziumEvents.map((e) => ({
      ...e,
      headers: [{ key: 'dropped', schema: { type: 'array', items: { type: 'string' } }, value: ['title', 'qty'] }],
    })),
  },
  {
    name: 'ExtractNewRecordState: dropping only optional fields keeps schemas compatible',
    config: unwrap({ 'drop.fields.header.name': 'dropped', 'delete.tombstone.handling.mode': 'rewrite' }),
    records: debeziumEvents.map((e) => ({
      ...e,
      headers: [{ key: 'dropped', schema: { type: 'array', items: { type: 'string' } }, value: ['id', 'title'] }],
    })),
  },
  {
    name: 'ExtractNewRecordState: bad delete.tombstone.handling.mode',
    config: unwrap({ 'delete.tombstone.handling.mode': 'purge' }),
    records: [],
  },
]
