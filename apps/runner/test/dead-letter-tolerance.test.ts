import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runCli, runOnceArgs, tempFile } from './helpers/runner.js';

/**
 * Issue 14, item 6: a run whose records all went to the dead-letter topic used to exit 0. Like
 * Kafka Connect's errors.tolerance, any dead letter now fails the run by default (records still
 * written there); `errors: { tolerance: all }` or a number of records relaxes it.
 */
describe('dead-letter tolerance', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 120 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('fails the run when records go to the dead-letter topic, unless tolerated', async () => {
    const spec = (prefix: string, extraDefaults = '') =>
      pipelinesYaml({
        prefix,
        sandbox,
        billingResources: ['taxes'],
        analyticsResources: ['metrics'],
        // A primary key no record has: every record is a dead letter.
        analyticsOverrides: { resources: { metrics: { primary_key: 'no_such_field' } } },
        extraDefaults,
      });
    const args = (file: string) => runOnceArgs(file, '--pipeline', 'analytics');
    const env = sandboxEnv(sandbox);
    let metrics = 0;
    for await (const _ of sandbox.groundTruth('analytics', 'metrics')) metrics++;
    expect(metrics).toBeGreaterThan(0);

    const prefix = uniqueName('dlq');
    const strict = await runCli(args(await tempFile('p.yaml', spec(prefix))), env);
    expect(strict.code).toBe(1);
    const finalLine = strict.stderr.trim().split('\n').at(-1) ?? '';
    expect(finalLine).toContain(`${metrics} records went to the dead-letter topic ${prefix}._dlq`);
    expect(finalLine).toContain('errors.tolerance allows (none)');
    // The records are written to the dead-letter topic all the same.
    expect(await countRaw(`${prefix}._dlq`)).toBe(metrics);

    const tolerant = await runCli(
      args(await tempFile('p.yaml', spec(uniqueName('dlq'), '  errors: { tolerance: all }\n'))),
      env,
    );
    expect(tolerant.code, tolerant.stderr.slice(-1500)).toBe(0);

    const bounded = await runCli(
      args(await tempFile('p.yaml', spec(uniqueName('dlq'), `  errors: { tolerance: ${metrics - 1} }\n`))),
      env,
    );
    expect(bounded.code).toBe(1);
  }, 240_000);
});

async function countRaw(topic: string): Promise<number> {
  const { readTopicOnce, resolveConnection, resolveRegistry } = await import('@siphon/sink-kafka');
  let n = 0;
  await readTopicOnce(
    {
      kafka: resolveConnection({ brokers: infraConfig().brokers, client_id: 'siphon-test' }),
      registry: resolveRegistry({ url: infraConfig().registryUrl }),
    },
    [topic],
    () => {
      n++;
    },
    { decode: false },
  );
  return n;
}
