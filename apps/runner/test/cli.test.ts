import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { createKafkaPort, resolveConnection } from '@siphon/sink-kafka';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runCli, tempFile } from './helpers/runner.js';

const commands = ['run', 'check', 'schema', 'state', 'topics'];

async function existingTopics(prefix: string): Promise<string[]> {
  const port = createKafkaPort({
    kafka: resolveConnection({ brokers: infraConfig().brokers, client_id: 'cli-test' }),
    producer: { retries: 3 },
  });
  try {
    return (await (await port.admin()).listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort();
  } finally {
    await port.close();
  }
}

describe('siphon CLI', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 30 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it.each(commands)('%s --help describes the command and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: siphon ${command} [options]`);
    expect(result.stdout).toContain('-c, --config <file>');
  });

  it('rejects an unknown command and a missing --config with exit code 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const missing = await runCli(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-c, --config <file>' not specified");
  });

  it.each(commands)('%s: a missing pipelines file is one line and exit code 2', async (command) => {
    const result = await runCli([command, '-c', '/nonexistent/pipelines.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'siphon: cannot read pipelines file /nonexistent/pipelines.yaml: no such file\n',
    );
  });

  it('bad YAML names the file and line', async () => {
    const file = await tempFile('bad.yaml', 'pipelines:\n  - name: a\n    source: { package: billing\n');
    const result = await runCli(['check', '-c', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^siphon: invalid pipelines file\\n${file}:4:1: invalid YAML: `),
    );
  });

  it('an unknown source package is named with the valid ones', async () => {
    const text = pipelinesYaml({ prefix: 'x', sandbox }).replace('package: billing', 'package: stripe');
    const file = await tempFile('p.yaml', text);
    const result = await runCli(['schema', '-c', file], sandboxEnv(sandbox));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}:8:16: pipelines[0].source.package: unknown source package "stripe": expected one of billing, analytics`,
    );
  });

  it('an unknown --pipeline is a usage error', async () => {
    const file = await tempFile('p.yaml', pipelinesYaml({ prefix: 'x', sandbox }));
    const result = await runCli(['state', '-c', file, '--pipeline', 'nope'], sandboxEnv(sandbox));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^siphon: --pipeline: no pipeline named nope in .* \(it has billing, analytics\)\n$/,
    );
  });

  it('an unknown --resources name is a usage error that lists the known ones', async () => {
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({ prefix: 'x', sandbox, billingResources: ['taxes'], analyticsResources: ['fees'] }),
    );
    const result = await runCli(
      ['run', '--once', '-c', file, '-r', 'invoicez', '--http-port', '0'],
      sandboxEnv(sandbox),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^siphon: --resources: no selected pipeline has invoicez \(they have .*invoices.*\)\n$/,
    );
  });

  it('check passes against the sandbox, Kafka and the registry, one verdict per line', async () => {
    const file = await tempFile('p.yaml', pipelinesYaml({ prefix: uniqueName('check'), sandbox }));
    const result = await runCli(['check', '-c', file], sandboxEnv(sandbox));
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual([
      'ok',
      'ok',
      'note',
      'ok',
      'note',
      'ok',
      'ok',
      'all',
    ]);
    expect(lines.find((l) => l.includes('api billing'))).toMatch(
      /first page of products .* returned 30 record\(s\)/,
    );
    // What the seeds leave to Siphon is said once here, not at every run.
    expect(lines.filter((l) => l.startsWith('note'))).toEqual([
      'note  api billing: paginator "page_number": base_page not set, starting at page 1 (the default when "limit" is set) (resources products, plans, addons, coupons, customers, quotes, invoices, expenses, subscriptions, taxes, transactions, recurring_expenses)',
      'note  api analytics: paginator "cursor": limit_param not set, sending the page size as "per_page" (resources metrics, plans, coupons, add_ons, invoices, customers, subscriptions, wallets, customer_usage, fees, customer_usage_past)',
    ]);
    expect(lines.at(-1)).toBe('all checks passed');
  });

  it('check and run fail with exit code 1 and a one-line reason when the broker is unreachable', async () => {
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({ prefix: uniqueName('down'), sandbox, brokers: ['127.0.0.1:1'] }),
    );
    const check = await runCli(['check', '-c', file, '--timeout', '5s'], sandboxEnv(sandbox));
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /^FAIL {2}kafka 127\.0\.0\.1:1: Kafka at 127\.0\.0\.1:1 not reachable: .*ECONNREFUSED.*$/m,
    );
    expect(check.stdout).toMatch(/^ok {4}api billing: /m);
    expect(check.stdout.trim().split('\n').at(-1)).toBe('1 check(s) failed');

    const run = await runCli(
      ['run', '--once', '-c', file, '--http-port', '0', '--log-level', 'silent'],
      sandboxEnv(sandbox),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^siphon: Kafka at 127\.0\.0\.1:1 not reachable: .*\n$/);
  });

  it('check reports an API that refuses the credentials', async () => {
    const file = await tempFile('p.yaml', pipelinesYaml({ prefix: uniqueName('auth'), sandbox }));
    const result = await runCli(['check', '-c', file], {
      ...sandboxEnv(sandbox),
      TEST_ANALYTICS_API_KEY: 'wrong-key-123',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}api analytics: .*401/m);
    expect(result.stdout + result.stderr).not.toContain('wrong-key-123');
  });

  it('schema prints topics and Avro key/value schemas and writes nothing', async () => {
    const prefix = uniqueName('schema');
    const file = await tempFile('p.yaml', pipelinesYaml({ prefix, sandbox }));
    const result = await runCli(['schema', '-c', file, '--json'], sandboxEnv(sandbox));
    expect(result.code, result.stderr).toBe(0);
    interface SchemaRow {
      topic: string;
      key: { subject: string; source: string; schema: { type: string; fields: Array<{ name: string }> } };
      value: { schema: { type: string }; source: string };
    }
    const rows = JSON.parse(result.stdout) as SchemaRow[];
    expect(rows).toHaveLength(23);
    const invoices = rows.find((r) => r.topic === `${prefix}.billing.invoices`);
    expect(invoices).toMatchObject({
      pipeline: 'billing',
      write_disposition: 'merge',
      cleanup_policy: 'compact',
    });
    expect(invoices?.key.subject).toBe(`${prefix}.billing.invoices-key`);
    expect(invoices?.key.schema.type).toBe('record');
    expect(invoices?.key.schema.fields.map((f) => f.name)).toEqual(['id']);
    expect(invoices?.value.schema.type).toBe('record');
    expect(invoices?.value.source).toBe('declared');
    expect(invoices?.key.source).toBe('declared');
    const text = await runCli(
      ['schema', '-c', file, '--pipeline', 'analytics', '-r', 'fees'],
      sandboxEnv(sandbox),
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `# ${prefix}.analytics.fees  (pipeline analytics, resource fees, merge, cleanup.policy=compact)`,
    );
    expect(await existingTopics(prefix)).toEqual([]);
  });

  it('schema says when key types wait for the first write; --sample infers them from the first page', async () => {
    const prefix = uniqueName('schema');
    const file = await tempFile('p.yaml', pipelinesYaml({ prefix, sandbox }));
    const args = ['schema', '-c', file, '--pipeline', 'analytics', '-r', 'fees'];
    const plain = await runCli(args, sandboxEnv(sandbox));
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(
      [
        `# ${prefix}.analytics.fees  (pipeline analytics, resource fees, merge, cleanup.policy=compact)`,
        'schemas: decided at the first write: inferred from the first records (--sample infers it now from the first page)',
        `key   ${prefix}.analytics.fees-key`,
        'fields id; their types are decided at the first write',
        `value ${prefix}.analytics.fees-value`,
        'decided at the first write (inferred from the first records)',
        '',
        '',
      ].join('\n'),
    );
    const sampled = await runCli([...args, '--sample', '--json', '--log-level', 'warn'], sandboxEnv(sandbox));
    expect(sampled.code, sampled.stderr).toBe(0);
    const [row] = JSON.parse(sampled.stdout) as Array<{
      sampled_from: string;
      key: { source: string; schema: { fields: Array<{ name: string; type: unknown }> } };
      value: { source: string; schema: { fields: Array<{ name: string; type: unknown }> } };
    }>;
    expect(row?.sampled_from).toBe(`${sandbox.analyticsUrl}/v1/fees`);
    expect(row?.value.source).toBe('inferred');
    expect(row?.key.source).toBe('inferred');
    // The key field takes the type inference gave the value's field, not a guess.
    const valueId = row?.value.schema.fields.find((f) => f.name === 'id')?.type;
    expect(row?.key.schema.fields).toEqual([
      { name: 'id', type: Array.isArray(valueId) ? valueId.find((t) => t !== 'null') : valueId },
    ]);
  });

  it('topics plans, then --apply creates, the topics with their configs', async () => {
    const prefix = uniqueName('topics');
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({ prefix, sandbox, billingResources: ['invoices'], analyticsResources: ['fees'] }),
    );
    const plan = await runCli(['topics', '-c', file, '--json'], sandboxEnv(sandbox));
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as Array<{
      topic: string;
      action: string;
      configs: Record<string, string>;
      partitions: number;
    }>;
    expect(planned.map((t) => [t.topic, t.action]).sort()).toEqual(
      [
        [`${prefix}._dlq`, 'would-create'],
        [`${prefix}._state`, 'would-create'],
        [`${prefix}.analytics.fees`, 'would-create'],
        [`${prefix}.billing.invoices`, 'would-create'],
      ].sort(),
    );
    expect(planned.find((t) => t.topic === `${prefix}.billing.invoices`)).toMatchObject({
      partitions: 2,
      configs: { 'cleanup.policy': 'compact' },
    });
    expect(await existingTopics(prefix)).toEqual([]);

    const apply = await runCli(['topics', '-c', file, '--apply'], sandboxEnv(sandbox));
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(
      new RegExp(
        `^${prefix.replace(/[.-]/g, '\\$&')}\\.billing\\.invoices +created +2 +1 +cleanup\\.policy=compact$`,
        'm',
      ),
    );
    expect(await existingTopics(prefix)).toEqual([
      `${prefix}._dlq`,
      `${prefix}._state`,
      `${prefix}.analytics.fees`,
      `${prefix}.billing.invoices`,
    ]);
    const again = await runCli(['topics', '-c', file, '--json'], sandboxEnv(sandbox));
    expect((JSON.parse(again.stdout) as Array<{ action: string }>).every((t) => t.action === 'exists')).toBe(
      true,
    );
  });

  it('state shows what a run stored and --reset deletes it; secrets never reach the logs', async () => {
    const prefix = uniqueName('state');
    const file = await tempFile(
      'p.yaml',
      pipelinesYaml({
        prefix,
        sandbox,
        billingResources: ['products', 'taxes'],
        analyticsResources: ['wallets'],
      }),
    );
    const env = sandboxEnv(sandbox);
    const run = await runCli(['run', '--once', '-c', file, '--http-port', '0', '--log-level', 'trace'], env);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    for (const secret of Object.values(env)) expect(run.stderr).not.toContain(secret);
    expect(run.stderr).not.toMatch(/Bearer [A-Za-z0-9]/);

    const shown = await runCli(['state', '-c', file, '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const entries = JSON.parse(shown.stdout) as Array<{
      pipeline: string;
      resource: string;
      state: { last_run?: { records: number } };
    }>;
    expect(entries.map((e) => `${e.pipeline}/${e.resource}`).sort()).toEqual([
      'analytics/wallets',
      'billing/products',
      'billing/taxes',
    ]);
    expect(entries.find((e) => e.resource === 'products')?.state.last_run?.records).toBe(30);

    const reset = await runCli(['state', '-c', file, '--reset', 'products'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe('reset billing/billing/products\n');
    const after = await runCli(['state', '-c', file], env);
    expect(after.stdout).not.toContain('billing/billing/products');
    expect(after.stdout).toContain('billing/billing/taxes: last run ');

    const unknown = await runCli(['state', '-c', file, '--reset', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'siphon: --reset: no stored state for nope (state exists for taxes, wallets)\n',
    );
  });
});
