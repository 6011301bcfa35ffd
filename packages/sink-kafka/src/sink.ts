/** `createKafkaSink`: core's `Sink` on Kafka, the Schema Registry and a compacted state topic. */
import type { ResourceDescriptor, ResourceWriter, Sink, SinkOpenContext, StateKey } from '@siphon/core';
import { kafkaError } from './broker-errors.js';
import { EncodePool } from './encode-pool.js';
import { ResourceEncoder } from './encoder.js';
import { KafkaSinkError } from './errors.js';
import { createKafkaPort } from './kafka-port.js';
import { transactionalId } from './naming.js';
import { type KafkaSinkOptions, type ResolvedOptions, resolveOptions } from './options.js';
import type { KafkaAdmin, KafkaPort } from './port.js';
import { TransactionalUnit } from './producer.js';
import { SchemaRegistryClient } from './registry.js';
import { untilSettled } from './settle.js';
import { KafkaStateStore } from './state-store.js';
import {
  deadLetterTopicSpec,
  ensureTopics,
  planResourceTopic,
  type ResourceTopicPlan,
  stateTopicSpec,
  type TopicSpec,
} from './topics.js';
import { KafkaResourceWriter } from './writer.js';
import { zstdAvailable } from './zstd.js';

export interface KafkaSink extends Sink {
  stateStore(): KafkaStateStore;
  /** The resolved (validated, defaulted) options. */
  readonly options: ResolvedOptions;
  readonly registry: SchemaRegistryClient;
  /** The Kafka client behind the sink, for the runner's topic management, probes and fencing. */
  readonly port: KafkaPort;
}

export interface KafkaSinkDeps {
  /** The Kafka client; default: the adapter `kafka.client` names. Tests pass a fake. */
  port?: KafkaPort;
}

// Overloads, not a union: a literal config gets the excess-property check against the input shape.
export function createKafkaSink(options: KafkaSinkOptions, deps?: KafkaSinkDeps): KafkaSink;
export function createKafkaSink(options: ResolvedOptions, deps?: KafkaSinkDeps): KafkaSink;
export function createKafkaSink(
  options: KafkaSinkOptions | ResolvedOptions,
  deps: KafkaSinkDeps = {},
): KafkaSink {
  return new KafkaSinkImpl(resolveOptions(options), deps.port);
}

class KafkaSinkImpl implements KafkaSink {
  readonly registry: SchemaRegistryClient;
  readonly port: KafkaPort;
  private readonly injectedPort: boolean;
  private readonly ensured = new Map<string, Promise<void>>();
  /** One producer per transactional id; created by `get` (fencing) or `open`. */
  private readonly units = new Map<string, TransactionalUnit>();
  private readonly openWriters = new Set<string>();
  private store: KafkaStateStore | undefined;
  private closed = false;
  private pool: EncodePool | undefined;

  constructor(
    readonly options: ResolvedOptions,
    port?: KafkaPort,
  ) {
    if (options.producer.compression === 'zstd' && !zstdAvailable()) {
      throw new KafkaSinkError(
        'INVALID_OPTIONS',
        `producer.compression "zstd" needs Node >= 22.15 (zlib zstd); this is Node ${process.versions.node}`,
      );
    }
    this.port = port ?? createKafkaPort(options);
    this.injectedPort = port !== undefined;
    this.registry = new SchemaRegistryClient(options.registry);
  }

  private async admin(): Promise<KafkaAdmin> {
    try {
      return await this.port.admin();
    } catch (error) {
      throw kafkaError(error, 'connecting to Kafka', this.options.kafka.brokers);
    }
  }

  private ensure(spec: TopicSpec): Promise<void> {
    let done = this.ensured.get(spec.topic);
    if (!done) {
      done = (async () => {
        await ensureTopics(await this.admin(), [spec], {
          apply: true,
          brokers: this.options.kafka.brokers,
          logger: this.options.logger,
          onCreated: (s) =>
            this.options.onEvent({
              type: 'topic_created',
              topic: s.topic,
              cleanupPolicy: s.cleanupPolicy,
              partitions: s.partitions,
            }),
        });
      })();
      done.catch(() => this.ensured.delete(spec.topic));
      this.ensured.set(spec.topic, done);
    }
    return done;
  }

  private unitFor(key: StateKey): TransactionalUnit {
    const id = transactionalId(this.options.transactionalIdPrefix, key.pipeline, key.source, key.resource);
    let unit = this.units.get(id);
    if (!unit) {
      unit = new TransactionalUnit(this.port, {
        transactionalId: id,
        transactionTimeoutMs: this.options.transactions.timeoutMs,
        retries: this.options.producer.retries,
        brokers: this.options.kafka.brokers,
        logger: this.options.logger,
        compression: this.options.producer.compression,
      });
      this.units.set(id, unit);
    }
    return unit;
  }

  stateStore(): KafkaStateStore {
    this.store ??= new KafkaStateStore(this.options, {
      port: this.port,
      shareLogBy: this.injectedPort ? 'port' : 'cluster',
      ensureTopic: () => this.ensure(stateTopicSpec(this.options)),
      // Fencing first makes the broker abort a crashed run's open transaction, so the state we
      // read is the last one committed with data.
      fence: async (key) => {
        await this.unitFor(key).ready();
      },
    });
    return this.store;
  }

  async open(resource: ResourceDescriptor, context: SinkOpenContext): Promise<ResourceWriter> {
    if (this.closed) throw new KafkaSinkError('INVALID_OPTIONS', 'the Kafka sink is closed');
    const key: StateKey = { pipeline: context.pipeline, source: context.source, resource: resource.name };
    const plan: ResourceTopicPlan = planResourceTopic(this.options, context, resource);
    const id = transactionalId(this.options.transactionalIdPrefix, key.pipeline, key.source, key.resource);
    if (this.openWriters.has(id)) {
      throw new KafkaSinkError(
        'INVALID_OPTIONS',
        `resource "${resource.name}" of ${context.pipeline}/${context.source} already has an open writer`,
      );
    }
    // Reserved at once, so two concurrent opens of one resource cannot both pass the check above.
    this.openWriters.add(id);
    try {
      await Promise.all([
        this.ensure(plan),
        this.ensure(stateTopicSpec(this.options)),
        this.ensure(deadLetterTopicSpec(this.options)),
      ]);
      const unit = this.unitFor(key);
      const [encoder] = await Promise.all([
        ResourceEncoder.create({
          registry: this.registry,
          resource,
          plan,
          context: { pipeline: context.pipeline, source: context.source },
          defaultContract: this.options.schemaContract,
          emit: this.options.onEvent,
          maxRecordBytes: this.options.producer.maxRecordBytes,
          pool: this.encodePool(),
        }),
        unit.ready(),
      ]);
      // A run resumed from a checkpoint continues the interrupted run: for snapshot delete
      // detection, what that run wrote before it stopped counts as seen, even if no page is re-read.
      let resumedRunId: string | undefined;
      let startedEmpty = false;
      if (resource.writeDisposition === 'replace' || resource.deleteDetection === 'snapshot') {
        resumedRunId = (await this.stateStore().current(key))?.checkpoint?.run_id;
        // After unit.ready(): an earlier owner's open transaction is aborted or committed by now.
        startedEmpty = await this.isEmpty(plan.topic);
      }
      return new KafkaResourceWriter({
        ...(resumedRunId ? { resumedRunId } : {}),
        startedEmpty,
        unit,
        encoder,
        store: this.stateStore(),
        stateKey: key,
        resource,
        plan,
        options: this.options,
        port: this.port,
        runId: context.runId,
        onClose: () => {
          this.openWriters.delete(id);
          this.units.delete(id);
        },
      });
    } catch (error) {
      this.openWriters.delete(id);
      // The producer (made here, or by the state store's fencing read) would be reused by the next
      // open, and another owner may fence its id meanwhile: that open would then fail as fenced.
      await this.release(id);
      throw error;
    }
  }

  /** Whether no partition of `topic` holds any message (aborted ones and markers count as some). */
  private async isEmpty(topic: string): Promise<boolean> {
    const admin = await this.admin();
    try {
      const offsets = await untilSettled(`reading the offsets of ${topic}`, () => admin.topicOffsets(topic), {
        logger: this.options.logger,
      });
      return offsets.every((o) => o.high === o.low);
    } catch (error) {
      throw kafkaError(error, `reading the offsets of ${topic}`, this.options.kafka.brokers);
    }
  }

  /** Closes and forgets the producer of one transactional id; the next user gets a fresh one. */
  private async release(id: string): Promise<void> {
    const unit = this.units.get(id);
    if (!unit) return;
    this.units.delete(id);
    await unit.close();
  }

  /** The encoding workers, started with the first resource when `producer.encodeWorkers` asks for them. */
  private encodePool(): EncodePool | undefined {
    const threads = this.options.producer.encodeWorkers;
    if (threads > 0) this.pool ??= new EncodePool(threads);
    return this.pool;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.close();
    this.pool = undefined;
    await Promise.all([...this.units.values()].map((u) => u.close()));
    this.units.clear();
    await this.store?.close();
    await this.port.close();
  }
}
