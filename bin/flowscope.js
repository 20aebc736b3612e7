#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The installed `flowscope` command: runs the TypeScript CLI with Node's type stripping (Node ≥ 22.18 / 24) and
// the V8 flags of src/cli/v8-flags.ts.
import '../src/cli/main.ts'
