// End to end, as `npm start` runs it: embedded Postgres with the seed's users table → worker with the seed's
// connector → Kafka. The rows are read back with kcat (an independent client), not with flowscope's own code.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { builtinPlugins } from '../../../src/cli/plugins.ts'
import { loadWorkerConfig } from '../../../src/config/worker-config.ts'
import { freePort } from '../../../src/local/ports.ts'
import { SAMPLE_USERS } from '../../../src/local/postgres.ts'
import { silentProgress } from '../../../src/local/progress.ts'
import { SEED_CONNECTOR_NAME, SEED_TOPIC, seedConnectorConfig } from '../../../src/local/seed-connector.ts'
import { defaultPorts, type RunningStack, startStack } from '../../../src/local/stack.ts'
import { isolatedWorkerProperties, workerSettingsFrom } from '../../../src/runtime/worker-settings.ts'
import { readSeedJson, seedMissing } from '../../support/seed.ts'
import { testStack } from '../../support/stack.ts'

const run = promisify(execFile)

let stack: RunningStack
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowscope-e2e-'))
  await chmod(dir, 0o755)
  const ports = { ...defaultPorts, postgres: await freePort(), rest: await freePort() }
  stack = await startStack({
    stateDir: dir,
    ports,
    bootstrapServers: testStack().bootstrapServers,
    prometheus: false,
    plugins: builtinPlugins,
    progress: silentProgress,
    worker: (bootstrap, restPort) =>
      workerSettingsFrom(
        loadWorkerConfig({
          env: {},
          overrides: {
            ...isolatedWorkerProperties('e2e-seed', bootstrap.join(','), restPort),
            'offset.flush.interval.ms': '1000',
          },
        }),
        builtinPlugins,
      ),
  })
})

after(async () => {
  await stack?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

test('the registered connector is the seed’s JSON with only the host rewritten', { skip: seedMissing }, () => {
  const seed = readSeedJson<{ name: string; config: Record<string, string | number> }>(
    'connect/jdbc-postgres-source.json',
  )
  const { port } = new URL(stack.postgresUrl)
  const expected: Record<string, string> = { name: seed.name }
  for (const [k, v] of Object.entries(seed.config))
    expected[k] = String(v).replace('//postgres:5432/', `//127.0.0.1:${port}/`)
  assert.equal(SEED_CONNECTOR_NAME, seed.name)
  assert.deepEqual(stack.worker.herder.connectorConfig(SEED_CONNECTOR_NAME), expected)
  assert.deepEqual(
    {
      name: seed.name,
      ...seedConnectorConfig({
        host: '127.0.0.1',
        port: Number(port),
        database: 'postgres',
        user: 'postgres',
        password: 'postgres',
      }),
    },
    expected,
  )
})

test('topic postgres-jdbc-users receives the 10 sample rows with the right values (read with kcat)', async () => {
  // The topic appears with the first poll's records (broker auto-creation): wait for it, within a deadline.
  let stdout = ''
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      ;({ stdout } = await run(
        'kcat',
        ['-b', stack.bootstrapServers, '-t', SEED_TOPIC, '-C', '-o', 'beginning', '-c', '10', '-e', '-q', '-f', '%s\n'],
        { timeout: 60_000 },
      ))
      if (stdout.trim().split('\n').length >= 10) break
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 250))
  }
  const rows = stdout
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as { schema: { name: string; fields: { field: string }[] }; payload: Record<string, unknown> },
    )
  assert.equal(rows.length, 10)
  assert.equal(rows[0].schema.name, 'users')
  assert.deepEqual(
    rows[0].schema.fields.map((f) => f.field),
    ['id', 'name', 'age', 'insert_date', 'update_date'],
  )
  const byId = new Map(rows.map((r) => [r.payload.id, r.payload]))
  SAMPLE_USERS.forEach(([name, age], i) => {
    const row = byId.get(i + 1)
    assert.ok(row, `row id ${i + 1} missing`)
    assert.equal(row.name, name)
    assert.equal(row.age, age)
    assert.equal(typeof row.insert_date, 'number', 'insert_date is a Connect Timestamp (epoch ms)')
    assert.ok(Math.abs(Date.now() - (row.insert_date as number)) < 3_600_000, 'insert_date is recent')
  })
})

test('the connector and its task are RUNNING and the worker reports healthy', async () => {
  const status = (await (await fetch(`${stack.worker.restUrl}/connectors/${SEED_CONNECTOR_NAME}/status`)).json()) as {
    connector: { state: string }
    tasks: { state: string }[]
  }
  assert.equal(status.connector.state, 'RUNNING')
  assert.equal(status.tasks.length, 1)
  assert.equal(status.tasks[0].state, 'RUNNING')
  const health = await fetch(`${stack.worker.restUrl}/health`)
  assert.equal(health.status, 200)
})
