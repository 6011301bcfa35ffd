import type { EventBus, SchemaContractMode } from '@siphon/core';
import * as Config from './config.js';
import { toBusEvent } from './events.js';

/** pino-compatible. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type KafkaSinkEvent =
  | { type: 'topic_created'; topic: string; cleanupPolicy: string; partitions: number }
  | { type: 'schema_registered'; subject: string; id: number; fields: number }
  | {
      type: 'transaction_committed';
      resource: string;
      records: number;
      tombstones: number;
      /** Key + value bytes of the records and tombstones this transaction wrote to the resource's topic. */
      bytes: number;
      durationMs: number;
    }
  | { type: 'dead_letter'; resource: string; error: string }
  | { type: 'discarded'; resource: string; what: 'row' | 'value'; detail: string }
  | {
      type: 'snapshot_deletes';
      resource: string;
      tombstones: number;
      scanned: number;
      /** Why no deletes were looked for (they are left to the next run that reads every page). */
      deferred?: 'resumed run';
    }
  | { type: 'producer_recreated'; resource: string; reason: string };

/** What a program hands the sink besides its config: where its logs and events go. */
export interface SinkHooks {
  logger?: Logger | undefined;
  /** The bus the sink emits its events into, as `sink.<type>` (e.g. `sink.transaction_committed`). */
  events?: EventBus | undefined;
  /** @deprecated Subscribe to `sink.*` on `events` instead. Still called, with the same events under their short names. */
  onEvent?: ((event: KafkaSinkEvent) => void) | undefined;
}

/**
 * A sink's options in code: the config exactly as a pipelines file writes it (`kafka`, `registry`,
 * `topics`, `sink`, snake_case keys; see `sinkConfigSchema`), plus the hooks.
 */
export type KafkaSinkOptions = Config.SinkConfigInput & SinkHooks;

/** The `kafka` block as written. */
export type KafkaConnectionOptions = Config.KafkaConnectionInput;
/** The `registry` block as written. */
export type RegistryConfigOptions = Config.RegistryConfigInput;

/** Everything the sink runs on: the parsed config and the hooks, frozen. */
export interface ResolvedOptions {
  kafka: Config.ResolvedConnection;
  registry: Config.ResolvedRegistry;
  topics: Config.ResolvedTopics;
  transactions: Config.ResolvedTuning['transactions'];
  producer: Config.ResolvedTuning['producer'];
  transactionalIdPrefix: string;
  schemaContract: SchemaContractMode;
  logger: Logger | undefined;
  onEvent: (event: KafkaSinkEvent) => void;
}

const resolvedSet = new WeakSet<object>();

/**
 * The sink's options from a config parsed by `sinkConfigSchema` (or by a schema embedding its
 * blocks, such as the runner's pipelines file): nothing is validated again.
 */
export function sinkOptions(config: Config.SinkConfig, hooks: SinkHooks = {}): ResolvedOptions {
  const onEvent = hooks.onEvent ?? (() => {});
  const bus = hooks.events;
  const resolved: ResolvedOptions = Object.freeze({
    kafka: config.kafka,
    registry: config.registry,
    topics: config.topics,
    transactions: config.sink.transactions,
    producer: config.sink.producer,
    transactionalIdPrefix: config.sink.transactionalIdPrefix ?? config.topics.prefix,
    schemaContract: config.sink.schemaContract,
    logger: hooks.logger,
    onEvent: (event: KafkaSinkEvent) => {
      try {
        onEvent(event);
      } catch {
        // A listener's failure must never break a transaction.
      }
      bus?.emit(toBusEvent(event));
    },
  });
  resolvedSet.add(resolved);
  return resolved;
}

/** Parses a config written in code (once: resolved options come back as they are). */
export function resolveOptions(options: KafkaSinkOptions): ResolvedOptions;
export function resolveOptions(options: ResolvedOptions): ResolvedOptions;
export function resolveOptions(options: KafkaSinkOptions | ResolvedOptions): ResolvedOptions;
export function resolveOptions(options: KafkaSinkOptions | ResolvedOptions): ResolvedOptions {
  if (resolvedSet.has(options)) return options as ResolvedOptions;
  const { logger, events, onEvent, ...config } = options as KafkaSinkOptions;
  return sinkOptions(Config.parseWith(Config.sinkConfigSchema, config), { logger, events, onEvent });
}

/** Parses a `kafka` block written in code (as a pipelines file writes it). */
export function resolveConnection(kafka: KafkaConnectionOptions): Config.ResolvedConnection {
  return Config.parseWith(Config.kafkaConfigSchema, kafka, 'kafka');
}

/** Parses a `registry` block written in code (as a pipelines file writes it). */
export function resolveRegistry(registry: RegistryConfigOptions): Config.ResolvedRegistry {
  return Config.parseWith(Config.registryConfigSchema, registry, 'registry');
}
