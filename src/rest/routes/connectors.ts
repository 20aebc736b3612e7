// /connectors: create, read, reconfigure, control (restart/pause/resume/stop), delete, tasks, topics and offsets;
// and the internal fence endpoint the workers of a group use.
// Each handler parses the request, calls the herder, and returns Connect's entity; `forward` is accepted and ignored.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { badRequest, ErrorCodes, FlowscopeError } from '../../errors.ts'
import type { ConnectorOffset, Herder } from '../../runtime/herder.ts'
import { signatureFromHeaders } from '../../runtime/request-signature.ts'
import {
  checkAndPutName,
  checkConnectorName,
  configMap,
  configPatch,
  initialStateOf,
  isJsonObject,
  objectBody,
  queryFlag,
  queryValues,
  rawBodyOf,
  taskConfigList,
  taskIdOf,
} from '../request.ts'

type Query = { Querystring: Record<string, unknown> }
type Named = { Params: { name: string } }
type NamedQuery = Named & Query
type Task = { Params: { name: string; task: string } }

export function connectorRoutes(app: FastifyInstance, herder: Herder): void {
  app.get<Query>('/connectors', async (request) => {
    if (!Object.hasOwn(request.query, 'expand')) return herder.connectors()
    const expansions = queryValues(request.query.expand)
    const out: Record<string, Record<string, unknown>> = {}
    for (const name of herder.connectors()) {
      try {
        const expanded: Record<string, unknown> = {}
        for (const expansion of expansions) {
          if (expansion === 'status') expanded.status = herder.connectorStatus(name)
          else if (expansion === 'info') expanded.info = herder.connectorInfo(name)
        }
        out[name] = expanded
      } catch (error) {
        // Deleted while we looked it up: left out, as upstream does.
        if (!(error instanceof FlowscopeError && error.code === ErrorCodes.NOT_FOUND)) throw error
      }
    }
    return out
  })

  app.post('/connectors', async (request, reply) => {
    const body = objectBody(request.body, 'an object with "name" and "config"')
    const name = nameOf(body.name)
    if (body.config === undefined || body.config === null) {
      throw badRequest('Request body must include "config", the connector configuration object')
    }
    const config = configMap(body.config)
    const initialState = initialStateOf(body.initial_state)
    checkAndPutName(name, config)
    checkConnectorName(name)
    const { info } = await herder.putConnectorConfig(name, config, { allowReplace: false, initialState })
    return reply.code(201).header('location', locationOf(name)).send(info)
  })

  app.get<Named>('/connectors/:name', async (request) => herder.connectorInfo(request.params.name))

  app.delete<Named>('/connectors/:name', async (request, reply) => {
    await herder.deleteConnector(request.params.name)
    return noContent(reply)
  })

  app.get<Named>('/connectors/:name/config', async (request) => herder.connectorConfig(request.params.name))

  app.put<Named>('/connectors/:name/config', async (request, reply) => {
    const name = request.params.name
    const config = configMap(request.body)
    checkAndPutName(name, config)
    checkConnectorName(name)
    const { created, info } = await herder.putConnectorConfig(name, config, { allowReplace: true })
    if (created) reply.code(201).header('location', locationOf(name))
    return reply.send(info)
  })

  app.patch<Named>('/connectors/:name/config', async (request) =>
    herder.patchConnectorConfig(request.params.name, configPatch(request.body)),
  )

  app.get<Named>('/connectors/:name/status', async (request) => herder.connectorStatus(request.params.name))

  app.post<NamedQuery>('/connectors/:name/restart', async (request, reply) => {
    const name = request.params.name
    const restart = {
      includeTasks: queryFlag(request.query.includeTasks, false),
      onlyFailed: queryFlag(request.query.onlyFailed, false),
    }
    const status = await herder.restartConnector(name, restart)
    // Without either flag Connect restarts only the connector and answers 204 (its pre-KIP-745 behaviour).
    if (!restart.includeTasks && !restart.onlyFailed) return noContent(reply)
    return reply.code(202).send(status ?? herder.connectorStatus(name))
  })

  app.put<Named>('/connectors/:name/pause', async (request, reply) => {
    await herder.pauseConnector(request.params.name)
    return reply.code(202).send()
  })

  app.put<Named>('/connectors/:name/resume', async (request, reply) => {
    await herder.resumeConnector(request.params.name)
    return reply.code(202).send()
  })

  app.put<Named>('/connectors/:name/stop', async (request, reply) => {
    await herder.stopConnector(request.params.name)
    return noContent(reply)
  })

  // Internal: a follower's exactly-once task asks the leader for zombie fencing (Connect's
  // InternalClusterResource.fenceZombies); signed as the task-config POST, over the (empty) body.
  app.put<NamedQuery>('/connectors/:name/fence', async (request, reply) => {
    const signature = signatureFromHeaders(rawBodyOf(request), request.headers)
    await herder.fenceZombieSourceTasks(request.params.name, signature)
    return noContent(reply)
  })

  app.get<Named>('/connectors/:name/tasks', async (request) => herder.taskConfigs(request.params.name))

  // Internal: a follower's task configs for the leader to write (Connect's InternalClusterResource.putTaskConfigs);
  // signed under the `sessioned` protocol. A malformed signature header is 400 whether or not it is checked.
  app.post<NamedQuery>('/connectors/:name/tasks', async (request, reply) => {
    const configs = taskConfigList(request.body)
    const signature = signatureFromHeaders(rawBodyOf(request), request.headers)
    await herder.putTaskConfigs(request.params.name, configs, signature)
    return noContent(reply)
  })

  app.get<Named>('/connectors/:name/tasks-config', async (request) => {
    const out: Record<string, Record<string, string>> = {}
    for (const task of herder.taskConfigs(request.params.name))
      out[`${task.id.connector}-${task.id.task}`] = task.config
    return out
  })

  app.get<Task>('/connectors/:name/tasks/:task/status', async (request) =>
    herder.taskStatus(request.params.name, taskIdOf(request.params.task)),
  )

  app.post<Task>('/connectors/:name/tasks/:task/restart', async (request, reply) => {
    await herder.restartTask(request.params.name, taskIdOf(request.params.task))
    return noContent(reply)
  })

  app.get<Named>('/connectors/:name/topics', async (request) => {
    const name = request.params.name
    return { [name]: { topics: herder.connectorActiveTopics(name) } }
  })

  app.put<Named>('/connectors/:name/topics/reset', async (request, reply) => {
    await herder.resetConnectorActiveTopics(request.params.name)
    return reply.code(202).send()
  })

  app.get<Named>('/connectors/:name/offsets', async (request) => ({
    offsets: await herder.connectorOffsets(request.params.name),
  }))

  app.patch<Named>('/connectors/:name/offsets', async (request) => {
    const offsets = offsetsOf(request.body)
    return { message: await herder.alterConnectorOffsets(request.params.name, offsets) }
  })

  app.delete<Named>('/connectors/:name/offsets', async (request) => ({
    message: await herder.resetConnectorOffsets(request.params.name),
  }))
}

/** The create request's name, trimmed; a missing name becomes "" so the name check reports it (as upstream). */
function nameOf(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw badRequest('Connector "name" must be a string')
}

const locationOf = (name: string) => `/connectors/${encodeURIComponent(name)}`

const noContent = (reply: FastifyReply) => reply.code(204).send()

/** `{"offsets": [{"partition": {…}, "offset": {…} | null}, …]}`, at least one entry. */
function offsetsOf(body: unknown): ConnectorOffset[] {
  const list = objectBody(body, 'an object with "offsets"').offsets
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    throw badRequest('Partitions / offsets need to be provided for an alter offsets request')
  }
  if (!Array.isArray(list)) throw badRequest('"offsets" must be an array of {"partition", "offset"} objects')
  return list.map((entry, index) => {
    if (!isJsonObject(entry) || !isJsonObject(entry.partition)) {
      throw badRequest(`offsets[${index}] must be an object with a "partition" object`)
    }
    const offset = entry.offset ?? null
    if (offset !== null && !isJsonObject(offset)) {
      throw badRequest(`offsets[${index}].offset must be an object or null`)
    }
    return { partition: entry.partition, offset }
  })
}
