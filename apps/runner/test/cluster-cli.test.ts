/** `siphon run --group`: what is refused before anything connects, and what the broker refuses. */
import { infraConfig, uniqueName } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { runCli, tempFile } from './helpers/runner.js';

function pipelines(
  extra: string,
  { brokers = ['127.0.0.1:1'], prefix = 'cluster-cli' } = {},
): Promise<string> {
  return tempFile(
    'pipelines.yaml',
    `defaults:
  kafka: { brokers: ${JSON.stringify(brokers)}, connection_timeout: 2s }
  registry: { url: ${JSON.stringify(infraConfig().registryUrl)} }
  topics: { prefix: ${prefix}, replication_factor: 1 }
pipelines:
  - name: billing
    source:
      package: billing
      options:
        base_url: http://127.0.0.1:1/billing/v1
        token_url: http://127.0.0.1:1/oauth/v2/token
        client_id: id
        client_secret: secret
        refresh_token: token
        allow_insecure_http: true
${extra}`,
  );
}

const run = (file: string, ...args: string[]) =>
  runCli(['run', '-c', file, '--group', 'g1', '--http-port', '0', '--no-progress', ...args]);

describe('siphon run --group: usage errors', () => {
  it('refuses --once: a group shares scheduled work', async () => {
    const result = await run(await pipelines('    schedule: { every: 1h }\n'), '--once');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'siphon: --group shares scheduled pipelines between long-running replicas',
    );
  });

  it('refuses a pipeline without a schedule, naming it', async () => {
    const result = await run(await pipelines(''));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'siphon: pipeline billing has no schedule: with --group every selected pipeline needs one',
    );
  });

  it('refuses a state store other replicas cannot read', async () => {
    const result = await run(
      await pipelines('    schedule: { every: 1h }\n    state: { store: file, path: state.json }\n'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'siphon: pipeline billing: --group needs state: { store: kafka } (the default)',
    );
  });

  it('refuses weights for resources the pipeline does not have', async () => {
    const result = await run(await pipelines('    schedule: { every: 1h }\n    weights: { invoicez: 3 }\n'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('siphon: pipeline billing: weights: no resource named invoicez');
  });

  it('refuses a session timeout that is not a duration', async () => {
    const result = await run(await pipelines('    schedule: { every: 1h }\n'), '--session-timeout', 'soon');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--session-timeout <duration>' argument 'soon' is invalid");
  });

  it('exits 1 with the broker’s reason when it refuses the session timeout', async () => {
    const file = await pipelines('    schedule: { every: 1h }\n    resources: [plans]\n', {
      brokers: infraConfig().brokers,
      prefix: uniqueName('cluster-cli'),
    });
    const result = await run(file, '--session-timeout', '2s');
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    expect(result.stderr).toMatch(
      /siphon: consumer group g1 failed: The session timeout is not within the range allowed by the broker/,
    );
  }, 60_000);
});
