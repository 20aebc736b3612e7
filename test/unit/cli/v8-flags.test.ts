import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { V8_FLAGS } from '../../../src/cli/v8-flags.ts'

const root = new URL('../../../', import.meta.url)

test('npm start, npm run flowscope and the installed bin run with the V8 flags of src/cli/v8-flags.ts', async () => {
  const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
  // `exec`: npm's `sh -c` becomes node itself, so the SIGINT/SIGTERM npm forwards reach flowscope (see lifecycle.ts).
  const expected = `exec node ${V8_FLAGS.join(' ')} src/cli/main.ts`
  assert.equal(pkg.scripts.start, `${expected} up`)
  assert.equal(pkg.scripts.flowscope, expected)
  const bin = await readFile(new URL('bin/flowscope.js', root), 'utf8')
  assert.equal(bin.split('\n')[0], `#!/usr/bin/env -S node ${V8_FLAGS.join(' ')}`)
})

test('every flag is one this Node accepts', async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const { stdout } = await promisify(execFile)(process.execPath, [...V8_FLAGS, '-p', '1+1'])
  assert.equal(stdout.trim(), '2')
})
