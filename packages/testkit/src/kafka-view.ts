/**
 * Reads topics back the way a downstream consumer would: everything committed, keys and values
 * decoded through the Schema Registry (Confluent wire format) by a client of its own, then folded
 * into the compacted view: the latest value per key, with tombstones removing the key.
 * The bytes come through `TopicSource`, which a test builds on the sink's Kafka port (the kit imports
 * no Kafka client); the decoding is independent of the sink's, so the test checks the sink, not itself.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { type InfraConfig, infraConfig } from './infra.js';

export interface CompactedView {
  /** Key (JSON of the decoded key record) → decoded value. */
  values: Map<string, Record<string, unknown>>;
  messages: number;
  tombstones: number;
}

/** Committed messages as stored, e.g. `readTopicOnce(..., { decode: false })` of `@siphon/sink-kafka`. */
export interface TopicSource {
  listTopics(): Promise<string[]>;
  /** Calls `onMessage` for every committed message, in offset order per partition, then resolves. */
  readCommitted(
    topic: string,
    onMessage: (message: { key: Buffer | null; value: Buffer | null }) => void,
  ): Promise<void>;
}

export class TopicReader {
  private readonly registry: SchemaRegistry;

  constructor(
    private readonly source: TopicSource,
    registryUrl: string,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async topics(prefix: string): Promise<string[]> {
    return (await this.source.listTopics()).filter((t) => t.startsWith(prefix)).sort();
  }

  /** Everything committed to `topic` when the call starts, as a compacted view. */
  async compacted(topic: string): Promise<CompactedView> {
    const raw: Array<{ key: Buffer | null; value: Buffer | null }> = [];
    await this.source.readCommitted(topic, (m) => {
      raw.push({ key: m.key, value: m.value });
    });
    // Decode in parallel, apply in offset order: a later value of a key must win.
    const decoded = await Promise.all(raw.map((m) => this.decode(m.key, m.value)));
    const view: CompactedView = { values: new Map(), messages: 0, tombstones: 0 };
    for (const [key, value] of decoded) {
      view.messages += 1;
      if (value === null) {
        view.tombstones += 1;
        view.values.delete(key);
      } else {
        view.values.set(key, value);
      }
    }
    return view;
  }

  private async decode(
    key: Buffer | null,
    value: Buffer | null,
  ): Promise<[string, Record<string, unknown> | null]> {
    if (!key) throw new Error('a message without a key in a compacted topic');
    const decodedKey = JSON.stringify(await this.registry.decode(key));
    if (value === null) return [decodedKey, null];
    // JSON round trip: plain objects, as the API's JSON records are.
    return [decodedKey, JSON.parse(JSON.stringify(await this.registry.decode(value)))];
  }
}

/**
 * What `sinkTopicReader` uses of `@siphon/sink-kafka`: pass the module itself
 * (`import * as sinkKafka from '@siphon/sink-kafka'`). The kit cannot import it: the sink's own
 * tests import the kit.
 */
export interface SinkReadingApi<Connection> {
  resolveConnection(kafka: { brokers: string[] }): Connection;
  createKafkaPort(options: { kafka: Connection; producer: { retries: number } }): {
    admin(): Promise<{ listTopics(): Promise<string[]> }>;
    close(): Promise<void>;
  };
  readTopicOnce(
    options: { kafka: Connection },
    topic: string,
    onMessage: (message: { key: Buffer | null; value: Buffer | null }) => void,
    read: { decode: false },
  ): Promise<void>;
}

/**
 * A `TopicReader` on the shared infra: the sink's port lists the topics and reads their committed
 * bytes, the reader decodes them on its own. `close()` closes the port.
 */
export function sinkTopicReader<Connection>(
  sink: SinkReadingApi<Connection>,
  infra: Pick<InfraConfig, 'brokers' | 'registryUrl'> = infraConfig(),
): { reader: TopicReader; close(): Promise<void> } {
  const { brokers, registryUrl } = infra;
  const port = sink.createKafkaPort({ kafka: sink.resolveConnection({ brokers }), producer: { retries: 5 } });
  const reader = new TopicReader(
    {
      listTopics: async () => (await port.admin()).listTopics(),
      readCommitted: (topic, onMessage) =>
        sink.readTopicOnce({ kafka: sink.resolveConnection({ brokers }) }, topic, onMessage, {
          decode: false,
        }),
    },
    registryUrl,
  );
  return { reader, close: () => port.close() };
}
