import { startSandbox } from '@siphon/sandbox';
import { SCHEMA_SWEEP, SchemaChecker, type SweepResult, sweepSchemas } from '@siphon/testkit';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_RESOURCE_NAMES, analyticsSchemaFor, analyticsSchemas } from '../src/index.js';

describe('declared analytics schemas against the sandbox records', () => {
  let sweep: Map<string, SweepResult>;
  const of = (name: string) => sweep.get(name) as SweepResult;
  beforeAll(async () => {
    sweep = await sweepSchemas('analytics', analyticsSchemas, startSandbox);
  });

  it.each(ANALYTICS_RESOURCE_NAMES)('%s: every value fits its declared type', (name) => {
    expect(of(name).records).toBeGreaterThanOrEqual(SCHEMA_SWEEP.seeds.length * SCHEMA_SWEEP.size);
    expect(of(name).invalid).toEqual([]);
  });

  it.each(ANALYTICS_RESOURCE_NAMES)('%s: every field of every record is declared (recursively)', (name) => {
    expect(of(name).undeclared).toEqual([]);
  });

  it.each(ANALYTICS_RESOURCE_NAMES)('%s: every declared field occurs in the data', (name) => {
    expect(of(name).neverSeen).toEqual([]);
  });
});

describe('the schema check itself', () => {
  it('reports a value of the wrong type by path, and an undeclared nested field', () => {
    const checker = new SchemaChecker(analyticsSchemas.add_ons);
    checker.check(
      {
        id: 'a',
        lago_id: 'a',
        name: 'Setup',
        invoice_display_name: null,
        code: 'addon_1',
        amount_cents: 12.5,
        amount_currency: 'USD',
        description: null,
        taxes: [
          {
            lago_id: 't',
            name: 'VAT',
            code: 'vat',
            rate: 20,
            description: null,
            applied_to_organization: false,
            region: 'EU',
          },
        ],
        created_at: '2022-04-29T08:59:51Z',
        updated_at: '2022-04-29T08:59:51Z',
      },
      'r1',
    );
    expect(checker.result().invalid).toEqual(['r1: amount_cents: expected long, got number 12.5']);
    expect(checker.result().undeclared).toEqual(['r1: taxes[].region']);
  });
});

describe('analytics schema shapes', () => {
  it.each(ANALYTICS_RESOURCE_NAMES)(
    '%s: a named, documented record in siphon.analytics that avsc accepts',
    (name) => {
      const schema = analyticsSchemas[name];
      expect(schema.namespace).toBe('siphon.analytics');
      expect(schema.doc).toMatch(/Primary key: id\.$/);
      expect(() => avro.Type.forSchema(schema as avro.Schema)).not.toThrow();
      for (const field of schema.fields) expect(field.doc, `${name}.${field.name}`).toBeTruthy();
    },
  );

  it('keeps cents as long, decimals as strings and timestamps as ISO strings', () => {
    const type = avro.Type.forSchema(analyticsSchemas.fees as avro.Schema) as avro.types.RecordType;
    const fieldType = (name: string) => type.fields.find((f) => f.name === name)?.type.typeName;
    expect(fieldType('amount_cents')).toBe('long');
    expect(fieldType('precise_amount')).toBe('string');
    expect(fieldType('taxes_rate')).toBe('double');
    expect(fieldType('created_at')).toBe('string');
    expect(analyticsSchemas.fees.fields.find((f) => f.name === 'created_at')?.doc).toContain('ISO 8601 UTC');
  });

  it('nests plan charges with their properties and graduated ranges', () => {
    const type = avro.Type.forSchema(analyticsSchemas.plans as avro.Schema);
    const plan = {
      ...Object.fromEntries(analyticsSchemas.plans.fields.map((f) => [f.name, null])),
      id: 'p',
      lago_id: 'p',
      name: 'Starter',
      code: 'starter',
      interval: 'monthly',
      amount_cents: 900,
      amount_currency: 'USD',
      trial_period: 0,
      pay_in_advance: true,
      active_subscriptions_count: 0,
      draft_invoices_count: 0,
      taxes: [],
      created_at: '2022-04-29T08:59:51Z',
      updated_at: '2022-04-29T08:59:51Z',
      charges: [
        {
          lago_id: 'c',
          lago_billable_metric_id: 'm',
          billable_metric_code: 'api_calls',
          invoice_display_name: null,
          created_at: '2022-04-29T08:59:51Z',
          charge_model: 'graduated',
          invoiceable: true,
          pay_in_advance: false,
          prorated: false,
          min_amount_cents: 0,
          properties: {
            graduated_ranges: [
              { from_value: 0, to_value: null, per_unit_amount: '0.010', flat_amount: '0.00' },
            ],
          },
        },
      ],
    };
    expect(type.isValid(plan)).toBe(true);
    const back = type.fromBuffer(type.toBuffer(plan)) as typeof plan;
    expect(back.charges[0]?.properties.graduated_ranges?.[0]?.per_unit_amount).toBe('0.010');
  });

  it('real_api keys make lago_id required and `id` nullable', () => {
    for (const name of ANALYTICS_RESOURCE_NAMES) {
      const schema = analyticsSchemaFor(name, ['lago_id']);
      expect(schema.fields.find((f) => f.name === 'lago_id')?.type, name).toBe('string');
      expect(schema.fields.find((f) => f.name === 'id')?.type, name).toEqual(['null', 'string']);
      expect(schema.doc).toContain('Primary key: lago_id.');
    }
  });
});
