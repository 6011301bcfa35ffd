import { SiphonError } from '@siphon/core';
import {
  ensureTopics,
  type KafkaAdmin,
  type KafkaPort,
  type SettlePolicy,
  type TopicSpec,
  untilSettled,
} from '@siphon/sink-kafka';
import { RunnerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/**
 * The units topic: one partition per unit, each holding one small compacted "slot" message. The
 * group subscribes to it so that Kafka's coordinator can hand its partitions out; the slot message
 * is what wakes a replica's consumer up after each assignment (see group-member.ts). It carries no
 * data and nothing is ever committed on it.
 *
 * A fresh topic (or fresh partitions) answers "does not host this topic-partition" or "not the
 * leader" for a moment; every call here goes through the sink's `untilSettled`, which retries
 * exactly those answers for a bounded time, and the topic is created by the sink's `ensureTopics`,
 * which resolves once the new topic answers ListOffsets.
 */
export interface UnitsTopicOptions {
  topic: string;
  /** One per unit. */
  partitions: number;
  replicationFactor: number;
  /** For error messages. */
  brokers: readonly string[];
  /** Receives the retries while the topic settles (debug). */
  logger?: Logger | undefined;
  /** Default: the sink's (ten tries over about 11 s). */
  settle?: SettlePolicy | undefined;
}

export async function ensureUnitsTopic(
  admin: KafkaAdmin,
  kafka: KafkaPort,
  options: UnitsTopicOptions,
): Promise<void> {
  const { topic, partitions } = options;
  const settle = settler(options);
  const spec: TopicSpec = {
    topic,
    cleanupPolicy: 'compact',
    partitions,
    replicationFactor: options.replicationFactor,
    configs: { 'cleanup.policy': 'compact' },
    purpose: 'scale-out units',
  };
  try {
    // Another replica may create it at the same moment: ensureTopics takes that as success.
    await ensureTopics(admin, [spec], {
      apply: true,
      brokers: [...options.brokers],
      logger: options.logger,
      ...(options.settle ? { settle: options.settle } : {}),
    });
  } catch (error) {
    throw new RunnerError(`cannot create the units topic ${topic}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const count = () => settle(`reading the partitions of ${topic}`, () => partitionCount(admin, topic));
  const now = await count();
  if (now < partitions) {
    try {
      await settle(`adding partitions to ${topic}`, () => admin.createPartitions(topic, partitions));
    } catch (error) {
      // Another replica may have added them at the same moment.
      if ((await count().catch(() => now)) < partitions) {
        throw new RunnerError(
          `the units topic ${topic} has ${now} partitions and ${partitions} are needed; adding them failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  await writeSlots(admin, kafka, topic, partitions, options);
}

/**
 * Writes a slot message into every empty partition among the first `partitions`, or into the
 * partitions `only` lists, whatever they hold.
 */
export async function writeSlots(
  admin: KafkaAdmin,
  kafka: KafkaPort,
  topic: string,
  partitions: number,
  options: { only?: readonly number[]; logger?: Logger | undefined; settle?: SettlePolicy | undefined } = {},
): Promise<void> {
  const settle = settler(options);
  const targets = options.only ?? (await emptyPartitions(admin, topic, partitions, settle));
  let remaining = targets;
  await settle(`writing slot messages to ${topic}`, async () => {
    if (remaining.length === 0) return;
    remaining = await sendSlots(kafka, topic, remaining);
    if (remaining.length > 0) throw notYetKnown(topic, remaining);
  });
}

type Settle = <T>(what: string, call: () => Promise<T>) => Promise<T>;

function settler(options: { logger?: Logger | undefined; settle?: SettlePolicy | undefined }): Settle {
  return (what, call) =>
    untilSettled(what, call, {
      logger: options.logger,
      ...(options.settle ? { policy: options.settle } : {}),
    });
}

async function emptyPartitions(
  admin: KafkaAdmin,
  topic: string,
  partitions: number,
  settle: Settle,
): Promise<number[]> {
  const offsets = await settle(`reading the offsets of ${topic}`, () => admin.topicOffsets(topic));
  const byPartition = new Map(offsets.map((o) => [o.partition, o]));
  // A partition missing from the answer was added after the admin client cached the topic's
  // metadata: it has just been created, so it is empty.
  return Array.from({ length: partitions }, (_, p) => p).filter((p) => {
    const o = byPartition.get(p);
    return o === undefined || o.high === o.low;
  });
}

/**
 * A producer of its own for each write, so its metadata is fresh: kafkajs silently skips the
 * messages of partitions its cached metadata does not know yet. Returns those it skipped, which are
 * still settling.
 */
async function sendSlots(kafka: KafkaPort, topic: string, targets: readonly number[]): Promise<number[]> {
  const producer = kafka.producer();
  try {
    const written = await producer.send(
      topic,
      targets.map((partition) => ({
        partition,
        key: Buffer.from(`slot-${partition}`),
        value: Buffer.from(JSON.stringify({ siphon: 'unit slot', partition })),
      })),
    );
    const done = new Set(written);
    return targets.filter((p) => !done.has(p));
  } finally {
    await producer.close().catch(() => {});
  }
}

/** Shaped like the broker's UNKNOWN_TOPIC_OR_PARTITION answer, which `untilSettled` retries. */
function notYetKnown(topic: string, missing: readonly number[]): Error {
  return Object.assign(
    new SiphonError(`the metadata of ${topic} does not list partitions ${missing.join(', ')} yet`, {
      code: 'KAFKA_TOPIC_SETTLING',
      retriable: true,
    }),
    { type: 'UNKNOWN_TOPIC_OR_PARTITION' },
  );
}

async function partitionCount(admin: KafkaAdmin, topic: string): Promise<number> {
  return (await admin.partitions(topic)).length;
}
