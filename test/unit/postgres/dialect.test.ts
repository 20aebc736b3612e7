import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  fullyQualifiedName,
  qualifiedTable,
  quoteIdentifier,
  quoteLiteral,
  tableLabel,
} from '../../../src/postgres/dialect.ts'

test('identifiers are double-quoted with inner quotes doubled, unless quote.sql.identifiers=never', () => {
  assert.equal(quoteIdentifier('Odd "name" ü'), '"Odd ""name"" ü"')
  assert.equal(quoteIdentifier('users', 'never'), 'users')
  assert.equal(qualifiedTable({ database: 'd', schema: 'My Schema', table: 'T' }), '"My Schema"."T"')
})

test('names: db.schema.table for partitions, schema.table for labels, literals with quotes doubled', () => {
  const id = { database: 'shop', schema: 'sales', table: 'orders' }
  assert.equal(fullyQualifiedName(id), 'shop.sales.orders')
  assert.equal(tableLabel(id), 'sales.orders')
  assert.equal(quoteLiteral("Europe/O'Zone"), "'Europe/O''Zone'")
})
