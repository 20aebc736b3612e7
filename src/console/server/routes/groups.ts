// Routes of a consumer group's page: its state, members and committed offsets; the preview of an offset reset
// (a GET: it changes nothing, so it works in read-only mode), the reset itself and the group's deletion (writes:
// CSRF-guarded and refused in read-only mode by the app's hook; refused with 409 while the group has members).
import type { FastifyInstance } from 'fastify'
import type { ConsoleParts } from '../app.ts'
import { GroupAdmin } from '../groups.ts'
import { resetSpec } from '../offset-reset.ts'
import type { Query } from '../validation.ts'
import { nameParam } from '../validation.ts'
import { clusterOf } from './brokers.ts'

export function registerGroupRoutes(app: FastifyInstance, parts: ConsoleParts): void {
  const of = (raw: unknown) => {
    const k = clusterOf(parts, raw)
    return new GroupAdmin(k.admin, k.name)
  }
  type Params = { cluster: string; group: string }

  app.get<{ Params: Params }>('/api/clusters/:cluster/groups/:group', async (request) =>
    of(request.params.cluster).detail(nameParam('group', request.params.group)),
  )

  app.get<{ Params: Params; Querystring: Query }>(
    '/api/clusters/:cluster/groups/:group/reset-offsets',
    async (request) => {
      const g = of(request.params.cluster)
      const group = nameParam('group', request.params.group)
      const spec = resetSpec({ ...request.query })
      return { group, topic: spec.topic, to: spec.to, applied: false, partitions: await g.plan(group, spec) }
    },
  )

  app.post<{ Params: Params }>('/api/clusters/:cluster/groups/:group/reset-offsets', async (request) => {
    const g = of(request.params.cluster)
    const group = nameParam('group', request.params.group)
    const spec = resetSpec(request.body)
    return { group, topic: spec.topic, to: spec.to, applied: true, partitions: await g.reset(group, spec) }
  })

  app.delete<{ Params: Params }>('/api/clusters/:cluster/groups/:group', async (request) => {
    const group = nameParam('group', request.params.group)
    await of(request.params.cluster).remove(group)
    return { group, deleted: true }
  })
}
