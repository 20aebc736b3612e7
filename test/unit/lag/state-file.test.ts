import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { decodeTables, encodeTables, loadTables, saveTables } from '../../../src/lag/state-file.ts'

const tables = [
  {
    topic: 'users',
    topicId: 'id-1',
    partition: 0,
    points: [
      { offset: 0n, timeMs: 1000 },
      { offset: 2n ** 60n, timeMs: 6000 },
    ],
  },
  { topic: 'users', topicId: 'id-1', partition: 1, points: [] },
]

function recordingLog() {
  const lines: string[] = []
  return { lines, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) }
}

test('tables round-trip through the file, offsets beyond 2^53 intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lag-state-'))
  const path = join(dir, 'nested', 'state.json')
  await saveTables(path, tables, 0)
  const log = recordingLog()
  assert.deepEqual(await loadTables(path, log), tables)
  assert.equal(log.lines.length, 1)
  assert.match(log.lines[0], /^info read offset→time tables of 2 partitions/)
  // Written through a temporary file that is renamed away: nothing else is left in the folder.
  assert.deepEqual(await readdir(join(dir, 'nested')), ['state.json'])
  assert.deepEqual(decodeTables(await readFile(path, 'utf8')), tables)
})

test('an absent file starts empty with one info line', async () => {
  const log = recordingLog()
  assert.deepEqual(await loadTables(join(tmpdir(), 'no-such-dir-lag', 'state.json'), log), [])
  assert.equal(log.lines.length, 1)
  assert.match(log.lines[0], /^info no offset→time state at .*; interpolation starts empty$/)
})

test('a corrupt file starts empty with one warning naming the file and the problem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lag-state-'))
  const cases: [string, RegExp][] = [
    ['{"version":1,"tables":[{"topic":"t"', /is corrupt \(.*JSON.*\); starting empty/],
    ['{"version":7,"tables":[]}', /is corrupt \(not a version 1 lag-exporter state file\)/],
    ['null', /is corrupt \(not a version 1/],
    [encodeTables(tables, 0).replace('"1152921504606846976"', '"-5"'), /is corrupt \(table 0 is malformed\)/],
  ]
  for (const [text, expected] of cases) {
    const path = join(dir, 'state.json')
    await writeFile(path, text)
    const log = recordingLog()
    assert.deepEqual(await loadTables(path, log), [])
    assert.equal(log.lines.length, 1, text)
    assert.match(log.lines[0], /^warn offset→time state .*state\.json/)
    assert.match(log.lines[0], expected)
  }
})

test('an unreadable path (a folder) starts empty with one warning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lag-state-'))
  const log = recordingLog()
  assert.deepEqual(await loadTables(dir, log), [])
  assert.match(log.lines.join('\n'), /^warn cannot read offset→time state/)
})
