import type { JsonRecord, Page, ResourceDescriptor, ResourceState } from '@siphon/core';
import { infraConfig, uniqueName } from '@siphon/testkit';
import {
  type ConsumedMessage,
  createKafkaPort,
  type KafkaAdmin,
  type KafkaClientName,
  type KafkaPort,
  type KafkaSinkEvent,
  type KafkaSinkOptions,
  resolveConnection,
} from '../../src/index.js';
import { scanTopics } from '../../src/reader.js';

export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: ConsumedMessage['headers'];
}

/** The adapter the sink's real-broker tests run on (default kafkajs). */
export function testClient(): KafkaClientName {
  const client = process.env.SIPHON_KAFKA_CLIENT ?? 'kafkajs';
  if (client !== 'kafkajs' && client !== 'confluent') {
    throw new Error(`SIPHON_KAFKA_CLIENT must be kafkajs or confluent, got "${client}"`);
  }
  return client;
}

/** Options for a sink whose every topic name is unique to this test; `seen` collects its events. */
export function testOptions(
  overrides: Partial<KafkaSinkOptions> = {},
): KafkaSinkOptions & { seen: KafkaSinkEvent[] } {
  const { brokers, registryUrl } = infraConfig();
  const seen: KafkaSinkEvent[] = [];
  const options: KafkaSinkOptions = {
    // SIPHON_KAFKA_CLIENT=confluent runs the sink's real-broker tests on the librdkafka adapter.
    kafka: { brokers, client_id: 'sink-kafka-test', client: testClient() },
    registry: { url: registryUrl },
    sink: { transaction: { records: 1000 } },
    ...overrides,
    topics: { prefix: uniqueName('sk'), ...overrides.topics },
    onEvent: (event) => seen.push(event),
  };
  // Not enumerable: the sink's config takes its own keys only, and refuses any other.
  return Object.defineProperty(options, 'seen', {
    value: seen,
    enumerable: false,
  }) as KafkaSinkOptions & {
    seen: KafkaSinkEvent[];
  };
}

/** The sink's Kafka port on the test broker, closed after `fn`. */
export async function withPort<T>(fn: (admin: KafkaAdmin, port: KafkaPort) => Promise<T>): Promise<T> {
  const port = createKafkaPort({
    kafka: resolveConnection({
      brokers: infraConfig().brokers,
      client_id: 'sink-kafka-test-port',
      client: testClient(),
    }),
    producer: { retries: 5 },
  });
  try {
    return await fn(await port.admin(), port);
  } finally {
    await port.close();
  }
}

/** Everything committed to a topic (read_committed), in offset order per partition. */
export async function readCommitted(topic: string): Promise<ReadMessage[]> {
  return withPort(async (_admin, port) => {
    const out: ReadMessage[] = [];
    await scanTopics(
      port,
      topic,
      (m) => {
        out.push(m);
      },
      {
        name: 'sink-kafka-test',
        brokers: infraConfig().brokers,
        timeoutMs: 60_000,
      },
    );
    return out;
  });
}

/** Reads with read_uncommitted until `expected` messages arrived (open transactions included). */
export async function readUncommitted(
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  return withPort(async (_admin, port) => {
    const out: ReadMessage[] = [];
    let done: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      done = resolve;
    });
    let failed: (error: unknown) => void = () => {};
    const failure = new Promise<never>((_, reject) => {
      failed = reject;
    });
    const reader = port.logReader(
      [topic],
      {
        onMessage: (m) => {
          out.push({
            partition: m.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: m.headers,
          });
          if (out.length >= expected) done();
        },
        onProgress: () => {},
        onError: (error) => failed(error),
      },
      { name: uniqueName('sk-uncommitted'), readUncommitted: true },
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await reader.start();
      await Promise.race([
        reached,
        failure,
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      return out;
    } finally {
      clearTimeout(timer);
      await reader.stop();
    }
  });
}

export function resource(overrides: Partial<ResourceDescriptor> = {}): ResourceDescriptor {
  return { name: 'invoices', primaryKey: ['id'], writeDisposition: 'merge', ...overrides };
}

/** The invoices resource, whose records with `status: deleted` are hard deletes (tombstones). */
export function invoicesWithDeletes(): ResourceDescriptor {
  return resource({ hardDelete: { path: 'status', equals: 'deleted' } });
}

/** The context most tests open writers in: pipeline `p`, source `billing`, run `r1`. */
export const BILLING_RUN = Object.freeze({ pipeline: 'p', source: 'billing', runId: 'r1' });

export function stateFor(runId: string, pages: number): ResourceState {
  return { checkpoint: { run_id: runId, paginator: { page: pages + 1 }, pages } };
}

export function page(index: number, records: JsonRecord[], runId = 'run-1'): Page {
  return {
    resource: 'invoices',
    index,
    url: `http://api.test/invoices?page=${index}`,
    records,
    state: stateFor(runId, index),
  };
}

export function header(headers: ConsumedMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** GET a registry endpoint as JSON. */
export async function registryGet<T = Record<string, unknown>>(path: string): Promise<T> {
  const response = await fetch(`${infraConfig().registryUrl}${path}`);
  return (await response.json()) as T;
}
