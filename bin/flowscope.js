#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The installed `flowscope` command: runs the TypeScript CLI with Node's type stripping (Node ≥ 22.18 / 24) and
// the V8 flags of src/cli/v8-flags.ts. `npx flowscope` finds the Node pinned by the `node` devDependency first on
// PATH; an older node on PATH gets one clear line instead of ERR_UNKNOWN_FILE_EXTENSION.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `flowscope needs Node >= 22.18 (it runs TypeScript with Node's type stripping); this is Node ${process.version}.` +
      ' Run it through npm (`npx flowscope …`, `npm start`), which uses the Node 24 this project pins, or install Node 24.',
  )
  process.exit(1)
}
await import('../src/cli/main.ts')
