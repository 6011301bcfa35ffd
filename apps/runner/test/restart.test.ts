import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { infraConfig } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactedView, decodeTopics } from './helpers/kafka.js';
import { groundTruth, LONG_AND_SHORT, pipelinesFile, sandboxEnv } from './helpers/pipelines.js';
import { runOnceArgs, spawnCli } from './helpers/runner.js';

describe('restarts: SIGTERM mid-run, then SIGKILL mid-run, then a full restart', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      size: 300,
      sizes: { billing: { invoices: 1000 }, analytics: { fees: 1000 } },
      latencyMs: 120,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('leaves compacted views equal to the API and no duplicate in the read_committed log of an append resource', async () => {
    const { prefix, file } = await pipelinesFile('restart', {
      sandbox,
      ...LONG_AND_SHORT,
      analyticsOverrides: { resources: { fees: { write_disposition: 'append' } } },
      // Commit every page, so that a kill always lands between committed pages.
      extraDefaults: '  sink: { transaction: { pages: 1 } }\n',
    });
    const args = runOnceArgs(file, '--log-level', 'debug', '--shutdown-timeout', '20s');
    const env = sandboxEnv(sandbox);
    const feesPage = (min: number) => (l: Record<string, unknown>) =>
      l.msg === 'page' && l.resource === 'fees' && Number(l.page) >= min;

    // 1. SIGTERM while fees is being read: the open transaction is dealt with and the exit is 0.
    const first = spawnCli(args, env);
    await first.waitForLog(feesPage(3), 120_000);
    const termAt = Date.now();
    first.child.kill('SIGTERM');
    const firstExit = await first.exited;
    expect(firstExit.code, first.stderr().slice(-2000)).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(20_000);
    expect(first.logs().some((l) => l.msg === 'run stopped by shutdown')).toBe(true);

    // 2. The next run resumes fees after its last committed page; SIGKILL it mid-way.
    const second = spawnCli(args, env);
    const resumed = await second.waitForLog(
      (l) => l.msg === 'resource started' && l.resource === 'fees',
      120_000,
    );
    expect(resumed.resumed).toBe(true);
    await second.waitForLog((l) => l.msg === 'page' && l.resource === 'fees', 60_000);
    second.child.kill('SIGKILL');
    expect((await second.exited).signal).toBe('SIGKILL');

    // 3. A full restart completes everything.
    const third = spawnCli(args, env);
    const thirdExit = await third.exited;
    expect(thirdExit.code, third.stderr().slice(-2000)).toBe(0);

    const resources = [
      { api: 'billing' as const, resource: 'invoices' },
      { api: 'billing' as const, resource: 'customers' },
      { api: 'analytics' as const, resource: 'fees' },
      { api: 'analytics' as const, resource: 'metrics' },
    ];
    const topics = resources.map((r) => `${prefix}.${r.api}.${r.resource}`);
    const decoded = await decodeTopics(infraConfig().brokers, infraConfig().registryUrl, topics);
    for (const [i, { api, resource }] of resources.entries()) {
      const topic = topics[i] as string;
      const truth = (await groundTruth(sandbox, api, resource)).map((r) => r.id).sort();
      const messages = decoded.get(topic) ?? [];
      expect([...compactedView(messages).values()].map((v) => v.id).sort(), topic).toEqual(truth);
      if (resource === 'fees') {
        // Append: every record exactly once in the committed log, despite two interruptions.
        const ids = messages.map((m) => m.value?.id);
        expect(ids.length, 'messages in the fees log').toBe(truth.length);
        expect(new Set(ids).size).toBe(truth.length);
      }
    }
  }, 300_000);
});
