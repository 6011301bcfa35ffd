import type { ConnectionOptions } from 'node:tls';
import { clampTimerDelay, type EventBus } from '@siphon/core';
import type { KafkaSinkOptions, Logger, TransactionBoundary } from '@siphon/sink-kafka';
import type { KafkaConfig, PipelineConfig } from '../config/schema.js';

/** kafkajs connection settings from the pipelines file's `kafka` block. */
export function kafkaConnection(kafka: KafkaConfig): KafkaSinkOptions['kafka'] {
  let ssl: boolean | ConnectionOptions = false;
  if (typeof kafka.ssl === 'object') {
    ssl = {
      ...(kafka.ssl.ca ? { ca: kafka.ssl.ca } : {}),
      ...(kafka.ssl.cert ? { cert: kafka.ssl.cert } : {}),
      ...(kafka.ssl.key ? { key: kafka.ssl.key } : {}),
      ...(kafka.ssl.servername ? { servername: kafka.ssl.servername } : {}),
      ...(kafka.ssl.reject_unauthorized !== undefined
        ? { rejectUnauthorized: kafka.ssl.reject_unauthorized }
        : {}),
    };
  } else ssl = kafka.ssl;
  return {
    brokers: kafka.brokers,
    client: kafka.client,
    clientId: kafka.client_id,
    ssl,
    ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
    // Client libraries take these as plain timer delays: beyond 24.8 days they would fire at once.
    connectionTimeout: clampTimerDelay(kafka.connection_timeout),
    requestTimeout: clampTimerDelay(kafka.request_timeout),
    ...(kafka.outage_timeout !== undefined ? { outageTimeout: clampTimerDelay(kafka.outage_timeout) } : {}),
  };
}

/** The Kafka sink's options for one pipeline. */
export function kafkaSinkOptions(
  pipeline: PipelineConfig,
  hooks: { logger?: Logger; events?: EventBus } = {},
): KafkaSinkOptions {
  const { topics, registry, sink } = pipeline;
  const boundary: TransactionBoundary = {};
  if (sink.transaction?.records !== undefined) boundary.records = sink.transaction.records;
  if (sink.transaction?.interval !== undefined) boundary.intervalMs = sink.transaction.interval;
  if (sink.transaction?.pages !== undefined) boundary.pages = sink.transaction.pages;
  const hasBoundary = Object.keys(boundary).length > 0;
  return {
    kafka: kafkaConnection(pipeline.kafka),
    registry: {
      url: registry.url,
      ...(registry.auth ? { auth: registry.auth } : {}),
      ...(registry.compatibility ? { compatibility: registry.compatibility } : {}),
      ...(registry.timeout !== undefined ? { timeoutMs: clampTimerDelay(registry.timeout) } : {}),
    },
    topics: {
      prefix: topics.prefix,
      template: topics.template,
      partitions: topics.partitions,
      replicationFactor: topics.replication_factor,
      configs: topics.configs,
      ...(topics.state_topic ? { stateTopic: topics.state_topic } : {}),
    },
    ...(hasBoundary || sink.transaction?.timeout !== undefined
      ? {
          transactions: {
            ...(hasBoundary ? { boundary } : {}),
            ...(sink.transaction?.timeout !== undefined ? { timeoutMs: sink.transaction.timeout } : {}),
          },
        }
      : {}),
    producer: {
      ...(sink.compression ? { compression: sink.compression } : {}),
      ...(sink.batch_bytes ? { batchBytes: sink.batch_bytes } : {}),
      ...(sink.linger !== undefined ? { lingerMs: Math.max(1, sink.linger) } : {}),
      ...(sink.retries ? { retries: sink.retries } : {}),
      ...(sink.encode_workers !== undefined ? { encodeWorkers: sink.encode_workers } : {}),
    },
    ...(sink.schema_contract ? { schemaContract: sink.schema_contract } : {}),
    ...(sink.transactional_id_prefix ? { transactionalIdPrefix: sink.transactional_id_prefix } : {}),
    ...(hooks.logger ? { logger: hooks.logger } : {}),
    ...(hooks.events ? { events: hooks.events } : {}),
  };
}
