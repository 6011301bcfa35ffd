/**
 * Which topics a pipeline needs (`planTopics`, pure) and making them exist (`ensureTopics`).
 * Merge and replace data land in compacted topics, appends in delete-policy topics; an existing
 * topic whose policy says otherwise is an error, never silently written to.
 */
import { type AvroRecordSchema, avroNamespace, inferAvroSchema } from '@siphon/avro';
import type { JsonRecord, ResourceDescriptor, WriteDisposition } from '@siphon/core';
import { avroKeySchema } from './avro/key.js';
import { errorChain, kafkaError } from './broker-errors.js';
import { KafkaSinkError } from './errors.js';
import { topicName } from './naming.js';
import { type KafkaSinkOptions, type Logger, type ResolvedOptions, resolveOptions } from './options.js';
import type { KafkaAdmin } from './port.js';
import { type SettlePolicy, TopicSettlingError, untilSettled } from './settle.js';

export type CleanupPolicy = 'compact' | 'delete';

export interface TopicSpec {
  topic: string;
  cleanupPolicy: CleanupPolicy;
  partitions: number;
  /** Undefined: 3, or the number of brokers when fewer. */
  replicationFactor?: number;
  /** Every config the topic is created with, `cleanup.policy` included. */
  configs: Record<string, string>;
  /** What the topic is for, for messages: `resource invoices`, `state`, `dead letters`. */
  purpose: string;
}

export interface ResourceTopicPlan extends TopicSpec {
  resource: string;
  writeDisposition: WriteDisposition;
  keySubject: string;
  valueSubject: string;
  /** Undefined for keyless append resources. */
  keySchema?: AvroRecordSchema;
  /** Declared, or inferred from samples; undefined when neither (inferred at the first write). */
  valueSchema?: AvroRecordSchema;
  valueSchemaSource: 'declared' | 'inferred' | 'at-first-write';
}

export interface TopicPlan {
  resources: ResourceTopicPlan[];
  stateTopic: TopicSpec;
  deadLetterTopic: TopicSpec;
}

export function cleanupPolicyFor(disposition: WriteDisposition): CleanupPolicy {
  return disposition === 'append' ? 'delete' : 'compact';
}

function baseConfigs(
  options: ResolvedOptions,
  policy: CleanupPolicy,
  extra: boolean,
): Record<string, string> {
  const { topics } = options;
  return {
    ...(extra ? topics.configs : {}),
    ...(topics.minInsyncReplicas ? { 'min.insync.replicas': String(topics.minInsyncReplicas) } : {}),
    'cleanup.policy': policy,
  };
}

/** The topic a resource is written to. */
export function resourceTopicName(
  options: ResolvedOptions,
  context: { pipeline: string; source: string },
  resource: string,
): string {
  return topicName(options.topics.template, {
    prefix: options.topics.prefix,
    pipeline: context.pipeline,
    source: context.source,
    resource,
  });
}

export function planResourceTopic(
  options: ResolvedOptions,
  context: { pipeline: string; source: string },
  resource: ResourceDescriptor,
  samples?: JsonRecord[],
): ResourceTopicPlan {
  const topic = resourceTopicName(options, context, resource.name);
  const cleanupPolicy = cleanupPolicyFor(resource.writeDisposition);
  if (cleanupPolicy === 'compact' && resource.primaryKey.length === 0) {
    throw new KafkaSinkError(
      'INVALID_OPTIONS',
      `resource "${resource.name}" is ${resource.writeDisposition} but has no primary key: a compacted topic needs a key per record`,
    );
  }
  let valueSchema = resource.schema;
  let valueSchemaSource: ResourceTopicPlan['valueSchemaSource'] = valueSchema ? 'declared' : 'at-first-write';
  if (!valueSchema && samples && samples.length > 0) {
    valueSchema = inferAvroSchema(samples, { name: resource.name, namespace: avroNamespace(context.source) });
    valueSchemaSource = 'inferred';
  }
  const keySchema =
    resource.primaryKey.length > 0
      ? avroKeySchema(resource, { source: context.source, ...(valueSchema ? { valueSchema } : {}) })
      : undefined;
  return {
    resource: resource.name,
    writeDisposition: resource.writeDisposition,
    topic,
    cleanupPolicy,
    partitions: options.topics.partitions,
    ...(options.topics.replicationFactor ? { replicationFactor: options.topics.replicationFactor } : {}),
    configs: baseConfigs(options, cleanupPolicy, true),
    purpose: `resource ${resource.name}`,
    keySubject: `${topic}-key`,
    valueSubject: `${topic}-value`,
    ...(keySchema ? { keySchema } : {}),
    ...(valueSchema ? { valueSchema } : {}),
    valueSchemaSource,
  };
}

export function stateTopicSpec(options: ResolvedOptions): TopicSpec {
  return {
    topic: options.topics.stateTopic,
    cleanupPolicy: 'compact',
    partitions: 1,
    ...(options.topics.replicationFactor ? { replicationFactor: options.topics.replicationFactor } : {}),
    configs: baseConfigs(options, 'compact', false),
    purpose: 'state',
  };
}

export function deadLetterTopicSpec(options: ResolvedOptions): TopicSpec {
  return {
    topic: options.topics.deadLetterTopic,
    cleanupPolicy: 'delete',
    partitions: 1,
    ...(options.topics.replicationFactor ? { replicationFactor: options.topics.replicationFactor } : {}),
    configs: baseConfigs(options, 'delete', false),
    purpose: 'dead letters',
  };
}

/**
 * Topics, configs and key/value schemas for a set of resources, without touching Kafka or the
 * registry (`siphon topics` / `siphon schema`). Pass `samples` to preview inferred value schemas.
 */
export function planTopics(
  options: KafkaSinkOptions,
  context: { pipeline: string; source: string; resources: ResourceDescriptor[] },
  samples?: Record<string, JsonRecord[]>,
): TopicPlan;
export function planTopics(
  options: ResolvedOptions,
  context: { pipeline: string; source: string; resources: ResourceDescriptor[] },
  samples?: Record<string, JsonRecord[]>,
): TopicPlan;
export function planTopics(
  options: KafkaSinkOptions | ResolvedOptions,
  context: { pipeline: string; source: string; resources: ResourceDescriptor[] },
  samples: Record<string, JsonRecord[]> = {},
): TopicPlan {
  const resolved = resolveOptions(options);
  return {
    resources: context.resources.map((r) => planResourceTopic(resolved, context, r, samples[r.name])),
    stateTopic: stateTopicSpec(resolved),
    deadLetterTopic: deadLetterTopicSpec(resolved),
  };
}

export interface EnsureResult {
  topic: string;
  action: 'exists' | 'created' | 'would-create';
}

export interface EnsureOptions {
  apply: boolean;
  brokers?: string[];
  onCreated?: (spec: TopicSpec) => void;
  /** Receives the retries while fresh topics settle (debug). */
  logger?: Logger | undefined;
  /** How long to wait for fresh topics to answer (default: ten tries over about 11 s). */
  settle?: SettlePolicy;
}

/**
 * Creates missing topics (when `apply`) and checks that existing ones have the cleanup policy their
 * data needs. Throws `TOPIC_POLICY_CONFLICT` naming the topic, both policies and the way out.
 * Resolves once every topic it created (or found freshly created by another process) has a leader
 * that answers, so the first produce or read does not meet a topic that is still settling.
 */
export async function ensureTopics(
  admin: KafkaAdmin,
  topics: TopicPlan | TopicSpec[],
  options: EnsureOptions,
): Promise<EnsureResult[]> {
  const specs = Array.isArray(topics)
    ? topics
    : [...topics.resources, topics.stateTopic, topics.deadLetterTopic];
  const brokers = options.brokers ?? [];
  const settle = <T>(what: string, call: () => Promise<T>) =>
    untilSettled(what, call, {
      logger: options.logger,
      ...(options.settle ? { policy: options.settle } : {}),
    });
  let existing: Set<string>;
  try {
    existing = new Set(await settle('listing topics', () => admin.listTopics()));
  } catch (error) {
    throw kafkaError(error, 'listing topics', brokers);
  }
  const present = specs.filter((s) => existing.has(s.topic));
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (present.length > 0) await checkPolicies(admin, present, brokers, settle);
  if (!options.apply) {
    return specs.map((s) => ({ topic: s.topic, action: existing.has(s.topic) ? 'exists' : 'would-create' }));
  }
  const created = new Set<string>();
  if (missing.length > 0) {
    const defaultReplication = await defaultReplicationFactor(admin, brokers);
    const names = missing.map((s) => s.topic).join(', ');
    let byOthers: TopicSpec[] = [];
    try {
      // Leaders are awaited below.
      const createdAll = await settle(`creating topics ${names}`, () =>
        admin.createTopics(
          missing.map((s) => ({
            topic: s.topic,
            partitions: s.partitions,
            replicationFactor: s.replicationFactor ?? defaultReplication,
            configs: s.configs,
          })),
        ),
      );
      // false: every one of them already existed (another process created them meanwhile).
      if (createdAll) for (const s of missing) created.add(s.topic);
      else byOthers = missing;
    } catch (error) {
      // Another process may have created some of them meanwhile: re-check before failing.
      const now = new Set(await settle('listing topics', () => admin.listTopics()).catch(() => []));
      if (!missing.every((s) => now.has(s.topic))) {
        throw new KafkaSinkError(
          'TOPIC_ADMIN',
          `creating topics ${names} failed: ${kafkaError(error, 'createTopics', brokers).message}`,
          { cause: error },
        );
      }
      const theirs = alreadyExisting(error);
      for (const s of missing) if (!theirs.has(s.topic)) created.add(s.topic);
      byOthers = missing;
    }
    // A topic someone else created is checked like any existing one.
    if (byOthers.length > 0) await checkPolicies(admin, byOthers, brokers, settle);
    // One after the other: concurrent fetchTopicOffsets race kafkajs's metadata refreshes, and a
    // refresh that finishes late puts back a cache without the newer topics.
    for (const spec of missing) {
      try {
        await settle(`waiting for the leaders of ${spec.topic}`, () => leadersAnswer(admin, spec));
      } catch (error) {
        throw new KafkaSinkError(
          'TOPIC_ADMIN',
          `topic "${spec.topic}" (${spec.purpose}) was created but its partitions have no leader that answers: ${kafkaError(error, 'listOffsets', brokers).message}`,
          { cause: error, retriable: true },
        );
      }
    }
    for (const spec of missing) if (created.has(spec.topic)) options.onCreated?.(spec);
  }
  return specs.map((s) => ({ topic: s.topic, action: created.has(s.topic) ? 'created' : 'exists' }));
}

/**
 * Fresh metadata first, straight from a broker, until every partition has a leader; then ListOffsets
 * (through the client's metadata cache), to know the leaders answer.
 */
async function leadersAnswer(admin: KafkaAdmin, spec: TopicSpec): Promise<void> {
  const partitions = await admin.partitions(spec.topic);
  const led = partitions.filter((p) => p.leader >= 0 && p.errorCode === 0);
  if (led.length < spec.partitions) {
    throw new TopicSettlingError(
      `${spec.topic}: ${led.length} of ${spec.partitions} partitions have a leader`,
    );
  }
  await admin.topicOffsets(spec.topic);
}

/** Topics a failed CreateTopics reported as existing already. */
function alreadyExisting(error: unknown): Set<string> {
  const out = new Set<string>();
  for (const e of errorChain(error)) if (e.type === 'TOPIC_ALREADY_EXISTS' && e.topic) out.add(e.topic);
  return out;
}

async function defaultReplicationFactor(admin: KafkaAdmin, brokers: string[]): Promise<number> {
  try {
    const cluster = await admin.describeCluster();
    return Math.max(1, Math.min(3, cluster.brokers));
  } catch (error) {
    throw kafkaError(error, 'describing the cluster', brokers);
  }
}

type Settle = <T>(what: string, call: () => Promise<T>) => Promise<T>;

async function checkPolicies(
  admin: KafkaAdmin,
  specs: TopicSpec[],
  brokers: string[],
  settle: Settle,
): Promise<void> {
  const names = specs.map((s) => s.topic).join(', ');
  let described: Map<string, Record<string, string>>;
  try {
    described = await settle(`describing topics ${names}`, () =>
      admin.topicConfigs(
        specs.map((s) => s.topic),
        ['cleanup.policy'],
      ),
    );
  } catch (error) {
    throw kafkaError(error, `describing topics ${names}`, brokers);
  }
  for (const spec of specs) {
    const actual = (described.get(spec.topic)?.['cleanup.policy'] ?? 'delete')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .sort()
      .join(',');
    if (actual !== spec.cleanupPolicy) {
      const why =
        spec.cleanupPolicy === 'compact'
          ? 'it holds the latest value per key, which only compaction (without deletion by age) keeps'
          : 'its records are an append-only history that compaction would collapse';
      throw new KafkaSinkError(
        'TOPIC_POLICY_CONFLICT',
        `topic "${spec.topic}" (${spec.purpose}) exists with cleanup.policy=${actual}, but needs cleanup.policy=${spec.cleanupPolicy}: ${why}. ` +
          `Change the topic's policy, or point the resource at another topic (topics.template / topics.prefix).`,
      );
    }
  }
}
