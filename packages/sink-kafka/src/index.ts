export { avroKeySchema, encodeKey, KeyEncoder, MissingKeyError } from './avro/key.js';
export {
  errorChain,
  isFencedError,
  isPermanentError,
  kafkaError,
} from './broker-errors.js';
export {
  type Compression,
  DEFAULT_BOUNDARY,
  KAFKA_CLIENTS,
  type KafkaClientName,
  type KafkaConnectionInput,
  kafkaConfigSchema,
  type ProducerOptions,
  type RegistryConfigInput,
  type ResolvedConnection,
  type ResolvedRegistry,
  type ResolvedTopics,
  type ResolvedTuning,
  registryConfigSchema,
  type SaslOptions,
  type SinkConfig,
  type SinkConfigInput,
  sinkConfigSchema,
  sinkTuningSchema,
  type TopicDefaults,
  type TransactionBoundary,
  topicsConfigSchema,
} from './config.js';
export { RUN_HEADER } from './encoder.js';
export { KafkaSinkError, type KafkaSinkErrorCode } from './errors.js';
export type { SinkEvent } from './events.js';
export { type ClientOptions, createKafkaPort } from './kafka-port.js';
export { registerZstdCodec } from './kafkajs/codecs.js';
export { type TopicNameParts, topicName, transactionalId } from './naming.js';
export type {
  KafkaConnectionOptions,
  KafkaSinkEvent,
  KafkaSinkOptions,
  Logger,
  ResolvedOptions,
  SinkHooks,
} from './options.js';
export { resolveConnection, resolveOptions, resolveRegistry, sinkOptions } from './options.js';
export { keyAt, packedBytes, packedCount, unpack, valueAt } from './packed.js';
export type * from './port.js';
export {
  type Compatibility,
  type RegisteredSchema,
  type RegistryOptions,
  SchemaRegistryClient,
} from './registry.js';
export {
  COORDINATOR_SETTLE_POLICY,
  DEFAULT_SETTLE_POLICY,
  isSettlingError,
  type SettlePolicy,
  TopicSettlingError,
  untilSettled,
} from './settle.js';
export { createKafkaSink, type KafkaSink, type KafkaSinkDeps } from './sink.js';
export { decodeStateKey, encodeStateKey, KafkaStateStore, type StateEntry } from './state-store.js';
export {
  type DecodedTopicMessage,
  type ReadTopicOptions,
  readTopicOnce,
  type TopicMessage,
  type TopicReaderOptions,
} from './topic-reader.js';
export {
  type CleanupPolicy,
  cleanupPolicyFor,
  type EnsureOptions,
  type EnsureResult,
  ensureTopics,
  planTopics,
  type ResourceTopicPlan,
  type TopicPlan,
  type TopicSpec,
} from './topics.js';
export { fromWireFormat, MAGIC_BYTE, toWireFormat } from './wire.js';
export { zstdAvailable } from './zstd.js';
