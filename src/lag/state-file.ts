// The offset→time tables on disk, so a restarted exporter interpolates at once instead of after two polls with
// production. One JSON file, written whole to a temporary file and renamed over the old one (a crash leaves the old
// or the new file, never half of one). A missing or unreadable file means starting empty, said in one log line.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { TablePoint } from './lag-seconds.ts'

const VERSION = 1

export interface SavedTable {
  topic: string
  /** The topic's id: a table is only reused for the same topic (not one deleted and recreated under its name). */
  topicId: string
  partition: number
  points: readonly TablePoint[]
}

interface FileShape {
  version: number
  savedAt: string
  tables: { topic: string; topicId: string; partition: number; points: [string, number][] }[]
}

export function encodeTables(tables: Iterable<SavedTable>, nowMs: number): string {
  const shape: FileShape = {
    version: VERSION,
    savedAt: new Date(nowMs).toISOString(),
    tables: [...tables].map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partition: t.partition,
      points: t.points.map((p) => [p.offset.toString(), p.timeMs]),
    })),
  }
  return `${JSON.stringify(shape)}\n`
}

/** The tables in `text`; throws with what is wrong when it is not a state file of this version. */
export function decodeTables(text: string): SavedTable[] {
  const shape = JSON.parse(text) as Partial<FileShape> | null
  if (!shape || typeof shape !== 'object' || shape.version !== VERSION || !Array.isArray(shape.tables)) {
    throw new Error(`not a version ${VERSION} lag-exporter state file`)
  }
  return shape.tables.map((t, i) => {
    const ok =
      t &&
      typeof t.topic === 'string' &&
      typeof t.topicId === 'string' &&
      Number.isInteger(t.partition) &&
      Array.isArray(t.points) &&
      t.points.every((p) => Array.isArray(p) && typeof p[0] === 'string' && /^\d+$/.test(p[0]) && Number.isFinite(p[1]))
    if (!ok) throw new Error(`table ${i} is malformed`)
    return {
      topic: t.topic,
      topicId: t.topicId,
      partition: t.partition,
      points: t.points.map(([offset, timeMs]) => ({ offset: BigInt(offset), timeMs })),
    }
  })
}

/** The saved tables, or [] (with one log line saying why) when the file is absent or unreadable. */
export async function loadTables(path: string, log: { info(msg: string): void; warn(msg: string): void }) {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') log.info(`no offset→time state at ${path} yet; interpolation starts empty`)
    else log.warn(`cannot read offset→time state ${path} (${(error as Error).message}); starting empty`)
    return []
  }
  try {
    const tables = decodeTables(text)
    log.info(`read offset→time tables of ${tables.length} partitions from ${path}`)
    return tables
  } catch (error) {
    log.warn(`offset→time state ${path} is corrupt (${(error as Error).message}); starting empty, it will be rewritten`)
    return []
  }
}

/** Writes the tables atomically (temporary file in the same folder, then rename). */
export async function saveTables(path: string, tables: Iterable<SavedTable>, nowMs: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, encodeTables(tables, nowMs))
  await rename(tmp, path)
}
