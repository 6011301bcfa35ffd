import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { AvroField, AvroRecordSchema } from '../src/index.js';
import { evolveAvroSchema, inferAvroSchema } from '../src/index.js';

const options = { name: 'invoices', namespace: 'siphon.billing' };

describe('inferAvroSchema', () => {
  it('maps JSON to Avro: integers are long, other numbers double (never float), objects records, arrays arrays', () => {
    const schema = inferAvroSchema(
      [
        {
          id: '1',
          total: 19.99,
          created_ms: 1717171717171,
          paid: true,
          customer: { name: 'Ada', address: { city: 'Oslo' } },
          line_items: [{ qty: 2, price: 5 }],
          tags: ['a', 'b'],
        },
      ],
      options,
    );
    expect(schema).toMatchObject({ type: 'record', name: 'invoices', namespace: 'siphon.billing' });
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.type]));
    expect(types.id).toEqual(['null', 'string']);
    expect(types.total).toEqual(['null', 'double']);
    expect(types.created_ms).toEqual(['null', 'long']);
    expect(types.paid).toEqual(['null', 'boolean']);
    expect(types.customer).toEqual([
      'null',
      {
        type: 'record',
        name: 'customer',
        namespace: 'siphon.billing.invoices',
        fields: [
          { name: 'name', type: ['null', 'string'], default: null },
          {
            name: 'address',
            type: [
              'null',
              {
                type: 'record',
                name: 'address',
                namespace: 'siphon.billing.invoices.customer',
                fields: [{ name: 'city', type: ['null', 'string'], default: null }],
              },
            ],
            default: null,
          },
        ],
      },
    ]);
    expect(types.line_items).toEqual([
      'null',
      {
        type: 'array',
        items: {
          type: 'record',
          name: 'line_items_item',
          namespace: 'siphon.billing.invoices',
          fields: [
            { name: 'qty', type: ['null', 'long'], default: null },
            { name: 'price', type: ['null', 'long'], default: null },
          ],
        },
      },
    ]);
    expect(types.tags).toEqual(['null', { type: 'array', items: 'string' }]);
    for (const field of schema.fields) expect(field.default).toBeNull();
  });

  it('keeps precision that avsc inference would lose (19.99 and millisecond timestamps)', () => {
    const schema = inferAvroSchema([{ total: 19.99, at: 1717171717171 }], options);
    const type = avro.Type.forSchema(schema as avro.Schema);
    const back = type.fromBuffer(type.toBuffer({ total: 19.99, at: 1717171717171 }));
    expect(back.total).toBe(19.99);
    expect(back.at).toBe(1717171717171);
  });

  it('merges records: a field missing or null in some becomes nullable, mixed numbers widen to double', () => {
    const schema = inferAvroSchema(
      [
        { id: 'a', amount: 1, note: null, items: [] },
        { id: 'b', amount: 2.5, extra: 'x', items: [3] },
      ],
      options,
    );
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.type]));
    expect(types.amount).toEqual(['null', 'double']);
    expect(types.note).toEqual('null');
    expect(types.extra).toEqual(['null', 'string']);
    // The empty array carried no information: items come from the later record only.
    expect(types.items).toEqual(['null', { type: 'array', items: 'long' }]);
  });

  it('sanitises names to Avro rules, keeps the JSON name in doc and disambiguates collisions', () => {
    const schema = inferAvroSchema(
      [{ 'first-name': 'Ada', first_name: 'B', '2fa': true, 'a.b': 1 }],
      options,
    );
    expect(schema.fields.map((f) => [f.name, f.doc])).toEqual([
      ['first_name', 'source field "first-name"'],
      ['first_name_2', 'source field "first_name"'],
      ['_2fa', 'source field "2fa"'],
      ['a_b', 'source field "a.b"'],
    ]);
    // Strict parsers (the registry's Java one) accept it.
    expect(() => avro.Type.forSchema(schema as avro.Schema)).not.toThrow();
  });

  it('names record types never after primitives and sanitises record names', () => {
    const schema = inferAvroSchema([{ string: { x: 1 } }], { name: 'my-resource', namespace: 'siphon.s' });
    expect(schema.name).toBe('my_resource');
    const [, record] = (schema.fields[0] as AvroField).type as [string, AvroRecordSchema];
    expect(record.name).toBe('string_');
    expect(() => avro.Type.forSchema(schema as avro.Schema)).not.toThrow();
  });
});

describe('evolveAvroSchema', () => {
  const v1 = inferAvroSchema([{ id: '1', amount: 5, status: 'paid' }], options);

  it('returns the same schema object when every record fits', () => {
    const result = evolveAvroSchema(v1, [{ id: '2', amount: 7, status: null }, { id: '3' }]);
    expect(result.changed).toBe(false);
    expect(result.schema).toBe(v1);
  });

  it('adds new fields as nullable with default null and widens changed types to unions', () => {
    const before = structuredClone(v1);
    const { schema, changed } = evolveAvroSchema(v1, [{ id: 4, amount: 5.5, status: 'paid', discount: 2 }]);
    expect(changed).toBe(true);
    expect(v1).toEqual(before);
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, f.type]));
    expect(types.id).toEqual(['null', 'string', 'long']);
    expect(types.amount).toEqual(['null', 'double']);
    expect(schema.fields.at(-1)).toEqual({ name: 'discount', type: ['null', 'long'], default: null });
  });

  it('makes a non-null declared field nullable, keeping a non-null default first', () => {
    const declared: AvroRecordSchema = {
      type: 'record',
      name: 'r',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'n', type: 'long', default: 0 },
      ],
    };
    const { schema } = evolveAvroSchema(declared, [{ id: null, n: null }]);
    expect(schema.fields).toEqual([
      { name: 'id', type: ['null', 'string'], default: null },
      { name: 'n', type: ['long', 'null'], default: 0 },
    ]);
  });

  it('adds enum symbols and promotes int to long when values outgrow them', () => {
    const declared: AvroRecordSchema = {
      type: 'record',
      name: 'r',
      fields: [
        { name: 'state', type: { type: 'enum', name: 'State', symbols: ['open'] } },
        { name: 'count', type: 'int' },
      ],
    };
    const { schema } = evolveAvroSchema(declared, [{ state: 'closed', count: 2 ** 40 }]);
    expect(schema.fields[0]?.type).toEqual({ type: 'enum', name: 'State', symbols: ['open', 'closed'] });
    expect(schema.fields[1]?.type).toBe('long');
  });
});
