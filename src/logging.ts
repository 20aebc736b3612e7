// Named loggers with levels that can change at run time (Connect's /admin/loggers). Built on pino.
import { pino } from 'pino'

export type Logger = pino.Logger
export const LogLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'] as const
export type LogLevel = (typeof LogLevels)[number]

interface Named {
  logger: Logger
  level: LogLevel
  lastModified: number | null
}

const root = pino({
  level: (process.env.FLOWSCOPE_LOG_LEVEL ?? 'info').toLowerCase(),
  base: undefined,
  ...(process.env.FLOWSCOPE_LOG_PRETTY === '0' ? {} : {}),
})
const named = new Map<string, Named>()

function toPino(level: LogLevel): pino.LevelWithSilent {
  return level === 'OFF' ? 'silent' : (level.toLowerCase() as pino.LevelWithSilent)
}

function fromPino(level: string): LogLevel {
  return level === 'silent' ? 'OFF' : (level.toUpperCase() as LogLevel)
}

/** The logger for a component (e.g. `flowscope.runtime.herder`); created once per name. */
export function getLogger(name: string): Logger {
  let entry = named.get(name)
  if (!entry) {
    const logger = root.child({ logger: name })
    entry = { logger, level: fromPino(logger.level), lastModified: null }
    named.set(name, entry)
  }
  return entry.logger
}

export function loggerLevels(): Record<string, { level: LogLevel; last_modified: number | null }> {
  const out: Record<string, { level: LogLevel; last_modified: number | null }> = {
    root: { level: fromPino(root.level), last_modified: null },
  }
  for (const [name, entry] of [...named.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out[name] = { level: fromPino(entry.logger.level), last_modified: entry.lastModified }
  }
  return out
}

/** Sets the level of `name` and every logger below it (`a.b` covers `a.b.c`); returns the names changed. */
export function setLoggerLevel(name: string, level: LogLevel): string[] {
  const changed: string[] = []
  const now = Date.now()
  if (name === 'root') {
    root.level = toPino(level)
  } else if (!named.has(name)) {
    getLogger(name)
  }
  for (const [other, entry] of named) {
    if (name === 'root' || other === name || other.startsWith(`${name}.`)) {
      entry.logger.level = toPino(level)
      entry.lastModified = now
      changed.push(other)
    }
  }
  if (name === 'root') changed.unshift('root')
  return changed.sort()
}
