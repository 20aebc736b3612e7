// java.text.SimpleDateFormat patterns in UTC (as TimestampConverter uses them: the format's zone is set to UTC), for
// formatting and for Java's lenient parse (fields may roll over, text after the pattern is ignored). Letters
// supported: G y M d H k K h m s S E u a D z Z X and quoted text; any other letter is refused when configured.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const SUPPORTED = 'GyMdHkKhmsSEuaDzZX'

type Token = { kind: 'text'; text: string } | { kind: 'field'; letter: string; count: number }

export class SimpleDateFormat {
  readonly pattern: string
  readonly #tokens: Token[]

  /** Throws an Error naming the problem when the pattern is not one SimpleDateFormat (or flowscope) accepts. */
  constructor(pattern: string) {
    this.pattern = pattern
    this.#tokens = tokenize(pattern)
  }

  format(date: Date): string {
    return this.#tokens.map((t) => (t.kind === 'text' ? t.text : formatField(t.letter, t.count, date))).join('')
  }

  /** The instant the text names, or undefined when it does not match the pattern. */
  parse(text: string): Date | undefined {
    const f = { year: 1970, month: 0, day: 1, hour: 0, minute: 0, second: 0, millis: 0, pm: false, hour12: -1 }
    let offsetMinutes = 0
    let dayOfYear = -1
    let at = 0
    for (let index = 0; index < this.#tokens.length; index++) {
      const token = this.#tokens[index] as Token
      if (token.kind === 'text') {
        if (!text.startsWith(token.text, at)) return undefined
        at += token.text.length
        continue
      }
      const next = this.#tokens[index + 1]
      const abutting = next?.kind === 'field' && isNumeric(next.letter, next.count)
      const { letter, count } = token
      if (isNumeric(letter, count)) {
        const digits = /^[+-]?\d+/.exec(text.slice(at, abutting ? at + count : undefined))?.[0]
        if (digits === undefined) return undefined
        at += digits.length
        let n = Number(digits)
        switch (letter) {
          case 'y':
            if (count <= 2 && digits.length === 2) n += n < 50 ? 2000 : 1900
            f.year = n
            break
          case 'M':
            f.month = n - 1
            break
          case 'd':
            f.day = n
            break
          case 'H':
            f.hour = n
            break
          case 'k':
            f.hour = n === 24 ? 0 : n
            break
          case 'K':
          case 'h':
            f.hour12 = letter === 'h' && n === 12 ? 0 : n
            break
          case 'm':
            f.minute = n
            break
          case 's':
            f.second = n
            break
          case 'S':
            f.millis = n
            break
          case 'D':
            dayOfYear = n
            break
          case 'u':
            break
        }
        continue
      }
      const rest = text.slice(at)
      switch (letter) {
        case 'M': {
          const i = MONTHS.findIndex((m) =>
            rest.toLowerCase().startsWith((count >= 4 ? m : m.slice(0, 3)).toLowerCase()),
          )
          if (i < 0) return undefined
          f.month = i
          at += count >= 4 ? (MONTHS[i] as string).length : 3
          break
        }
        case 'E': {
          const names = DAYS.map((d) => (count >= 4 ? d : d.slice(0, 3)))
          const name = names.find((d) => rest.toLowerCase().startsWith(d.toLowerCase()))
          if (name === undefined) return undefined
          at += name.length
          break
        }
        case 'a': {
          const marker = rest.slice(0, 2).toUpperCase()
          if (marker !== 'AM' && marker !== 'PM') return undefined
          f.pm = marker === 'PM'
          at += 2
          break
        }
        case 'G':
          if (!rest.startsWith('AD')) return undefined
          at += 2
          break
        case 'z':
        case 'Z':
        case 'X': {
          const zone = parseZone(rest, letter)
          if (!zone) return undefined
          offsetMinutes = zone.offsetMinutes
          at += zone.length
          break
        }
      }
    }
    if (f.hour12 >= 0) f.hour = f.hour12 + (f.pm ? 12 : 0)
    const date = new Date(0)
    date.setUTCFullYear(f.year, f.month, dayOfYear >= 0 ? dayOfYear : f.day)
    if (dayOfYear >= 0) date.setUTCMonth(0, dayOfYear)
    date.setUTCHours(f.hour, f.minute - offsetMinutes, f.second, f.millis)
    return date
  }
}

function isNumeric(letter: string, count: number): boolean {
  if (letter === 'M') return count <= 2
  return 'ydHkKhmsSDu'.includes(letter)
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const text = (t: string) => {
    const last = tokens[tokens.length - 1]
    if (last?.kind === 'text') last.text += t
    else tokens.push({ kind: 'text', text: t })
  }
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        text("'")
        i += 2
        continue
      }
      let j = i + 1
      let quoted = ''
      for (;;) {
        if (j >= pattern.length) throw new Error(`Unterminated quote in pattern ${pattern}`)
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            quoted += "'"
            j += 2
            continue
          }
          break
        }
        quoted += pattern[j]
        j++
      }
      text(quoted)
      i = j + 1
    } else if (/[a-zA-Z]/.test(c)) {
      let j = i
      while (pattern[j] === c) j++
      if (!SUPPORTED.includes(c)) throw new Error(`Illegal pattern character '${c}'`)
      tokens.push({ kind: 'field', letter: c, count: j - i })
      i = j
    } else {
      text(c)
      i++
    }
  }
  return tokens
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0')
  return n < 0 ? `-${s}` : s
}

function formatField(letter: string, count: number, date: Date): string {
  switch (letter) {
    case 'G':
      return date.getUTCFullYear() > 0 ? 'AD' : 'BC'
    case 'y': {
      const year = date.getUTCFullYear()
      return count === 2 ? pad(year % 100, 2) : pad(year, count)
    }
    case 'M': {
      const month = date.getUTCMonth()
      if (count >= 4) return MONTHS[month] as string
      if (count === 3) return (MONTHS[month] as string).slice(0, 3)
      return pad(month + 1, count)
    }
    case 'd':
      return pad(date.getUTCDate(), count)
    case 'H':
      return pad(date.getUTCHours(), count)
    case 'k':
      return pad(date.getUTCHours() || 24, count)
    case 'K':
      return pad(date.getUTCHours() % 12, count)
    case 'h':
      return pad(date.getUTCHours() % 12 || 12, count)
    case 'm':
      return pad(date.getUTCMinutes(), count)
    case 's':
      return pad(date.getUTCSeconds(), count)
    case 'S':
      return pad(date.getUTCMilliseconds(), count)
    case 'E': {
      const day = DAYS[date.getUTCDay()] as string
      return count >= 4 ? day : day.slice(0, 3)
    }
    case 'u':
      return pad(date.getUTCDay() || 7, count)
    case 'a':
      return date.getUTCHours() < 12 ? 'AM' : 'PM'
    case 'D': {
      const start = Date.UTC(date.getUTCFullYear(), 0, 1)
      return pad(Math.floor((date.getTime() - start) / 86_400_000) + 1, count)
    }
    case 'z':
      return count >= 4 ? 'Coordinated Universal Time' : 'UTC'
    case 'Z':
      return '+0000'
    case 'X':
      return 'Z'
  }
  return ''
}

function parseZone(text: string, letter: string): { offsetMinutes: number; length: number } | undefined {
  if (letter === 'X' && text.startsWith('Z')) return { offsetMinutes: 0, length: 1 }
  if (letter === 'z') {
    const named = /^(UTC|GMT|Coordinated Universal Time)/.exec(text)
    if (named && !/^GMT[+-]/.test(text)) return { offsetMinutes: 0, length: (named[0] as string).length }
  }
  const m = /^(?:GMT)?([+-])(\d{2}):?(\d{2})?/.exec(text)
  if (!m) return undefined
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0)
  return { offsetMinutes: m[1] === '-' ? -minutes : minutes, length: m[0].length }
}
