// /admin/loggers: read every named logger's level, one logger's level, or set a level for a logger namespace.
// As upstream, a missing level is a 400 and an unknown level a 404; scope=cluster answers 204 (one worker here).
import type { FastifyInstance } from 'fastify'
import { badRequest, notFound } from '../../errors.ts'
import { type LogLevel, LogLevels, loggerLevels, setLoggerLevel } from '../../logging.ts'
import { objectBody, queryValues } from '../request.ts'

export interface LoggerControl {
  levels(): Record<string, { level: string; last_modified: number | null }>
  /** Sets `name` and the loggers below it to `level`; returns the names changed. */
  set(name: string, level: string): string[]
}

/** The process's own loggers (src/logging.ts). */
export const processLoggers: LoggerControl = {
  levels: loggerLevels,
  set: (name, level) => setLoggerLevel(name, level as LogLevel),
}

export function loggerRoutes(app: FastifyInstance, loggers: LoggerControl): void {
  app.get('/admin/loggers', async () => loggers.levels())

  app.get<{ Params: { logger: string } }>('/admin/loggers/:logger', async (request) => {
    const levels = loggers.levels()
    const name = request.params.logger
    if (!Object.hasOwn(levels, name)) throw notFound(`Logger ${name} not found.`)
    return levels[name]
  })

  app.put<{ Params: { logger: string }; Querystring: Record<string, unknown> }>(
    '/admin/loggers/:logger',
    async (request, reply) => {
      const body = objectBody(request.body, 'an object with a "level"')
      const given = body.level
      if (given === undefined || given === null) {
        throw badRequest("Desired 'level' parameter was not specified in request.")
      }
      const level = levelOf(String(given))
      const changed = loggers.set(request.params.logger, level)
      const [scope = 'worker'] = queryValues(request.query.scope)
      if (scope.toLowerCase() === 'cluster') return reply.code(204).send()
      return changed
    },
  )
}

/** log4j's level names (ALL is TRACE here); anything else is answered 404 as Connect does. */
function levelOf(given: string): LogLevel {
  const upper = given.toUpperCase()
  if (upper === 'ALL') return 'TRACE'
  const level = LogLevels.find((candidate) => candidate === upper)
  if (!level) throw notFound(`invalid log level '${given}'.`)
  return level
}
