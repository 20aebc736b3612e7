// Java regular expressions (java.util.regex.Pattern) as connector configs write them, run on JavaScript's engine.
// The common syntax is the same; what differs is translated (\Q…\E quoting, leading inline flags such as (?i)) and
// what JavaScript cannot do (possessive quantifiers, atomic groups) is refused with a message, never misread.

export interface JavaPattern {
  /** The pattern as written in the config. */
  source: string
  /** Java's Matcher.matches(): the whole text matches. */
  matches(text: string): boolean
  /** Java's Matcher.replaceFirst(replacement), with Java's `$1` / `${name}` / `\$` replacement syntax. */
  replaceFirst(text: string, replacement: string): string
}

/** Compiles a Java pattern; throws an Error whose message says what is wrong. */
export function compileJavaPattern(source: string): JavaPattern {
  let body = source
  let flags = ''
  const inline = /^\(\?([imsx]+)\)/.exec(body)
  if (inline) {
    if ((inline[1] as string).includes('x')) throw new Error('the COMMENTS flag (?x) is not supported by flowscope')
    flags = inline[1] as string
    body = body.slice(inline[0].length)
  }
  body = body.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, quoted: string) => quoted.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
  if (/(?<!\\)[*+?}][+]/.test(body))
    throw new Error('possessive quantifiers (*+, ++, ?+) are not supported by flowscope')
  if (body.includes('(?>')) throw new Error('atomic groups (?>…) are not supported by flowscope')
  const find = new RegExp(body, flags)
  const whole = new RegExp(`^(?:${body})$`, flags)
  return {
    source,
    matches: (text) => whole.test(text),
    replaceFirst: (text, replacement) => {
      const match = find.exec(text)
      if (!match) return text
      return (
        text.slice(0, match.index) + javaReplacement(match, replacement) + text.slice(match.index + match[0].length)
      )
    },
  }
}

/** Java's Matcher.appendReplacement: `\x` is x, `$n` takes as many digits as name an existing group, `${name}`. */
function javaReplacement(match: RegExpExecArray, replacement: string): string {
  const groupCount = match.length - 1
  let out = ''
  let i = 0
  while (i < replacement.length) {
    const c = replacement[i] as string
    if (c === '\\') {
      i++
      if (i >= replacement.length) throw new Error('character to be escaped is missing')
      out += replacement[i]
      i++
    } else if (c === '$') {
      i++
      if (i >= replacement.length) throw new Error('Illegal group reference: group index is missing')
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i)
        if (end < 0) throw new Error("named capturing group is missing trailing '}'")
        const name = replacement.slice(i + 1, end)
        if (!match.groups || !(name in match.groups)) throw new Error(`No group with name {${name}}`)
        out += match.groups[name] ?? ''
        i = end + 1
      } else {
        if (!/[0-9]/.test(replacement[i] as string)) throw new Error('Illegal group reference')
        let group = Number(replacement[i])
        i++
        while (i < replacement.length && /[0-9]/.test(replacement[i] as string)) {
          const next = group * 10 + Number(replacement[i])
          if (next > groupCount) break
          group = next
          i++
        }
        if (group > groupCount) throw new Error(`No group ${group}`)
        out += match[group] ?? ''
      }
    } else {
      out += c
      i++
    }
  }
  return out
}
