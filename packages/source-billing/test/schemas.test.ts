import { startSandbox } from '@siphon/sandbox';
import { SCHEMA_SWEEP, SchemaChecker, type SweepResult, sweepSchemas } from '@siphon/testkit';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { BILLING_RESOURCE_NAMES, billingResources, billingSchemaFor, billingSchemas } from '../src/index.js';

describe('declared billing schemas against the sandbox records', () => {
  let sweep: Map<string, SweepResult>;
  const of = (name: string) => sweep.get(name) as SweepResult;
  beforeAll(async () => {
    sweep = await sweepSchemas('billing', billingSchemas, startSandbox);
  });

  it.each(BILLING_RESOURCE_NAMES)('%s: every value fits its declared type', (name) => {
    expect(of(name).records).toBeGreaterThanOrEqual(SCHEMA_SWEEP.seeds.length * SCHEMA_SWEEP.size);
    expect(of(name).invalid).toEqual([]);
  });

  it.each(BILLING_RESOURCE_NAMES)('%s: every field of every record is declared (recursively)', (name) => {
    expect(of(name).undeclared).toEqual([]);
  });

  it.each(BILLING_RESOURCE_NAMES)('%s: every declared field occurs in the data', (name) => {
    expect(of(name).neverSeen).toEqual([]);
  });
});

describe('the schema check itself', () => {
  const record = {
    id: '1',
    tax_id: '1',
    tax_name: 'VAT',
    tax_percentage: '20',
    tax_type: 'tax',
    tax_authority_name: null,
    is_default_tax: false,
    is_editable: true,
    status: 'active',
    created_time: '2016-06-05T17:38:06-0700',
    updated_time: '2016-06-05T17:38:06-0700',
    county: 'Kent',
  };

  it('reports a value of the wrong type by path, and an undeclared field', () => {
    const checker = new SchemaChecker(billingSchemas.taxes);
    checker.check(record, 'r1');
    expect(checker.result().invalid).toEqual(['r1: tax_percentage: expected double, got string "20"']);
    expect(checker.result().undeclared).toEqual(['r1: county']);
  });

  it('reports undeclared fields inside nested records and arrays', () => {
    const checker = new SchemaChecker(billingSchemas.addons);
    checker.check({ price_brackets: [{ start_quantity: 1, end_quantity: null, price: 2, tier: 'x' }] }, 'r2');
    expect(checker.result().undeclared).toEqual(['r2: price_brackets[].tier']);
  });
});

describe('billing schema shapes', () => {
  it.each(BILLING_RESOURCE_NAMES)(
    '%s: a named, documented record in siphon.billing that avsc accepts',
    (name) => {
      const schema = billingSchemas[name];
      expect(schema.namespace).toBe('siphon.billing');
      expect(schema.doc).toMatch(/Primary key: id\.$/);
      expect(() => avro.Type.forSchema(schema as avro.Schema)).not.toThrow();
      for (const field of schema.fields) expect(field.doc, `${name}.${field.name}`).toBeTruthy();
    },
  );

  it('makes every nullable field default to null, with null first', () => {
    const problems: string[] = [];
    const visit = (fields: readonly { name: string; type: unknown; default?: unknown }[], where: string) => {
      for (const field of fields) {
        const branches = Array.isArray(field.type) ? field.type : [field.type];
        if (branches.includes('null') && (branches[0] !== 'null' || field.default !== null)) {
          problems.push(`${where}.${field.name}`);
        }
        for (const branch of branches) {
          const inner = (branch as { items?: unknown }).items ?? branch;
          if (typeof inner === 'object' && inner !== null && (inner as { type?: string }).type === 'record') {
            visit((inner as { fields: [] }).fields, `${where}.${field.name}`);
          }
        }
      }
    };
    for (const name of BILLING_RESOURCE_NAMES) visit(billingSchemas[name].fields, name);
    expect(problems).toEqual([]);
  });

  it('defines a nested record once and refers to it by name afterwards', () => {
    const invoice = billingSchemas.invoices;
    const billing = invoice.fields.find((f) => f.name === 'billing_address');
    const shipping = invoice.fields.find((f) => f.name === 'shipping_address');
    expect((billing?.type as unknown[] | undefined)?.[1]).toMatchObject({ type: 'record', name: 'Address' });
    expect(shipping?.type).toEqual(['null', 'Address']);
    const type = avro.Type.forSchema(invoice as avro.Schema);
    expect(type.name).toBe('siphon.billing.Invoice');
  });

  it('keeps money as double and datetimes as strings in the API format', () => {
    const type = avro.Type.forSchema(billingSchemas.invoices as avro.Schema) as avro.types.RecordType;
    const fieldType = (name: string) => type.fields.find((f) => f.name === name)?.type.typeName;
    expect(fieldType('total')).toBe('double');
    expect(fieldType('balance')).toBe('double');
    expect(fieldType('payment_terms')).toBe('long');
    expect(fieldType('created_time')).toBe('string');
    const created = billingSchemas.invoices.fields.find((f) => f.name === 'created_time');
    expect(created?.doc).toContain("yyyy-MM-dd'T'HH:mm:ssZ");
  });

  it('real_api keys make the real id required and `id` nullable', () => {
    for (const resource of billingResources) {
      const schema = billingSchemaFor(resource.name, [resource.realIdField]);
      const id = schema.fields.find((f) => f.name === 'id');
      const real = schema.fields.find((f) => f.name === resource.realIdField);
      expect(real?.type, resource.name).toBe('string');
      expect(id?.type, resource.name).toEqual(['null', 'string']);
      expect(id?.default, resource.name).toBeNull();
      expect(schema.doc).toContain(`Primary key: ${resource.realIdField}.`);
      // A real-API record without `id` is valid.
      const type = avro.Type.forSchema(schema as avro.Schema);
      expect(type.name).toMatch(/^siphon\.billing\./);
    }
  });

  it('schemas are frozen: a consumer cannot change what others see', () => {
    expect(Object.isFrozen(billingSchemas.invoices)).toBe(true);
    expect(Object.isFrozen(billingSchemas.invoices.fields[0])).toBe(true);
    expect(() => {
      (billingSchemas.invoices.fields as unknown[]).push({ name: 'x', type: 'string' });
    }).toThrow(TypeError);
  });
});
