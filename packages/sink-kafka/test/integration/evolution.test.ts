import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from '@siphon/core';
import { infraConfig } from '@siphon/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink, KafkaSinkError } from '../../src/index.js';
import { page, readCommitted, registryGet, resource, testOptions } from './helpers.js';

const { registryUrl } = infraConfig();
const registry = new SchemaRegistry({ host: registryUrl });
const sinks: KafkaSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

async function versions(subject: string): Promise<number[]> {
  return registryGet<number[]>(`/subjects/${subject}/versions`);
}

async function schemaOf(message: Buffer): Promise<AvroRecordSchema> {
  const id = message.readUInt32BE(1);
  const body = await registryGet<{ schema: string }>(`/schemas/ids/${id}`);
  return JSON.parse(body.schema);
}

describe('schema evolution', () => {
  it('registers a BACKWARD-compatible version 2 for new fields and widened types; old and new messages decode', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const context = { pipeline: 'p', source: 'billing', runId: 'r1' };
    const writer = await sink.open(resource(), context);
    await writer.write(page(1, [{ id: '1', total: 10, status: 'paid' }]));
    // Page 2: a new field, and `total` turns fractional, `status` numeric.
    await writer.write(page(2, [{ id: '2', total: 10.5, status: 3, currency: 'EUR' }]));
    await writer.finish({ resource: 'invoices', pages: 2, records: 2, complete: true }, {});

    const topic = `${options.topics?.prefix}.billing.invoices`;
    expect(await versions(`${topic}-value`)).toEqual([1, 2]);
    const messages = await readCommitted(topic);
    const [old, next] = messages.map((m) => m.value as Buffer) as [Buffer, Buffer];
    expect(old.readUInt32BE(1)).not.toBe(next.readUInt32BE(1));

    const v2 = await schemaOf(next);
    expect(v2.fields).toEqual([
      { name: 'id', type: ['null', 'string'], default: null },
      { name: 'total', type: ['null', 'double'], default: null },
      { name: 'status', type: ['null', 'string', 'long'], default: null },
      { name: 'currency', type: ['null', 'string'], default: null },
    ]);
    // Each message with its writer schema...
    expect(await registry.decode(old)).toEqual({ id: '1', total: 10, status: 'paid' });
    expect(await registry.decode(next)).toEqual({ id: '2', total: 10.5, status: 3, currency: 'EUR' });
    // ...and the old message through the new schema, as a consumer on v2 reads it.
    expect(await registry.decode(old, { AVRO: { readerSchema: v2 } })).toEqual({
      id: '1',
      total: 10,
      status: 'paid',
      currency: null,
    });

    // A later run reuses the registered version instead of inferring a narrower one.
    const again = await sink.open(resource(), { ...context, runId: 'r2' });
    await again.write(page(1, [{ id: '3', total: 1, status: 'paid' }], 'r2'));
    await again.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});
    expect(await versions(`${topic}-value`)).toEqual([1, 2]);
  });

  it('under freeze refuses a record that would need a new version, naming the field', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const frozen = resource({ schemaContract: 'freeze' });
    const writer = await sink.open(frozen, { pipeline: 'p', source: 'billing', runId: 'r1' });
    await writer.write(page(1, [{ id: '1', total: 10 }]));
    const failure = writer.write(page(2, [{ id: '2', total: 'ten' }]));
    await expect(failure).rejects.toThrow(KafkaSinkError);
    await expect(failure).rejects.toMatchObject({
      code: 'SCHEMA_FROZEN',
      message: expect.stringContaining('total: expected null|long, got string "ten"'),
    });
    await writer.abort(new Error('frozen'));
    const topic = `${options.topics?.prefix}.billing.invoices`;
    expect(await versions(`${topic}-value`)).toEqual([1]);
    // Nothing of the aborted run is visible.
    expect(await readCommitted(topic)).toEqual([]);
  });

  it('reports the registry compatibility error when a declared schema change is incompatible', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const v1: AvroRecordSchema = {
      type: 'record',
      name: 'invoices',
      namespace: 'siphon.billing',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'total', type: 'long' },
      ],
    };
    const w1 = await sink.open(resource({ schema: v1 }), { pipeline: 'p', source: 'billing', runId: 'r1' });
    await w1.finish({ resource: 'invoices', pages: 0, records: 0, complete: true }, {});
    const v2: AvroRecordSchema = { ...v1, fields: [...v1.fields, { name: 'currency', type: 'string' }] };
    await expect(
      sink.open(resource({ schema: v2 }), { pipeline: 'p', source: 'billing', runId: 'r2' }),
    ).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining(
        `rejected a new version of subject "${options.topics?.prefix}.billing.invoices-value" as incompatible`,
      ),
    });
  });

  it('discard_row drops misfits and discard_value nulls the misfit values', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const rows = [
      { id: '1', total: 10 },
      { id: '2', total: 'ten' },
      { id: '3', total: 30, extra: true },
    ];
    const w1 = await sink.open(resource({ name: 'a', schemaContract: 'discard_row' }), {
      pipeline: 'p',
      source: 'billing',
      runId: 'r1',
    });
    await w1.write(page(1, rows.slice(0, 1)));
    await w1.write(page(2, rows.slice(1)));
    await w1.finish({ resource: 'a', pages: 2, records: 3, complete: true }, {});
    const w2 = await sink.open(resource({ name: 'b', schemaContract: 'discard_value' }), {
      pipeline: 'p',
      source: 'billing',
      runId: 'r1',
    });
    await w2.write(page(1, rows.slice(0, 1)));
    await w2.write(page(2, rows.slice(1)));
    await w2.finish({ resource: 'b', pages: 2, records: 3, complete: true }, {});

    const a = await readCommitted(`${options.topics?.prefix}.billing.a`);
    expect(await Promise.all(a.map((m) => registry.decode(m.value as Buffer)))).toEqual([
      { id: '1', total: 10 },
    ]);
    const b = await readCommitted(`${options.topics?.prefix}.billing.b`);
    expect(await Promise.all(b.map((m) => registry.decode(m.value as Buffer)))).toEqual([
      { id: '1', total: 10 },
      { id: '2', total: null },
      { id: '3', total: 30 },
    ]);
    expect(
      options.seen.filter((e) => e.type === 'discarded').map((e) => e.type === 'discarded' && e.what),
    ).toEqual(['row', 'row', 'value', 'value']);
  });
});
