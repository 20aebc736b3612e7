// Where the local stack keeps its data: `.flowscope/` in the working folder (git-ignored) unless FLOWSCOPE_HOME says
// otherwise; Kafka jars are cached per user outside the repo (~/.cache/flowscope).
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function stateDir(): string {
  return resolve(process.env.FLOWSCOPE_HOME ?? '.flowscope')
}

export function cacheDir(): string {
  return process.env.FLOWSCOPE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'flowscope')
}
