import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  declaredPaths,
  finishSchema,
  optional,
  presentPaths,
  record,
  required,
} from '../src/index.js';

const address = record('Address', 'A postal address', [
  optional('city', 'string', 'City'),
  optional('zip', 'string', 'Postcode'),
]);
const schema = finishSchema(
  record('Invoice', 'An invoice', [
    required('id', 'string', 'Id'),
    optional('billing_address', address, 'Billing'),
    optional('shipping_address', address, 'Shipping'),
    optional('lines', arrayOf(record('Line', 'A line', [optional('qty', 'long', 'Quantity')])), 'Lines'),
  ]),
  'siphon.t',
);

describe('declaredPaths', () => {
  it('lists every field path, following records referred to by name and array items', () => {
    expect([...declaredPaths(schema)].sort()).toEqual([
      'billing_address',
      'billing_address.city',
      'billing_address.zip',
      'id',
      'lines',
      'lines[].qty',
      'shipping_address',
      'shipping_address.city',
      'shipping_address.zip',
    ]);
  });

  it('ends on a record that contains itself', () => {
    const node = {
      type: 'record',
      name: 'Node',
      fields: [{ name: 'next', type: ['null', 'Node'] }],
    } as const;
    expect([...declaredPaths(structuredClone(node) as never)]).toEqual(['next']);
  });
});

describe('presentPaths', () => {
  it('lists the declared paths a record carries, a null value included, undeclared ones not', () => {
    const seen = presentPaths(schema, {
      id: '1',
      billing_address: null,
      shipping_address: { city: 'Oslo', county: 'x' },
      lines: [{ qty: 1 }, {}],
    });
    expect([...seen].sort()).toEqual([
      'billing_address',
      'id',
      'lines',
      'lines[].qty',
      'shipping_address',
      'shipping_address.city',
    ]);
  });

  it('adds to the set it is given, so one set covers many records', () => {
    const seen = presentPaths(schema, { id: '1' });
    presentPaths(schema, { billing_address: { zip: '0150' } }, seen);
    expect([...seen].sort()).toEqual(['billing_address', 'billing_address.zip', 'id']);
  });
});
