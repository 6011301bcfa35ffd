import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { JsonRecord, Page, ResourceDescriptor } from '@siphon/core';
import { startSandbox } from '@siphon/sandbox';
import { infraConfig } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink } from '../../src/index.js';
import { type ReadMessage, readCommitted, stateFor, testOptions } from './helpers.js';

const registry = new SchemaRegistry({ host: infraConfig().registryUrl });
type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 7, size: 5, sizes: { billing: { products: 25 } } });
});
afterAll(async () => {
  await sb?.close();
});

async function snapshot(): Promise<JsonRecord[]> {
  const records: JsonRecord[] = [];
  for await (const record of sb.groundTruth('billing', 'products')) records.push(record);
  return records;
}

function pagesOf(records: JsonRecord[], runId: string, size = 10): Page[] {
  const pages: Page[] = [];
  for (let i = 0; i < records.length; i += size) {
    const index = pages.length + 1;
    pages.push({
      resource: 'products',
      index,
      url: `${sb.billingUrl}/products?page=${index}`,
      records: records.slice(i, i + size),
      state: stateFor(runId, index),
    });
  }
  return pages;
}

async function run(
  sink: KafkaSink,
  resource: ResourceDescriptor,
  runId: string,
  pages: Page[],
  complete: boolean,
  resumed = false,
): Promise<void> {
  const writer = await sink.open(resource, { pipeline: 'p', source: 'billing', runId });
  for (const p of pages) await writer.write(p);
  const records = pages.reduce((n, p) => n + p.records.length, 0);
  await writer.finish(
    { resource: resource.name, pages: pages.length, records, complete, ...(resumed ? { resumed } : {}) },
    {},
  );
}

/** Latest value per key id, `null` for tombstones; plus the ids tombstoned by messages after `from`. */
async function view(messages: ReadMessage[], from = 0) {
  const latest = new Map<string, JsonRecord | null>();
  const tombstoned: string[] = [];
  for (const [i, m] of messages.entries()) {
    const id = ((await registry.decode(m.key as Buffer)) as { id: string }).id;
    const value = m.value ? ((await registry.decode(m.value)) as JsonRecord) : null;
    latest.set(id, value);
    if (value === null && i >= from) tombstoned.push(id);
  }
  return { latest, tombstoned: tombstoned.sort() };
}

describe('snapshot delete detection', () => {
  it('tombstones exactly the keys the sandbox deleted, never on an incomplete or resumed run', async () => {
    const options = testOptions({ sink: { transaction: { pages: 1 } } });
    const products: ResourceDescriptor = {
      name: 'products',
      primaryKey: ['id'],
      writeDisposition: 'replace',
    };
    const topic = `${options.topics?.prefix}.billing.products`;
    const sink = createKafkaSink(options);
    try {
      const first = await snapshot();
      expect(first).toHaveLength(25);
      await run(sink, products, 'r1', pagesOf(first, 'r1'), true);
      const afterFirst = await readCommitted(topic);
      expect(afterFirst).toHaveLength(25);
      expect((await view(afterFirst)).tombstoned).toEqual([]);

      const mutation = await sb.mutate('billing', 'products', { delete: 3, update: 2 });
      expect(mutation.deleted).toHaveLength(3);
      const second = await snapshot();
      expect(second).toHaveLength(22);

      // A failed run (incomplete snapshot) deletes nothing, even though it saw only 10 records.
      await run(sink, products, 'r2', pagesOf(second, 'r2').slice(0, 1), false);
      const afterFailed = await readCommitted(topic);
      expect((await view(afterFailed)).tombstoned).toEqual([]);

      // A complete run that crashed after its first page. As the engine does, the resumed run has a
      // new run id but its pages keep the interrupted run's id in their checkpoint.
      const pages = pagesOf(second, 'r3');
      const crashed = await sink.open(products, { pipeline: 'p', source: 'billing', runId: 'r3' });
      await crashed.write(pages[0] as Page);
      await crashed.abort(new Error('simulated crash'));
      // Its resumption completes, but read pages at two moments: it leaves deleting to the next run.
      await run(sink, products, 'r4', pages.slice(1), true, true);
      const afterResumed = await readCommitted(topic);
      expect((await view(afterResumed, afterFailed.length)).tombstoned).toEqual([]);
      // The next run reads every page in one pass: it deletes.
      await run(sink, products, 'r5', pagesOf(second, 'r5'), true);

      const afterThird = await readCommitted(topic);
      const { latest, tombstoned } = await view(afterThird, afterFailed.length);
      expect(tombstoned).toEqual([...mutation.deleted].sort());
      // The first run began on an empty topic and read nothing back; the last one read the topic.
      const scans = options.seen.flatMap((e) => (e.type === 'snapshot_deletes' ? [e] : []));
      expect(scans.map((e) => [e.tombstones, e.deferred])).toEqual([
        [0, undefined],
        [0, 'resumed run'],
        [3, undefined],
      ]);
      expect(scans[0]?.scanned).toBe(0);
      expect(scans[2]?.scanned).toBeGreaterThanOrEqual(afterResumed.length);
      // The topic now mirrors the source: live keys are exactly the current records, with their current values.
      const live = [...latest].filter(([, v]) => v !== null);
      expect(live.map(([id]) => id).sort()).toEqual(second.map((r) => String(r.id)).sort());
      for (const id of mutation.updated) {
        const current = second.find((r) => r.id === id) as JsonRecord;
        expect(latest.get(id)).toMatchObject({ id, updated_time: current.updated_time });
      }
    } finally {
      await sink.close();
    }
  }, 120_000);

  it('applies to merge resources with deleteDetection: snapshot, and not to plain merge', async () => {
    const options = testOptions();
    const sink = createKafkaSink(options);
    const records = Array.from({ length: 4 }, (_, i) => ({ id: `k${i}`, n: i }));
    const single = (runId: string, rs: JsonRecord[]): Page[] => [
      { resource: 'r', index: 1, url: 'u', records: rs, state: stateFor(runId, 1) },
    ];
    try {
      const detecting: ResourceDescriptor = {
        name: 'detecting',
        primaryKey: ['id'],
        writeDisposition: 'merge',
        deleteDetection: 'snapshot',
      };
      const plain: ResourceDescriptor = { name: 'plain', primaryKey: ['id'], writeDisposition: 'merge' };
      for (const r of [detecting, plain]) {
        await run(sink, r, 'r1', single('r1', records), true);
        await run(sink, r, 'r2', single('r2', records.slice(1)), true);
      }
      const d = await view(await readCommitted(`${options.topics?.prefix}.billing.detecting`));
      expect(d.tombstoned).toEqual(['k0']);
      const p = await view(await readCommitted(`${options.topics?.prefix}.billing.plain`));
      expect(p.tombstoned).toEqual([]);
    } finally {
      await sink.close();
    }
  }, 60_000);

  it('a resumed run with no pages left deletes nothing; the next complete run deletes what is gone', async () => {
    const options = testOptions({ sink: { transaction: { pages: 1 } } });
    const r: ResourceDescriptor = { name: 'plans', primaryKey: ['id'], writeDisposition: 'replace' };
    const key = { pipeline: 'p', source: 'billing', resource: 'plans' };
    const records = Array.from({ length: 4 }, (_, i) => ({ id: `k${i}`, n: i }));
    const first = createKafkaSink(options);
    try {
      await run(
        first,
        r,
        'r1',
        [{ resource: 'plans', index: 1, url: 'u', records, state: stateFor('r1', 1) }],
        true,
      );
      // r2 commits its only page (k0 is gone at the source), then dies before finish.
      const dying = await first.open(r, { pipeline: 'p', source: 'billing', runId: 'r2' });
      await dying.write({
        resource: 'plans',
        index: 1,
        url: 'u',
        records: records.slice(1),
        state: stateFor('r2', 1),
      });
      await dying.abort(new Error('crash before finish'));
    } finally {
      await first.close();
    }
    const second = createKafkaSink(options);
    try {
      const state = await second.stateStore().get(key);
      expect(state?.checkpoint?.run_id).toBe('r2');
      // Resumed under a new run id, the source has nothing left to read: zero pages, complete.
      await run(second, r, 'r3', [], true, true);
      const topic = `${options.topics?.prefix}.billing.plans`;
      expect((await view(await readCommitted(topic))).tombstoned).toEqual([]);
      await run(
        second,
        r,
        'r4',
        [{ resource: 'plans', index: 1, url: 'u', records: records.slice(1), state: stateFor('r4', 1) }],
        true,
      );
    } finally {
      await second.close();
    }
    const { latest, tombstoned } = await view(await readCommitted(`${options.topics?.prefix}.billing.plans`));
    expect(tombstoned).toEqual(['k0']);
    expect([...latest].filter(([, v]) => v !== null).map(([id]) => id)).toEqual(['k1', 'k2', 'k3']);
  }, 60_000);
});
