import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import type { KafkaConfig, RegistryConfig } from '../config/schema.js';
import { kafkaConnection } from '../pipeline/sink-options.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** A kafkajs client for probes only: quiet, one quick retry, so an unreachable broker fails fast. */
function probeClient(kafka: KafkaConfig, timeoutMs: number): Kafka {
  const connection = kafkaConnection(kafka);
  return new KafkaClient({
    brokers: connection.brokers,
    clientId: `${connection.clientId ?? 'siphon'}-probe`,
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: connection.sasl as never } : {}),
    connectionTimeout: Math.min(connection.connectionTimeout ?? 10_000, timeoutMs),
    requestTimeout: Math.min(connection.requestTimeout ?? 30_000, timeoutMs),
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  });
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`.split('\n')[0] ?? 'unknown error';
}

/** Connects, describes the cluster, disconnects. Resolves with a short detail or rejects with a one-line reason. */
export async function checkKafka(kafka: KafkaConfig, timeoutMs: number): Promise<string> {
  const admin = probeClient(kafka, timeoutMs).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return `${cluster.brokers.length} broker${cluster.brokers.length === 1 ? '' : 's'} (controller ${cluster.controller ?? 'unknown'})`;
  } catch (error) {
    throw new Error(`Kafka at ${kafka.brokers.join(',')} not reachable: ${reason(error)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Opens and aborts one transaction with a throwaway transactional id, then describes a group:
 * answers only once the transaction and group coordinators have loaded their state (a fresh broker creates __transaction_state on the
 * first InitProducerId and answers "coordinator is loading" meanwhile).
 */
export async function checkTransactionCoordinator(kafka: KafkaConfig, timeoutMs: number): Promise<string> {
  const producer = probeClient(kafka, timeoutMs).producer({
    transactionalId: `${kafka.client_id ?? 'siphon'}-coordinator-probe-${process.pid}-${Date.now().toString(36)}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.abort();
    // The group coordinator (the state reader's consumer group) loads separately.
    const admin = probeClient(kafka, timeoutMs).admin();
    try {
      await admin.connect();
      await admin.describeGroups([`${kafka.client_id ?? 'siphon'}-coordinator-probe`]);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return 'transaction and group coordinators answer';
  } catch (error) {
    throw new Error(
      `Kafka at ${kafka.brokers.join(',')}: transaction coordinator not ready: ${reason(error)}`,
    );
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

/** A kept-open admin connection for /readyz, reconnected after a failure. */
export class KafkaReadinessProbe {
  readonly #kafka: KafkaConfig;
  readonly #timeoutMs: number;
  #admin: Promise<Admin> | undefined;

  constructor(kafka: KafkaConfig, timeoutMs = 5000) {
    this.#kafka = kafka;
    this.#timeoutMs = timeoutMs;
  }

  readonly probe = async (): Promise<string> => {
    try {
      this.#admin ??= (async () => {
        const admin = probeClient(this.#kafka, this.#timeoutMs).admin();
        await admin.connect();
        return admin;
      })();
      const cluster = await (await this.#admin).describeCluster();
      return `${cluster.brokers.length} broker${cluster.brokers.length === 1 ? '' : 's'}`;
    } catch (error) {
      const stale = this.#admin;
      this.#admin = undefined;
      void stale?.then((a) => a.disconnect()).catch(() => {});
      throw new Error(`Kafka at ${this.#kafka.brokers.join(',')} not reachable: ${reason(error)}`);
    }
  };

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => {});
  }
}

/** `GET <url>/config`: answers on Confluent's registry, Apicurio's ccompat API, Karapace and Redpanda. */
export async function checkRegistry(registry: RegistryConfig, timeoutMs: number): Promise<string> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.schemaregistry.v1+json, application/json',
  };
  if (registry.auth) {
    headers.authorization = `Basic ${Buffer.from(`${registry.auth.username}:${registry.auth.password}`).toString('base64')}`;
  }
  let response: Response;
  try {
    response = await fetch(`${registry.url}/config`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`Schema Registry at ${registry.url} not reachable: ${reason(error)}`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new Error(`Schema Registry at ${registry.url} refused the credentials (HTTP ${response.status})`);
  }
  if (!response.ok)
    throw new Error(`Schema Registry at ${registry.url} answered HTTP ${response.status} to GET /config`);
  const body = (await response.json().catch(() => ({}))) as {
    compatibilityLevel?: string;
    compatibility?: string;
  };
  const level = body.compatibilityLevel ?? body.compatibility;
  return level ? `reachable, global compatibility ${level}` : 'reachable';
}
