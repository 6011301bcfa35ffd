import { ensureTopics, type TopicSpec } from '@siphon/sink-kafka';
import { kafkaPort } from '../cluster/kafka-client.js';
import { loadContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, oneLineReason } from '../errors.js';
import type { Io } from '../io.js';
import { topicsByCluster } from '../pipeline/ensure-topics.js';
import type { TopicsOptions } from '../program.js';
import { preparedRunners } from './plan.js';

/**
 * `siphon topics`: the topics every pipeline needs, with partitions, replication and configs, and
 * whether each exists. `--apply` creates the missing ones; existing topics whose cleanup policy
 * does not fit their data are reported, never changed.
 */
export async function topicsCommand(options: TopicsOptions, io: Io): Promise<number> {
  const ctx = await loadContext(options, io);
  const runners = await preparedRunners(ctx);
  // Pipelines on the same cluster may share topics (the state topic, say): plan each once.
  const byCluster = topicsByCluster(runners);
  const rows: Array<TopicSpec & { action: string }> = [];
  let failure: string | undefined;
  for (const [brokers, { kafka, specs }] of byCluster) {
    const client = kafkaPort(kafka, 'admin', { retries: 2 });
    try {
      const results = await ensureTopics(await client.admin(), [...specs.values()], {
        apply: options.apply,
        brokers: kafka.brokers,
      });
      for (const result of results) {
        const spec = specs.get(result.topic);
        if (spec) rows.push({ ...spec, action: result.action });
      }
    } catch (error) {
      failure = `Kafka ${brokers}: ${oneLineReason(error)}`;
      for (const spec of specs.values()) rows.push({ ...spec, action: 'unknown' });
    } finally {
      await client.close();
    }
  }
  if (options.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else {
    const width = Math.max(5, ...rows.map((r) => r.topic.length));
    io.stdout.write(`${'TOPIC'.padEnd(width)}  ${'ACTION'.padEnd(12)}  PARTITIONS  REPLICATION  CONFIGS\n`);
    for (const r of rows) {
      const configs = Object.entries(r.configs)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      io.stdout.write(
        `${r.topic.padEnd(width)}  ${r.action.padEnd(12)}  ${String(r.partitions).padEnd(10)}  ${String(r.replicationFactor ?? 'default').padEnd(11)}  ${configs}\n`,
      );
    }
  }
  await Promise.allSettled(runners.map((r) => r.close()));
  if (failure) {
    io.stderr.write(`siphon: ${failure}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}
