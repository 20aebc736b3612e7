// Connect's Decimal logical type: exact decimal strings (the in-memory form) ⇄ unscaled integers at the schema's
// scale ⇄ the big-endian two's-complement bytes Java's BigInteger.toByteArray() writes (JsonConverter BASE64 form).
import type { Schema } from '../record/schema.ts'

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** The `scale` parameter of a Decimal schema, or an error message. */
export function decimalScale(schema: Schema): number | string {
  const text = schema.parameters?.scale
  if (text === undefined) return 'Decimal schema has no "scale" parameter'
  if (!/^-?\d+$/.test(text)) return `Decimal schema has an invalid "scale" parameter ${JSON.stringify(text)}`
  return Number(text)
}

/**
 * The unscaled integer of `value` at `scale`, or an error message. Accepts exact decimal strings ("-12.50", "1e3"),
 * bigint and finite numbers. Extra fractional digits are accepted only when they are zeros (no silent rounding).
 */
export function toUnscaled(value: unknown, scale: number): bigint | string {
  let text: string
  if (typeof value === 'string') text = value.trim()
  else if (typeof value === 'bigint') text = value.toString()
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
  else return 'expected a decimal string, bigint or finite number'
  const m = DECIMAL_TEXT.exec(text)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return `${JSON.stringify(text)} is not a decimal number`
  const [, sign, intPart, fracPart = '', expPart] = m
  const digits = `${intPart}${fracPart}`
  // value = digits × 10^(exponent - fracPart.length)
  const exponent = (expPart === undefined ? 0 : Number(expPart)) - fracPart.length
  const shift = exponent + scale
  let unscaled: bigint
  if (shift >= 0) {
    unscaled = BigInt(digits || '0') * 10n ** BigInt(shift)
  } else {
    const cut = -shift
    const kept = digits.length > cut ? digits.slice(0, digits.length - cut) : ''
    const dropped = digits.length > cut ? digits.slice(digits.length - cut) : digits
    if (/[^0]/.test(dropped)) return `${text} has more fractional digits than the schema's scale ${scale}`
    unscaled = BigInt(kept || '0')
  }
  return sign === '-' ? -unscaled : unscaled
}

/** Exact decimal text of unscaled × 10^-scale, with exactly `scale` fractional digits ("123.45", "-0.05"). */
export function fromUnscaled(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString()
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  return negative ? `-${text}` : text
}

/** Java's BigDecimal.toString(): plain when scale ≥ 0 and the adjusted exponent ≥ -6, otherwise scientific. */
export function bigDecimalToString(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n
  const coefficient = (negative ? -unscaled : unscaled).toString()
  const adjusted = coefficient.length - 1 - scale
  let text: string
  if (scale >= 0 && adjusted >= -6) {
    text = fromUnscaled(negative ? -unscaled : unscaled, scale)
  } else {
    const mantissa = coefficient.length > 1 ? `${coefficient[0]}.${coefficient.slice(1)}` : coefficient
    text = `${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`
  }
  return negative ? `-${text}` : text
}

/** Minimal big-endian two's-complement bytes, as Java's BigInteger.toByteArray(). */
export function unscaledToBytes(unscaled: bigint): Buffer {
  let size = 1
  if (unscaled >= 0n) while (unscaled >= 1n << BigInt(8 * size - 1)) size++
  else while (unscaled < -(1n << BigInt(8 * size - 1))) size++
  const unsigned = unscaled < 0n ? (1n << BigInt(8 * size)) + unscaled : unscaled
  return Buffer.from(unsigned.toString(16).padStart(size * 2, '0'), 'hex')
}

export function bytesToUnscaled(bytes: Buffer): bigint {
  if (bytes.length === 0) throw new RangeError('Zero length BigInteger')
  const unsigned = BigInt(`0x${bytes.toString('hex')}`)
  return (bytes[0] & 0x80) !== 0 ? unsigned - (1n << BigInt(8 * bytes.length)) : unsigned
}
