// `npm run monitoring:export`: writes the generated monitoring files (Prometheus config and rules, Grafana dashboards
// and provisioning) under the repository root; `--check` only compares them and exits 1 listing those that differ.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type MonitoringFile, monitoringFiles } from './files.ts'

export type { MonitoringFile, MonitoringOptions } from './files.ts'
export { monitoringFiles, monitoringPaths } from './files.ts'

const usage = `Usage: npm run monitoring:export -- [--check] [--root <dir>]

Writes monitoring/prometheus/{prometheus.yml,alert-rules.yml}, monitoring/grafana/dashboards/*.json and
monitoring/grafana/provisioning/** from src/monitoring (local default addresses).

  --check       write nothing; exit 1 and list the files that are missing or differ
  --root <dir>  repository root (default: this checkout)
  --help        show this help
`

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Paths (relative to root) whose content on disk differs from the generated one. */
export async function staleFiles(root: string, files: readonly MonitoringFile[]): Promise<string[]> {
  const stale: string[] = []
  for (const f of files) {
    const current = await readFile(join(root, f.path), 'utf8').catch(() => undefined)
    if (current !== f.content) stale.push(f.path)
  }
  return stale
}

export async function writeFiles(root: string, files: readonly MonitoringFile[]): Promise<void> {
  for (const f of files) {
    const target = join(root, f.path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, f.content)
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let check = false
  let root = repoRoot
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage)
      return 0
    }
    if (arg === '--check') check = true
    else if (arg === '--root' && argv[i + 1] !== undefined) root = resolve(argv[++i])
    else {
      process.stderr.write(`monitoring:export: unknown argument "${arg}"\n\n${usage}`)
      return 2
    }
  }
  const files = monitoringFiles()
  if (check) {
    const stale = await staleFiles(root, files)
    if (stale.length === 0) return 0
    process.stderr.write(
      `Generated monitoring files are out of date (run npm run monitoring:export):\n${stale.map((p) => `  ${p}\n`).join('')}`,
    )
    return 1
  }
  await writeFiles(root, files)
  process.stdout.write(`Wrote ${files.length} files under ${root}\n`)
  return 0
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2))
}
