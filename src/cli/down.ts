// `flowscope down [--purge]`: stops a running `flowscope up` (SIGTERM to its pid) and, with --purge, deletes the
// local state (Postgres data, Kafka logs, Prometheus data). The Kafka jar cache is kept.
import { existsSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stateDir } from '../local/state-dir.ts'

export const downHelp = `Usage: flowscope down [--purge]

Stops a running \`flowscope up\` started from this folder.
  --purge      also delete the local state folder (${'.flowscope/'} or FLOWSCOPE_HOME): Postgres data, Kafka logs, offsets
  -h, --help   show this help`

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function down(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { purge: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) return void console.log(downHelp)
  const dir = stateDir()
  const pidFile = join(dir, 'up.pid')
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'))
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGTERM')
      const deadline = Date.now() + 60_000
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
      console.log(alive(pid) ? `flowscope (pid ${pid}) is still stopping.` : `Stopped flowscope (pid ${pid}).`)
    }
    await rm(pidFile, { force: true })
  } else {
    console.log('No running `flowscope up` found for this folder.')
  }
  if (values.purge) {
    await rm(dir, { recursive: true, force: true })
    console.log(`Deleted ${dir}.`)
  }
}
