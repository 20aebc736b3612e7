// The broker's ingest limit for a benchmark: how fast a warmed, native producer (kcat, i.e. librdkafka) with the
// settings flowscope's producer uses — acks=all, idempotent, linger.ms=5 — pushes records of a given size into the
// bench's broker. Best of `runs` passes, each long enough that start-up does not count. Kafka's own
// ProducerPerformance was the limit before; on 2 shared cores its JVM warm-up made it read 19k–56k rec/s where kcat
// pushed ~210k, so a connector could score above 1.0 against a "limit" that was not one.
import { execFile } from 'node:child_process'
import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface IngestOptions {
  bootstrap: string
  /** A scratch folder for the records file. */
  dir: string
  recordBytes: number
  records: number
  runs?: number
}

/** Records per second, the best of the runs. */
export async function brokerIngestRate(options: IngestOptions): Promise<number> {
  const file = join(options.dir, `ingest-${options.recordBytes}.txt`)
  const line = `${'x'.repeat(Math.max(1, Math.round(options.recordBytes) - 1))}\n`
  // Written a block at a time: a million records of a few kB is more than one string may hold.
  const block = line.repeat(Math.min(1000, options.records))
  await writeFile(file, '')
  for (let written = 0; written < options.records; written += 1000) {
    await appendFile(file, written + 1000 <= options.records ? block : line.repeat(options.records - written))
  }
  let best = 0
  try {
    for (let attempt = 0; attempt < (options.runs ?? 3); attempt++) {
      const started = performance.now()
      await run('kcat', [
        '-b',
        options.bootstrap,
        '-P',
        '-t',
        `bench_ingest_${process.pid}_${Math.round(options.recordBytes)}`,
        '-X',
        'acks=all',
        '-X',
        'enable.idempotence=true',
        '-X',
        'linger.ms=5',
        '-l',
        file,
      ])
      best = Math.max(best, options.records / ((performance.now() - started) / 1000))
    }
  } finally {
    await rm(file, { force: true })
  }
  return best
}
