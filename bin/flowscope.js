#!/usr/bin/env node
// The installed `flowscope` command: runs the TypeScript CLI with Node's type stripping (Node ≥ 22.18 / 24).
import '../src/cli/main.ts'
