import { SiphonError } from '@siphon/errors';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AVRO_SCHEMA_INVALID, finishSchema, keyedSchema, optional, record, required } from '../src/index.js';

describe('finishSchema', () => {
  it('defines a reused record once and refers to it by name afterwards, in the namespace given', () => {
    const money = record('Money', 'An amount', [required('cents', 'long', 'Cents')]);
    const schema = finishSchema(
      record('Order', 'An order', [optional('total', money, 'Total'), optional('tax', money, 'Tax')]),
      'siphon.t',
    );
    expect(schema.namespace).toBe('siphon.t');
    expect(schema.fields[1]?.type).toEqual(['null', 'Money']);
    expect(avro.Type.forSchema(schema as avro.Schema).name).toBe('siphon.t.Order');
    expect(Object.isFrozen(schema.fields[0])).toBe(true);
  });

  it('refuses invalid names, a field declared twice and two different records of one name', () => {
    const fail = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        expect(SiphonError.isInstance(error)).toBe(true);
        expect((error as SiphonError).code).toBe(AVRO_SCHEMA_INVALID);
        return (error as Error).message;
      }
      throw new Error('expected a schema error');
    };
    expect(fail(() => finishSchema(record('Bad-name', 'x', []), 'n'))).toBe(
      'Bad-name: "Bad-name" is not a valid Avro name',
    );
    expect(
      fail(() =>
        finishSchema(record('R', 'x', [required('a', 'string', 'a'), required('a', 'long', 'a')]), 'n'),
      ),
    ).toBe('R: record R declares "a" twice');
    const one = record('Same', 'x', [required('a', 'string', 'a')]);
    const other = record('Same', 'x', [required('b', 'string', 'b')]);
    expect(
      fail(() => finishSchema(record('R', 'x', [optional('p', one, 'p'), optional('q', other, 'q')]), 'n')),
    ).toBe('R.q: two different records are both named "Same"');
  });
});

describe('keyedSchema', () => {
  it('makes the key fields required and the other id fields nullable', () => {
    const base = finishSchema(
      record('Tax', 'A tax', [optional('id', 'string', 'Id'), required('tax_id', 'string', 'Real id')]),
      'n',
    );
    const keyed = keyedSchema(base, ['id', 'tax_id'], ['tax_id'], 'Primary key: tax_id.');
    expect(keyed.fields.map((f) => [f.name, f.type, f.default])).toEqual([
      ['id', ['null', 'string'], null],
      ['tax_id', 'string', undefined],
    ]);
    expect(keyed.doc).toBe('A tax Primary key: tax_id.');
  });
});
