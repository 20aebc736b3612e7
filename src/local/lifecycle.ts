// How a foreground `flowscope up` learns it must stop: a signal (SIGINT from Ctrl-C or `kill -INT`, SIGTERM from
// systemd, CI, container runtimes or `flowscope down`, SIGHUP when its terminal closes), or its parent dying.
// `npm start` runs `flowscope up` as npm's child: npm forwards SIGINT and SIGTERM to that child (the package.json
// scripts `exec` node, so no `sh -c` sits in between to swallow them) but not SIGHUP, and nothing reaches the child
// when npm is killed with SIGKILL — then only the parent watch notices.

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** True when npm started this process (`npm start`, `npm run …`, `npx …`): npm is the parent that holds the terminal. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.npm_lifecycle_event || env.npm_command)
}

/**
 * Calls `onStop(reason)` on each stop signal, and — when `watchParent` — once this process's parent is gone (it is
 * re-parented: process.ppid changes). Replaces every other listener of those signals: this process owns shutdown.
 * Returns a function that removes the watch.
 */
export function onStopRequest(
  onStop: (reason: string) => void,
  o: { watchParent: boolean; intervalMs?: number },
): () => void {
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal)
    process.on(signal, () => onStop(signal))
  }
  let timer: NodeJS.Timeout | undefined
  if (o.watchParent) {
    const parent = process.ppid
    timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer)
        onStop(`parent process ${parent} exited`)
      }
    }, o.intervalMs ?? 500)
    timer.unref()
  }
  return () => {
    if (timer) clearInterval(timer)
  }
}
