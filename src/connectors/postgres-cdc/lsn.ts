// Log sequence numbers: PostgreSQL writes them "XXX/YYY" (two 32-bit hex halves); Debezium's offsets hold them as
// one integer. Numbers stay exact up to 2^53 bytes of WAL (8 PiB), far beyond any server's lifetime.

export type Lsn = number

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim())
  if (!match) throw new Error(`Not a PostgreSQL LSN: ${JSON.stringify(text)}`)
  return Number.parseInt(match[1], 16) * 2 ** 32 + Number.parseInt(match[2], 16)
}

export function formatLsn(lsn: Lsn): string {
  const high = Math.floor(lsn / 2 ** 32)
  const low = lsn - high * 2 ** 32
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`
}

/** An LSN as sent on the wire (64-bit big-endian). */
export function readLsn(buffer: Buffer, offset: number): Lsn {
  return buffer.readUInt32BE(offset) * 2 ** 32 + buffer.readUInt32BE(offset + 4)
}

export function writeLsn(buffer: Buffer, offset: number, lsn: Lsn): void {
  const high = Math.floor(lsn / 2 ** 32)
  buffer.writeUInt32BE(high, offset)
  buffer.writeUInt32BE(lsn - high * 2 ** 32, offset + 4)
}
