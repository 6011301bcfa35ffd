import { ensureTopics, type KafkaAdmin, planTopics, type TopicSpec } from '@siphon/sink-kafka';
import { kafkaPort } from '../cluster/kafka-client.js';
import type { KafkaConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineRunner } from './pipeline-runner.js';
import { kafkaSinkOptions } from './sink-options.js';

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
    const client = kafkaPort(kafka, 'admin', { retries: 2 });
    try {
      let admin: KafkaAdmin;
      try {
        admin = await client.admin();
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
      await client.close();
    }
  }
}
