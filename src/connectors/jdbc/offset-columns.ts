// A table's columns + the mode's column settings in, the resolved incrementing/timestamp columns (or problems naming
// the table, the key and why) out: upstream's column-exists, auto-increment and validate.non.null checks, pure.
import { type Mode, usesIncrementing, usesTimestamp } from './config.ts'

export interface OffsetColumnFacts {
  name: string
  nullable: boolean
  autoIncrement?: boolean
  primaryKey?: boolean
  /** format_type text (integer, bigint, numeric(10,0), timestamp with time zone, …) when known. */
  typeName?: string
}

export interface OffsetColumnProblem {
  key: 'incrementing.column.name' | 'timestamp.column.name' | 'mode'
  message: string
}

export interface ResolvedOffsetColumns {
  incrementing: string | null
  timestamps: string[]
  problems: OffsetColumnProblem[]
}

function find(columns: OffsetColumnFacts[], name: string): OffsetColumnFacts | 'ambiguous' | undefined {
  const exact = columns.find((c) => c.name === name)
  if (exact) return exact
  const loose = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase())
  return loose.length > 1 ? 'ambiguous' : loose[0]
}

const INTEGRAL = /^(smallint|integer|bigint|oid|numeric\(\d+(,0)?\)|numeric)$/
const TIMESTAMP_LIKE = /^(timestamp|date)/

export function resolveOffsetColumns(
  where: string,
  columns: OffsetColumnFacts[],
  mode: Mode,
  incrementingName: string,
  timestampNames: string[],
  validateNonNull: boolean,
): ResolvedOffsetColumns {
  const problems: OffsetColumnProblem[] = []
  let incrementing: string | null = null
  const timestamps: string[] = []
  const names = columns.map((c) => c.name).join(', ')

  if (usesIncrementing(mode)) {
    if (incrementingName !== '') {
      const column = find(columns, incrementingName)
      if (column === undefined) {
        problems.push({
          key: 'incrementing.column.name',
          message: `Incrementing column ${incrementingName} does not exist in ${where} (columns: ${names})`,
        })
      } else if (column === 'ambiguous') {
        problems.push({
          key: 'incrementing.column.name',
          message: `Incrementing column ${incrementingName} matches several columns of ${where} when case is ignored; spell it exactly`,
        })
      } else {
        incrementing = column.name
      }
    } else {
      const auto = columns.filter((c) => c.autoIncrement)
      const pick = auto.length === 1 ? auto : auto.filter((c) => c.primaryKey)
      if (pick.length === 1) incrementing = pick[0].name
      else {
        problems.push({
          key: 'mode',
          message:
            auto.length === 0
              ? `mode=${mode} needs an incrementing column, but ${where} has no auto-increment (serial or identity) column; set incrementing.column.name`
              : `mode=${mode}: ${where} has several auto-increment columns (${auto.map((c) => c.name).join(', ')}); set incrementing.column.name`,
        })
      }
    }
    const column = incrementing === null ? undefined : columns.find((c) => c.name === incrementing)
    if (column) {
      if (column.typeName !== undefined && !INTEGRAL.test(column.typeName)) {
        problems.push({
          key: 'incrementing.column.name',
          message: `Incrementing column ${column.name} of ${where} has type ${column.typeName}; it must be an integer type`,
        })
      }
      if (validateNonNull && column.nullable) {
        problems.push({
          key: 'incrementing.column.name',
          message: `Cannot make incremental queries using incrementing column ${column.name} on ${where} because this column is nullable (add NOT NULL or set validate.non.null=false)`,
        })
      }
    }
  }

  if (usesTimestamp(mode)) {
    const found: OffsetColumnFacts[] = []
    for (const name of timestampNames) {
      const column = find(columns, name)
      if (column === undefined || column === 'ambiguous') {
        problems.push({
          key: 'timestamp.column.name',
          message: `Timestamp column ${name} does not exist in ${where} (columns: ${names})`,
        })
        continue
      }
      if (column.typeName !== undefined && !TIMESTAMP_LIKE.test(column.typeName)) {
        problems.push({
          key: 'timestamp.column.name',
          message: `Timestamp column ${column.name} of ${where} has type ${column.typeName}; it must be a timestamp or date`,
        })
      }
      found.push(column)
      timestamps.push(column.name)
    }
    if (validateNonNull && found.length === timestampNames.length && found.every((c) => c.nullable)) {
      problems.push({
        key: 'timestamp.column.name',
        message: `Cannot make incremental queries using timestamp columns [${timestamps.join(', ')}] on ${where} because all of these columns are nullable (make one NOT NULL or set validate.non.null=false)`,
      })
    }
  }
  return { incrementing, timestamps, problems }
}
