import { randomBytes } from 'node:crypto';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runCli, runOnceArgs, tempFile } from './helpers/runner.js';

/**
 * Issue 14, item 6: every process start used to fetch a new access token; with Zoho's limit (10
 * per refresh token per 10 minutes, the sandbox's default) a crash-looping pod locked itself out
 * after 10 starts. A still-valid access token is now kept encrypted in the state store and reused.
 */
describe('OAuth access tokens across restarts', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 5 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('survive 12 restarts in a row within the token limit, with one token request', async () => {
    const prefix = uniqueName('token-reuse');
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({ prefix, sandbox, billingResources: ['taxes'], analyticsResources: ['plans'] }),
    );
    const args = runOnceArgs(file, '--pipeline', 'billing');
    const env = { ...sandboxEnv(sandbox), SIPHON_STATE_KEY: randomBytes(32).toString('base64') };
    sandbox.resetStats();
    const codes: Array<number | null> = [];
    for (let start = 1; start <= 12; start++) {
      const run = await runCli(args, env);
      codes.push(run.code);
      expect(run.code, `start ${start}: ${run.stderr.slice(-1500)}`).toBe(0);
    }
    expect(codes).toEqual(Array(12).fill(0));
    expect(sandbox.stats().tokensIssued).toBe(1);

    // The kept token is encrypted: `state` shows none of it.
    const state = await runCli(['state', '-c', file, '--pipeline', 'billing', '--json'], env);
    expect(state.stdout).not.toMatch(/1000\.[0-9a-f]{32}/);
  }, 300_000);
});
