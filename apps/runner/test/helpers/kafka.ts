import { readTopicOnce, resolveConnection, resolveRegistry } from '@siphon/sink-kafka';

export interface DecodedMessage {
  key: unknown;
  value: Record<string, unknown> | null;
  partition: number;
  offset: string;
  /** Key + value bytes as stored. */
  bytes: number;
}

/** Every committed message of each topic, keys and values decoded with the schemas the registry holds. */
export async function decodeTopics(
  brokers: string[],
  registryUrl: string,
  topics: readonly string[],
): Promise<Map<string, DecodedMessage[]>> {
  const out = new Map<string, DecodedMessage[]>(topics.map((t) => [t, []]));
  await readTopicOnce(
    {
      kafka: resolveConnection({ brokers, client_id: 'siphon-test' }),
      registry: resolveRegistry({ url: registryUrl }),
    },
    topics,
    ({ topic, partition, offset, key, value, decoded }) => {
      out.get(topic)?.push({
        key: decoded.key,
        value: decoded.value,
        partition,
        offset,
        bytes: (key?.length ?? 0) + (value?.length ?? 0),
      });
    },
  );
  return out;
}

/** The topic's compacted view: the latest value per key, tombstones applied. */
export function compactedView(messages: readonly DecodedMessage[]): Map<string, Record<string, unknown>> {
  const view = new Map<string, Record<string, unknown> | null>();
  for (const m of messages) view.set(JSON.stringify(m.key), m.value);
  const live = new Map<string, Record<string, unknown>>();
  for (const [key, value] of view) if (value) live.set(key, value);
  return live;
}

/** Prometheus text format → `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^(\S+?(?:\{.*\})?)\s+(\S+)$/.exec(line);
    if (match?.[1] && match[2]) out.set(match[1], Number(match[2]));
  }
  return out;
}
