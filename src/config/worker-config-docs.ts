// The worker key reference of docs/configuration.md, generated from workerConfigDef: every key with its type,
// default and meaning, and the keys flowscope accepts but does not act on, with why. A unit test keeps the doc in
// step; `npx node src/config/worker-config-docs.ts` rewrites the generated part of the doc.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defaultAsString } from './config-def.ts'
import { notActedOnKeys, workerConfigDef } from './worker-config.ts'

export const DOC_PATH = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url))
export const BEGIN_MARKER = '<!-- BEGIN GENERATED: worker keys (npx node src/config/worker-config-docs.ts) -->'
export const END_MARKER = '<!-- END GENERATED: worker keys -->'

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

function shownDefault(value: Parameters<typeof defaultAsString>[0]): string {
  const text = defaultAsString(value)
  if (text === null) return '(none)'
  return text === '' ? '""' : `\`${text}\``
}

/** The generated markdown between the doc's markers (markers excluded). */
export function workerKeysMarkdown(): string {
  const lines = [
    '### Every worker key',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...workerConfigDef
      .keys()
      .map(
        (k) =>
          `| \`${k.name}\` | ${k.type} | ${cell(shownDefault(k.default))} | ${cell(k.documentation)}${
            k.notActedOn ? ' **Not acted on.**' : ''
          } |`,
      ),
    '',
    '### Accepted but not acted on',
    '',
    'These keys are accepted and validated as Connect does, so a Connect worker file loads unchanged, but nothing in',
    'flowscope reads them. A worker given any of them (by file, `CONNECT_*` variable or flag) logs one WARN line at',
    'start naming each with the reason.',
    '',
    '| key | why it has no effect |',
    '|---|---|',
    ...notActedOnKeys().map((k) => `| \`${k.name}\` | ${cell(k.reason)} |`),
  ]
  return lines.join('\n')
}

/** `text` with the part between the markers replaced by the generated markdown. */
export function withGeneratedSection(text: string): string {
  const begin = text.indexOf(BEGIN_MARKER)
  const end = text.indexOf(END_MARKER)
  if (begin < 0 || end < begin) throw new Error(`${DOC_PATH}: markers ${BEGIN_MARKER} … ${END_MARKER} not found`)
  return `${text.slice(0, begin + BEGIN_MARKER.length)}\n\n${workerKeysMarkdown()}\n\n${text.slice(end)}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOC_PATH, withGeneratedSection(readFileSync(DOC_PATH, 'utf8')))
  console.log(`wrote ${DOC_PATH}`)
}
