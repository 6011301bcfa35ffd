import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { AvroRecordSchema } from '../src/index.js';
import { compileConformer, inferAvroSchema } from '../src/index.js';

describe('compileConformer', () => {
  const schema = inferAvroSchema(
    [{ id: '1', 'first-name': 'Ada', total: 1.5, customer: { city: 'Oslo' }, lines: [{ qty: 1 }] }],
    { name: 'r', namespace: 'siphon.t' },
  );
  const conform = compileConformer(schema);
  const type = avro.Type.forSchema(schema as avro.Schema);

  it('maps JSON names to field names and fills absent fields with null', () => {
    const result = conform({ id: '9', 'first-name': 'Bo', total: 2, lines: [] });
    expect(result).toEqual({
      ok: true,
      discarded: [],
      value: { id: '9', first_name: 'Bo', total: 2, customer: null, lines: [] },
    });
    if (!result.ok) return;
    const decoded = avro.Type.forSchema(schema as avro.Schema).fromBuffer(type.toBuffer(result.value));
    expect(decoded).toMatchObject({ id: '9', first_name: 'Bo', total: 2, customer: null, lines: [] });
  });

  it('reports unknown fields and type mismatches with their paths', () => {
    const result = conform({ id: 5, customer: { city: 3, zip: 'x' }, lines: [{ qty: 'many' }], more: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: 'id', problem: 'expected null|string, got integer 5' },
      { path: 'customer.city', problem: 'expected null|string, got integer 3' },
      { path: 'customer.zip', problem: 'unknown field' },
      { path: 'lines[0].qty', problem: 'expected null|long, got string "many"' },
      { path: 'more', problem: 'unknown field' },
    ]);
  });

  it('in lenient mode drops unknown fields and nulls nullable fields that do not fit', () => {
    const result = conform({ id: 5, total: 'free', more: true }, { lenient: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ id: null, total: null });
    expect(result.discarded.map((d) => d.path)).toEqual(['id', 'total', 'more']);
  });

  it('returns a record that already fits as it is, and copies one that needs a change', () => {
    const s: AvroRecordSchema = {
      type: 'record',
      name: 'c',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'note', type: ['null', 'string'] },
        {
          name: 'lines',
          type: {
            type: 'array',
            items: { type: 'record', name: 'l', fields: [{ name: 'qty', type: 'long' }] },
          },
        },
      ],
    };
    const c = compileConformer(s);
    const fits = { id: 'a', note: null, lines: [{ qty: 1 }, { qty: 2 }] };
    const same = c(fits);
    expect(same.ok && same.value).toBe(fits);
    // An absent nullable field: a copy with null, the input left alone, unchanged items shared.
    const absent = { id: 'b', lines: [{ qty: 3 }] };
    const copied = c(absent);
    expect(copied).toEqual({ ok: true, discarded: [], value: { id: 'b', note: null, lines: [{ qty: 3 }] } });
    expect(copied.ok && copied.value).not.toBe(absent);
    expect(absent).toEqual({ id: 'b', lines: [{ qty: 3 }] });
    expect(copied.ok && (copied.value.lines as unknown[])[0]).toBe(absent.lines[0]);
    // A later item that needs a change: the array is copied with the earlier items in place.
    const nested = { id: 'c', note: 'x', lines: [{ qty: 1 }, { qty: 2, extra: 1 }] };
    const lenient = c(nested, { lenient: true });
    expect(lenient).toEqual({
      ok: true,
      discarded: [{ path: 'lines[1].extra', problem: 'unknown field' }],
      value: { id: 'c', note: 'x', lines: [{ qty: 1 }, { qty: 2 }] },
    });
    expect(nested.lines[1]).toEqual({ qty: 2, extra: 1 });
  });

  it('rejects a value for a non-nullable field even in lenient mode', () => {
    const strict: AvroRecordSchema = { type: 'record', name: 's', fields: [{ name: 'n', type: 'long' }] };
    const result = compileConformer(strict)({ n: 'x' }, { lenient: true });
    expect(result).toEqual({ ok: false, issues: [{ path: 'n', problem: 'expected long, got string "x"' }] });
  });

  it('wraps values of unions avsc cannot tell apart; an integer prefers long to double, a fraction needs double', () => {
    const s: AvroRecordSchema = {
      type: 'record',
      name: 'u',
      fields: [{ name: 'v', type: ['null', 'double', 'long', 'string'] }],
    };
    const c = compileConformer(s);
    expect(c({ v: 3 })).toMatchObject({ value: { v: { long: 3 } } });
    expect(c({ v: 3.5 })).toMatchObject({ value: { v: { double: 3.5 } } });
    expect(c({ v: 's' })).toMatchObject({ value: { v: { string: 's' } } });
    expect(c({ v: null })).toMatchObject({ value: { v: null } });
    expect(c({ v: true })).toMatchObject({ ok: false });
    const type = avro.Type.forSchema(s as avro.Schema);
    for (const v of [3, 3.5, 's', null]) {
      const result = c({ v });
      if (!result.ok) throw new Error('expected to conform');
      expect(type.fromBuffer(type.toBuffer(result.value))).toEqual({
        v:
          v === null
            ? null
            : { [typeof v === 'string' ? 'string' : Number.isInteger(v) ? 'long' : 'double']: v },
      });
    }
  });
});
