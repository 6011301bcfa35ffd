import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { infraConfig } from '@siphon/testkit';
import avro from 'avsc';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink, KafkaStateStore } from '../../src/index.js';
import {
  BILLING_RUN,
  header,
  invoicesWithDeletes,
  page,
  readCommitted,
  registryGet,
  resource,
  stateFor,
  testOptions,
} from './helpers.js';

const registry = new SchemaRegistry({ host: infraConfig().registryUrl });
const sinks: KafkaSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

function invoice(id: string, total: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    invoice_number: `INV-${id}`,
    total,
    created_time: '2016-06-05T17:38:06-0700',
    customer: { customer_id: `c-${id}`, name: 'Ada' },
    line_items: [{ item_id: 'x', quantity: 2, rate: 9.99 }],
    ...extra,
  };
}

describe('records, keys and state on the real broker and registry', () => {
  it('writes Confluent-framed Avro keys and values any registry client decodes, and commits the state with them', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const context = { pipeline: 'p1', source: 'billing', runId: 'run-1' };
    const writer = await sink.open(resource(), context);
    const records = [invoice('1', 370), invoice('2', 19.99), invoice('3', 0.5)];
    await writer.write(page(1, records.slice(0, 2)));
    await writer.write(page(2, records.slice(2)));
    const finalState = { last_run: { run_id: 'run-1', completed_at: '2026-01-01T00:00:00Z', records: 3 } };
    await writer.finish({ resource: 'invoices', pages: 2, records: 3, complete: true }, finalState);

    const topic = `${options.topics?.prefix}.billing.invoices`;
    const messages = await readCommitted(topic);
    expect(messages).toHaveLength(3);
    const decoded = await Promise.all(
      messages.map(async (m) => ({
        key: await registry.decode(m.key as Buffer),
        value: await registry.decode(m.value as Buffer),
      })),
    );
    expect(decoded.map((d) => d.key)).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
    expect(decoded[1]?.value).toEqual({
      id: '2',
      invoice_number: 'INV-2',
      total: 19.99,
      created_time: '2016-06-05T17:38:06-0700',
      customer: { customer_id: 'c-2', name: 'Ada' },
      line_items: [{ item_id: 'x', quantity: 2, rate: 9.99 }],
    });
    for (const m of messages) expect(header(m.headers, 'siphon.run')).toBe('run-1');

    // One message byte by byte: magic 0, 4-byte big-endian schema id, then the Avro body.
    type Latest = { id: number; schema: string };
    const keyLatest = await registryGet<Latest>(`/subjects/${topic}-key/versions/latest`);
    const valueLatest = await registryGet<Latest>(`/subjects/${topic}-value/versions/latest`);
    const first = messages[0] as { key: Buffer; value: Buffer };
    const keyType = avro.Type.forSchema(JSON.parse(keyLatest.schema));
    const expectedKey = Buffer.alloc(5);
    expectedKey.writeUInt32BE(keyLatest.id, 1);
    expect(first.key.equals(Buffer.concat([expectedKey, keyType.toBuffer({ id: '1' })]))).toBe(true);
    expect([...first.key]).toEqual([0, ...expectedKey.subarray(1), 2, 0x31]);
    expect(first.value[0]).toBe(0);
    expect(first.value.readUInt32BE(1)).toBe(valueLatest.id);
    const valueType = avro.Type.forSchema(JSON.parse(valueLatest.schema));
    expect(valueType.fromBuffer(first.value.subarray(5))).toMatchObject({ id: '1', total: 370 });

    // Subjects follow TopicNameStrategy and the subjects we created are BACKWARD.
    const config = await registryGet<{ compatibilityLevel: string }>(`/config/${topic}-value`);
    expect(config.compatibilityLevel).toBe('BACKWARD');

    // The state committed with the records is what a fresh store reads back.
    const fresh = new KafkaStateStore(testOptions({ topics: options.topics }));
    try {
      expect(await fresh.get({ pipeline: 'p1', source: 'billing', resource: 'invoices' })).toEqual(
        finalState,
      );
      expect(await fresh.list()).toEqual([
        { key: { pipeline: 'p1', source: 'billing', resource: 'invoices' }, state: finalState },
      ]);
    } finally {
      await fresh.close();
    }
  });

  it('gives the same key bytes across runs and value-schema versions', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const w1 = await sink.open(resource(), { pipeline: 'p', source: 'billing', runId: 'r1' });
    await w1.write(page(1, [invoice('7', 1)]));
    await w1.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});
    const w2 = await sink.open(resource(), { pipeline: 'p', source: 'billing', runId: 'r2' });
    await w2.write(page(1, [invoice('7', 2, { brand_new_field: 'x' })], 'r2'));
    await w2.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});

    const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    expect(messages).toHaveLength(2);
    const [a, b] = messages as unknown as [{ key: Buffer; value: Buffer }, { key: Buffer; value: Buffer }];
    expect(a.key.equals(b.key)).toBe(true);
    expect(a.value.readUInt32BE(1)).not.toBe(b.value.readUInt32BE(1));
    expect(await registry.decode(b.value)).toMatchObject({ total: 2, brand_new_field: 'x' });
  });

  it('sends records without a primary key to the dead-letter topic with resource, error and the original JSON', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const writer = await sink.open(resource(), { pipeline: 'p', source: 'billing', runId: 'r1' });
    await writer.write(page(1, [invoice('1', 1), { invoice_number: 'INV-none', total: 5 }, invoice('', 3)]));
    await writer.finish({ resource: 'invoices', pages: 1, records: 3, complete: true }, {});

    const data = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    expect(data).toHaveLength(1);
    expect(data.every((m) => m.key !== null)).toBe(true);
    const dlq = await readCommitted(`${options.topics?.prefix}._dlq`);
    expect(dlq).toHaveLength(2);
    expect(dlq.map((m) => JSON.parse((m.value as Buffer).toString('utf8')))).toEqual([
      { invoice_number: 'INV-none', total: 5 },
      invoice('', 3),
    ]);
    expect(header(dlq[0]?.headers ?? {}, 'siphon.resource')).toBe('invoices');
    expect(header(dlq[0]?.headers ?? {}, 'siphon.error')).toBe(
      'record has no value for primary key field "id"',
    );
    expect(header(dlq[0]?.headers ?? {}, 'siphon.topic')).toBe(`${options.topics?.prefix}.billing.invoices`);
    expect(options.seen.filter((e) => e.type === 'dead_letter')).toHaveLength(2);
  });

  it('turns hard-deleted records into tombstones', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const writer = await sink.open(invoicesWithDeletes(), BILLING_RUN);
    await writer.write(page(1, [invoice('1', 1), invoice('2', 2, { status: 'deleted' })]));
    await writer.finish({ resource: 'invoices', pages: 1, records: 2, complete: true }, {});
    const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    expect(messages.map((m) => m.value === null)).toEqual([false, true]);
    expect(await registry.decode(messages[1]?.key as Buffer)).toEqual({ id: '2' });
  });

  it('writes the same records with encoding workers: tombstones, a widened schema and dead letters included', async () => {
    const options = testOptions({ sink: { transaction: { records: 1000 }, encode_workers: 2 } });
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const writer = await sink.open(invoicesWithDeletes(), BILLING_RUN);
    const first = Array.from({ length: 50 }, (_, i) => invoice(String(i), i));
    await writer.write(page(1, first));
    // Page 2 packs in a worker: every record fits, one is a tombstone.
    await writer.write(page(2, [invoice('50', 50), invoice('3', 3, { status: 'deleted' })]));
    // Page 3 needs the full path: a new field (schema evolves) and a record without a key.
    const keyless = invoice('x', 1) as Record<string, unknown>;
    delete keyless.id;
    await writer.write(page(3, [invoice('51', 51, { channel: 'web' }), keyless, invoice('52', 52)]));
    // Page 4 packs in a worker again, on the widened schema.
    await writer.write(page(4, [invoice('53', 53, { channel: 'shop' })]));
    await writer.finish({ resource: 'invoices', pages: 4, records: 55, complete: true }, {});

    const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    const decoded = await Promise.all(
      messages.map(async (m) => ({
        key: ((await registry.decode(m.key as Buffer)) as { id: string }).id,
        value:
          m.value === null
            ? null
            : ((await registry.decode(m.value)) as { total: number; channel?: string | null }),
        run: header(m.headers, 'siphon.run'),
      })),
    );
    expect(decoded.map((d) => d.key)).toEqual([...first.map((r) => r.id), '50', '3', '51', '52', '53']);
    expect(decoded.find((d) => d.key === '3' && d.value === null)).toBeDefined();
    expect(decoded.find((d) => d.key === '51')?.value).toMatchObject({ total: 51, channel: 'web' });
    expect(decoded.find((d) => d.key === '53')?.value).toMatchObject({ total: 53, channel: 'shop' });
    // The pages' checkpoints carry the run id (see page()).
    expect(new Set(decoded.map((d) => d.run))).toEqual(new Set(['run-1']));
    const dlq = await readCommitted(`${options.topics?.prefix}._dlq`);
    expect(dlq.map((m) => header(m.headers, 'siphon.error'))).toEqual([
      'record has no value for primary key field "id"',
    ]);
  });

  it('round-trips state set, get, list and delete through the compacted state topic', async () => {
    const options = testOptions();
    const store = new KafkaStateStore(options);
    const other = new KafkaStateStore(testOptions({ topics: options.topics }));
    try {
      const a = { pipeline: 'p', source: 's', resource: 'a' };
      const b = { pipeline: 'p', source: 's', resource: 'b/with"odd' };
      expect(await store.get(a)).toBeUndefined();
      await store.set(a, stateFor('r', 1));
      await store.set(b, { incremental: { default: { last_value: '2024-01-01' } } });
      await store.set(a, stateFor('r', 2));
      expect(await store.get(a)).toEqual(stateFor('r', 2));
      expect(await other.get(a)).toEqual(stateFor('r', 2));
      await store.delete(a);
      expect(await store.get(a)).toBeUndefined();
      expect(await other.list()).toEqual([
        { key: b, state: { incremental: { default: { last_value: '2024-01-01' } } } },
      ]);
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('writes keyless append resources with null keys to a delete-policy topic', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const events = resource({ name: 'events', primaryKey: [], writeDisposition: 'append' });
    const writer = await sink.open(events, { pipeline: 'p', source: 'analytics', runId: 'r1' });
    await writer.write(
      page(1, [
        { type: 'click', at: 1 },
        { type: 'click', at: 1 },
      ]),
    );
    await writer.finish({ resource: 'events', pages: 1, records: 2, complete: true }, {});
    const messages = await readCommitted(`${options.topics?.prefix}.analytics.events`);
    expect(messages.map((m) => m.key)).toEqual([null, null]);
    expect(await Promise.all(messages.map((m) => registry.decode(m.value as Buffer)))).toEqual([
      { type: 'click', at: 1 },
      { type: 'click', at: 1 },
    ]);
  });
});
