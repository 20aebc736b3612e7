// Supervised child processes of the local stack (the Kafka broker, Prometheus): output to a log file, stopped with
// SIGTERM then SIGKILL, and killed when this process exits so no `java` is left behind. Each runs in its own process
// group: Ctrl-C in a terminal signals the whole foreground group, and the broker must not stop before the worker has
// flushed and committed its offsets to it — `flowscope up` stops the parts itself, in reverse flow order.
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Last resort: whatever ends this process, its children end with it.
  process.on('exit', () => {
    for (const child of live) kill(child, 'SIGKILL')
  })
}

/** Signals the child's process group (the child and anything it started), or the child alone if that fails. */
function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) return void process.kill(-child.pid, signal)
  } catch {
    // no such group (already gone): fall through
  }
  child.kill(signal)
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
  // A log that cannot be written must not bring the supervisor down; the child runs on without it.
  log.on('error', () => {})
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, detached: true })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  live.add(child)
  // 'exit' can come before the last output is read from the pipes: the log ends only once they are closed.
  child.once('close', () => log.end())
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child)
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
      kill(child, 'SIGTERM')
      const timer = setTimeout(() => kill(child, 'SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}
