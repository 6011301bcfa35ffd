import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactedView, decodeTopics } from './helpers/kafka.js';
import { groundTruth, pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runCli, runOnceArgs, spawnCli, tempFile } from './helpers/runner.js';

/**
 * Issue 14, item 1: deletes in pages already read shift later records back into those pages, so a
 * resumed run never sees them. It must not tombstone them (a downstream consumer would delete
 * live customers); deleting is left to the next run that reads every page in one pass.
 */
describe('snapshot deletes after a resumed run', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 20, sizes: { billing: { invoices: 4000 } }, latencyMs: 60 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('never tombstones a live record; the next complete run deletes exactly what is gone', async () => {
    const prefix = uniqueName('resume-deletes');
    const file = await tempFile(
      'pipelines.yaml',
      pipelinesYaml({
        prefix,
        sandbox,
        billingResources: ['invoices'],
        analyticsResources: ['metrics'],
        // Commit every page, so that the stop lands between committed pages.
        extraDefaults: '  sink: { transaction: { pages: 1 } }\n',
      }),
    );
    const args = runOnceArgs(file, '--log-level', 'debug');
    const env = sandboxEnv(sandbox);
    const topic = `${prefix}.billing.invoices`;
    const view = async () => {
      const decoded = await decodeTopics(infraConfig().brokers, infraConfig().registryUrl, [topic]);
      return new Set([...compactedView(decoded.get(topic) ?? []).values()].map((v) => String(v.id)));
    };
    const liveIds = async () => (await groundTruth(sandbox, 'billing', 'invoices')).map((r) => String(r.id));
    const lastRunRecords = async (): Promise<number | undefined> => {
      const shown = await runCli(['state', '-c', file, '--json'], env);
      expect(shown.code, shown.stderr).toBe(0);
      const entries = JSON.parse(shown.stdout) as Array<{
        resource: string;
        state: { last_run?: { records: number } };
      }>;
      return entries.find((e) => e.resource === 'invoices')?.state.last_run?.records;
    };

    // 1. A complete first sync.
    const first = await runCli(args, env);
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    expect((await view()).size).toBe(4000);

    // 2. A run stopped after a few pages: its committed checkpoint is where the next one resumes.
    const stopped = spawnCli(args, env);
    await stopped.waitForLog(
      (l) => l.msg === 'page' && l.resource === 'invoices' && Number(l.page) >= 5,
      120_000,
    );
    stopped.child.kill('SIGTERM');
    expect((await stopped.exited).code, stopped.stderr().slice(-2000)).toBe(0);

    // 3. 10% of the invoices are deleted at the source, many of them in pages already read.
    const { deleted } = await sandbox.mutate('billing', 'invoices', { delete: 400 });
    const live = await liveIds();
    expect(live).toHaveLength(3600);

    // 4. The resumed run completes, but may tombstone nothing: no live invoice is deleted downstream.
    const resumed = spawnCli(args, env);
    const started = await resumed.waitForLog(
      (l) => l.msg === 'resource started' && l.resource === 'invoices',
    );
    expect(started.resumed).toBe(true);
    expect((await resumed.exited).code, resumed.stderr().slice(-2000)).toBe(0);
    const afterResume = await view();
    const tombstonedLive = live.filter((id) => !afterResume.has(id));
    expect(tombstonedLive).toEqual([]);
    // The run is counted whole: the pages read before the stop plus those read after it.
    expect(await lastRunRecords()).toBe(3600);

    // 5. The next run reads every page in one pass and deletes exactly what the API deleted.
    const complete = await runCli(args, env);
    expect(complete.code, complete.stderr.slice(-2000)).toBe(0);
    const final = await view();
    expect([...final].sort()).toEqual([...live].sort());
    expect(deleted.filter((id) => final.has(String(id)))).toEqual([]);
  }, 300_000);
});
