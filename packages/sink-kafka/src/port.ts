/**
 * The Kafka port: everything Siphon asks of a Kafka client, in Siphon's own types. The sink's
 * writer, state store, topic management and readers, and the runner's probes, topic commands,
 * fencing and scale-out group, use only this; an adapter (`kafkajs/`) implements it on a client
 * library, and `testing/fake-kafka.ts` in memory. Errors thrown through the port keep the broker's
 * answer as `{ type, code, retriable }` somewhere on their `cause` chain (see broker-errors.ts).
 */
import type { Compression } from './config.js';

export type MessageHeaders = Record<string, string | Buffer>;

/** A message as Siphon writes it. `partition` unset: the key's murmur2 partition, as Java clients pick. */
export interface KafkaMessage {
  key: Buffer | null;
  /** Null for a tombstone. */
  value: Buffer | null;
  headers?: MessageHeaders;
  partition?: number;
}

/**
 * Messages packed into one buffer, as the encoder writes a page: message `i`'s key is
 * `buffer[offsets[4i], offsets[4i + 1])` and its value `buffer[offsets[4i + 2], offsets[4i + 3])`;
 * a start of -1 means null (no key; a tombstone's value). Every message carries `headers` and goes
 * to its key's partition. The buffer is the page's own: an adapter may hand slices of it to its
 * client without copying, and it is never written again.
 */
export interface PackedMessages {
  buffer: Buffer;
  offsets: Int32Array;
  headers: MessageHeaders;
}

/** Messages for one topic: one object per message, or a packed page (see packed.ts for helpers). */
export type TopicMessages =
  | { topic: string; messages: KafkaMessage[] }
  | { topic: string; packed: PackedMessages };

/** A committed message as read back. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
}

/** `high` is the last stable offset (what a `read_committed` reader can reach). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

export interface PartitionInfo {
  partition: number;
  /** Node id, or -1 without one. */
  leader: number;
  errorCode: number;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ClusterInfo {
  brokers: number;
  controller: number | null;
}

/** Admin calls, on a connection the port keeps open until `close`. */
export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  /** Resolves false when every topic existed already; throws with per-topic errors otherwise. */
  createTopics(topics: NewTopic[]): Promise<boolean>;
  createPartitions(topic: string, count: number): Promise<void>;
  /**
   * Deletes the topics and their data; topics already gone are skipped (cleanup may run twice).
   * Deletion is asynchronous on the broker: a topic may still be listed for a moment.
   */
  deleteTopics(topics: string[], timeoutMs?: number): Promise<void>;
  /** Fresh metadata of one topic, straight from a broker. */
  partitions(topic: string): Promise<PartitionInfo[]>;
  describeCluster(): Promise<ClusterInfo>;
  /** The named configs of each topic (missing ones left out). */
  topicConfigs(topics: string[], names: string[]): Promise<Map<string, Record<string, string>>>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  listGroups(): Promise<string[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
  /** The members of a consumer group as its coordinator describes them (empty for an unknown group). */
  describeGroup(groupId: string): Promise<GroupMemberDescription[]>;
}

/** One member of a described group: its join user data and its assigned partitions per topic. */
export interface GroupMemberDescription {
  memberId: string;
  clientHost: string;
  /** The user data of the member's join metadata (consumer protocol), if it sent any. */
  userData: Buffer | null;
  assignment: Record<string, number[]>;
}

export interface SendOptions {
  compression: Compression;
  /** Broker-side wait for acknowledgements (acks = all). */
  timeoutMs: number;
}

/**
 * An offset a transaction wrote to a partition: once a `read_committed` reader gets past it, the
 * whole transaction is readable there.
 */
export interface WrittenOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface KafkaTransaction {
  send(batches: TopicMessages[], options: SendOptions): Promise<void>;
  /**
   * Resolves once the broker accepted the commit, with an offset written to each partition the
   * transaction wrote to (the highest the client was told of). The commit markers may land in
   * the partitions a moment later: until then a `read_committed` reader does not see the records.
   */
  commit(): Promise<WrittenOffset[]>;
  abort(): Promise<void>;
  isActive(): boolean;
}

/** One producer per transactional id; `init` fences older owners of the id. */
export interface TransactionalProducer {
  /** Connects and runs InitProducerId (bumping the id's epoch). */
  init(): Promise<void>;
  begin(): Promise<KafkaTransaction>;
  close(): Promise<void>;
}

export interface TransactionalProducerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  retries: number;
  /** For clients that compress per producer (librdkafka); kafkajs takes it per send. */
  compression?: Compression;
}

/** Idempotent, acks = all, outside transactions (state resets, slot messages). */
export interface PlainProducer {
  /** Resolves with the partitions written to, each once. */
  send(topic: string, messages: KafkaMessage[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface LogReaderHandlers {
  /** Called in offset order per partition; a returned promise is awaited before the next. */
  onMessage(message: ConsumedMessage): void | Promise<void>;
  /** Everything before `next` in this partition was handed to `onMessage` (and settled). */
  onProgress(topic: string, partition: number, next: bigint): void;
  /** The reader stopped for good. */
  onError(error: unknown): void;
}

/** Reads topics from the beginning, `read_committed` by default, and keeps tailing them until stopped. */
export interface LogReader {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LogReaderOptions {
  /** Names the reader (and, where a client can only read through a group, its group). */
  name: string;
  /** Also hand over messages of open and aborted transactions (tests looking at what reached the log). */
  readUncommitted?: boolean;
}

/** A member of a consumer group as the assignor sees it. */
export interface GroupMemberMetadata {
  memberId: string;
  /** What the member announced; undefined when unreadable. */
  userData: Buffer | undefined;
}

export interface GroupAssignor {
  name: string;
  /** This member's announcement, read at every join. */
  userData(): Buffer;
  /** On the leader: partitions of the group's topic per member id. */
  assign(members: GroupMemberMetadata[]): Map<string, number[]>;
}

export interface GroupJoin {
  memberId: string;
  isLeader: boolean;
  durationMs: number;
  /** Partitions of the topic assigned to this member. */
  partitions: number[];
}

export interface GroupMembershipSpec {
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignor: GroupAssignor;
  onJoin(join: GroupJoin): void;
  /**
   * Messages arrived for the assignment. While this runs, the member sends heartbeats only through
   * `heartbeat`; an error it rethrows whose `type` ends the generation makes the member rejoin.
   */
  onBatch(heartbeat: () => Promise<void>): Promise<void>;
  /** The client crashed; with `restart` it rejoins by itself. */
  onCrash(error: Error, restart: boolean): void;
}

export interface GroupMembership {
  /** Connects, subscribes and starts the member's loop (resolves once it runs). */
  start(): Promise<void>;
  /** Leaves the group at once. */
  stop(): Promise<void>;
}

/** A Kafka client behind the port. Cheap to create; connections are opened on first use. */
export interface KafkaPort {
  readonly brokers: readonly string[];
  /** The client library's name, for messages. */
  readonly clientName: string;
  admin(): Promise<KafkaAdmin>;
  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer;
  producer(): PlainProducer;
  logReader(topics: readonly string[], handlers: LogReaderHandlers, options: LogReaderOptions): LogReader;
  groupMembership(spec: GroupMembershipSpec): GroupMembership;
  /** Closes the admin connection and whatever else the port keeps open. */
  close(): Promise<void>;
}
