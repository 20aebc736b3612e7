// First contact on an old Node: `npm ci` says once, clearly, which Node runs what (instead of EBADENGINE walls).
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { nodeNote } from '../../../src/local/node-note.ts'

const root = new URL('../../../', import.meta.url)

test('npm on another Node is told that the scripts run on the pinned one', () => {
  const note = nodeNote('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false', 'v24.21.0')
  assert.ok(note)
  assert.match(note, /npm runs on Node v20\.20\.2/)
  assert.match(note, /run on Node v24\.21\.0, pinned by the `node` devDependency/)
})

test('no note when npm runs on the pinned Node, or outside npm', () => {
  assert.equal(nodeNote('npm/11.19.1 node/v24.21.0 linux x64 workspaces/false', 'v24.21.0'), null)
  assert.equal(nodeNote(undefined, 'v24.21.0'), null)
})

test('npm install runs the note, and .npmrc keeps npm to errors', async () => {
  const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
  assert.equal(pkg.scripts.postinstall, 'node src/local/node-note.ts')
  const npmrc = await readFile(new URL('.npmrc', root), 'utf8')
  assert.match(npmrc, /^loglevel=error$/m)
})
