import { chmod, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSourceYaml, defaultsYaml, freePort } from './helpers/pipelines.js';
import { analyticsSeed, runCli, runOnceArgs, spawnCli, tempFile } from './helpers/runner.js';

/**
 * Issue 14, item 4: a canary secret planted in every input channel never reaches any output
 * channel. Inputs: the pipelines file (a literal API key), the environment (refresh token, and a
 * secret-named variable used in the wrong field), a secret file (client secret), the token
 * endpoint's answers (access tokens), API error bodies that echo the request headers, and URLs
 * with `user:password@`. Outputs: stdout and stderr of `run`, `check` and `state` (logs, command
 * output, the final `siphon: …` line) and the /readyz JSON.
 */
const CANARY = {
  apiKey: 'canary-apikey-7f3a9c21e4',
  clientSecret: 'canary-clientsecret-5b8e1d0f',
  refreshToken: 'canary-refresh-2c4f6a9b',
  registryPassword: 'canary-regpass-9d1e4b7c',
  wrongField: 'canary-wrongfield-3a7b5e',
};
/** How the sandbox's token endpoint writes access tokens: the canary of the token-response channel. */
const ACCESS_TOKEN = /1000\.[0-9a-f]{32}\.[0-9a-f]{32}/;

function leaks(text: string): string[] {
  const found: string[] = Object.entries(CANARY)
    .filter(([, value]) => text.includes(value) || text.includes(encodeURIComponent(value)))
    .map(([name]) => name);
  if (ACCESS_TOKEN.test(text)) found.push('accessToken');
  return found;
}

function nonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  throw new Error('this test needs a non-loopback IPv4 address to call /readyz from');
}

describe('secrets planted in every input never reach an output', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      size: 20,
      credentials: {
        apiKey: CANARY.apiKey,
        clientSecret: CANARY.clientSecret,
        refreshToken: CANARY.refreshToken,
      },
      // Both APIs answer 400 with the request echoed back: its Authorization / X-Api-Key headers.
      faults: [
        { api: 'analytics', kind: 'echo_request', status: 400 },
        { api: 'billing', kind: 'echo_request', status: 400 },
      ],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('masks them in logs, errors, check, state and /readyz', async () => {
    const infra = infraConfig();
    const dir = path.dirname(await tempFile('placeholder', ''));
    const secretFile = path.join(dir, 'client-secret');
    await writeFile(secretFile, `${CANARY.clientSecret}\n`);
    await chmod(secretFile, 0o600);
    const prefix = uniqueName('canary');
    const registryWithPassword = infra.registryUrl.replace('://', `://siphon:${CANARY.registryPassword}@`);
    const credentials = {
      clientId: JSON.stringify(sandbox.credentials.clientId),
      clientSecret: `\${file:${secretFile}}`,
      refreshToken: `\${CANARY_REFRESH_TOKEN}`,
    };
    // The runner's default Kafka client (no `client:` written).
    const defaults = (registryUrl: string) =>
      defaultsYaml({ prefix, partitions: 1, registryUrl, client: null });
    const pipelines = (registryUrl: string, schedule = '') => `${defaults(registryUrl)}${schedule}pipelines:
  - name: billing
${billingSourceYaml(sandbox, credentials)}    resources: [invoices]
  - name: analytics
    source:
      rest_api_file: ${JSON.stringify(analyticsSeed)}
      overrides: { client: { base_url: ${JSON.stringify(sandbox.analyticsUrl)} } }
    secrets: { api_key: ${JSON.stringify(CANARY.apiKey)} }
    resources: [metrics]
`;
    const env = { CANARY_REFRESH_TOKEN: CANARY.refreshToken, CANARY_TOKEN: CANARY.wrongField };
    const outputs: Array<[string, string]> = [];

    // `run --once`: both pipelines fail on the echoing APIs; logs and the final line on stderr.
    const once = await tempFile('pipelines.yaml', pipelines(infra.registryUrl));
    const ran = await runCli(runOnceArgs(once, '--log-level', 'debug'), env);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('siphon: run failed');
    // The echoed headers did reach the error texts (masked): the channel was exercised.
    const finalLine = ran.stderr.split('\n').find((l) => l.startsWith('siphon: run failed')) ?? '';
    expect(finalLine.match(/"authorization":"\[redacted\]"/g)).toHaveLength(2);
    outputs.push(['run stdout', ran.stdout], ['run stderr', ran.stderr]);

    // A scheduled run keeps serving /readyz after its failed runs.
    const port = await freePort();
    const scheduled = await tempFile(
      'pipelines.yaml',
      pipelines(infra.registryUrl, '  schedule: { every: 1h }\n'),
    );
    const serving = spawnCli(
      ['run', '-c', scheduled, '--http-port', String(port), '--log-level', 'debug'],
      env,
    );
    try {
      for (const name of ['billing', 'analytics']) {
        await serving.waitForLog((l) => l.msg === 'run failed' && l.pipeline === name, 120_000);
      }
      const local = await fetch(`http://127.0.0.1:${port}/readyz`);
      const localBody = await local.text();
      expect(local.status).toBe(503);
      expect(localBody).toContain('last run failed');
      outputs.push(['/readyz from loopback', localBody]);
      const remote = await fetch(`http://${nonLoopbackAddress()}:${port}/readyz`);
      const remoteBody = await remote.text();
      expect(remote.status).toBe(503);
      // Status only for callers from elsewhere: no error text at all.
      expect(remoteBody).not.toContain('detail');
      expect(JSON.parse(remoteBody).ready).toBe(false);
      outputs.push(['/readyz from another host', remoteBody]);
    } finally {
      serving.child.kill('SIGTERM');
      await serving.exited;
    }
    outputs.push(['scheduled run stderr', serving.stderr()], ['scheduled run stdout', serving.stdout()]);

    // `check` against a registry URL holding a password.
    const withPassword = await tempFile('pipelines.yaml', pipelines(registryWithPassword));
    const checked = await runCli(['check', '-c', withPassword, '--timeout', '10s'], env);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('registry');
    outputs.push(['check stdout', checked.stdout], ['check stderr', checked.stderr]);

    // `state --json`.
    const state = await runCli(['state', '-c', once, '--json'], env);
    outputs.push(['state stdout', state.stdout], ['state stderr', state.stderr]);

    // A secret-named environment value used in the wrong field: the config error must not echo it.
    const wrong = await tempFile(
      'pipelines.yaml',
      pipelines(infra.registryUrl, `  schedule: { every: "\${CANARY_TOKEN}" }\n`),
    );
    const invalid = await runCli(['run', '--once', '-c', wrong], env);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('every');
    outputs.push(['config error stderr', invalid.stderr]);

    const leaked = outputs.flatMap(([channel, text]) =>
      leaks(text).map((secret) => `${secret} in ${channel}`),
    );
    expect(leaked).toEqual([]);
  }, 300_000);
});
