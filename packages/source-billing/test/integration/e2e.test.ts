/**
 * End to end: the billing source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { startSandbox } from '@siphon/sandbox';
import * as sinkKafka from '@siphon/sink-kafka';
import { describeSourceEndToEnd } from '@siphon/testkit';
import {
  BILLING_RESOURCE_NAMES,
  billingAuthFactories,
  billingResources,
  billingSchemaFor,
  billingSource,
} from '../../src/index.js';

const ORGANIZATION = '10234695';

describeSourceEndToEnd({
  api: 'billing',
  startSandbox: () =>
    startSandbox({
      seed: 11,
      size: 120,
      sizes: { billing: { invoices: 260 } },
      organizationId: ORGANIZATION,
    }),
  sinkKafka,
  names: BILLING_RESOURCE_NAMES,
  source: (sb, run) => {
    const config = billingSource({
      baseUrl: sb.billingUrl,
      tokenUrl: sb.tokenUrl,
      allowInsecureHttp: true,
      headers: { 'X-com-zoho-subscriptions-organizationid': ORGANIZATION },
      pageSize: 50,
      // The real API's token header.
      ...(run.preset === 'real_api' && { headerScheme: 'Zoho-oauthtoken' }),
      ...run,
    });
    return restApiSource(config, {
      name: 'billing',
      authFactories: billingAuthFactories,
      secrets: staticSecrets({
        client_id: sb.credentials.clientId,
        client_secret: sb.credentials.clientSecret,
        refresh_token: sb.credentials.refreshToken,
      }),
    });
  },
  schemaFor: billingSchemaFor,
  realKey: (name) => billingResources.find((r) => r.name === name)?.realIdField as string,
  seed: {
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
  },
  realResources: ['products', 'plans', 'invoices', 'recurring_expenses'],
});
