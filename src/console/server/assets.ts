// The browser UI (src/console/ui, TypeScript + Preact) bundled with esbuild when the console starts, in memory:
// no build step to forget, no files written, nothing fetched from a CDN (the console works offline). One build per
// process (tens of milliseconds), shared by every console app in it; the bundle is served with an ETag. esbuild's
// service process (about 26 MB resident) is stopped once the bundle is built rather than left idle beside us.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export interface Asset {
  body: string
  type: string
  etag: string
}

const UI = fileURLToPath(new URL('../ui/', import.meta.url))

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
})

let built: Promise<Map<string, Asset>> | undefined

export function buildAssets(): Promise<Map<string, Asset>> {
  built ??= bundle()
  // A failed build is tried again by the next caller.
  built.catch(() => {
    built = undefined
  })
  return built
}

async function bundle(): Promise<Map<string, Asset>> {
  const { build, stop } = await import('esbuild')
  try {
    return await bundleWith(build)
  } finally {
    await stop()
  }
}

async function bundleWith(build: typeof import('esbuild').build): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: [`${UI}main.tsx`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'app.js',
  })
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))
  if (!js) throw new Error('the console UI bundle was not produced')
  const [ownCss, html] = await Promise.all([readFile(`${UI}app.css`, 'utf8'), readFile(`${UI}index.html`, 'utf8')])
  // CSS the UI's libraries import (uPlot's) comes out of the bundle; the console's own rules follow it.
  const css = `${result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? ''}${ownCss}`
  return new Map([
    ['/assets/app.js', asset(js.text, 'text/javascript; charset=utf-8')],
    ['/assets/app.css', asset(css, 'text/css; charset=utf-8')],
    ['/index.html', asset(html, 'text/html; charset=utf-8')],
  ])
}
