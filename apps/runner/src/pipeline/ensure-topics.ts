import { ensureTopics, planTopics, type TopicSpec } from '@siphon/sink-kafka';
import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineRunner } from './pipeline-runner.js';
import { kafkaConnection, kafkaSinkOptions } from './sink-options.js';

const { Kafka, logLevel } = kafkajs;

/** Every topic the runners will write, grouped by cluster, each once. */
export function topicsByCluster(
  runners: readonly PipelineRunner[],
): Map<string, { kafka: KafkaConfig; specs: Map<string, TopicSpec> }> {
  const out = new Map<string, { kafka: KafkaConfig; specs: Map<string, TopicSpec> }>();
  for (const runner of runners) {
    const selected = new Set(runner.resourceNames);
    const plan = planTopics(kafkaSinkOptions(runner.config), {
      pipeline: runner.config.name,
      source: runner.sourceName,
      resources: runner.source.resources.filter((r) => selected.has(r.name)),
    });
    const id = runner.config.kafka.brokers.join(',');
    const entry = out.get(id) ?? { kafka: runner.config.kafka, specs: new Map() };
    for (const spec of [...plan.resources, plan.stateTopic, plan.deadLetterTopic])
      entry.specs.set(spec.topic, spec);
    out.set(id, entry);
  }
  return out;
}

/**
 * Creates the missing topics of all pipelines before any run starts, one cluster at a time, so a
 * policy conflict stops everything before anything is written. The sink's `ensureTopics` waits
 * until new topics answer and retries while a just-created topic settles.
 */
export async function ensureRunTopics(
  runners: readonly PipelineRunner[],
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  for (const [brokers, { kafka, specs }] of topicsByCluster(runners)) {
    if (signal?.aborted) return;
    const connection = kafkaConnection(kafka);
    const admin = new Kafka({
      brokers: connection.brokers,
      clientId: `${connection.clientId ?? 'siphon'}-admin`,
      ssl: connection.ssl,
      ...(connection.sasl ? { sasl: connection.sasl as never } : {}),
      connectionTimeout: connection.connectionTimeout ?? 10_000,
      requestTimeout: connection.requestTimeout ?? 30_000,
      retry: { retries: 2, initialRetryTime: 300 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      try {
        await admin.connect();
      } catch (error) {
        throw new RunnerError(`Kafka at ${brokers} not reachable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const results = await ensureTopics(admin, [...specs.values()], {
        apply: true,
        brokers: kafka.brokers,
        logger: logger.child({ component: 'sink-kafka' }),
      });
      const created = results.filter((r) => r.action === 'created').map((r) => r.topic);
      if (created.length > 0) logger.info({ brokers, topics: created }, `created ${created.length} topic(s)`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
