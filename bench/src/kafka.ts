/**
 * What the harness asks of Kafka and the registry: read a topic back (count and bytes of what was
 * committed), a subject's latest schema, and clean-up of the topics and subjects a run created.
 * Kafka is reached only through the sink's port (`@siphon/sink-kafka`), never a client library.
 */
import {
  createKafkaPort,
  type KafkaClientName,
  type KafkaPort,
  readTopicOnce,
  resolveConnection,
} from '@siphon/sink-kafka';

/** The harness's own port: admin calls and read-backs, on the adapter given (kafkajs by default). */
export function kafkaPort(brokers: string[], client: KafkaClientName = 'kafkajs'): KafkaPort {
  return createKafkaPort({
    kafka: resolveConnection({ brokers, client, client_id: 'siphon-bench' }),
    producer: { retries: 5 },
  });
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
 * Reads a topic from the start up to its end (last stable offset) as a `read_committed` reader,
 * tallying keys and values. On the confluent adapter when it loads (assigned partitions, no group,
 * native fetch and decompression), else kafkajs.
 */
export async function tallyTopic(
  brokers: string[],
  topic: string,
  options: { timeoutMs?: number; client?: KafkaClientName } = {},
): Promise<TopicTally> {
  const tally: TopicTally = { messages: 0, tombstones: 0, keyBytes: 0, valueBytes: 0, bytes: 0 };
  await readTopicOnce(
    {
      kafka: resolveConnection({
        brokers,
        client: options.client ?? readBackClient(),
        client_id: 'siphon-bench-tally',
      }),
    },
    topic,
    (message) => {
      tally.messages++;
      if (message.value === null) tally.tombstones++;
      tally.keyBytes += message.key?.length ?? 0;
      tally.valueBytes += message.value?.length ?? 0;
    },
    { decode: false, timeoutMs: options.timeoutMs ?? 10 * 60_000 },
  );
  tally.bytes = tally.keyBytes + tally.valueBytes;
  return tally;
}

let confluentLoads: boolean | undefined;

/** confluent when its native module loads here, else kafkajs (the read-back is not what is measured). */
function readBackClient(): KafkaClientName {
  if (confluentLoads === undefined) {
    try {
      kafkaPort(['127.0.0.1:1'], 'confluent');
      confluentLoads = true;
    } catch {
      confluentLoads = false;
    }
  }
  return confluentLoads ? 'confluent' : 'kafkajs';
}

/** Deletes every topic whose name starts with one of `prefixes` (and, with them, their data on disk). */
export async function deleteTopicsWithPrefix(port: KafkaPort, prefixes: string[]): Promise<string[]> {
  if (prefixes.length === 0) return [];
  const admin = await port.admin();
  const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
  if (topics.length > 0) await admin.deleteTopics(topics, 60_000);
  return topics;
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
