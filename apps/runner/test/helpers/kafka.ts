import { SchemaRegistryClient } from '@siphon/sink-kafka';
import avro from 'avsc';
import { readTopics } from '../../src/ops/topic-reader.js';

export interface DecodedMessage {
  key: unknown;
  value: Record<string, unknown> | null;
  partition: number;
  offset: string;
}

/** Every committed message of each topic, keys and values decoded with the schemas the registry holds. */
export async function decodeTopics(
  brokers: string[],
  registryUrl: string,
  topics: readonly string[],
): Promise<Map<string, DecodedMessage[]>> {
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const types = new Map<number, Promise<avro.Type>>();
  const typeOf = (id: number) => {
    let type = types.get(id);
    if (!type) {
      type = registry.schemaById(id).then((schema) => avro.Type.forSchema(schema as avro.Schema));
      types.set(id, type);
    }
    return type;
  };
  const raw: Array<{
    topic: string;
    key: Buffer | null;
    value: Buffer | null;
    partition: number;
    offset: string;
  }> = [];
  await readTopics(
    { brokers, client_id: 'siphon-test', ssl: false, connection_timeout: 10_000, request_timeout: 30_000 },
    topics,
    (m) => raw.push(m),
  );
  const out = new Map<string, DecodedMessage[]>(topics.map((t) => [t, []]));
  const decode = async (buffer: Buffer | null) => {
    if (!buffer) return null;
    if (buffer[0] !== 0) throw new Error('not in the Confluent wire format (magic byte 0)');
    const type = await typeOf(buffer.readUInt32BE(1));
    return type.fromBuffer(buffer.subarray(5));
  };
  for (const m of raw) {
    out.get(m.topic)?.push({
      key: await decode(m.key),
      value: (await decode(m.value)) as Record<string, unknown> | null,
      partition: m.partition,
      offset: m.offset,
    });
  }
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
