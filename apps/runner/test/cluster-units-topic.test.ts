/**
 * The units topic on a fake broker that plays a KRaft broker's first moments after CreateTopics /
 * CreatePartitions ("does not host this topic-partition", "not the leader"), deterministically; and
 * the Kafka client's log lines of the group client. The real broker is exercised by cluster.test.ts.
 */
import { Redaction } from '@siphon/core';
import type { KafkaMessage, KafkaPort, SettlePolicy } from '@siphon/sink-kafka';
import {
  type CallScript,
  notLeader,
  protocolError,
  scriptedAdmin,
  scriptedCalls,
  unknownTopic,
} from '@siphon/sink-kafka/testing';
import { describe, expect, it } from 'vitest';
import { clusterLogger } from '../src/cluster/kafka-client.js';
import { ensureUnitsTopic, writeSlots } from '../src/cluster/units-topic.js';
import { RunnerError } from '../src/errors.js';
import { createLogger } from '../src/logging/logger.js';

const FAST: SettlePolicy = { attempts: 4, minDelayMs: 1, maxDelayMs: 2 };
const TOPIC = 'siphon.units.g1';

interface FakeTopic {
  policy: string;
  /** Messages per partition. */
  partitions: number[];
}

/**
 * A one-broker cluster. `failures` lists, per call (admin methods, and `send`), what its next calls
 * do first: throw the error returned, or go on. `stale` makes the clients' cached metadata list only
 * that many partitions (the admin's for ListOffsets, the producer's for its first send).
 */
function fakeCluster(
  options: {
    failures?: CallScript;
    existing?: Record<string, FakeTopic>;
    staleAdmin?: number;
    staleProducers?: number;
  } = {},
) {
  const topics = new Map(Object.entries(options.existing ?? {}));
  const { calls, step } = scriptedCalls(options.failures ?? {});
  let producers = 0;
  const get = (topic: string) => {
    const t = topics.get(topic);
    if (!t) throw unknownTopic();
    return t;
  };
  const admin = scriptedAdmin(step, topics, {
    createTopics: async (wanted) => {
      step('createTopics');
      for (const t of wanted) {
        const policy = t.configs['cleanup.policy'] ?? 'delete';
        topics.set(t.topic, { policy, partitions: Array.from({ length: t.partitions }, () => 0) });
      }
      return true;
    },
    topicConfigs: async (names) => {
      step('describeConfigs');
      return new Map(names.map((name) => [name, { 'cleanup.policy': get(name).policy }]));
    },
    partitions: async (topic) => {
      step('fetchTopicMetadata');
      return get(topic).partitions.map((_, partition) => ({ partition, leader: 1, errorCode: 0 }));
    },
    createPartitions: async (topic, count) => {
      step('createPartitions');
      const t = get(topic);
      while (t.partitions.length < count) t.partitions.push(0);
    },
    topicOffsets: async (topic) => {
      step('fetchTopicOffsets');
      const known = get(topic).partitions.slice(0, options.staleAdmin);
      return known.map((n, partition) => ({ partition, high: String(n), low: '0' }));
    },
  });
  const kafka = {
    producer: () => {
      const stale = producers++ === 0 ? options.staleProducers : undefined;
      return {
        close: async () => {},
        send: async (topic: string, messages: KafkaMessage[]) => {
          step('send');
          const t = get(topic);
          const known = stale ?? t.partitions.length;
          const written = new Set<number>();
          // Like kafkajs: messages of partitions the cached metadata does not know are skipped.
          for (const m of messages) {
            const partition = m.partition ?? 0;
            if (partition >= known) continue;
            t.partitions[partition] = (t.partitions[partition] ?? 0) + 1;
            written.add(partition);
          }
          return [...written];
        },
      };
    },
  };
  return {
    admin,
    kafka: kafka as unknown as KafkaPort,
    calls,
    topics,
    producersCreated: () => producers,
  };
}

const spec = (partitions: number) => ({
  topic: TOPIC,
  partitions,
  replicationFactor: 1,
  brokers: ['b:9092'],
  settle: FAST,
});

describe('ensureUnitsTopic while the topic settles', () => {
  it('creates a compacted topic with one partition per unit and a slot message in each, through "not the leader" and "does not host" answers', async () => {
    const cluster = fakeCluster({
      failures: {
        fetchTopicOffsets: [notLeader, notLeader, () => undefined, notLeader],
        send: [unknownTopic],
      },
    });
    await ensureUnitsTopic(cluster.admin, cluster.kafka, spec(3));
    expect(cluster.topics.get(TOPIC)).toEqual({ policy: 'compact', partitions: [1, 1, 1] });
    expect(cluster.calls.send).toBe(2);
  });

  it('adds the partitions of new units and writes slots only where none is', async () => {
    const cluster = fakeCluster({
      existing: { [TOPIC]: { policy: 'compact', partitions: [1, 0] } },
      failures: { createPartitions: [notLeader] },
      // The admin's metadata predates the new partitions; the first producer's too.
      staleAdmin: 2,
      staleProducers: 2,
    });
    await ensureUnitsTopic(cluster.admin, cluster.kafka, spec(4));
    expect(cluster.topics.get(TOPIC)?.partitions).toEqual([1, 1, 1, 1]);
    expect(cluster.calls.createPartitions).toBe(2);
    // The first producer skipped partitions 2 and 3: the write was tried again with a fresh one.
    expect(cluster.producersCreated()).toBe(2);
  });

  it('takes partitions another replica added at the same moment as done', async () => {
    const cluster = fakeCluster({
      existing: { [TOPIC]: { policy: 'compact', partitions: [1, 1] } },
      failures: {
        createPartitions: [
          () => {
            cluster.topics.get(TOPIC)?.partitions.push(1, 0);
            return protocolError('INVALID_PARTITIONS', 37, 'Topic already has 4 partitions.');
          },
        ],
      },
    });
    await ensureUnitsTopic(cluster.admin, cluster.kafka, spec(4));
    expect(cluster.topics.get(TOPIC)?.partitions).toEqual([1, 1, 1, 1]);
    expect(cluster.calls.createPartitions).toBe(1);
  });

  it('gives up after the bounded tries with an error naming the units topic and the broker answer', async () => {
    const always = Array.from({ length: 20 }, () => unknownTopic);
    const cluster = fakeCluster({ failures: { createTopics: always } });
    const error = await ensureUnitsTopic(cluster.admin, cluster.kafka, spec(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as Error).message).toMatch(
      /^cannot create the units topic siphon\.units\.g1: creating topics siphon\.units\.g1 failed: .*does not host this topic-partition/,
    );
    expect(cluster.calls.createTopics).toBe(FAST.attempts);
  });

  it('does not retry an answer waiting cannot change, and says how many partitions are missing', async () => {
    const cluster = fakeCluster({
      existing: { [TOPIC]: { policy: 'compact', partitions: [1, 1] } },
      failures: {
        createPartitions: [
          () =>
            protocolError('POLICY_VIOLATION', 44, 'Request parameters do not satisfy the configured policy'),
        ],
      },
    });
    await expect(ensureUnitsTopic(cluster.admin, cluster.kafka, spec(4))).rejects.toThrow(
      'the units topic siphon.units.g1 has 2 partitions and 4 are needed; adding them failed: Request parameters do not satisfy the configured policy',
    );
    expect(cluster.calls.createPartitions).toBe(1);
  });

  it('refuses an existing units topic that is not compacted', async () => {
    const cluster = fakeCluster({ existing: { [TOPIC]: { policy: 'delete', partitions: [0, 0, 0] } } });
    await expect(ensureUnitsTopic(cluster.admin, cluster.kafka, spec(3))).rejects.toThrow(
      /cannot create the units topic siphon\.units\.g1: topic "siphon\.units\.g1" \(scale-out units\) exists with cleanup\.policy=delete, but needs cleanup\.policy=compact/,
    );
    expect(cluster.calls.send).toBeUndefined();
  });
});

describe('writeSlots for the watchdog', () => {
  it('writes the listed partitions again, full or not, without reading offsets', async () => {
    const cluster = fakeCluster({ existing: { [TOPIC]: { policy: 'compact', partitions: [1, 1, 1] } } });
    await writeSlots(cluster.admin, cluster.kafka, TOPIC, 3, { only: [1, 2], settle: FAST });
    expect(cluster.topics.get(TOPIC)?.partitions).toEqual([1, 2, 2]);
    expect(cluster.calls.fetchTopicOffsets).toBeUndefined();
  });
});

describe('Kafka client log lines of the group client', () => {
  function capture() {
    const lines: Array<{ level: string; msg: string; component?: string }> = [];
    const logger = createLogger({
      level: 'debug',
      secrets: new Redaction(),
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    const log = clusterLogger(logger);
    const emit = (level: 'warn' | 'error', message: string, extra: Record<string, unknown> = {}) =>
      log[level]({ component: 'kafkajs', namespace: 'Consumer', ...extra }, message);
    return { lines, emit };
  }

  it('demotes the group protocol, fencing and settling-topic answers to debug', () => {
    const { lines, emit } = capture();
    emit('warn', 'The group is rebalancing, re-joining');
    emit('error', 'The coordinator is not aware of this member, re-joining the group');
    emit('error', 'Response InitProducerId(key: 22, version: 1)', {
      error:
        "Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer's transaction has been expired by the broker",
    });
    emit('error', 'Response ListOffsets(key: 2, version: 4)', {
      error: 'This server does not host this topic-partition',
    });
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug', 'debug', 'debug']);
    expect(lines.every((l) => l.component === 'kafkajs')).toBe(true);
  });

  it('keeps every other line at its level', () => {
    const { lines, emit } = capture();
    emit('error', 'Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout');
    emit('warn', 'Connection timeout');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout'],
      ['warn', 'Connection timeout'],
    ]);
  });
});
