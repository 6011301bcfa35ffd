/**
 * What the harness asks of Kafka and the registry: read a topic back (count and bytes of what was
 * committed), a subject's latest schema, and clean-up of the topics and subjects a run created.
 */
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { useZstd } from './zstd.ts';

const { Kafka: KafkaClient, logLevel } = kafkajs;

export function kafkaClient(brokers: string[]): Kafka {
  useZstd(); // Siphon's topics are zstd-compressed by default.
  return new KafkaClient({ clientId: 'siphon-bench', brokers, logLevel: logLevel.ERROR });
}

export interface TopicTally {
  messages: number;
  tombstones: number;
  keyBytes: number;
  valueBytes: number;
  /** Key + value bytes: the "bytes produced" of a run. */
  bytes: number;
}

/**
 * Reads a topic from the start as a read_committed consumer until `expected` messages have arrived
 * and none came for `settleMs` (or nothing came for `idleMs`: then the count says what is missing),
 * tallying keys and values.
 */
export async function tallyTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  options: { settleMs?: number; idleMs?: number; timeoutMs?: number } = {},
): Promise<TopicTally> {
  const settleMs = options.settleMs ?? 1500;
  // Only a failure path: a loaded machine can pause a consumer for many seconds between fetches.
  const idleMs = options.idleMs ?? 120_000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const tally: TopicTally = { messages: 0, tombstones: 0, keyBytes: 0, valueBytes: 0, bytes: 0 };
  const consumer = kafka.consumer({
    groupId: `siphon-bench-tally-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    maxBytes: 16 * 1024 * 1024,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let lastMessageAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          tally.messages++;
          const keyBytes = message.key?.length ?? 0;
          const valueBytes = message.value?.length ?? 0;
          if (message.value === null) tally.tombstones++;
          tally.keyBytes += keyBytes;
          tally.valueBytes += valueBytes;
        }
        if (batch.messages.length > 0) lastMessageAt = Date.now();
      },
    });
    const started = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const quiet = Date.now() - lastMessageAt;
      if (tally.messages >= expected && quiet >= settleMs) break;
      if (quiet >= idleMs) break;
      if (Date.now() - started > timeoutMs) break;
    }
  } finally {
    await consumer.disconnect();
  }
  tally.bytes = tally.keyBytes + tally.valueBytes;
  return tally;
}

export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic whose name starts with one of `prefixes` (and, with them, their data on disk). */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefixes: string[]): Promise<string[]> {
  if (prefixes.length === 0) return [];
  return withAdmin(kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 60_000 });
    return topics;
  });
}

export interface SubjectSchema {
  id: number;
  schema: string;
}

export async function latestSchema(registryUrl: string, subject: string): Promise<SubjectSchema> {
  const url = `${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as { id: number; schema: string };
  return { id: body.id, schema: body.schema };
}

/** Soft- then hard-deletes every subject starting with one of `prefixes`; the registry keeps nothing of a run. */
export async function deleteSubjectsWithPrefix(registryUrl: string, prefixes: string[]): Promise<string[]> {
  if (prefixes.length === 0) return [];
  const res = await fetch(`${registryUrl}/subjects`);
  if (!res.ok) return [];
  const subjects = ((await res.json()) as string[]).filter((s) => prefixes.some((p) => s.startsWith(p)));
  for (const subject of subjects) {
    const url = `${registryUrl}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${url}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
  return subjects;
}
