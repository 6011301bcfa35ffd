import { SiphonError } from '@siphon/core';
import type { KafkaPort } from '@siphon/sink-kafka';
import { kafkaPort } from '../cluster/kafka-client.js';
import type { KafkaConfig, RegistryConfig } from '../config/schema.js';

/** A Kafka client for probes only: quiet, one quick retry, so an unreachable broker fails fast. */
function probeClient(kafka: KafkaConfig, timeoutMs: number): KafkaPort {
  return kafkaPort(kafka, 'probe', { retries: 1, timeoutMs });
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`.split('\n')[0] ?? 'unknown error';
}

/** Connects, describes the cluster, disconnects. Resolves with a short detail or rejects with a one-line reason. */
export async function checkKafka(kafka: KafkaConfig, timeoutMs: number): Promise<string> {
  const client = probeClient(kafka, timeoutMs);
  try {
    const cluster = await (await client.admin()).describeCluster();
    return `${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'} (controller ${cluster.controller ?? 'unknown'})`;
  } catch (error) {
    throw probeError(
      `Kafka at ${kafka.brokers.join(',')} not reachable: ${reason(error)}`,
      'KAFKA_UNREACHABLE',
    );
  } finally {
    await client.close();
  }
}

/**
 * Opens and aborts one transaction with a throwaway transactional id, then describes a group:
 * answers only once the transaction and group coordinators have loaded their state (a fresh broker creates __transaction_state on the
 * first InitProducerId and answers "coordinator is loading" meanwhile).
 */
export async function checkTransactionCoordinator(kafka: KafkaConfig, timeoutMs: number): Promise<string> {
  const client = probeClient(kafka, timeoutMs);
  const producer = client.transactionalProducer({
    transactionalId: `${kafka.clientId}-coordinator-probe-${process.pid}-${Date.now().toString(36)}`,
    transactionTimeoutMs: 10_000,
    retries: 1,
  });
  try {
    await producer.init();
    const transaction = await producer.begin();
    await transaction.abort();
    // The group coordinator (the state reader's consumer group) loads separately.
    await (await client.admin()).describeGroup(`${kafka.clientId}-coordinator-probe`);
    return 'transaction and group coordinators answer';
  } catch (error) {
    throw probeError(
      `Kafka at ${kafka.brokers.join(',')}: transaction coordinator not ready: ${reason(error)}`,
      'KAFKA_COORDINATOR_NOT_READY',
    );
  } finally {
    await producer.close().catch(() => {});
    await client.close().catch(() => {});
  }
}

/** A kept-open admin connection for /readyz, reconnected after a failure. */
export class KafkaReadinessProbe {
  readonly #kafka: KafkaConfig;
  readonly #timeoutMs: number;
  #client: KafkaPort | undefined;

  constructor(kafka: KafkaConfig, timeoutMs = 5000) {
    this.#kafka = kafka;
    this.#timeoutMs = timeoutMs;
  }

  readonly probe = async (): Promise<string> => {
    try {
      this.#client ??= probeClient(this.#kafka, this.#timeoutMs);
      const cluster = await (await this.#client.admin()).describeCluster();
      return `${cluster.brokers} broker${cluster.brokers === 1 ? '' : 's'}`;
    } catch (error) {
      const stale = this.#client;
      this.#client = undefined;
      void stale?.close().catch(() => {});
      throw probeError(
        `Kafka at ${this.#kafka.brokers.join(',')} not reachable: ${reason(error)}`,
        'KAFKA_UNREACHABLE',
      );
    }
  };

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
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
    throw probeError(
      `Schema Registry at ${registry.url} not reachable: ${reason(error)}`,
      'REGISTRY_UNREACHABLE',
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw probeError(
      `Schema Registry at ${registry.url} refused the credentials (HTTP ${response.status})`,
      'REGISTRY_UNAUTHORIZED',
    );
  }
  if (!response.ok)
    throw probeError(
      `Schema Registry at ${registry.url} answered HTTP ${response.status} to GET /config`,
      'REGISTRY_HTTP_STATUS',
    );
  const body = (await response.json().catch(() => ({}))) as {
    compatibilityLevel?: string;
    compatibility?: string;
  };
  const level = body.compatibilityLevel ?? body.compatibility;
  return level ? `reachable, global compatibility ${level}` : 'reachable';
}

/** A probe's failure: readiness reports it, and the probe runs again later. */
function probeError(message: string, code: string): SiphonError {
  return new SiphonError(message, { code, retriable: code !== 'REGISTRY_UNAUTHORIZED' });
}
