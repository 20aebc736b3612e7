// The checked-in generated monitoring files match the generators, and `monitoring:export --check` notices a drift.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { monitoringFiles, staleFiles, writeFiles } from '../../../src/monitoring/export.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../../..')
const exportScript = join(root, 'src/monitoring/export.ts')

test('generated monitoring files are up to date (npm run monitoring:export)', async () => {
  assert.deepEqual(await staleFiles(root, monitoringFiles()), [])
})

test('--check exits 1 and lists a file that differs, 0 when all match', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'flowscope-monitoring-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFiles(dir, monitoringFiles())
  await run(process.execPath, [exportScript, '--check', '--root', dir])
  await writeFile(join(dir, 'monitoring/prometheus/alert-rules.yml'), 'groups: []\n')
  await assert.rejects(
    run(process.execPath, [exportScript, '--check', '--root', dir]),
    (err: Error & { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1)
      assert.match(err.stderr ?? '', /monitoring\/prometheus\/alert-rules\.yml/)
      return true
    },
  )
})

test('monitoringFiles puts runtime addresses into the Prometheus config and the datasource', () => {
  const files = monitoringFiles({
    prometheus: {
      workerAddress: '127.0.0.1:18083',
      brokerExporterAddress: '127.0.0.1:19404',
      prometheusAddress: '127.0.0.1:19090',
      nodeExporterAddress: null,
    },
  })
  const config = files.find((f) => f.path === 'monitoring/prometheus/prometheus.yml')?.content ?? ''
  assert.match(config, /127\.0\.0\.1:18083/)
  assert.match(config, /127\.0\.0\.1:19404/)
  assert.doesNotMatch(config, /node-exporter/)
  const ds = files.find((f) => f.path.endsWith('datasources/prometheus.yml'))?.content ?? ''
  assert.match(ds, /url: http:\/\/127\.0\.0\.1:19090/)
})
