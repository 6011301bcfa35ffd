import { spawn } from 'node:child_process';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Page, ResourceState } from '@siphon/core';
import { infraConfig } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import type { KafkaTransaction as Transaction } from '../../src/index.js';
import { createKafkaSink } from '../../src/index.js';
import { header, page, readCommitted, readUncommitted, resource, testOptions } from './helpers.js';

const registry = new SchemaRegistry({ host: infraConfig().registryUrl });
const fixtures = path.join(import.meta.dirname, 'fixtures');

/** Six pages of ten invoices; page i holds ids (i-1)*10 .. i*10-1. */
function pages(runId: string): Page[] {
  return Array.from({ length: 6 }, (_, p) =>
    page(
      p + 1,
      Array.from({ length: 10 }, (_, i) => ({ id: String(p * 10 + i), total: p * 10 + i })),
      runId,
    ),
  );
}

/** Starts the child runner and resolves once it has sent pages 4-5 without committing them. */
function startChild(config: object): Promise<{ kill: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--experimental-transform-types',
      '--no-warnings',
      '--import',
      path.join(import.meta.dirname, '../../tools/register-ts.mjs'),
      path.join(fixtures, 'eos-child.ts'),
    ],
    { env: { ...process.env, EOS_CHILD_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not get ready in 60 s: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('READY')) return;
      clearTimeout(timer);
      resolve({
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited early with ${code}: ${stderr}`));
    });
  });
}

describe('exactly-once per resource', () => {
  it('hides the transaction of a producer killed before commit, and a restart resumes from the committed state', async () => {
    const options = testOptions();
    const runId = 'run-crash';
    const all = pages(runId);
    const invoices = resource();
    const key = { pipeline: 'eos', source: 'billing', resource: 'invoices' };
    const child = await startChild({
      options: { kafka: options.kafka, registry: options.registry, topics: options.topics },
      pipeline: key.pipeline,
      source: key.source,
      runId,
      resource: invoices,
      pages: all.slice(0, 5),
    });
    const topic = `${options.topics?.prefix}.billing.invoices`;
    // Pages 4-5 reach the broker inside the open transaction; then the producer dies.
    const raw = await readUncommitted(topic, 50);
    await child.kill();
    expect(raw).toHaveLength(50);

    // Only pages 1-3 were committed.
    const committed = await readCommitted(topic);
    expect(committed).toHaveLength(30);
    const committedIds = await Promise.all(
      committed.map(async (m) => ((await registry.decode(m.key as Buffer)) as { id: string }).id),
    );
    expect(committedIds).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));

    // Restart: the new owner fences the dead one and reads the state committed with page 3.
    const sink = createKafkaSink(options);
    try {
      const state = (await sink.stateStore().get(key)) as ResourceState;
      expect(state.checkpoint).toEqual({ run_id: runId, paginator: { page: 4 }, pages: 3 });
      const resumeFrom = (state.checkpoint?.pages ?? 0) + 1;
      const writer = await sink.open(invoices, { pipeline: key.pipeline, source: key.source, runId });
      for (const p of all.slice(resumeFrom - 1)) await writer.write(p);
      const finalState = { last_run: { run_id: runId, completed_at: '2026-01-01T00:00:00Z', records: 60 } };
      await writer.finish({ resource: 'invoices', pages: 6, records: 60, complete: true }, finalState);
      expect(await sink.stateStore().get(key)).toEqual(finalState);
    } finally {
      await sink.close();
    }

    const final = await readCommitted(topic);
    const ids = await Promise.all(
      final.map(async (m) => ((await registry.decode(m.key as Buffer)) as { id: string }).id),
    );
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(ids.sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 60 }, (_, i) => String(i)),
    );
    expect(final.every((m) => header(m.headers, 'siphon.run') === runId)).toBe(true);
  }, 120_000);

  it('a second writer for the same resource fences the first, which then fails with FENCED', async () => {
    const options = testOptions();
    const context = { pipeline: 'fence', source: 'billing', runId: 'r1' };
    const first = createKafkaSink(options);
    const second = createKafkaSink(options);
    try {
      const zombie = await first.open(resource(), context);
      await zombie.write(page(1, [{ id: '1', total: 1 }]));
      const owner = await second.open(resource(), { ...context, runId: 'r2' });
      // Whichever call reaches the broker first (a flushed write or the commit) learns it was fenced.
      const attempt = zombie
        .write(page(2, [{ id: '2', total: 2 }]))
        .then(() => zombie.finish({ resource: 'invoices', pages: 2, records: 2, complete: true }, {}));
      await expect(attempt).rejects.toMatchObject({
        code: 'FENCED',
        message: expect.stringContaining('was fenced by a newer one'),
      });
      await zombie.abort(new Error('fenced'));
      // The zombie must not "recover" by recreating its producer: that would fence the new owner.
      expect(options.seen.filter((e) => e.type === 'producer_recreated')).toEqual([]);
      await owner.write(page(1, [{ id: '3', total: 3 }], 'r2'));
      await owner.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});
    } finally {
      await first.close();
      await second.close();
    }
    const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    expect(await Promise.all(messages.map((m) => registry.decode(m.value as Buffer)))).toEqual([
      { id: '3', total: 3 },
    ]);
  }, 60_000);

  it('an open that fails gives up its producer: fenced meanwhile by another owner, the next open still writes', async () => {
    const options = testOptions();
    const key = { pipeline: 'reopen', source: 'billing', resource: 'invoices' };
    const context = { pipeline: key.pipeline, source: key.source, runId: 'r1' };
    const replace = resource({ writeDisposition: 'replace' });
    const sink = createKafkaSink(options);
    const other = createKafkaSink(options);
    try {
      // The fencing state read creates the resource's producer.
      expect(await sink.stateStore().get(key)).toBeUndefined();
      const store = sink.stateStore();
      const current = store.current.bind(store);
      store.current = async () => {
        throw new Error('injected: reading the checkpoint failed');
      };
      await expect(sink.open(replace, context)).rejects.toThrow('injected: reading the checkpoint failed');
      store.current = current;
      // Another owner of the transactional id (a replica given the unit) fences that producer.
      await other.stateStore().get(key);
      const writer = await sink.open(replace, { ...context, runId: 'r2' });
      await writer.write(page(1, [{ id: '1', total: 1 }], 'r2'));
      await writer.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});
    } finally {
      await sink.close();
      await other.close();
    }
    const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
    expect(await Promise.all(messages.map((m) => registry.decode(m.value as Buffer)))).toEqual([
      { id: '1', total: 1 },
    ]);
  }, 60_000);

  // The broker cannot be made to fail EndTxn on demand, so these two inject the failure into the
  // real kafkajs transaction: once before the commit reaches the broker, once after it landed
  // (the answer lost on the way back). Everything else runs against the real broker.
  it.each([
    ['before the commit reached the broker', 'before'],
    ['after the commit landed (the answer was lost)', 'after'],
  ] as const)(
    'recovers when EndTxn fails %s: records and state exactly once',
    async (_label, when) => {
      const options = testOptions();
      const sink = createKafkaSink(options);
      const key = { pipeline: 'recover', source: 'billing', resource: 'invoices' };
      try {
        const writer = await sink.open(resource(), {
          pipeline: key.pipeline,
          source: key.source,
          runId: 'r1',
        });
        const unit = (writer as unknown as { deps: { unit: { begin(): Promise<Transaction> } } }).deps.unit;
        const begin = unit.begin.bind(unit);
        let injected = false;
        unit.begin = async () => {
          const txn = await begin();
          if (injected) return txn;
          injected = true;
          const commit = txn.commit.bind(txn);
          txn.commit = async () => {
            if (when === 'after') await commit();
            throw new Error('injected: connection lost during EndTxn');
          };
          return txn;
        };
        await writer.write(page(1, [{ id: '1', total: 1 }]));
        await writer.write(page(2, [{ id: '2', total: 2 }]));
        const finalState = { last_run: { run_id: 'r1', completed_at: 'now', records: 2 } };
        await writer.finish({ resource: 'invoices', pages: 2, records: 2, complete: true }, finalState);
        expect(options.seen.filter((e) => e.type === 'producer_recreated')).toHaveLength(1);
        expect(await sink.stateStore().get(key)).toEqual(finalState);
      } finally {
        await sink.close();
      }
      const messages = await readCommitted(`${options.topics?.prefix}.billing.invoices`);
      expect(await Promise.all(messages.map((m) => registry.decode(m.value as Buffer)))).toEqual([
        { id: '1', total: 1 },
        { id: '2', total: 2 },
      ]);
      const states = await readCommitted(`${options.topics?.prefix}._state`);
      expect(states).toHaveLength(1);
    },
    60_000,
  );
});
