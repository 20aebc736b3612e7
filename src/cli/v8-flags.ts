// V8 settings every flowscope process runs with, as Connect's launch scripts set KAFKA_HEAP_OPTS. Streaming a table
// allocates fast, and V8's defaults then grow the heap far beyond what is live: copying 1M rows peaked at ~340 MB
// RSS with ~80 MB live. A 4 MB young-generation semi-space and 50% heap growth per major GC keep the peak near
// 160 MB, flat from 100k to 1M rows, for about 15% of throughput (measured by `npm run bench:jdbc`).
// V8 reads them only at start-up, so they are on the command line: the package.json scripts and bin/flowscope.js
// carry them, and a unit test keeps those in step with this list.
export const V8_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50']
