/**
 * Reads topics back the way a downstream consumer would: from the beginning, read_committed,
 * keys and values decoded through the Schema Registry (Confluent wire format), then folded into
 * the compacted view: the latest value per key, with tombstones removing the key.
 * Independent of the sink's own reader on purpose, so the test checks the sink, not itself.
 */
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

export interface CompactedView {
  /** Key (JSON of the decoded key record) → decoded value. */
  values: Map<string, Record<string, unknown>>;
  messages: number;
  tombstones: number;
}

export class TopicReader {
  private readonly kafka: Kafka;
  private readonly registry: SchemaRegistry;

  constructor(brokers: string[], registryUrl: string) {
    this.kafka = new Kafka({ clientId: 'source-e2e-reader', brokers, logLevel: logLevel.NOTHING });
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async topics(prefix: string): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    } finally {
      await admin.disconnect();
    }
  }

  /** Everything committed to `topic` when the call starts, as a compacted view. */
  async compacted(topic: string, timeoutMs = 60_000): Promise<CompactedView> {
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `source-e2e-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    const view: CompactedView = { values: new Map(), messages: 0, tombstones: 0 };
    try {
      const targets = new Map<number, bigint>();
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) targets.set(p.partition, BigInt(p.high));
      }
      if (targets.size === 0) return view;
      const positions = new Map<number, bigint>();
      let finish: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const reached = () => [...targets].every(([p, t]) => (positions.get(p) ?? -1n) >= t);
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
        const next = BigInt(lastOffset) + 1n;
        if (next > (positions.get(partition) ?? -1n)) positions.set(partition, next);
        if (reached()) finish();
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          // Decode in parallel, apply in offset order: a later value of a key must win.
          const decoded = await Promise.all(batch.messages.map((m) => this.decode(m.key, m.value)));
          for (const [key, value] of decoded) {
            view.messages += 1;
            if (value === null) {
              view.tombstones += 1;
              view.values.delete(key);
            } else {
              view.values.set(key, value);
            }
          }
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`reading ${topic} did not catch up in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return view;
    } finally {
      await consumer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
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
