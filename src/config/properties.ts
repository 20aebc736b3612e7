// Java `.properties` text in → ordered key/value pairs out, following java.util.Properties.load: `#`/`!` comments,
// `=`, `:` or whitespace separators, `\` line continuations, `\t \n \r \f \uXXXX` escapes; last duplicate wins.

const WHITESPACE = new Set([' ', '\t', '\f'])

/** Parses properties text. Throws on a malformed `\uXXXX` escape, naming the line. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const { line, lineNumber } of logicalLines(text)) {
    let i = 0
    let key = ''
    // Key: up to the first unescaped separator (=, : or whitespace).
    while (i < line.length) {
      const c = line[i]
      if (c === '\\') {
        const [decoded, next] = decodeEscape(line, i, lineNumber)
        key += decoded
        i = next
        continue
      }
      if (c === '=' || c === ':' || WHITESPACE.has(c)) break
      key += c
      i++
    }
    while (i < line.length && WHITESPACE.has(line[i])) i++
    if (i < line.length && (line[i] === '=' || line[i] === ':')) i++
    while (i < line.length && WHITESPACE.has(line[i])) i++
    let value = ''
    while (i < line.length) {
      if (line[i] === '\\') {
        const [decoded, next] = decodeEscape(line, i, lineNumber)
        value += decoded
        i = next
      } else {
        value += line[i++]
      }
    }
    // defineProperty: a key such as "__proto__" must become a plain entry.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** Joins continued natural lines (odd trailing backslashes), dropping comments and blank lines. */
function* logicalLines(text: string): Generator<{ line: string; lineNumber: number }> {
  const natural = text.split(/\r\n|\r|\n/)
  for (let n = 0; n < natural.length; n++) {
    const start = n + 1
    let line = stripLeading(natural[n])
    if (line === '' || line[0] === '#' || line[0] === '!') continue
    while (endsWithOddBackslashes(line)) {
      line = line.slice(0, -1)
      if (n + 1 >= natural.length) break
      n++
      line += stripLeading(natural[n])
    }
    yield { line, lineNumber: start }
  }
}

function stripLeading(line: string): string {
  let i = 0
  while (i < line.length && WHITESPACE.has(line[i])) i++
  return line.slice(i)
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++
  return count % 2 === 1
}

/** Decodes the escape starting at `line[i] === '\\'`; returns the text and the index after it. */
function decodeEscape(line: string, i: number, lineNumber: number): [string, number] {
  const c = line[i + 1]
  switch (c) {
    case 't':
      return ['\t', i + 2]
    case 'n':
      return ['\n', i + 2]
    case 'r':
      return ['\r', i + 2]
    case 'f':
      return ['\f', i + 2]
    case 'u': {
      const hex = line.slice(i + 2, i + 6)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new Error(`Malformed \\uxxxx encoding on line ${lineNumber}: \\u${hex}`)
      }
      return [String.fromCharCode(Number.parseInt(hex, 16)), i + 6]
    }
    case undefined:
      return ['', i + 1]
    default:
      return [c, i + 2]
  }
}
