// Wall-clock times in a named time zone (db.timezone) in, instants (ms since the epoch) out: how `timestamp` and
// `time` columns without a zone are read, as pgjdbc does with a Calendar in db.timezone.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(zone, f)
  }
  return f
}

export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false
  try {
    formatter(zone)
    return true
  } catch {
    return false
  }
}

const isUtc = (zone: string) => zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Z'

/** The zone's offset from UTC (ms, east positive) at `epochMs`. */
export function zoneOffsetMs(zone: string, epochMs: number): number {
  if (isUtc(zone)) return 0
  const parts = formatter(zone).formatToParts(new Date(epochMs))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const era = parts.find((p) => p.type === 'era')?.value
  let year = get('year')
  if (era === 'BC' || era === 'B') year = 1 - year
  const wall = Date.UTC(2000, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  const shifted = new Date(wall)
  shifted.setUTCFullYear(year)
  const whole = epochMs - (((epochMs % 1000) + 1000) % 1000)
  return shifted.getTime() - whole
}

/** The instant at which the zone's clocks show `wallMs` (a wall-clock time encoded as if it were UTC). */
export function wallClockToEpochMs(zone: string, wallMs: number): number {
  if (isUtc(zone)) return wallMs
  const first = wallMs - zoneOffsetMs(zone, wallMs)
  const second = wallMs - zoneOffsetMs(zone, first)
  return second
}
