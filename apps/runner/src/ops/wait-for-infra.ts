import { type RetryPolicy, retry } from '@siphon/core';
import type { Logger } from 'pino';
import type { KafkaConfig, RegistryConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import { checkKafka, checkRegistry, checkTransactionCoordinator } from './probes.js';

/** Between rounds of checks: 1 s doubling to 5 s. */
const INFRA_BACKOFF: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 5000, jitter: 'none' };

export interface InfraTarget {
  kafka: KafkaConfig;
  registry: RegistryConfig;
}

/**
 * Waits until every Kafka cluster (including its transaction coordinator) and registry the pipelines use answer, retrying with a growing
 * pause (1 s up to 5 s), for at most `timeoutMs`. A container started before Kafka (compose, a pod
 * whose broker restarts) then waits instead of exiting. Resolves early when `signal` aborts.
 */
export async function waitForInfra(
  targets: readonly InfraTarget[],
  timeoutMs: number,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const checks = new Map<string, () => Promise<string>>();
  for (const { kafka, registry } of targets) {
    checks.set(`kafka ${kafka.brokers.join(',')}`, async () => {
      await checkKafka(kafka, 5000);
      return checkTransactionCoordinator(kafka, 10_000);
    });
    checks.set(`registry ${registry.url}`, () => checkRegistry(registry, 5000));
  }
  const checkAll = async () => {
    const failures: string[] = [];
    for (const check of checks.values()) {
      try {
        await check();
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length > 0) throw new RunnerError(failures.join('; '), { code: 'RUNNER_INFRA_UNREACHABLE' });
  };
  try {
    await retry(checkAll, {
      ...INFRA_BACKOFF,
      deadlineMs: timeoutMs,
      signal,
      retriable: () => true,
      onRetry: ({ error, delayMs }) =>
        logger.info({ retry_in_ms: delayMs }, `waiting for the infrastructure: ${(error as Error).message}`),
    });
  } catch (error) {
    if (signal.aborted) return;
    throw new RunnerError(
      `still not reachable after ${Math.round(timeoutMs / 1000)}s: ${(error as Error).message}`,
    );
  }
}
