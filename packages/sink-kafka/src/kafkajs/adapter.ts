/**
 * The Kafka port on kafkajs. kafkajs reads only through consumer groups: each log reader joins a
 * private group that commits nothing, deleted when the reader stops, and any the port opened that
 * is still there (a delete that failed) when the port closes.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type Kafka, type Producer, type Transaction } from 'kafkajs';
import { kafkaError } from '../broker-errors.js';
import type { Compression } from '../config.js';
import { KafkaSinkError } from '../errors.js';
import type { ClientOptions } from '../kafka-port.js';
import type { Logger } from '../options.js';
import { unpack } from '../packed.js';
import type * as Port from '../port.js';
import { TopicSettlingError } from '../settle.js';
import { WrittenOffsets } from '../written-offsets.js';
import { createKafka } from './client.js';
import { kafkajsRetry } from './retry.js';

const { AssignerProtocol, CompressionTypes, ConfigResourceTypes } = kafkajs;

const COMPRESSION: Record<Compression, kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  zstd: CompressionTypes.ZSTD,
};

/** Bytes one fetch may return: enough for a broker-sized record batch, small for memory. */
const READ_MAX_BYTES = 1024 * 1024;

/** What kafkajs's fetchTopicOffsets throws when its metadata cache lists no partition of the topic. */
const STALE_CACHE = /'(high|low)\.pop\(\.\.\.\)'/;

export function createKafkaJsPort(options: ClientOptions): Port.KafkaPort {
  return new KafkaJsPort(options);
}

class KafkaJsPort implements Port.KafkaPort {
  readonly clientName = 'kafkajs';
  readonly brokers: readonly string[];
  private readonly kafka: Kafka;
  private adminPromise: Promise<Admin> | undefined;
  /** Groups of this port's log readers not yet deleted. */
  private readonly readerGroups = new Set<string>();

  constructor(private readonly options: ClientOptions) {
    this.brokers = options.kafka.brokers;
    this.kafka = createKafka(options);
  }

  private connectedAdmin(): Promise<Admin> {
    this.adminPromise ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.adminPromise = undefined;
        throw kafkaError(error, 'connecting to Kafka', [...this.brokers]);
      }
      return admin;
    })();
    return this.adminPromise;
  }

  async admin(): Promise<Port.KafkaAdmin> {
    return new KafkaJsAdmin(await this.connectedAdmin());
  }

  transactionalProducer(options: Port.TransactionalProducerOptions): Port.TransactionalProducer {
    return new KafkaJsTransactionalProducer(this.kafka, options);
  }

  producer(): Port.PlainProducer {
    return new KafkaJsPlainProducer(this.kafka, this.options.producer.retries);
  }

  logReader(
    topics: readonly string[],
    handlers: Port.LogReaderHandlers,
    options: Port.LogReaderOptions,
  ): Port.LogReader {
    const groupId = `${options.name}-reader-${randomUUID()}`;
    this.readerGroups.add(groupId);
    return new KafkaJsLogReader(this.kafka, () => this.connectedAdmin(), topics, handlers, {
      groupId,
      deleted: () => this.readerGroups.delete(groupId),
      logger: this.options.logger,
      readUncommitted: options.readUncommitted === true,
    });
  }

  groupMembership(spec: Port.GroupMembershipSpec): Port.GroupMembership {
    return new KafkaJsGroupMembership(this.kafka, spec);
  }

  async close(): Promise<void> {
    const admin = await this.adminPromise?.catch(() => undefined);
    this.adminPromise = undefined;
    if (admin && this.readerGroups.size > 0) {
      // Only groups that exist (and whose readers have left) can be deleted; others are gone already.
      const existing = new Set(
        await admin.listGroups().then(
          (r) => r.groups.map((g) => g.groupId),
          () => [],
        ),
      );
      const left = [...this.readerGroups].filter((g) => existing.has(g));
      if (left.length > 0) await admin.deleteGroups(left).catch(() => {});
      this.readerGroups.clear();
    }
    await admin?.disconnect().catch(() => {});
  }
}

class KafkaJsAdmin implements Port.KafkaAdmin {
  constructor(private readonly admin: Admin) {}

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  createTopics(topics: Parameters<Port.KafkaAdmin['createTopics']>[0]): Promise<boolean> {
    return this.admin.createTopics({
      // Leaders are awaited by the caller, with retries kafkajs's own wait lacks.
      waitForLeaders: false,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  async createPartitions(topic: string, count: number): Promise<void> {
    await this.admin.createPartitions({ topicPartitions: [{ topic, count }] });
  }

  async deleteTopics(topics: string[], timeoutMs = 30_000): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await this.admin.deleteTopics({ topics: gone, timeout: timeoutMs });
  }

  async partitions(topic: string) {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const found = topics.find((t) => t.name === topic)?.partitions ?? [];
    return found.map((p) => ({
      partition: p.partitionId,
      leader: p.leader,
      errorCode: p.partitionErrorCode,
    }));
  }

  async describeCluster() {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  }

  async topicConfigs(topics: string[], names: string[]): Promise<Map<string, Record<string, string>>> {
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: names })),
    });
    const out = new Map<string, Record<string, string>>();
    for (const resource of described.resources) {
      const configs: Record<string, string> = {};
      for (const entry of resource.configEntries) configs[entry.configName] = entry.configValue;
      out.set(resource.resourceName, configs);
    }
    return out;
  }

  /**
   * ListOffsets with read_committed. Concurrent calls on one admin race kafkajs's metadata
   * refreshes, and a refresh that finishes late puts back a cache without the newest topics;
   * kafkajs then fails with a TypeError, which becomes a settling answer: the next call sees the
   * topic missing and refreshes the cache.
   */
  async topicOffsets(topic: string): Promise<Port.PartitionOffsets[]> {
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
    } catch (error) {
      if (error instanceof TypeError && STALE_CACHE.test(error.message)) {
        throw new TopicSettlingError(`${topic}: kafkajs's metadata cache lists no partition of it yet`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async listGroups(): Promise<string[]> {
    const { groups } = await this.admin.listGroups();
    return groups.map((g) => g.groupId);
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length > 0) await this.admin.deleteGroups(groupIds);
  }

  async describeGroup(groupId: string): Promise<Port.GroupMemberDescription[]> {
    const { groups } = await this.admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((m) => {
      let userData: Buffer | null = null;
      try {
        userData = kafkajs.AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData ?? null;
      } catch {
        // metadata of another protocol: no user data to show
      }
      const assignment =
        m.memberAssignment.length > 0
          ? (kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})
          : {};
      return { memberId: m.memberId, clientHost: m.clientHost.replace(/^\//, ''), userData, assignment };
    });
  }
}

/** kafkajs takes one object per message: packed pages are unpacked (views of their buffer, no copy), one entry per topic. */
function asMessagesPerTopic(
  batches: readonly Port.TopicMessages[],
): Array<{ topic: string; messages: Port.KafkaMessage[] }> {
  const perTopic = new Map<string, Port.KafkaMessage[]>();
  for (const batch of batches) {
    const messages = 'packed' in batch ? unpack(batch.packed) : batch.messages;
    const list = perTopic.get(batch.topic);
    if (list) for (const m of messages) list.push(m);
    else perTopic.set(batch.topic, [...messages]);
  }
  return [...perTopic].map(([topic, messages]) => ({ topic, messages }));
}

class KafkaJsTransaction implements Port.KafkaTransaction {
  private readonly written = new WrittenOffsets();

  constructor(private readonly txn: Transaction) {}

  async send(
    batches: Parameters<Port.KafkaTransaction['send']>[0],
    options: Parameters<Port.KafkaTransaction['send']>[1],
  ) {
    const sent = await this.txn.sendBatch({
      topicMessages: asMessagesPerTopic(batches),
      acks: -1,
      compression: COMPRESSION[options.compression],
      timeout: options.timeoutMs,
    });
    // kafkajs reports the first offset of each partition's batch.
    for (const r of sent)
      if (r.baseOffset !== undefined) this.written.note(r.topicName, r.partition, r.baseOffset);
  }

  async commit(): Promise<Port.WrittenOffset[]> {
    await this.txn.commit();
    return this.written.list();
  }

  async abort(): Promise<void> {
    await this.txn.abort();
  }

  isActive(): boolean {
    return this.txn.isActive();
  }
}

class KafkaJsTransactionalProducer implements Port.TransactionalProducer {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: Port.TransactionalProducerOptions,
  ) {}

  async init(): Promise<void> {
    const { transactionalId, transactionTimeoutMs, retries } = this.options;
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: transactionTimeoutMs,
      allowAutoTopicCreation: false,
      // kafkajs's documented "unlimited retries when idempotent" never applies: the default is 5.
      retry: kafkajsRetry(retries),
    });
    try {
      await producer.connect();
      // InitProducerId happens on the first transaction; an empty one sends no EndTxn.
      const fence = await producer.transaction();
      await fence.abort();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    }
    this.producer = producer;
  }

  async begin(): Promise<Port.KafkaTransaction> {
    if (!this.producer)
      throw new KafkaSinkError(
        'PRODUCER_NOT_READY',
        `producer "${this.options.transactionalId}" is not initialised`,
      );
    return new KafkaJsTransaction(await this.producer.transaction());
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => {});
  }
}

class KafkaJsPlainProducer implements Port.PlainProducer {
  private connecting: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly retries: number,
  ) {}

  private connected(): Promise<Producer> {
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: kafkajsRetry(this.retries),
      });
      try {
        await producer.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      return producer;
    })();
    return this.connecting;
  }

  async send(topic: string, messages: Parameters<Port.PlainProducer['send']>[1]): Promise<number[]> {
    const producer = await this.connected();
    const written = await producer.send({ topic, acks: -1, messages });
    return written.map((r) => r.partition);
  }

  async close(): Promise<void> {
    const producer = await this.connecting?.catch(() => undefined);
    this.connecting = undefined;
    await producer?.disconnect().catch(() => {});
  }
}

/** A private, never-committing consumer group reading from the beginning (`read_committed` unless asked). */
class KafkaJsLogReader implements Port.LogReader {
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: () => Promise<Admin>,
    private readonly topics: readonly string[],
    private readonly handlers: Port.LogReaderHandlers,
    private readonly options: {
      groupId: string;
      /** Called once the group is deleted. */
      deleted: () => void;
      logger: Logger | undefined;
      readUncommitted: boolean;
    },
  ) {}

  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    const { handlers } = this;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: this.options.readUncommitted,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1000,
      // kafkajs's 10 MiB default, decompressed and decoded at once, was the run's peak RSS.
      maxBytes: READ_MAX_BYTES,
      maxBytesPerPartition: READ_MAX_BYTES,
    });
    this.consumer = consumer;
    const topics = new Set(this.topics);
    let failed = false;
    // Emitted once `eachBatch` has resolved, so every message up to `lastOffset` was handled.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, lastOffset } = event.payload as {
        topic: string;
        partition: number;
        lastOffset: string;
      };
      if (!topics.has(topic) || failed) return;
      handlers.onProgress(topic, partition, BigInt(lastOffset) + 1n);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: Error; restart?: boolean };
      // A retriable crash (coordinator loading on a fresh cluster, a rebalance) is followed by
      // kafkajs's own restart; catch-up waits for it, bounded by its timeout.
      if (restart === true || this.stopped) {
        this.options.logger?.debug(
          { component: 'sink-kafka', error: error.message },
          `reading ${[...topics].join(', ')}: the consumer restarts after a retriable error`,
        );
        return;
      }
      failed = true;
      handlers.onError(error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (failed) return;
          const message: Port.ConsumedMessage = {
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: (m.headers ?? {}) as Port.ConsumedMessage['headers'],
          };
          try {
            await handlers.onMessage(message);
          } catch (error) {
            // Not rethrown: kafkajs would retry the batch and hand the same messages over again.
            failed = true;
            handlers.onError(error);
            return;
          }
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) {
      this.options.deleted(); // never joined
      return;
    }
    await this.starting?.catch(() => {});
    await consumer.disconnect().catch(() => {});
    const admin = await this.admin().catch(() => undefined);
    await admin?.deleteGroups([this.options.groupId]).then(this.options.deleted, () => {});
  }
}

/** The runner's scale-out group on kafkajs's consumer, with the spec's assignor as a PartitionAssigner. */
class KafkaJsGroupMembership implements Port.GroupMembership {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly spec: Port.GroupMembershipSpec,
  ) {
    const { assignor, topic } = spec;
    this.consumer = kafka.consumer({
      groupId: spec.groupId,
      partitionAssigners: [
        () => ({
          name: assignor.name,
          version: 1,
          protocol: ({ topics }) => ({
            name: assignor.name,
            metadata: AssignerProtocol.MemberMetadata.encode({
              version: 1,
              topics,
              userData: assignor.userData(),
            }),
          }),
          async assign({ members }) {
            const decoded = members.map(({ memberId, memberMetadata }) => {
              let userData: Buffer | undefined;
              try {
                userData = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData;
              } catch {
                userData = undefined;
              }
              return { memberId, userData };
            });
            const plan = assignor.assign(decoded);
            return members.map(({ memberId }) => ({
              memberId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({
                version: 1,
                assignment: { [topic]: [...(plan.get(memberId) ?? [])].sort((a, b) => a - b) },
                userData: Buffer.alloc(0),
              }),
            }));
          },
        }),
      ],
      sessionTimeout: spec.sessionTimeoutMs,
      rebalanceTimeout: spec.rebalanceTimeoutMs,
      heartbeatInterval: spec.heartbeatIntervalMs,
      maxWaitTimeInMs: spec.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      readUncommitted: true,
    });
    this.listen();
  }

  async start(): Promise<void> {
    const { consumer, spec } = this;
    await consumer.connect();
    await consumer.subscribe({ topics: [spec.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: ({ heartbeat }) => spec.onBatch(heartbeat),
    });
  }

  private listen(): void {
    const { consumer, spec } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      spec.onJoin({
        memberId: payload.memberId,
        isLeader: payload.isLeader,
        durationMs: payload.duration,
        partitions: [...(payload.memberAssignment[spec.topic] ?? [])].sort((a, b) => a - b),
      }),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) => spec.onCrash(payload.error, payload.restart));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
  }
}
