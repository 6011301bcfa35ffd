import { randomBytes } from 'node:crypto';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runCli, runOnceArgs, tempFile } from './helpers/runner.js';

describe('rotated OAuth refresh tokens', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    // Every token grant returns a new refresh token and revokes the one it was given.
    sandbox = await startSandbox({ size: 20, rotateRefreshToken: true });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('are stored encrypted in the state topic and used after a restart, where the configured token is revoked', async () => {
    const prefix = uniqueName('rotate');
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({ prefix, sandbox, billingResources: ['products'], analyticsResources: ['plans'] }),
    );
    const args = runOnceArgs(file, '--pipeline', 'billing');
    const env = { ...sandboxEnv(sandbox), SIPHON_STATE_KEY: randomBytes(32).toString('base64') };

    const first = await runCli(args, env);
    expect(first.code, first.stderr.slice(-1500)).toBe(0);
    expect(first.stderr).toContain(
      'the OAuth server rotated the refresh token; stored encrypted in the state store',
    );

    // The configured refresh token was revoked by the rotation: only the stored one works now.
    const second = await runCli(args, env);
    expect(second.code, second.stderr.slice(-1500)).toBe(0);

    const state = await runCli(['state', '-c', file, '--pipeline', 'billing', '--json'], env);
    const entries = JSON.parse(state.stdout) as Array<{ resource: string; state: Record<string, unknown> }>;
    const token = entries.find((e) => e.resource === '_oauth2_refresh_token');
    expect(token?.state.refresh_token).toBe('[encrypted]');

    // Without the key the stored token cannot be read: the revoked configured token fails, clearly.
    const third = await runCli(args, { ...env, SIPHON_STATE_KEY: '' });
    expect(third.code).toBe(1);
    expect(third.stderr.trim().split('\n').at(-1)).toMatch(
      /^siphon: run failed: pipeline billing: resource products: .*invalid_code/,
    );
    for (const secret of Object.values(sandboxEnv(sandbox))) expect(third.stderr).not.toContain(secret);
  }, 180_000);
});
