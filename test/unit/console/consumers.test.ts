// The Consumers list: server-side search, sort and paging of the lag exporter's groups, the query's validation, and
// the lag client sharing one read and parse of /metrics between callers (a real HTTP server counting requests).
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { ApiError } from '../../../src/console/server/errors.ts'
import { type GroupLag, LagClient, pageGroups } from '../../../src/console/server/lag.ts'
import { type GroupQuery, groupQuery } from '../../../src/console/server/validation.ts'

const group = (name: string, fields: Partial<GroupLag> = {}): GroupLag => ({
  group: name,
  status: 'OK',
  maxLag: 0,
  maxLagSeconds: 0,
  totalLag: 0,
  consumeRate: null,
  drainEtaSeconds: null,
  freshnessSeconds: null,
  topics: {},
  ...fields,
})
const base: GroupQuery = { search: '', sort: 'name', order: 'asc', page: 1, size: 50 }
const names = (groups: GroupLag[]) => groups.map((g) => g.group)

test('consumer groups: paged by the server, the last page short, a page past the end empty', () => {
  const groups = Array.from({ length: 120 }, (_, i) => group(`g-${String(i).padStart(3, '0')}`))
  const first = pageGroups(groups, base)
  assert.equal(first.total, 120)
  assert.deepEqual(names(first.items).slice(0, 2), ['g-000', 'g-001'])
  assert.equal(first.items.length, 50)
  const third = pageGroups(groups, { ...base, page: 3 })
  assert.deepEqual([third.items.length, third.items[0].group], [20, 'g-100'])
  assert.deepEqual(pageGroups(groups, { ...base, page: 4 }).items, [])
  assert.deepEqual(names(pageGroups(groups, { ...base, order: 'desc', size: 2 }).items), ['g-119', 'g-118'])
  assert.deepEqual(first.statuses, { OK: 120 })
})

test('consumer groups: search by group or topic name, case-insensitive; statuses count every group', () => {
  const groups = [
    group('orders-sink', { topics: { 'pg.orders': 3 } }),
    group('billing', { status: 'WARN', topics: { 'pg.ORDERS_archive': 1 } }),
    group('audit', { status: null, topics: { 'pg.audit': 0 } }),
  ]
  const answer = pageGroups(groups, { ...base, search: 'Orders' })
  assert.deepEqual(names(answer.items), ['billing', 'orders-sink'])
  assert.equal(answer.total, 2)
  assert.deepEqual(answer.statuses, { OK: 1, WARN: 1, UNKNOWN: 1 })
  assert.deepEqual(pageGroups(groups, { ...base, search: 'nothing' }), {
    total: 0,
    items: [],
    page: 1,
    size: 50,
    statuses: { OK: 1, WARN: 1, UNKNOWN: 1 },
  })
})

test('consumer groups: sorted by a column, unknown values last either way, ties by name; the input unchanged', () => {
  const groups = [
    group('a', { maxLag: 5, maxLagSeconds: null, status: 'OK', drainEtaSeconds: 30 }),
    group('b', { maxLag: 500, maxLagSeconds: 12, status: 'ERR', consumeRate: 2 }),
    group('c', { maxLag: null, maxLagSeconds: 3, status: 'WARN', consumeRate: 9 }),
    group('d', { maxLag: 5, maxLagSeconds: 40, status: null, drainEtaSeconds: 10 }),
  ]
  const frozen = Object.freeze([...groups])
  const by = (sort: GroupQuery['sort'], order: GroupQuery['order']) =>
    names(pageGroups(frozen, { ...base, sort, order }).items)
  assert.deepEqual(by('lag', 'desc'), ['b', 'a', 'd', 'c'])
  assert.deepEqual(by('lag', 'asc'), ['a', 'd', 'b', 'c'])
  assert.deepEqual(by('lag_seconds', 'desc'), ['d', 'b', 'c', 'a'])
  assert.deepEqual(by('consume_rate', 'asc'), ['b', 'c', 'a', 'd'])
  assert.deepEqual(by('drain_eta', 'asc'), ['d', 'a', 'b', 'c'])
  // Worst first when ascending: ERR, WARN, OK, then a group not evaluated yet.
  assert.deepEqual(by('status', 'asc'), ['b', 'c', 'a', 'd'])
  assert.deepEqual(by('name', 'desc'), ['d', 'c', 'b', 'a'])
  assert.deepEqual(names(groups), ['a', 'b', 'c', 'd'])
})

test('consumer group query: defaults, and each bad parameter named in a 400', () => {
  assert.deepEqual(groupQuery({}), base)
  assert.deepEqual(groupQuery({ search: 'x', sort: 'lag_seconds', order: 'desc', page: '2', size: '10' }), {
    search: 'x',
    sort: 'lag_seconds',
    order: 'desc',
    page: 2,
    size: 10,
  })
  const rejects = (query: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(
      () => groupQuery(query),
      (error: unknown) => error instanceof ApiError && error.status === 400 && pattern.test(error.message),
    )
  rejects({ sort: 'members' }, /"sort".*name, status, lag, lag_seconds, consume_rate, drain_eta/)
  rejects({ page: '0' }, /"page".*from 1/)
  rejects({ size: '501' }, /"size"/)
  rejects({ order: 'down' }, /"order"/)
  rejects({ search: 'x'.repeat(1001) }, /"search" is longer than 1000/)
})

// A lag exporter's /metrics that counts its requests and answers when told to.
let server: http.Server
let url: string
let requests = 0
let hold: Promise<void> = Promise.resolve()
let failNext = false
before(async () => {
  server = http.createServer(async (_request, response) => {
    requests++
    await hold
    if (failNext) {
      failNext = false
      response.writeHead(500).end()
      return
    }
    response.end(`kafka_consumergroup_group_max_lag{group="g${requests}"} ${requests}\nflowscope_lag_exporter_up 1\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

const eventuallyRequests = async (n: number) => {
  for (let i = 0; i < 200 && requests < n; i++) await new Promise((r) => setTimeout(r, 5))
  assert.equal(requests, n)
}

test('the lag client: callers at the same time share one read; reused for maxAgeMs, refreshed behind until staleMs, a failure not kept', async () => {
  let now = 1_000
  const lag = new LagClient(url, { maxAgeMs: 2000, now: () => now })
  requests = 0
  let release = () => {}
  hold = new Promise((resolve) => {
    release = resolve
  })
  const together = Array.from({ length: 10 }, () => lag.view())
  release()
  const views = await Promise.all(together)
  assert.equal(requests, 1, 'ten callers in flight, one request')
  assert.ok(views.every((v) => v === views[0]))
  assert.deepEqual(names(views[0].groups), ['g1'])

  now += 1999
  assert.equal(await lag.view(), views[0], 'reused while younger than maxAgeMs')
  assert.equal(requests, 1)
  now += 1
  hold = new Promise((resolve) => {
    release = resolve
  })
  assert.equal(await lag.view(), views[0], 'older: still answered at once…')
  await eventuallyRequests(2)
  assert.equal(await lag.view(), views[0], '…while one read in the background replaces it')
  release()
  let latest = await lag.view()
  for (let i = 0; i < 200 && latest === views[0]; i++) {
    await new Promise((r) => setTimeout(r, 5))
    latest = await lag.view()
  }
  assert.deepEqual(names(latest.groups), ['g2'], 'the new answer once it came')
  assert.equal(requests, 2)

  now += 6000
  assert.deepEqual(names((await lag.view()).groups), ['g3'], 'past staleMs: a read waited for')
  assert.equal(requests, 3)

  now += 7000
  failNext = true
  await assert.rejects(lag.view(), /HTTP 500/)
  assert.deepEqual(names((await lag.view()).groups), ['g5'], 'a failure is not kept')
  assert.equal(requests, 5)

  const uncached = new LagClient(url, { maxAgeMs: 0, now: () => now })
  await uncached.view()
  await uncached.view()
  assert.equal(requests, 7, 'maxAgeMs 0: every call after the last answer reads again')
})
