// JSON text as Jackson (the JSON library under Connect's JsonConverter) writes and reads it: numbers in Java's
// Double/Float.toString form, non-finite numbers quoted, integers of any size exact. Parsing keeps every number's
// source text so int64 and decimals come back without precision loss.

/** A parsed JSON number with its exact source text (`12345678901234567890`, `1.50`, `1E+3`). */
export class JsonNumber {
  readonly text: string

  constructor(text: string) {
    this.text = text
  }

  get integral(): boolean {
    return /^-?\d+$/.test(this.text)
  }

  toNumber(): number {
    return Number(this.text)
  }
}

/** Parsed JSON where every number is a JsonNumber. */
export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | { [key: string]: JsonNode }

export function parseJson(text: string): JsonNode {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value,
  ) as JsonNode
}

export function isJsonObject(node: JsonNode | undefined): node is { [key: string]: JsonNode } {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof JsonNumber)
}

/** Jackson's node type names, for error messages. */
export function nodeType(node: JsonNode | undefined): string {
  if (node === undefined) return 'MISSING'
  if (node === null) return 'NULL'
  if (node instanceof JsonNumber) return 'NUMBER'
  if (Array.isArray(node)) return 'ARRAY'
  if (typeof node === 'object') return 'OBJECT'
  return typeof node === 'string' ? 'STRING' : 'BOOLEAN'
}

export function jsonString(value: string): string {
  return JSON.stringify(value)
}

/** Java's Double.toString, as Jackson writes a double: `1.0`, `0.001`, `1.0E7`, `1.0E-4`; NaN/Infinity quoted. */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"'
  return javaFloatingText(value)
}

/** Java's Float.toString for a float32: the shortest digits that read back to the same float32. */
export function javaFloat(value: number): string {
  const f = Math.fround(value)
  if (!Number.isFinite(f)) return javaDouble(f)
  if (f === 0) return javaFloatingText(f)
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(f.toPrecision(precision))
    if (Math.fround(candidate) === f) return javaFloatingText(candidate)
  }
  return javaFloatingText(f)
}

function javaFloatingText(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value)
    return text.includes('.') ? text : `${text}.0`
  }
  const [mantissa, exponent] = value.toExponential().split('e')
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`
}

/** An integral number as exact JSON text (never exponent notation). */
export function integerText(value: number | bigint): string {
  return typeof value === 'bigint' || Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value)
}
