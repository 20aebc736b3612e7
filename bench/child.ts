// A benchmark measured in a process of its own (so its RSS is its own): the parent runs this script again with
// `--child` and its settings in BENCH_ENV; the child prints one `RESULT <json>` line and exits 0.
import { spawn } from 'node:child_process'

const RESULT = 'RESULT '

/** In the child: the settings the parent passed. */
export function childSettings<T>(): T {
  return JSON.parse(process.env.BENCH_ENV ?? '{}') as T
}

/** In the child: hands the result to the parent and exits. */
export function reportToParent(result: object): never {
  process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`)
  process.exit(0)
}

/** In the parent: runs `script --child` with `settings` (and node flags) and resolves with its result. */
export function runBenchChild<R>(script: string, settings: object, nodeFlags: readonly string[] = []): Promise<R> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeFlags, script, '--child'], {
      env: { ...process.env, BENCH_ENV: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT))
      if (code !== 0 || !line)
        reject(new Error(`benchmark child failed (exit ${code}): ${out.slice(-500)}\n${err.slice(-3000)}`))
      else resolve(JSON.parse(line.slice(RESULT.length)) as R)
    })
  })
}
