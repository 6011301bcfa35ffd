/**
 * End to end: the analytics source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { startSandbox } from '@siphon/sandbox';
import * as sinkKafka from '@siphon/sink-kafka';
import { describeSourceEndToEnd } from '@siphon/testkit';
import { ANALYTICS_RESOURCE_NAMES, analyticsSchemaFor, analyticsSource } from '../../src/index.js';

describeSourceEndToEnd({
  api: 'analytics',
  startSandbox: () => startSandbox({ seed: 5, size: 110, sizes: { analytics: { fees: 230 } } }),
  sinkKafka,
  names: ANALYTICS_RESOURCE_NAMES,
  source: (sb, run) =>
    restApiSource(analyticsSource({ baseUrl: sb.analyticsUrl, pageSize: 40, ...run }), {
      name: 'analytics',
      secrets: staticSecrets({ api_key: sb.credentials.apiKey }),
    }),
  schemaFor: analyticsSchemaFor,
  realKey: () => 'lago_id',
  seed: {
    counted: { name: 'fees', size: 230 },
    changes: {
      fees: { update: 10, delete: 6, insert: 8 },
      wallets: { update: 7, delete: 2 },
      customer_usage: { update: 5, insert: 3 },
      customer_usage_past: { delete: 4 },
      plans: { insert: 2 },
    },
    tombstoned: 'customer_usage_past',
    stamped: { name: 'wallets', field: 'updated_at' },
  },
  realResources: ['metrics', 'plans', 'customer_usage_past'],
});
