import type { Logger } from 'pino';
import type { KafkaConfig, RegistryConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import { checkKafka, checkRegistry, checkTransactionCoordinator } from './probes.js';
import { sleep } from './schedule.js';

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
  const deadline = Date.now() + timeoutMs;
  const checks = new Map<string, () => Promise<string>>();
  for (const { kafka, registry } of targets) {
    checks.set(`kafka ${kafka.brokers.join(',')}`, async () => {
      await checkKafka(kafka, 5000);
      return checkTransactionCoordinator(kafka, 10_000);
    });
    checks.set(`registry ${registry.url}`, () => checkRegistry(registry, 5000));
  }
  let pause = 1000;
  for (;;) {
    const failures: string[] = [];
    for (const check of checks.values()) {
      try {
        await check();
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length === 0 || signal.aborted) return;
    if (Date.now() + pause > deadline) {
      throw new RunnerError(
        `still not reachable after ${Math.round(timeoutMs / 1000)}s: ${failures.join('; ')}`,
      );
    }
    logger.info({ retry_in_ms: pause }, `waiting for the infrastructure: ${failures.join('; ')}`);
    await sleep(pause, signal);
    pause = Math.min(pause * 2, 5000);
  }
}
