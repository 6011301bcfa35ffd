import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import { kafkaConnection } from '../pipeline/sink-options.js';

const { Kafka, logLevel } = kafkajs;

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Reads topics from the beginning with `read_committed`, up to what was committed when the call
 * started, through one private consumer group that commits nothing and is deleted afterwards.
 * Used for the demo's summary and by tests; never on the extraction path.
 */
export async function readTopics(
  kafka: KafkaConfig,
  topics: readonly string[],
  onMessage: (message: ReadMessage) => void,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const connection = kafkaConnection(kafka);
  const client = new Kafka({
    brokers: connection.brokers,
    clientId: `${connection.clientId ?? 'siphon'}-reader`,
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: connection.sasl as never } : {}),
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  const groupId = `siphon-reader-${randomUUID()}`;
  const consumer = client.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 500 });
  try {
    // Where each partition ends now (the last stable offset, for read_committed).
    const remaining = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
    if (remaining.size === 0) return;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`reading ${topics.join(', ')}: not caught up after ${options.timeoutMs ?? 60_000} ms`),
          ),
        options.timeoutMs ?? 60_000,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { topic, partition, lastOffset } = event.payload as {
          topic: string;
          partition: number;
          lastOffset: string;
        };
        const key = `${topic}:${partition}`;
        const end = remaining.get(key);
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(key);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject((event.payload as { error: Error }).error);
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          onMessage({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
          });
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

export interface TopicSummary {
  topic: string;
  messages: number;
  tombstones: number;
  /** Keys whose latest message is not a tombstone: the size of the compacted view. */
  liveKeys: number;
  distinctKeys: number;
}

/** Counts messages, tombstones and keys of each topic. */
export async function summarizeTopics(
  kafka: KafkaConfig,
  topics: readonly string[],
): Promise<TopicSummary[]> {
  const stats = new Map<string, { messages: number; tombstones: number; latest: Map<string, boolean> }>();
  for (const topic of topics) stats.set(topic, { messages: 0, tombstones: 0, latest: new Map() });
  await readTopics(kafka, topics, (m) => {
    const s = stats.get(m.topic);
    if (!s) return;
    s.messages += 1;
    if (m.value === null) s.tombstones += 1;
    s.latest.set(m.key ? m.key.toString('base64') : `offset:${m.partition}:${m.offset}`, m.value !== null);
  });
  return topics.map((topic) => {
    const s = stats.get(topic) ?? { messages: 0, tombstones: 0, latest: new Map<string, boolean>() };
    return {
      topic,
      messages: s.messages,
      tombstones: s.tombstones,
      distinctKeys: s.latest.size,
      liveKeys: [...s.latest.values()].filter(Boolean).length,
    };
  });
}
