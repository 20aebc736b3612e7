import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '../../../src/console/server/errors.ts'
import {
  connectorAction,
  nameParam,
  restartOptions,
  taskParam,
  topicQuery,
} from '../../../src/console/server/validation.ts'

const rejects = (work: () => unknown, pattern: RegExp) =>
  assert.throws(
    work,
    (error: unknown) => error instanceof ApiError && error.status === 400 && pattern.test(error.message),
  )

test('topic query: defaults, and each bad parameter named in a 400', () => {
  assert.deepEqual(topicQuery({}), { search: '', sort: 'name', order: 'asc', page: 1, size: 50, internal: false })
  assert.deepEqual(
    topicQuery({ search: 'orders', sort: 'partitions', order: 'desc', page: '3', size: '10', internal: 'true' }),
    {
      search: 'orders',
      sort: 'partitions',
      order: 'desc',
      page: 3,
      size: 10,
      internal: true,
    },
  )
  rejects(() => topicQuery({ page: '0' }), /"page".*from 1/)
  rejects(() => topicQuery({ size: '501' }), /"size"/)
  rejects(() => topicQuery({ size: '1e2' }), /"size"/)
  rejects(() => topicQuery({ sort: 'bytes' }), /"sort".*name, partitions/)
  rejects(() => topicQuery({ order: 'up' }), /"order"/)
  rejects(() => topicQuery({ internal: 'yes' }), /"internal"/)
  rejects(() => topicQuery({ search: ['a', 'b'] }), /"search" must be given once/)
  rejects(() => topicQuery({ search: 'x'.repeat(250) }), /longer than 249/)
})

test('names, actions, restart bodies and task numbers', () => {
  assert.equal(nameParam('connector', '<script>alert(1)</script>'), '<script>alert(1)</script>')
  rejects(() => nameParam('connector', ''), /connector is missing/)
  rejects(() => nameParam('connector', 'a\nb'), /control characters/)
  assert.equal(connectorAction('pause'), 'pause')
  rejects(() => connectorAction('explode'), /not one of pause, resume, restart, stop/)
  assert.deepEqual(restartOptions(undefined), { includeTasks: false, onlyFailed: false })
  assert.deepEqual(restartOptions({ includeTasks: true, onlyFailed: true }), { includeTasks: true, onlyFailed: true })
  rejects(() => restartOptions({ includeTasks: 'yes' }), /"includeTasks" must be true or false/)
  rejects(() => restartOptions({ force: true }), /unknown field "force"/)
  rejects(() => restartOptions([]), /JSON object/)
  assert.equal(taskParam('2'), 2)
  rejects(() => taskParam('-1'), /not a task number/)
})
