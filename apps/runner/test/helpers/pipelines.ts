import type { Sandbox } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { analyticsSeed, tempFile } from './runner.js';

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
  const { sandbox } = spec;
  const overrides = { client: { base_url: sandbox.analyticsUrl }, ...(spec.analyticsOverrides ?? {}) };
  const schedule = spec.schedule ? `    schedule: ${spec.schedule}\n` : '';
  const defaults = defaultsYaml({
    prefix: spec.prefix,
    partitions: 2,
    ...(spec.brokers && { brokers: spec.brokers }),
  });
  return `${defaults}${spec.extraDefaults ?? ''}pipelines:
  - name: billing
${billingSourceYaml(sandbox)}${spec.billingResources ? `    resources: ${JSON.stringify(spec.billingResources)}\n` : ''}${schedule}  - name: analytics
    source:
      rest_api_file: ${JSON.stringify(analyticsSeed)}
      overrides: ${JSON.stringify(overrides)}
    secrets: { api_key: "\${TEST_ANALYTICS_API_KEY}" }
${spec.analyticsResources ? `    resources: ${JSON.stringify(spec.analyticsResources)}\n` : ''}${schedule}`;
}

/** Writes `pipelinesYaml(spec)` to a new file, its topics under a fresh prefix named after `name`. */
export async function pipelinesFile(
  name: string,
  spec: Omit<PipelinesSpec, 'prefix'>,
): Promise<{ prefix: string; file: string }> {
  const prefix = uniqueName(name);
  return { prefix, file: await tempFile('pipelines.yaml', pipelinesYaml({ prefix, ...spec })) };
}

/** Two resources of each API, one that takes many pages and one that takes few. */
export const LONG_AND_SHORT = {
  billingResources: ['invoices', 'customers'],
  analyticsResources: ['fees', 'metrics'],
} as const satisfies Pick<PipelinesSpec, 'billingResources' | 'analyticsResources'>;

/** `LONG_AND_SHORT` on a schedule long enough that nothing runs on its own after the first run. */
export const ON_REQUEST = { ...LONG_AND_SHORT, schedule: '{ every: 6h }' } as const;

/**
 * A pipelines file's `defaults` block: the shared Kafka and registry unless others are given, one
 * broker's replication, topics under `prefix`. `client` is the Kafka client the tests run on
 * (`kafkaClient()`); `null` leaves it to the runner's default.
 */
export function defaultsYaml(spec: {
  prefix: string;
  partitions: number;
  brokers?: readonly string[];
  registryUrl?: string;
  clientId?: string;
  client?: 'kafkajs' | 'confluent' | null;
}): string {
  const infra = infraConfig();
  const client = spec.client === undefined ? kafkaClient() : spec.client;
  return `defaults:
  kafka: { brokers: ${JSON.stringify(spec.brokers ?? infra.brokers)}, client_id: ${spec.clientId ?? 'siphon-test'}${client ? `, client: ${client}` : ''} }
  registry: { url: ${JSON.stringify(spec.registryUrl ?? infra.registryUrl)} }
  topics: { prefix: ${JSON.stringify(spec.prefix)}, partitions: ${spec.partitions}, replication_factor: 1 }
`;
}

/**
 * The billing pipeline's `source` against the sandbox, ending with its `options` (a caller may add
 * more). The OAuth2 credentials are written as `credentials` gives them: by default, read from the
 * environment that `sandboxEnv` fills.
 */
export function billingSourceYaml(
  sandbox: Sandbox,
  credentials: { clientId: string; clientSecret: string; refreshToken: string } = {
    clientId: `\${TEST_BILLING_CLIENT_ID}`,
    clientSecret: `\${TEST_BILLING_CLIENT_SECRET}`,
    refreshToken: `\${TEST_BILLING_REFRESH_TOKEN}`,
  },
): string {
  return `    source:
      package: billing
      options:
        base_url: ${JSON.stringify(sandbox.billingUrl)}
        token_url: ${JSON.stringify(sandbox.tokenUrl)}
        client_id: ${credentials.clientId}
        client_secret: ${credentials.clientSecret}
        refresh_token: ${credentials.refreshToken}
        allow_insecure_http: true
`;
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
