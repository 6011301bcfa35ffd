import { readTopicOnce } from '@siphon/sink-kafka';
import type { KafkaConfig } from '../config/schema.js';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Reads topics from the beginning with `read_committed`, up to what was committed when the call
 * started (the sink's `readTopicOnce`, without decoding). Used for the demo's summary and by tests;
 * never on the extraction path.
 */
export async function readTopics(
  kafka: KafkaConfig,
  topics: readonly string[],
  onMessage: (message: ReadMessage) => void,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  await readTopicOnce(
    { kafka: { ...kafka, clientId: `${kafka.clientId}-reader` } },
    topics,
    ({ topic, partition, offset, key, value }) => onMessage({ topic, partition, offset, key, value }),
    { decode: false, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
  );
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
