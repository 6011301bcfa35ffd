/**
 * End to end: the billing source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import * as sinkKafka from '@siphon/sink-kafka';
import { createKafkaSink } from '@siphon/sink-kafka';
import {
  type CompactedView,
  expectConverged,
  expectSeedRunsConverge,
  infraConfig,
  runAndReadBack,
  sinkTopicReader,
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

function keyField(preset: BillingSourceOptions['preset'], name: BillingResourceName): string {
  return preset === 'real_api'
    ? (billingResources.find((r) => r.name === name)?.realIdField as string)
    : 'id';
}

describe('billing source → Kafka, end to end', () => {
  let sb: Sandbox;
  const { reader, close: closeReader } = sinkTopicReader(sinkKafka);

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
    await closeReader();
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
    const { views } = await runAndReadBack({
      source,
      sink,
      reader,
      prefix,
      api: 'billing',
      names,
      declared: (name) => billingSchemaFor(name, [keyField(options.preset, name)]),
      registryUrl,
    });
    return { prefix, views };
  }

  it('seed preset: every resource equals the ground truth, then converges after updates, deletes and inserts', async () => {
    await expectSeedRunsConverge({
      sb,
      api: 'billing',
      prefix: uniqueName('e2e-billing-seed'),
      run: async (prefix) => (await run(prefix)).views,
      counted: { name: 'invoices', size: 260 },
      changes: {
        invoices: { update: 12, delete: 7, insert: 9 },
        customers: { update: 5, delete: 3 },
        products: { delete: 2, insert: 4 },
        quotes: { update: 6 },
        recurring_expenses: { delete: 1, insert: 1 },
      },
      tombstoned: 'invoices',
      stamped: { name: 'invoices', field: 'updated_time' },
    });
  });

  it('real_api preset: topics keyed by the real id fields equal the ground truth', async () => {
    const resources: BillingResourceName[] = ['products', 'plans', 'invoices', 'recurring_expenses'];
    const result = await run(uniqueName('e2e-billing-real'), {
      preset: 'real_api',
      resources,
      headerScheme: 'Zoho-oauthtoken',
    });
    expect([...result.views.keys()]).toEqual(resources);
    await expectConverged(sb, 'billing', result.views, (name) => keyField('real_api', name));
  });
});
