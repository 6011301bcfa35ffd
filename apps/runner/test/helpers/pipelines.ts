import type { Sandbox } from '@siphon/sandbox';
import { infraConfig } from '@siphon/testkit';
import { analyticsSeed } from './runner.js';

export { freePort } from '@siphon/testkit';

export interface PipelinesSpec {
  prefix: string;
  sandbox: Sandbox;
  billingResources?: string[];
  analyticsResources?: string[];
  /** Deep-merged over the verbatim analytics seed, e.g. `{ resources: { fees: { write_disposition: append } } }`. */
  analyticsOverrides?: Record<string, unknown>;
  schedule?: string;
  brokers?: string[];
  extraDefaults?: string;
}

/** The Kafka client the runner's tests use: SIPHON_KAFKA_CLIENT=confluent runs them on librdkafka. */
export function kafkaClient(): 'kafkajs' | 'confluent' {
  return process.env.SIPHON_KAFKA_CLIENT === 'confluent' ? 'confluent' : 'kafkajs';
}

/**
 * A pipelines file with both seeds against a sandbox: billing through its source package,
 * analytics as the verbatim seed file with only base_url (and `analyticsOverrides`) overridden.
 */
export function pipelinesYaml(spec: PipelinesSpec): string {
  const infra = infraConfig();
  const brokers = spec.brokers ?? infra.brokers;
  const { sandbox } = spec;
  const overrides = { client: { base_url: sandbox.analyticsUrl }, ...(spec.analyticsOverrides ?? {}) };
  const schedule = spec.schedule ? `    schedule: ${spec.schedule}\n` : '';
  return `defaults:
  kafka: { brokers: ${JSON.stringify(brokers)}, client_id: siphon-test, client: ${kafkaClient()} }
  registry: { url: ${JSON.stringify(infra.registryUrl)} }
  topics: { prefix: ${JSON.stringify(spec.prefix)}, partitions: 2, replication_factor: 1 }
${spec.extraDefaults ?? ''}pipelines:
  - name: billing
    source:
      package: billing
      options:
        base_url: ${JSON.stringify(sandbox.billingUrl)}
        token_url: ${JSON.stringify(sandbox.tokenUrl)}
        client_id: \${TEST_BILLING_CLIENT_ID}
        client_secret: \${TEST_BILLING_CLIENT_SECRET}
        refresh_token: \${TEST_BILLING_REFRESH_TOKEN}
        allow_insecure_http: true
${spec.billingResources ? `    resources: ${JSON.stringify(spec.billingResources)}\n` : ''}${schedule}  - name: analytics
    source:
      rest_api_file: ${JSON.stringify(analyticsSeed)}
      overrides: ${JSON.stringify(overrides)}
    secrets: { api_key: "\${TEST_ANALYTICS_API_KEY}" }
${spec.analyticsResources ? `    resources: ${JSON.stringify(spec.analyticsResources)}\n` : ''}${schedule}`;
}

/** The secrets the pipelines file reads from the environment. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    TEST_BILLING_CLIENT_ID: sandbox.credentials.clientId,
    TEST_BILLING_CLIENT_SECRET: sandbox.credentials.clientSecret,
    TEST_BILLING_REFRESH_TOKEN: sandbox.credentials.refreshToken,
    TEST_ANALYTICS_API_KEY: sandbox.credentials.apiKey,
  };
}

export async function groundTruth(sandbox: Sandbox, api: 'billing' | 'analytics', resource: string) {
  const out: Array<Record<string, unknown>> = [];
  for await (const record of sandbox.groundTruth(api, resource)) out.push(record);
  return out;
}
