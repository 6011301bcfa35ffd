/**
 * `readTopicOnce`: reads topics from the beginning up to the end they had when the call started,
 * as a `read_committed` consumer sees them, and decodes Confluent-framed Avro keys and values with
 * the schemas the registry holds. For checks, summaries, demos and tests; never on the write path.
 */
import avro from 'avsc';
import { kafkaError } from './broker-errors.js';
import type { ResolvedConnection, ResolvedRegistry } from './config.js';
import { describeError, KafkaSinkError } from './errors.js';
import { createKafkaPort } from './kafka-port.js';
import type { Logger } from './options.js';
import type { ConsumedMessage, KafkaAdmin } from './port.js';
import { scanTopics, type TailMessage } from './reader.js';
import { SchemaRegistryClient } from './registry.js';
import { untilSettled } from './settle.js';
import { fromWireFormat, MAGIC_BYTE, WIRE_HEADER_BYTES } from './wire.js';

export interface TopicReaderOptions {
  /** Parsed (`resolveConnection`, or a sink's resolved options). */
  kafka: ResolvedConnection;
  /** Where the schemas are; required unless reading with `decode: false`. */
  registry?: ResolvedRegistry | undefined;
  /** Receives the Kafka client's log lines (none without it). */
  logger?: Logger | undefined;
}

export interface ReadTopicOptions {
  /** Decode keys and values as Confluent-framed Avro (default true). */
  decode?: boolean;
  /** Fail when the end has not been reached after this long. Default 60 000 ms. */
  timeoutMs?: number;
}

/** One committed message as stored. */
export interface TopicMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  /** Null for a tombstone. */
  value: Buffer | null;
  headers: ConsumedMessage['headers'];
}

/** A message whose key and value were decoded with their registry schemas. */
export interface DecodedTopicMessage extends TopicMessage {
  decoded: {
    /** Null when the message has no key. */
    key: unknown;
    /** Null for a tombstone. */
    value: Record<string, unknown> | null;
  };
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Calls `onMessage` for every committed message of `topics`, in offset order per partition,
 * awaiting each returned promise; resolves once the end offsets taken at the start are reached.
 * Reads through a private consumer group that commits nothing and is deleted afterwards.
 * Throws `KafkaSinkError` (`KAFKA_CONNECTION`, `STATE` on timeout, `DECODE`, `REGISTRY`).
 */
export function readTopicOnce(
  options: TopicReaderOptions,
  topics: string | readonly string[],
  onMessage: (message: DecodedTopicMessage) => void | Promise<void>,
  read?: ReadTopicOptions & { decode?: true },
): Promise<void>;
export function readTopicOnce(
  options: TopicReaderOptions,
  topics: string | readonly string[],
  onMessage: (message: TopicMessage) => void | Promise<void>,
  read: ReadTopicOptions & { decode: false },
): Promise<void>;
export async function readTopicOnce(
  options: TopicReaderOptions,
  topics: string | readonly string[],
  onMessage: (message: DecodedTopicMessage) => void | Promise<void>,
  read: ReadTopicOptions = {},
): Promise<void> {
  const kafkaOptions = options.kafka;
  const decode = read.decode ?? true;
  if (decode && !options.registry?.url) {
    throw new KafkaSinkError('INVALID_OPTIONS', 'readTopicOnce: registry.url is required to decode messages');
  }
  const decoder =
    decode && options.registry ? new AvroDecoder(new SchemaRegistryClient(options.registry)) : undefined;
  const port = createKafkaPort({ kafka: kafkaOptions, logger: options.logger, producer: { retries: 5 } });
  let admin: KafkaAdmin;
  try {
    admin = await port.admin();
  } catch (error) {
    await port.close();
    throw kafkaError(error, 'connecting to Kafka', kafkaOptions.brokers);
  }
  try {
    await assertTopicsExist(admin, typeof topics === 'string' ? [topics] : topics, kafkaOptions.brokers);
    const handler = decoder
      ? async (m: TailMessage) => onMessage({ ...m, decoded: await decoder.decode(m) })
      : (m: TailMessage) => (onMessage as (message: TopicMessage) => void | Promise<void>)(m);
    await scanTopics(port, topics, handler, {
      name: `${kafkaOptions.clientId}-read`,
      brokers: kafkaOptions.brokers,
      logger: options.logger,
      timeoutMs: read.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  } finally {
    await port.close();
  }
}

/** Fails at once for a missing topic, where a consumer would wait for it to appear. */
async function assertTopicsExist(
  admin: KafkaAdmin,
  topics: readonly string[],
  brokers: string[],
): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set(await untilSettled('listing topics', () => admin.listTopics()));
  } catch (error) {
    throw kafkaError(error, 'listing topics', brokers);
  }
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new KafkaSinkError(
      'TOPIC_ADMIN',
      `cannot read: ${missing.length === 1 ? 'topic' : 'topics'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist (brokers ${brokers.join(',')})`,
    );
  }
}

/** Decodes Confluent-framed Avro with the writer's schema, fetched once per schema id. */
class AvroDecoder {
  private readonly types = new Map<number, Promise<avro.Type>>();

  constructor(private readonly registry: SchemaRegistryClient) {}

  async decode(m: TailMessage): Promise<DecodedTopicMessage['decoded']> {
    return {
      key: m.key ? await this.body(m, 'key', m.key) : null,
      value: m.value ? ((await this.body(m, 'value', m.value)) as Record<string, unknown>) : null,
    };
  }

  private async body(m: TailMessage, part: 'key' | 'value', bytes: Buffer): Promise<unknown> {
    const where = `topic "${m.topic}" partition ${m.partition} offset ${m.offset}`;
    if (bytes.length < WIRE_HEADER_BYTES || bytes[0] !== MAGIC_BYTE) {
      throw new KafkaSinkError(
        'DECODE',
        `${where}: the ${part} is not Confluent-framed Avro (expected magic byte ${MAGIC_BYTE} and a 4-byte schema id, got ${bytes.length} bytes starting with ${bytes[0]}); read this topic with decode: false`,
      );
    }
    const { schemaId, body } = fromWireFormat(bytes);
    const type = await this.typeOf(schemaId);
    try {
      return type.fromBuffer(body);
    } catch (error) {
      throw new KafkaSinkError(
        'DECODE',
        `${where}: the ${part} does not decode with schema id ${schemaId}: ${describeError(error)}`,
        { cause: error },
      );
    }
  }

  private typeOf(id: number): Promise<avro.Type> {
    let type = this.types.get(id);
    if (!type) {
      type = this.registry
        .schemaById(id)
        .then((schema) => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }));
      type.catch(() => this.types.delete(id));
      this.types.set(id, type);
    }
    return type;
  }
}
