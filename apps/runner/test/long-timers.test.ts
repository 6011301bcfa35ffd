import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { spawnCli, tempFile } from './helpers/runner.js';

/** Issue 14, item 3: `--shutdown-timeout 25d` used to force exit 1 on the first SIGTERM (a 1 ms timer). */
describe('durations longer than a timer can hold', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 5 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('a 25-day shutdown timeout and a monthly schedule: one run, then a clean stop on SIGTERM', async () => {
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({
        prefix: uniqueName('long-timers'),
        sandbox,
        billingResources: ['taxes'],
        analyticsResources: ['plans'],
        schedule: '{ cron: "0 0 1 * *", timezone: UTC }',
      }),
    );
    const runner = spawnCli(
      ['run', '-c', file, '--http-port', '0', '--shutdown-timeout', '25d', '--pipeline', 'billing'],
      sandboxEnv(sandbox),
    );
    await runner.waitForLog((l) => l.msg === 'next run scheduled', 120_000);
    runner.child.kill('SIGTERM');
    const exit = await runner.exited;
    expect(exit.code, runner.stderr().slice(-1500)).toBe(0);
    // One run only: the monthly schedule did not fire again at once.
    expect(runner.logs().filter((l) => l.msg === 'run started')).toHaveLength(1);
    expect(runner.stderr()).not.toContain('TimeoutOverflowWarning');
  }, 180_000);
});
