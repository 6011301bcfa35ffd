import { SiphonError } from '@siphon/errors';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  AVRO_SCHEMA_INVALID,
  declaredSchemas,
  fieldBuilders,
  finishSchema,
  keyedSchema,
  optional,
  record,
  required,
} from '../src/index.js';

describe('fieldBuilders', () => {
  it('builds the required and the optional field of one type, each doc ending with the words given', () => {
    const [money, optionalMoney] = fieldBuilders('double', 'Major currency units.');
    expect(money('total', 'Amount due.')).toEqual({
      name: 'total',
      type: 'double',
      doc: 'Amount due. Major currency units.',
    });
    expect(optionalMoney('paid', 'Amount paid.')).toEqual({
      name: 'paid',
      type: ['null', 'double'],
      default: null,
      doc: 'Amount paid. Major currency units.',
    });
    const [text] = fieldBuilders('string');
    expect(text('name', 'Name.')).toEqual({ name: 'name', type: 'string', doc: 'Name.' });
  });
});

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

describe('declaredSchemas', () => {
  const tax = record('Tax', 'A tax', [
    optional('id', 'string', 'Id'),
    optional('tax_id', 'string', 'Real id'),
  ]);
  const plan = record('Plan', 'A plan', [
    optional('id', 'string', 'Id'),
    optional('plan_code', 'string', 'Code'),
  ]);
  const realId = { taxes: 'tax_id', plans: 'plan_code' } as const;
  const declared = declaredSchemas('siphon.t', { taxes: tax, plans: plan }, (name) => ['id', realId[name]]);

  it('finishes every record in the namespace and keys all of them by id, frozen', () => {
    expect(Object.keys(declared.schemas)).toEqual(['taxes', 'plans']);
    const taxes = declared.schemas.taxes;
    expect(`${taxes.namespace}.${taxes.name}`).toBe('siphon.t.Tax');
    expect(taxes.doc).toBe('A tax Primary key: id.');
    expect(taxes.fields.map((f) => f.type)).toEqual(['string', ['null', 'string']]);
    expect(Object.isFrozen(declared.schemas)).toBe(true);
  });

  it('keys a resource by its own id fields for another primary key', () => {
    const plans = declared.schemaFor('plans', ['plan_code']);
    expect(plans.doc).toBe('A plan Primary key: plan_code.');
    expect(plans.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', ['null', 'string']],
      ['plan_code', 'string'],
    ]);
  });
});
