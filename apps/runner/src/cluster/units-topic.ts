import type kafkajs from 'kafkajs';
import { RunnerError } from '../errors.js';
import { sleep } from '../ops/schedule.js';

/**
 * The units topic: one partition per unit, each holding one small compacted "slot" message. The
 * group subscribes to it so that Kafka's coordinator can hand its partitions out; the slot message
 * is what wakes a replica's consumer up after each assignment (see group-member.ts). It carries no
 * data and nothing is ever committed on it.
 */
export async function ensureUnitsTopic(
  admin: kafkajs.Admin,
  producer: () => Promise<kafkajs.Producer>,
  spec: { topic: string; partitions: number; replicationFactor: number },
  signal: AbortSignal,
): Promise<void> {
  const { topic, partitions } = spec;
  const existing = await partitionCount(admin, topic);
  if (existing === undefined) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
    } catch (error) {
      // Another replica may have created it at the same moment.
      if ((await partitionCount(admin, topic)) === undefined) {
        throw new RunnerError(`cannot create the units topic ${topic}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  }
  const now = (await partitionCount(admin, topic)) ?? 0;
  if (now < partitions) {
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
    } catch (error) {
      if (((await partitionCount(admin, topic)) ?? 0) < partitions) {
        throw new RunnerError(
          `the units topic ${topic} has ${now} partitions and ${partitions} are needed; adding them failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  await writeSlots(admin, producer, topic, partitions, signal);
}

/** Writes a slot message into every empty partition among the first `partitions`. */
export async function writeSlots(
  admin: kafkajs.Admin,
  producer: () => Promise<kafkajs.Producer>,
  topic: string,
  partitions: number,
  signal: AbortSignal,
  only?: readonly number[],
): Promise<void> {
  let offsets: Array<{ partition: number; high: string; low: string }> = [];
  // Right after CreateTopics/CreatePartitions a partition may have no leader for a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.length >= partitions) break;
    } catch (error) {
      if (attempt >= 20 || signal.aborted) throw error;
    }
    if (attempt >= 20 || signal.aborted) break;
    await sleep(250, signal);
  }
  const empty = offsets
    .filter((o) => o.partition < partitions && (only ? only.includes(o.partition) : o.high === o.low))
    .map((o) => o.partition);
  if (empty.length === 0) return;
  await (await producer()).send({
    topic,
    acks: -1,
    messages: empty.map((partition) => ({
      partition,
      key: `slot-${partition}`,
      value: JSON.stringify({ siphon: 'unit slot', partition }),
    })),
  });
}

async function partitionCount(admin: kafkajs.Admin, topic: string): Promise<number | undefined> {
  // listTopics first: kafkajs retries metadata requests for an unknown topic for a long time.
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length;
}
