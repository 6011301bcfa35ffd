import { type AvroRecordSchema, inferAvroSchema } from '@siphon/avro';
import { describe, expect, it } from 'vitest';
import { avroKeySchema, encodeKey, fromWireFormat, KeyEncoder, MissingKeyError } from '../../src/index.js';

describe('avroKeySchema', () => {
  it('is a named record of the primary key fields, typed from the value schema', () => {
    const valueSchema = inferAvroSchema([{ id: '42', org: { code: 7 } }], {
      name: 'invoices',
      namespace: 'siphon.billing',
    });
    const schema = avroKeySchema(
      { name: 'invoices', primaryKey: ['id', 'org.code'] },
      { source: 'billing', valueSchema },
    );
    expect(schema).toEqual({
      type: 'record',
      name: 'invoices_key',
      namespace: 'siphon.billing',
      doc: 'Primary key of invoices',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'org_code', type: 'long', doc: 'source field "org.code"' },
      ],
    });
  });

  it('falls back to string without a value schema or for mixed types', () => {
    const valueSchema: AvroRecordSchema = {
      type: 'record',
      name: 'r',
      fields: [{ name: 'id', type: ['null', 'string', 'long'] }],
    };
    expect(
      avroKeySchema({ name: 'r', primaryKey: ['id'] }, { source: 's', valueSchema }).fields[0]?.type,
    ).toBe('string');
    expect(avroKeySchema({ name: 'r', primaryKey: ['id'] }, { source: 's' }).fields[0]?.type).toBe('string');
  });

  it('refuses a resource without primary key', () => {
    expect(() => avroKeySchema({ name: 'events', primaryKey: [] }, { source: 's' })).toThrow(
      /no primary key/,
    );
  });
});

describe('KeyEncoder', () => {
  const schema = avroKeySchema({ name: 'invoices', primaryKey: ['id'] }, { source: 'billing' });

  it('writes magic byte 0, the schema id big-endian and the Avro body, identical for equal keys', () => {
    const encoder = new KeyEncoder(schema, 0x01020304, ['id']);
    const key = encoder.encode({ id: 'abc', total: 1 });
    // 0x00 | 01 02 03 04 | zigzag length 3 = 0x06 | "abc"
    expect([...key]).toEqual([0, 1, 2, 3, 4, 6, 0x61, 0x62, 0x63]);
    expect(encoder.encode({ id: 'abc', other: 'field', total: 99 })).toEqual(key);
    expect(fromWireFormat(key)).toEqual({ schemaId: 0x01020304, body: Buffer.from([6, 0x61, 0x62, 0x63]) });
  });

  it('coerces numeric ids into a string key so 42 and "42" are the same key', () => {
    expect(encodeKey(schema, 7, ['id'], { id: 42 })).toEqual(encodeKey(schema, 7, ['id'], { id: '42' }));
  });

  it('throws MissingKeyError for absent, null or empty key values', () => {
    const encoder = new KeyEncoder(schema, 1, ['id']);
    for (const record of [{}, { id: null }, { id: '' }]) {
      expect(() => encoder.encode(record)).toThrow(MissingKeyError);
    }
    expect(() => encoder.encode({})).toThrow('record has no value for primary key field "id"');
  });

  it('refuses a registered key schema that no longer matches the primary key', () => {
    expect(() => new KeyEncoder(schema, 1, ['id', 'org'])).toThrow(/a registered key schema cannot change/);
  });
});
