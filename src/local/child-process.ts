// Supervised child processes of the local stack (the Kafka broker, Prometheus): output to a log file, stopped with
// SIGTERM then SIGKILL, and killed when this process exits so no `java` is left behind.
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Last resort: whatever ends this process, its children end with it.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL')
  })
}

export interface Supervised {
  readonly name: string
  readonly pid: number
  /** Resolves with the exit code when the process ends (for whatever reason). */
  readonly exited: Promise<number | null>
  stop(timeoutMs?: number): Promise<void>
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): Supervised {
  installExitHook()
  const log = createWriteStream(logFile, { flags: 'a' })
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  live.add(child)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child)
      log.end()
      resolve(code)
    })
    child.once('error', (error) => {
      live.delete(child)
      log.write(`failed to start ${command}: ${error.message}\n`)
      log.end()
      resolve(null)
    })
  })
  return {
    name,
    pid: child.pid ?? -1,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}
