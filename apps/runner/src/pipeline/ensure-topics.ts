import { ensureTopics, planTopics, type TopicSpec } from '@siphon/sink-kafka';
import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { sleep } from '../ops/schedule.js';
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
 * Creates the missing topics of all pipelines before any run starts, one cluster at a time. Right
 * after CreateTopics a KRaft broker may briefly answer "does not host this topic-partition", and
 * pipelines creating topics at once collide; a few retries here make a first run dependable.
 */
export async function ensureRunTopics(
  runners: readonly PipelineRunner[],
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  for (const [brokers, { kafka, specs }] of topicsByCluster(runners)) {
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
      for (let attempt = 1; ; attempt++) {
        try {
          const results = await ensureTopics(admin, [...specs.values()], {
            apply: true,
            brokers: kafka.brokers,
          });
          const created = results.filter((r) => r.action === 'created').map((r) => r.topic);
          if (created.length > 0) {
            logger.info({ brokers, topics: created }, `created ${created.length} topic(s)`);
            await waitForLeaders(admin, created, signal);
          }
          break;
        } catch (error) {
          // A cleanup-policy conflict will not heal by waiting; anything else gets three tries.
          if (attempt >= 3 || signal.aborted || (error as { code?: string }).code === 'TOPIC_POLICY_CONFLICT')
            throw error;
          logger.warn({ brokers, attempt, err: error }, 'creating topics failed; retrying');
          await sleep(500 * attempt, signal);
        }
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

/**
 * A topic a KRaft broker has just created can answer "not the leader for that topic-partition"
 * for a moment; the run starts once every partition of the new topics has a leader that answers.
 */
async function waitForLeaders(
  admin: kafkajs.Admin,
  topics: string[],
  signal: AbortSignal,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...topics];
  while (pending.length > 0 && !signal.aborted && Date.now() < deadline) {
    const results = await Promise.all(
      pending.map((topic) =>
        admin.fetchTopicOffsets(topic).then(
          () => undefined,
          () => topic,
        ),
      ),
    );
    pending = results.filter((t): t is string => t !== undefined);
    if (pending.length > 0) await sleep(200, signal);
  }
}
