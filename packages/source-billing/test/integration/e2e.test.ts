/**
 * End to end: the billing source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { createKafkaPort, createKafkaSink, readTopicOnce, resolveConnection } from '@siphon/sink-kafka';
import {
  type CompactedView,
  groundTruthByKey,
  infraConfig,
  latestValueSchema,
  runAndReadBack,
  TopicReader,
  uniqueName,
} from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BILLING_RESOURCE_NAMES,
  type BillingResourceName,
  type BillingSourceOptions,
  billingAuthFactories,
  billingResources,
  billingSchemaFor,
  billingSource,
} from '../../src/index.js';

const ORGANIZATION = '10234695';
const { brokers, registryUrl } = infraConfig();

interface Run {
  prefix: string;
  views: Map<BillingResourceName, CompactedView>;
}

async function expectConverged(
  sb: Sandbox,
  run: Run,
  keyOf: (name: BillingResourceName) => string,
): Promise<void> {
  for (const name of run.views.keys()) {
    const expected = await groundTruthByKey(sb, 'billing', name, keyOf(name));
    const view = run.views.get(name) as CompactedView;
    expect([...view.values.keys()].sort(), `${name}: keys`).toEqual([...expected.keys()].sort());
    for (const [key, record] of expected) {
      expect(view.values.get(key), `${name} ${key}`).toEqual(record);
    }
  }
}

function keyField(preset: BillingSourceOptions['preset'], name: BillingResourceName): string {
  return preset === 'real_api'
    ? (billingResources.find((r) => r.name === name)?.realIdField as string)
    : 'id';
}

describe('billing source → Kafka, end to end', () => {
  let sb: Sandbox;
  // The sink's port lists the topics and reads their bytes; the view decodes them on its own.
  const port = createKafkaPort({ kafka: resolveConnection({ brokers }), producer: { retries: 5 } });
  const reader = new TopicReader(
    {
      listTopics: async () => (await port.admin()).listTopics(),
      readCommitted: (topic, onMessage) =>
        readTopicOnce({ kafka: resolveConnection({ brokers }) }, topic, onMessage, { decode: false }),
    },
    registryUrl,
  );

  beforeAll(async () => {
    sb = await startSandbox({
      seed: 11,
      size: 120,
      sizes: { billing: { invoices: 260 } },
      organizationId: ORGANIZATION,
    });
  });

  afterAll(async () => {
    await sb?.close();
    await port.close();
  });

  async function run(prefix: string, options: Partial<BillingSourceOptions> = {}): Promise<Run> {
    const names = options.resources ?? [...BILLING_RESOURCE_NAMES];
    const config = billingSource({
      baseUrl: sb.billingUrl,
      tokenUrl: sb.tokenUrl,
      allowInsecureHttp: true,
      headers: { 'X-com-zoho-subscriptions-organizationid': ORGANIZATION },
      pageSize: 50,
      ...options,
    });
    const source = restApiSource(config, {
      name: 'billing',
      authFactories: billingAuthFactories,
      secrets: staticSecrets({
        client_id: sb.credentials.clientId,
        client_secret: sb.credentials.clientSecret,
        refresh_token: sb.credentials.refreshToken,
      }),
    });
    const sink = createKafkaSink({
      kafka: { brokers },
      registry: { url: registryUrl },
      topics: { prefix },
    });
    const { results, topics, views } = await runAndReadBack({
      source,
      sink,
      reader,
      prefix,
      api: 'billing',
      names,
    });
    expect(results.map((r) => r.resource).sort()).toEqual([...names].sort());
    for (const result of results) expect(result.complete, result.resource).toBe(true);
    for (const name of names) expect(topics, 'one topic per resource').toContain(`${prefix}.billing.${name}`);
    const registered = await latestValueSchema(registryUrl, `${prefix}.billing.${names[0]}`);
    expect(registered.name, 'the declared schema is the registered one').toBe(
      billingSchemaFor(names[0] as BillingResourceName, [
        keyField(options.preset, names[0] as BillingResourceName),
      ]).name,
    );
    expect(registered.namespace).toBe('siphon.billing');
    expect(registered.fields.map((f) => f.name)).toEqual(
      billingSchemaFor(names[0] as BillingResourceName).fields.map((f) => f.name),
    );
    const deadLetters = topics.includes(`${prefix}._dlq`)
      ? await reader.compacted(`${prefix}._dlq`)
      : undefined;
    expect(deadLetters?.messages ?? 0, 'dead-letter messages').toBe(0);
    return { prefix, views };
  }

  it('seed preset: every resource equals the ground truth, then converges after updates, deletes and inserts', async () => {
    const prefix = uniqueName('e2e-billing-seed');
    const first = await run(prefix);
    await expectConverged(sb, first, () => 'id');
    expect(first.views.get('invoices')?.values.size).toBe(260);

    const changes = {
      invoices: await sb.mutate('billing', 'invoices', { update: 12, delete: 7, insert: 9 }),
      customers: await sb.mutate('billing', 'customers', { update: 5, delete: 3 }),
      products: await sb.mutate('billing', 'products', { delete: 2, insert: 4 }),
      quotes: await sb.mutate('billing', 'quotes', { update: 6 }),
      recurring_expenses: await sb.mutate('billing', 'recurring_expenses', { delete: 1, insert: 1 }),
    };
    const second = await run(prefix);
    await expectConverged(sb, second, () => 'id');

    // The changes really are in the topics: deleted keys gone (tombstoned), updates visible.
    const invoices = second.views.get('invoices') as CompactedView;
    for (const id of changes.invoices.deleted)
      expect(invoices.values.has(JSON.stringify({ id }))).toBe(false);
    for (const id of changes.invoices.inserted)
      expect(invoices.values.has(JSON.stringify({ id }))).toBe(true);
    expect(invoices.tombstones).toBeGreaterThanOrEqual(changes.invoices.deleted.length);
    const updated = invoices.values.get(JSON.stringify({ id: changes.invoices.updated[0] }));
    expect(updated?.updated_time).not.toBe(
      first.views.get('invoices')?.values.get(JSON.stringify({ id: changes.invoices.updated[0] }))
        ?.updated_time,
    );
    expect(invoices.values.size).toBe(260 - 7 + 9);
  });

  it('real_api preset: topics keyed by the real id fields equal the ground truth', async () => {
    const resources: BillingResourceName[] = ['products', 'plans', 'invoices', 'recurring_expenses'];
    const result = await run(uniqueName('e2e-billing-real'), {
      preset: 'real_api',
      resources,
      headerScheme: 'Zoho-oauthtoken',
    });
    expect([...result.views.keys()]).toEqual(resources);
    await expectConverged(sb, result, (name) => keyField('real_api', name));
  });
});
