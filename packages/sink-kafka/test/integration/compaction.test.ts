import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { infraConfig } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { createKafkaSink } from '../../src/index.js';
import { page, type ReadMessage, readCommitted, resource, testOptions } from './helpers.js';

const registry = new SchemaRegistry({ host: infraConfig().registryUrl });

async function decodeAll(messages: ReadMessage[]) {
  return Promise.all(
    messages.map(async (m) => ({
      key: ((await registry.decode(m.key as Buffer)) as { id: string }).id,
      value: m.value ? ((await registry.decode(m.value)) as { v: number }).v : null,
    })),
  );
}

describe('log compaction', () => {
  it('converges to one latest value per key and drops tombstoned keys entirely', async () => {
    const options = testOptions({
      sink: { transaction: { pages: 1 } },
      topics: {
        configs: {
          'segment.ms': '100',
          'min.cleanable.dirty.ratio': '0.01',
          'delete.retention.ms': '100',
          'min.compaction.lag.ms': '0',
        },
      },
    });
    const sink = createKafkaSink(options);
    try {
      const writer = await sink.open(resource({ hardDelete: { path: 'deleted' } }), {
        pipeline: 'p',
        source: 'billing',
        runId: 'r1',
      });
      await writer.write(
        page(1, [
          { id: 'A', v: 1 },
          { id: 'B', v: 1 },
          { id: 'C', v: 1 },
        ]),
      );
      await writer.write(
        page(2, [
          { id: 'A', v: 2 },
          { id: 'B', deleted: true },
        ]),
      );
      const topic = `${options.topics?.prefix}.billing.invoices`;
      const before = await decodeAll(await readCommitted(topic));
      expect(before).toEqual([
        { key: 'A', value: 1 },
        { key: 'B', value: 1 },
        { key: 'C', value: 1 },
        { key: 'A', value: 2 },
        { key: 'B', value: null },
      ]);

      // Segments roll only when something is appended after segment.ms: keep appending a filler
      // key so the cleaner gets closed segments to compact, and a second pass to drop the tombstone.
      const deadline = Date.now() + 90_000;
      let filler = 0;
      let survivors: Array<{ key: string; value: number | null }> = before;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        await writer.write(page(3 + filler, [{ id: 'Z', v: filler++ }]));
        survivors = (await decodeAll(await readCommitted(topic))).filter((m) => m.key !== 'Z');
        if (survivors.length === 2) break;
      }
      expect(survivors).toEqual([
        { key: 'C', value: 1 },
        { key: 'A', value: 2 },
      ]);
      await writer.finish(
        { resource: 'invoices', pages: 2 + filler, records: 5 + filler, complete: true },
        {},
      );
    } finally {
      await sink.close();
    }
  }, 120_000);
});
